"""Command lines answered before Typer parses anything.

Typer coerces every option's value through pydantic adapters, which costs more than the
whole of ``mentorctl --help``. Command lines that cron, scripts and dashboards run over
and over should cost little more than their own work, so :func:`answered` recognises
them in their plain form and runs them here, before Typer is imported:

* ``notify intro --send`` with every introduction already sent (asks
  :func:`mentorctl.notify.quick.quick_all_sent`);
* ``status`` with any of its options (the same :func:`mentorctl.cli.status.show_status`
  the Typer command calls, so the two cannot answer differently);
* ``report`` with any of its options (likewise :func:`mentorctl.cli.reporting.show_report`);
* ``match`` (the proposal, not its subcommands) with any of its options (likewise
  :func:`mentorctl.cli.proposing.run_match`);
* ``participants show EMAIL`` and ``explain MENTEE [MENTOR]`` (likewise
  :func:`mentorctl.cli.people.show_person` and :func:`mentorctl.cli.explain.explain_command`).

Plain means: global options (``-p``, ``--database-url``, ``-q``, and their environment
variables), the command's words, then options this module knows, each with a value Typer
would take. Whenever it is not sure (another option, an odd or repeated value, ``--help``,
a roster it cannot read cheaply, something left to send) it returns False and the command
runs through Typer as usual, which checks and decides everything again.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mentorctl.cli.state import State

_TRUE = frozenset({"1", "true", "t", "yes", "y", "on"})
_FALSE = frozenset({"", "0", "false", "f", "no", "n", "off"})
_FORMATS = frozenset({"md", "html", "pdf"})


class _NotPlain(Exception):
    """The command line is not in a plain form: Typer handles it."""


def _flag(env: str) -> bool:
    value = os.environ.get(env, "").strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise _NotPlain


@dataclass(frozen=True)
class _Spec:
    """A command in its plain form: its words, its flags (at most one of ``exclusive``),
    its options with a value (each with a check of the value; ``repeatable`` ones may be
    given more than once)."""

    words: tuple[str, ...]
    flags: frozenset[str] = frozenset()
    exclusive: frozenset[str] = frozenset()
    values: dict[str, Callable[[str], bool]] = field(default_factory=dict)
    repeatable: frozenset[str] = frozenset()
    arguments: tuple[int, int] = (0, 0)  # how many positional arguments: at least, at most


@dataclass
class _Line:
    """A parsed plain command line: global options, then the command's own."""

    program: Path | None
    url: str | None
    quiet: bool
    flags: set[str]
    values: dict[str, list[str]]
    arguments: list[str] = field(default_factory=list)

    def one(self, name: str) -> str | None:
        """The value of option ``name`` (the last one given), or None."""
        given = self.values.get(name)
        return given[-1] if given else None

    def today(self) -> str | None:
        """``--today``, or ``MENTORCTL_TODAY`` as Typer reads it (the option's envvar)."""
        return self.one("--today") or os.environ.get("MENTORCTL_TODAY") or None


def _not_plain() -> _Line:
    raise _NotPlain


_GLOBAL_VALUES = ("-p", "--program", "--database-url")


def _parse(argv: Sequence[str], spec: _Spec) -> _Line:
    """``argv`` as ``spec``'s command; raises _NotPlain for anything else."""
    program = os.environ.get("MENTORCTL_PROGRAM") or None
    url = os.environ.get("MENTORCTL_DATABASE_URL") or None
    quiet = _flag("MENTORCTL_QUIET")
    words: list[str] = []
    flags: set[str] = set()
    values: dict[str, list[str]] = {}
    arguments: list[str] = []
    tokens = list(argv)
    while tokens:
        token = tokens.pop(0)
        name, eq, inline = token.partition("=")
        if token in ("-q", "--quiet"):
            quiet = True
            continue
        short_p = token.startswith("-p") and not token.startswith("--") and len(token) > 2
        if name in _GLOBAL_VALUES or name in spec.values or short_p:
            if name in spec.values and tuple(words) != spec.words:
                raise _NotPlain  # options of the command, before it: a usage error
            if short_p:
                value = token[2:]
            elif eq:
                value = inline
            elif tokens:
                value = tokens.pop(0)
            else:
                raise _NotPlain
            if short_p or name in ("-p", "--program"):
                program = value
            elif name == "--database-url":
                url = value
            elif not spec.values[name](value) or (name in values and name not in spec.repeatable):
                raise _NotPlain
            else:
                values.setdefault(name, []).append(value)
            continue
        if token in spec.flags and tuple(words) == spec.words and token not in flags:
            flags.add(token)
            continue
        if token.startswith("-"):
            raise _NotPlain  # --help, another option ...
        if len(words) < len(spec.words):
            words.append(token)
        elif tuple(words) == spec.words and len(arguments) < spec.arguments[1]:
            arguments.append(token)
        else:
            raise _NotPlain  # another command, one argument too many
    low = spec.arguments[0]
    if tuple(words) != spec.words or len(flags & spec.exclusive) > 1 or len(arguments) < low:
        raise _NotPlain
    return _Line(Path(program) if program else None, url, quiet, flags, values, arguments)


def _one_of(choices: Sequence[str]) -> Callable[[str], bool]:
    return frozenset(choices).__contains__


def _non_negative(value: str) -> bool:
    try:
        return float(value) >= 0
    except ValueError:
        return False


def _text(value: str) -> bool:
    return bool(value) and not value.startswith("-")


_INTRO_SEND = _Spec(
    words=("notify", "intro"),
    flags=frozenset({"--send"}),
    values={"--attach": _one_of(sorted(_FORMATS)), "--wait": _non_negative},
)


def _plain_intro_send(argv: Sequence[str]) -> tuple[Path | None, str | None, bool]:
    """(--program, --database-url, --quiet) of ``notify intro --send`` in its plain form;
    raises _NotPlain for anything else."""
    line = _parse(argv, _INTRO_SEND)
    if "--send" not in line.flags:
        raise _NotPlain
    return line.program, line.url, line.quiet


def _status_spec() -> _Spec:
    from mentorctl.cli.status import FailOn, HealthChoice, SortKey

    return _Spec(
        words=("status",),
        flags=frozenset({"--json", "--csv", "--all"}),
        exclusive=frozenset({"--json", "--csv"}),  # Typer says which one to choose
        values={
            "--sort": _one_of(list(SortKey)),
            "--health": _one_of(list(HealthChoice)),
            "--person": _text,
            "--fail-on": _one_of(list(FailOn)),
            "--today": _text,
        },
        repeatable=frozenset({"--health"}),
    )


_REPORT = _Spec(
    words=("report",),
    flags=frozenset(
        {"--json", "--csv", "--md", "--all-cycles", "--greedy", "--no-greedy", "--timeline"}
    ),
    exclusive=frozenset({"--greedy", "--no-greedy"}),  # Typer takes the last: leave it that
    values={"--cycle": _text, "--html": _text, "--today": _text},
)


def _match_spec() -> _Spec:
    from mentorctl.enums import Mode

    return _Spec(
        words=("match",),
        flags=frozenset({"--dry-run", "--json", "--fill"}),
        values={
            "--mode": _one_of([m.value for m in Mode]),
            "--set": _text,
            "--lock": _text,
            "--forbid": _text,
            "--override": _text,
        },
        repeatable=frozenset({"--set", "--lock", "--forbid"}),
    )


_SHOW = _Spec(words=("participants", "show"), flags=frozenset({"--json"}), arguments=(1, 1))
_EXPLAIN = _Spec(
    words=("explain",),
    flags=frozenset({"--json"}),
    values={"--top": lambda v: v.isdigit() and int(v) >= 1},
    arguments=(1, 2),
)


def _answer_intro_send(argv: Sequence[str]) -> bool:
    program, url, quiet = _plain_intro_send(argv)
    from mentorctl.notify.quick import quick_all_sent

    already = quick_all_sent(program, url)
    if already is None:
        return False
    if not quiet:
        from mentorctl.cli.notify import all_sent

        sys.stderr.write(all_sent(already) + "\n")
    return True


def _run(line: _Line, command: str, call: Callable[[State], int]) -> bool:
    """Run a parsed plain command line as Typer would: quiet set, a State made, errors
    mapped to exit codes by the same :func:`mentorctl.cli.guarded`."""
    from mentorctl.cli import guarded, output
    from mentorctl.cli.state import State

    output.set_quiet(line.quiet)
    state = State(line.program, line.url, line.quiet, command=command)
    code = guarded(lambda: call(state))
    sys.stdout.flush()
    if code:
        raise SystemExit(code)
    return True


def _answer_status(argv: Sequence[str]) -> bool:
    line = _parse(argv, _status_spec()) if "status" in argv else _not_plain()
    from mentorctl.cli.status import FailOn, HealthChoice, SortKey, show_status

    fail_on = line.one("--fail-on")
    return _run(
        line,
        "status",
        lambda state: show_status(
            state,
            sort=SortKey(line.one("--sort") or SortKey.HEALTH),
            health=[HealthChoice(h) for h in line.values.get("--health", [])],
            person=line.one("--person"),
            include_ended="--all" in line.flags,
            fail_on=FailOn(fail_on) if fail_on else None,
            today=line.today(),
            as_json="--json" in line.flags,
            as_csv="--csv" in line.flags,
        ),
    )


def _answer_report(argv: Sequence[str]) -> bool:
    line = _parse(argv, _REPORT) if "report" in argv else _not_plain()
    from mentorctl.cli.reporting import show_report

    html = line.one("--html")
    # Only one of the two may be given (the spec's exclusive pair); neither: the default.
    greedy = ("--greedy" in line.flags) if line.flags & {"--greedy", "--no-greedy"} else None
    return _run(
        line,
        "report",
        lambda state: show_report(
            state,
            cycle=line.one("--cycle"),
            as_json="--json" in line.flags,
            as_csv="--csv" in line.flags,
            as_md="--md" in line.flags,
            html=Path(html) if html else None,
            all_cycles="--all-cycles" in line.flags,
            greedy=greedy,
            timeline="--timeline" in line.flags,
            today=line.today(),
        ),
    )


def _answer_match(argv: Sequence[str]) -> bool:
    line = _parse(argv, _match_spec()) if "match" in argv else _not_plain()
    from mentorctl.cli.proposing import run_match
    from mentorctl.enums import Mode

    mode = line.one("--mode")
    return _run(
        line,
        "match",
        lambda state: run_match(
            state,
            mode=Mode(mode) if mode else None,
            dry_run="--dry-run" in line.flags,
            as_json="--json" in line.flags,
            set_=line.values.get("--set"),
            lock=line.values.get("--lock"),
            forbid=line.values.get("--forbid"),
            override=line.one("--override"),
            fill="--fill" in line.flags,
        ),
    )


def _answer_show(argv: Sequence[str]) -> bool:
    line = _parse(argv, _SHOW) if "show" in argv else _not_plain()
    from mentorctl.cli.people import show_person

    (email,) = line.arguments
    return _run(line, "participants show", lambda s: show_person(s, email, "--json" in line.flags))


def _answer_explain(argv: Sequence[str]) -> bool:
    line = _parse(argv, _EXPLAIN) if "explain" in argv else _not_plain()
    from mentorctl.cli.explain import explain_command

    mentee = line.arguments[0]
    mentor = line.arguments[1] if len(line.arguments) > 1 else None
    top = int(line.one("--top") or 5)

    def explain(state: State) -> int:
        explain_command(state, mentee, mentor, top, "--json" in line.flags)
        return 0

    return _run(line, "explain", explain)


def answered(argv: Sequence[str]) -> bool:
    """Answer ``argv`` here when it is one of the plain command lines above; False when
    Typer should run it. May exit with the command's exit code."""
    answers = (
        _answer_intro_send,
        _answer_status,
        _answer_report,
        _answer_match,
        _answer_show,
        _answer_explain,
    )
    for answer in answers:
        try:
            return answer(argv)
        except _NotPlain:
            continue
    return False
