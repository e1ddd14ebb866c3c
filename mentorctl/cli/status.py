"""``status``'s work once its options are parsed, and the parts it needs.

Kept apart from the Typer command (:mod:`mentorctl.cli.tracking`) so that
:mod:`mentorctl.cli.fast` can answer ``status`` in its plain forms without importing
Typer: both parsers call :func:`show_status`, so they cannot answer differently.
"""

from __future__ import annotations

import sys
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from mentorctl.cli import output
from mentorctl.cli.state import today as today_

if TYPE_CHECKING:
    from mentorctl.cli.state import State
    from mentorctl.tracking import MatchHealth


class HealthChoice(StrEnum):
    ON_TRACK = "on-track"
    AT_RISK = "at-risk"
    STALLED = "stalled"
    ENDED = "ended"


class FailOn(StrEnum):
    AT_RISK = "at-risk"
    STALLED = "stalled"


class SortKey(StrEnum):
    HEALTH = "health"
    PAIR = "pair"
    MENTOR = "mentor"
    MENTEE = "mentee"
    LAST_MET = "last-met"
    DAYS = "days"
    MEETINGS = "meetings"
    PROGRESS = "progress"
    SATISFACTION = "satisfaction"


_STYLE = {"on-track": "green", "at-risk": "yellow", "stalled": "bold red", "ended": "dim"}


def _sort_key(key: SortKey):  # type: ignore[no-untyped-def]
    from mentorctl.tracking import health_rank

    def none_last(x: Any) -> tuple[bool, Any]:
        return (x is None, x)

    pair = lambda r: (r.circle or "", r.mentor or "", r.mentee or "")  # noqa: E731
    return {
        # Worst first; ended matches last; then the longest silence.
        SortKey.HEALTH: lambda r: (
            -health_rank(r.health) if r.health != "ended" else 9,
            -r.days_since,
            pair(r),
        ),
        SortKey.PAIR: pair,
        SortKey.MENTOR: lambda r: (r.mentor or "", r.mentee or ""),
        SortKey.MENTEE: lambda r: (r.mentee or "", r.mentor or ""),
        SortKey.LAST_MET: lambda r: (none_last(r.last_met), pair(r)),
        SortKey.DAYS: lambda r: (-r.days_since, pair(r)),
        SortKey.MEETINGS: lambda r: (r.meetings_held - r.meetings_expected, pair(r)),
        SortKey.PROGRESS: lambda r: (none_last(r.goal_progress), pair(r)),
        SortKey.SATISFACTION: lambda r: (none_last(r.satisfaction), pair(r)),
    }[key]


def _fmt_num(x: float | None, digits: int = 1) -> str:
    return "-" if x is None else f"{x:.{digits}f}"


def _cells(r: MatchHealth) -> list[str]:
    names = f"{r.mentor_name or r.mentor} -> {r.mentee_name or r.mentee}"
    if r.circle:
        names = f"{r.circle}: {names}"
    return [
        names,
        f"{r.meetings_held}/{r.meetings_expected}",
        str(r.last_met) if r.last_met else "never",
        str(r.days_since),
        "-" if r.goal_progress is None else f"{r.goal_progress:.0f}%",
        _fmt_num(r.satisfaction),
        r.health,
        # A "not yet" from the check-in form's links, with nothing newer since.
        "; ".join([*r.reasons, *([f"said not yet on {r.not_yet}"] if r.not_yet else [])]),
    ]


_HEADERS = ("Pair", "Meetings", "Last met", "Days", "Goals", "Satisfaction", "Health", "Why")
_RIGHT = {1, 3, 4, 5}
#: Above this many rows (or off a terminal) the table is plain aligned text: Rich lays
#: out every cell, which takes seconds for 10,000 matches.
RICH_MAX_ROWS = 300


def _print_plain(rows: list[MatchHealth], title: str, caption: str) -> None:
    table = [list(_HEADERS), *(_cells(r) for r in rows)]
    widths = [max(map(len, column)) for column in zip(*table, strict=True)]
    # One format per table (each cell padded to its column, numbers to the right), then
    # one call per row: padding 80,000 cells one call each cost a tenth of a second.
    line = "  ".join(f"{{:{'>' if i in _RIGHT else '<'}{w}}}" for i, w in enumerate(widths)).format
    lines = [title, *(line(*row).rstrip() for row in table), caption]
    sys.stdout.write("\n".join(lines) + "\n")


def _print_status(rows: list[MatchHealth], title: str, caption: str) -> None:
    """A Rich table with the health coloured on a terminal; plain aligned text otherwise."""
    # The row count first: a long table never needs Rich (nor its import).
    if len(rows) > RICH_MAX_ROWS or not output.out().is_terminal:
        _print_plain(rows, title, caption)
        return
    from rich.table import Table
    from rich.text import Text

    table = Table(title=title, caption=caption, header_style="bold")
    for header, justify in (
        ("Pair", "left"),
        ("Meetings", "right"),
        ("Last met", "left"),
        ("Days", "right"),
        ("Goals", "right"),
        ("Satisfaction", "right"),
        ("Health", "left"),
        ("Why", "left"),
    ):
        table.add_column(header, justify=justify)  # type: ignore[arg-type]
    for r in rows:
        cells = _cells(r)
        table.add_row(
            Text(cells[0]),
            *cells[1:6],
            Text(r.health, style=_STYLE.get(r.health, "")),
            Text(cells[7]),
        )
    output.out().print(table)


def show_status(
    state: State,
    *,
    sort: SortKey,
    health: list[HealthChoice],
    person: str | None,
    include_ended: bool,
    fail_on: FailOn | None,
    today: str | None,
    as_json: bool,
    as_csv: bool,
) -> int:
    """What ``status`` does once its options are parsed (by Typer, or by
    :mod:`mentorctl.cli.fast` for its plain forms); returns the exit code."""
    from mentorctl.errors import ExitCode, NotFoundError, UsageError
    from mentorctl.tracking.health import health_rank, health_rows, stored_cycle

    if as_json and as_csv:
        raise UsageError("choose one of --json and --csv")
    day = today_(today)
    _, program = state.load()
    # The plain read path: on SQLite, status imports neither SQLAlchemy nor the ORM.
    with state.reading() as db:
        cycle = stored_cycle(db, program)
        rows = health_rows(db, program, cycle.id, day)
    needle = (person or "").strip().lower()
    if "@" in needle and not any(needle in (r.mentor, r.mentee) for r in rows):
        # A mistyped email would list nothing, and make --fail-on pass: say so instead.
        raise NotFoundError(f"--person {person}: {needle} is in no match of cycle {cycle.name}")
    wanted = {h.value for h in health}
    if not include_ended and "ended" not in wanted:
        rows = [r for r in rows if r.status != "ended"]
    if wanted:
        rows = [r for r in rows if r.health in wanted]
    if needle:
        rows = [
            r
            for r in rows
            if needle in (r.mentor or "", r.mentee or "")
            or needle in (r.mentor_name or "").lower()
            or needle in (r.mentee_name or "").lower()
        ]
    rows.sort(key=_sort_key(sort))
    counts = {
        h: sum(1 for r in rows if r.health == h)
        for h in ("on-track", "at-risk", "stalled", "ended")
    }
    if as_json:
        document = {"cycle": cycle.name, "today": day.isoformat(), "counts": counts}
        output.print_json(document | {"matches": [r.as_json() for r in rows]})
    elif as_csv:
        from mentorctl.cli.output import Column, print_csv

        data = [r.as_json() | {"reasons": "; ".join(r.reasons)} for r in rows]
        keys = list(data[0]) if data else list(_EMPTY_KEYS)
        print_csv([Column(k, k) for k in keys], data)
    else:
        caption = ", ".join(f"{n} {h}" for h, n in counts.items() if n) or "no matches"
        _print_status(rows, f"Cycle {cycle.name} on {day}", f"{len(rows)} match(es): {caption}")
    if fail_on is not None:
        bad = [r for r in rows if health_rank(r.health) >= health_rank(fail_on.value)]
        if bad:
            output.info(f"{len(bad)} match(es) {fail_on.value} or worse (--fail-on)")
            return int(ExitCode.UNHEALTHY)
    return 0


_EMPTY_KEYS = (
    "match_id",
    "mentor",
    "mentee",
    "mentor_name",
    "mentee_name",
    "circle",
    "status",
    "started",
    "ended",
    "end_reason",
    "outcome",
    "meetings_held",
    "meetings_expected",
    "meetings_expected_total",
    "minutes",
    "last_met",
    "days_since",
    "goal_progress",
    "satisfaction",
    "recommend",
    "checkins",
    "last_checkin",
    "health",
    "reasons",
    "said_met",
    "not_yet",
)
