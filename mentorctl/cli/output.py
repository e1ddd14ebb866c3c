"""The one output layer: tables on a terminal, JSON or CSV for scripts.

Commands build rows (lists of dicts) and hand them here. Data goes to stdout,
diagnostics to stderr; colour only on a terminal and never under ``NO_COLOR``
(Rich honours it); ``--quiet`` silences diagnostics but never data or errors.

Text that reaches a terminal is made safe here (:func:`safe_text`): control characters
in imported names or departments (an escape sequence could rewrite the screen, or hide
a line) are shown as ``\\x1b``-style escapes. JSON and CSV carry the data as it is.

Tables never cut an identifier: a column holding emails (or any column named as an
identifier) is never wrapped or truncated, other columns give way; and a table written
to a pipe or file is as wide as it needs to be (``participants list | grep EMAIL``).
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from rich.console import Console

T = TypeVar("T")


class Fmt(StrEnum):
    TABLE = "table"
    JSON = "json"
    CSV = "csv"


@dataclass
class Column:
    key: str
    header: str
    justify: str = "left"
    style: str | None = None


#: Columns whose values are identifiers: shown whole, never wrapped or cut.
IDENTIFIER_KEYS = frozenset(
    {"email", "mentor", "mentee", "manager_email", "facilitator", "to", "recipients", "pair"}
)
# C0 controls except tab/newline, DEL and C1 controls: never sent raw to a terminal.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def safe_text(text: str) -> str:
    """``text`` with control characters shown as escapes (``\\x1b`` stays visible, inert)."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group(0)):02x}", text)


_state = {"quiet": False}
_consoles: dict[str, Console] = {}


def set_quiet(quiet: bool) -> None:
    _state["quiet"] = quiet


def is_quiet() -> bool:
    return _state["quiet"]


def _console(stderr: bool) -> Console:
    # Consoles are made per stream object so that CliRunner's swapped streams are honoured.
    from rich.console import Console

    stream = sys.stderr if stderr else sys.stdout
    key = f"{'err' if stderr else 'out'}:{id(stream)}"
    if key not in _consoles:
        _consoles[key] = Console(
            file=stream,
            stderr=stderr,
            highlight=False,
            emoji=False,  # names and messages are data: ":b:" stays ":b:"
            soft_wrap=stderr,
            no_color="NO_COLOR" in os.environ or None,
        )
    return _consoles[key]


def out() -> Console:
    return _console(stderr=False)


def err() -> Console:
    return _console(stderr=True)


def info(message: str, *, markup: bool = False) -> None:
    """A diagnostic line on stderr (silenced by --quiet). ``message`` is plain text (names
    in it may hold brackets) unless ``markup`` says it is Rich markup."""
    if not is_quiet():
        err().print(safe_text(message), markup=markup)


def warn(message: str) -> None:
    if not is_quiet():
        err().print(f"[yellow]warning:[/yellow] {_escape(message)}")


def error(message: str, details: Sequence[str] = (), limit: int = 100) -> None:
    """An error line (never silenced), with up to ``limit`` detail lines."""
    console = err()
    console.print(f"[bold red]error:[/bold red] {_escape(message)}")
    for line in details[:limit]:
        console.print(f"  {_escape(line)}")
    if len(details) > limit:
        console.print(f"  ... and {len(details) - limit} more")


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(safe_text(text))


def print_json(data: Any) -> None:
    """Indented JSON, with each list of records written one record to a line.

    ``json.dumps`` with ``indent`` runs Python's pure-Python encoder; records written one to a
    line use the C encoder (several times faster on thousands of matches or people) and stay
    easy to grep and diff. A top-level object keeps one key to a line.
    """
    sys.stdout.write(_json_text(data, "") + "\n")


def _json_text(value: Any, indent: str) -> str:
    import json

    # One encoder for every record: json.dumps with any option builds a new one per call.
    dumps = json.JSONEncoder(ensure_ascii=False, default=str).encode
    inner = indent + "  "
    if isinstance(value, list) and value and all(isinstance(row, dict) for row in value):
        return "[\n" + ",\n".join(inner + dumps(row) for row in value) + "\n" + indent + "]"
    if isinstance(value, dict) and value and not indent:
        items = (f"{inner}{dumps(str(k))}: {_json_text(v, inner)}" for k, v in value.items())
        return "{\n" + ",\n".join(items) + "\n}"
    text = json.dumps(value, indent=2, ensure_ascii=False, default=str)
    return text.replace("\n", "\n" + indent) if indent else text


def print_csv(columns: Sequence[Column], rows: Iterable[dict[str, Any]]) -> None:
    from mentorctl.tables.csvsafe import to_csv

    sys.stdout.write(
        to_csv([c.key for c in columns], ([row.get(c.key) for c in columns] for row in rows))
    )


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.2f}"
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value)


def print_table(
    columns: Sequence[Column],
    rows: Sequence[dict[str, Any]],
    *,
    title: str | None = None,
    caption: str | None = None,
) -> None:
    from rich.table import Table

    table = Table(
        title=_escape(title) if title else None,
        caption=_escape(caption) if caption else None,
        header_style="bold",
    )
    cells = [[_escape(_cell(row.get(c.key))) for c in columns] for row in rows]
    for i, c in enumerate(columns):
        if _is_identifier(c.key, (r[i] for r in cells)):
            longest = max((len(r[i]) for r in cells), default=0)
            table.add_column(
                c.header,
                justify=c.justify,  # type: ignore[arg-type]
                style=c.style,
                no_wrap=True,
                min_width=max(longest, len(c.header)),
            )
        else:
            table.add_column(c.header, justify=c.justify, style=c.style)  # type: ignore[arg-type]
    for r in cells:
        table.add_row(*r)
    print_wide(table)


def _is_identifier(key: str, values: Iterable[str]) -> bool:
    return key in IDENTIFIER_KEYS or any("@" in v and " " not in v.strip() for v in values)


def print_wide(renderable: Any) -> None:
    """Print to stdout; to a pipe or file, as wide as the renderable needs (no wrapping at
    80 columns that would split a line a script greps for)."""
    console = out()
    if console.is_terminal:
        console.print(renderable)
        return
    from rich.measure import Measurement

    needed = Measurement.get(console, console.options.update(width=100_000), renderable).maximum
    console.print(renderable, width=max(console.width, needed))


def render(
    fmt: Fmt,
    columns: Sequence[Column],
    rows: Sequence[dict[str, Any]],
    *,
    json_data: Any = None,
    title: str | None = None,
    caption: str | None = None,
) -> None:
    """Render rows in the chosen format; ``json_data`` overrides the rows for --json."""
    if fmt is Fmt.JSON:
        print_json(rows if json_data is None else json_data)
    elif fmt is Fmt.CSV:
        print_csv(columns, rows)
    else:
        print_table(columns, rows, title=title, caption=caption)


def progress(label: str) -> Callable[[Iterable[T], int], Iterator[T]]:
    """Wrap an iterable in a progress bar on a terminal; silent under cron or --quiet."""

    def wrap(items: Iterable[T], total: int) -> Iterator[T]:
        if is_quiet() or not err().is_terminal or total < 500:
            yield from items
            return
        from rich.progress import track

        yield from track(items, description=label, total=total, console=err(), transient=True)

    return wrap


def stdin_is_tty() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()
