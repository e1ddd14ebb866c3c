"""``mentorctl goals ...``: mentees' development goals (REAL form) and their progress."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any

import typer

from mentorctl.cli import output
from mentorctl.cli.options import DryRunOpt, JsonOpt
from mentorctl.cli.output import Column
from mentorctl.enums import GoalStatus
from mentorctl.roster.ids import id_of

if TYPE_CHECKING:
    from sqlmodel import Session

    from mentorctl.program import Program
    from mentorctl.roster.models import Participant

app = typer.Typer(
    rich_markup_mode=None,
    help="Mentees' development goals, in the REAL form (Relevant, Aspirational, "
    "Experimental, Learning-based), with status and progress.",
    no_args_is_help=True,
)


MenteeArg = Annotated[str, typer.Argument(help="The mentee's email.")]
GoalArg = Annotated[str, typer.Argument(help="The goal's number (see `goals list`) or title.")]
TitleOpt = Annotated[str | None, typer.Option("--title", help="What the mentee wants to achieve.")]
RelevantOpt = Annotated[
    str | None, typer.Option("--relevant", help="R: why it matters, to them and the organisation.")
]
AspirationalOpt = Annotated[
    str | None, typer.Option("--aspirational", help="A: where it leads, beyond this cycle.")
]
ExperimentalOpt = Annotated[
    str | None, typer.Option("--experimental", help="E: what they will try out.")
]
LearningOpt = Annotated[
    str | None, typer.Option("--learning", help="L: what they expect to learn.")
]
StatusOpt = Annotated[GoalStatus | None, typer.Option("--status", help="The goal's status.")]
ProgressOpt = Annotated[
    int | None, typer.Option("--progress", min=0, max=100, help="Progress, 0-100 %.")
]

_PROMPTS = {
    "title": "Goal (what do you want to achieve?)",
    "relevant": "Relevant: why does it matter, to you and the organisation?",
    "aspirational": "Aspirational: where could it lead, beyond this cycle?",
    "experimental": "Experimental: what will you try out?",
    "learning": "Learning-based: what do you expect to learn?",
}


@contextmanager
def _mentee(
    ctx: typer.Context, email: str, *, write: bool, dry_run: bool = False
) -> Iterator[tuple[Session, Program, Participant, int]]:
    """One transaction with the program, the mentee and the current cycle's id."""
    from mentorctl.roster.participants import ensure_cycle, ensure_program, get_participant

    _, program = ctx.obj.load()
    with ctx.obj.roster() as roster, roster.session(write=write, dry_run=dry_run) as session:
        row = ensure_program(session, program)
        cycle = ensure_cycle(session, row, program)
        yield session, program, get_participant(session, id_of(row), email), id_of(cycle)


def _ask_text(fields: dict[str, Any], current: dict[str, Any]) -> dict[str, Any]:
    """Ask, on a terminal, for every REAL field not given as a flag."""
    from mentorctl.cli import prompts

    answers = dict(fields)
    for key, label in _PROMPTS.items():
        if key in answers:
            continue
        value = prompts.text(label, default=current.get(key) or "")
        if value.strip() or key == "title":
            answers[key] = value
    return answers


def _given(**values: Any) -> dict[str, Any]:
    return {
        k: (v.value if isinstance(v, StrEnum) else v) for k, v in values.items() if v is not None
    }


@app.command("add")
def add(
    ctx: typer.Context,
    mentee: MenteeArg,
    title: TitleOpt = None,
    relevant: RelevantOpt = None,
    aspirational: AspirationalOpt = None,
    experimental: ExperimentalOpt = None,
    learning: LearningOpt = None,
    status: StatusOpt = None,
    progress: ProgressOpt = None,
    dry_run: DryRunOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Add a goal for a mentee this cycle. On a terminal, asks for what the flags leave out."""
    from mentorctl.cli import prompts
    from mentorctl.tracking import goals

    given = _given(
        title=title,
        relevant=relevant,
        aspirational=aspirational,
        experimental=experimental,
        learning=learning,
    )
    if "title" not in given:
        prompts.require_tty(["--title"])
        given = _ask_text(given, {})
    with _mentee(ctx, mentee, write=True, dry_run=dry_run) as (session, program, person, cid):
        view = goals.add_goal(
            session,
            program,
            person,
            cid,
            given.pop("title"),
            status=status.value if status else "not-started",
            progress=progress or 0,
            **given,
        )
        data = view.as_json(person.email)
    if as_json:
        output.print_json({"dry_run": dry_run, "goal": data})
    else:
        verb = "would add" if dry_run else "added"
        output.info(f"{verb} goal #{data['number']} for {data['mentee']}: {data['title']}")


@app.command("edit")
def edit(
    ctx: typer.Context,
    mentee: MenteeArg,
    goal: GoalArg,
    title: TitleOpt = None,
    relevant: RelevantOpt = None,
    aspirational: AspirationalOpt = None,
    experimental: ExperimentalOpt = None,
    learning: LearningOpt = None,
    status: StatusOpt = None,
    progress: ProgressOpt = None,
    dry_run: DryRunOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Change a goal. With no flags on a terminal, asks each REAL question again."""
    from mentorctl.cli import prompts
    from mentorctl.errors import UsageError
    from mentorctl.tracking import goals

    changes = _given(
        title=title,
        relevant=relevant,
        aspirational=aspirational,
        experimental=experimental,
        learning=learning,
        status=status,
        progress=progress,
    )
    if not changes and not prompts.interactive():
        raise UsageError("nothing to change: pass flags such as --title, --status or --progress")
    with _mentee(ctx, mentee, write=True, dry_run=dry_run) as (session, program, person, cid):
        view = goals.find_goal(session, program, person, cid, goal)
        if not changes:
            current = view.as_json(person.email)
            changes = _ask_text({}, current)
        changed = goals.edit_goal(view.goal, changes)
        session.add(view.goal)
        data = view.as_json(person.email)
    _report(as_json, dry_run, data["mentee"], data, changed)


@app.command("progress")
def progress_(
    ctx: typer.Context,
    mentee: MenteeArg,
    goal: GoalArg,
    percent: Annotated[int, typer.Argument(min=0, max=100, help="Progress, 0-100.")],
    dry_run: DryRunOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Record a goal's progress (0-100 %); its status follows (100 % is achieved)."""
    from mentorctl.tracking import goals

    with _mentee(ctx, mentee, write=True, dry_run=dry_run) as (session, program, person, cid):
        view = goals.find_goal(session, program, person, cid, goal)
        changed = goals.set_progress(view.goal, percent)
        session.add(view.goal)
        data = view.as_json(person.email)
    _report(as_json, dry_run, data["mentee"], data, changed)


def _report(
    as_json: bool, dry_run: bool, email: str, data: dict[str, Any], changed: list[str]
) -> None:
    if as_json:
        output.print_json({"dry_run": dry_run, "changed": changed, "goal": data})
        return
    what = f"goal #{data['number']} of {email}"
    if not changed:
        output.info(f"{what}: nothing changed")
        return
    verb = "would change" if dry_run else "changed"
    output.info(f"{verb} {what}: {', '.join(changed)} (now {data['status']}, {data['progress']} %)")


LIST_COLUMNS = [
    Column("mentee", "Mentee"),
    Column("number", "#", justify="right"),
    Column("title", "Goal"),
    Column("status", "Status"),
    Column("progress", "Progress", justify="right"),
    Column("real", "REAL"),
]


def _real_cell(goal: dict[str, Any]) -> str:
    """Which REAL parts are written down, e.g. ``R-EL`` (a dash for each missing one)."""
    return "".join(
        letter if goal.get(key) else "-"
        for letter, key in zip(
            "RAEL", ("relevant", "aspirational", "experimental", "learning"), strict=True
        )
    )


@app.command("list")
def list_(
    ctx: typer.Context,
    mentee: Annotated[str | None, typer.Argument(help="Only this mentee's goals.")] = None,
    status: StatusOpt = None,
    as_json: JsonOpt = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="Print spreadsheet-safe CSV.")] = False,
) -> None:
    """Mentees' goals this cycle (a survey answer to `goals` counts as the first goal)."""
    from mentorctl.cli.output import Fmt
    from mentorctl.errors import UsageError
    from mentorctl.roster.participants import ensure_cycle, ensure_program
    from mentorctl.tracking import goals

    if as_json and as_csv:
        raise UsageError("choose one of --json and --csv")
    _, program = ctx.obj.load()
    rows: list[dict[str, Any]] = []
    # dry_run: a first look at an empty roster must not store the program or cycle.
    with ctx.obj.roster() as roster, roster.session(dry_run=True) as session:
        row = ensure_program(session, program)
        cycle = ensure_cycle(session, row, program)
        for person, views in goals.mentee_goals(session, program, id_of(row), id_of(cycle), mentee):
            rows += [v.as_json(person.email) for v in views]
    if status is not None:
        rows = [r for r in rows if r["status"] == status.value]
    fmt = Fmt.JSON if as_json else Fmt.CSV if as_csv else Fmt.TABLE
    table = [r | {"real": _real_cell(r), "progress": f"{r['progress']} %"} for r in rows]
    csv_cols = [
        Column(k, k)
        for k in (
            "mentee",
            "number",
            "title",
            "relevant",
            "aspirational",
            "experimental",
            "learning",
            "status",
            "progress",
            "source",
        )
    ]
    output.render(
        fmt,
        csv_cols if fmt is Fmt.CSV else LIST_COLUMNS,
        rows if fmt is Fmt.CSV else table,
        json_data=rows,
        title=f"Goals, cycle {program.cycle.name}",
    )
