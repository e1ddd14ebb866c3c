"""``mentorctl init``: scaffold a program (wizard on a terminal, flags everywhere)."""

from __future__ import annotations

import contextlib
import datetime as dt
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import typer

from mentorctl.cli import output
from mentorctl.enums import Cadence, Focus, Format
from mentorctl.roster.ids import id_of


def _parse_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not a date like 2027-01-15") from None


def init(
    ctx: typer.Context,
    directory: Annotated[
        Path, typer.Argument(help="Where to create the program (made if missing).")
    ] = Path("."),
    name: Annotated[str | None, typer.Option(metavar="<text>", help="Program name.")] = None,
    coordinator: Annotated[
        str | None, typer.Option(metavar="<email>", help="Your email, for escalations.")
    ] = None,
    format: Annotated[Format | None, typer.Option("--format", help="Program format.")] = None,
    focus: Annotated[Focus | None, typer.Option(help="Program focus.")] = None,
    reverse: Annotated[
        bool | None,
        typer.Option(
            "--reverse/--no-reverse", metavar="", help="Junior people mentor senior ones."
        ),
    ] = None,
    cycle_name: Annotated[
        str | None, typer.Option(metavar="<name>", help="First cycle's name, e.g. 2027-h1.")
    ] = None,
    start: Annotated[
        str | None, typer.Option(metavar="<YYYY-MM-DD>", help="First cycle's start date.")
    ] = None,
    length_weeks: Annotated[
        int | None, typer.Option(min=1, max=260, metavar="<weeks>", help="Cycle length in weeks.")
    ] = None,
    cadence: Annotated[Cadence | None, typer.Option(help="How often pairs meet.")] = None,
    criteria: Annotated[
        str | None,
        typer.Option(
            metavar="<list>",
            help="Comma-separated: skills, language, timezone, seniority, "
            "personality, preference, department.",
        ),
    ] = None,
    capacity: Annotated[
        int | None, typer.Option(min=1, metavar="<n>", help="Mentees per mentor (default).")
    ] = None,
    min_tenure_months: Annotated[
        int | None,
        typer.Option(min=0, metavar="<months>", help="Months at the organisation to be a mentor."),
    ] = None,
    from_sample: Annotated[
        str | None,
        typer.Option(
            metavar="<sample>",
            help="Copy a bundled sample program (onboarding, engineering-group, "
            "tech-circles) and enrol its people.",
        ),
    ] = None,
    yes: Annotated[
        bool,
        typer.Option("--yes", "-y", metavar="", help="Take defaults for unanswered questions."),
    ] = False,
    force: Annotated[
        bool,
        typer.Option(
            "--force", metavar="", help="Overwrite an existing program.yaml (the roster is kept)."
        ),
    ] = False,
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", metavar="", help="Print program.yaml; write nothing."),
    ] = False,
) -> None:
    """Create a program: a commented program.yaml, an empty roster and a participants CSV template.

    On a terminal, a short wizard asks what the flags leave out.

    With --yes (or in cron) defaults are taken; with no terminal, a missing answer names its flag.
    """
    from mentorctl.program import scaffold

    if from_sample is not None:
        _init_from_sample(ctx, directory, from_sample, force=force, dry_run=dry_run)
        return
    if scaffold.existing_program(directory) and not force:
        scaffold.write_program(directory, "", force=False)  # raises the clear error

    if coordinator is not None and _is_email_or_blank(coordinator) is not True:
        raise typer.BadParameter(
            f"{coordinator!r} is not an email address", param_hint="'--coordinator'"
        )
    flags: dict[str, Any] = {
        "name": name,
        "coordinator": coordinator,
        "format": format.value if format else None,
        "focus": focus.value if focus else None,
        "reverse": reverse,
        "cycle_name": cycle_name,
        "start": _parse_date(start) if start else None,
        "length_weeks": length_weeks,
        "cadence": cadence.value if cadence else None,
        "criteria": [c.strip() for c in criteria.split(",") if c.strip()] if criteria else None,
        "capacity": capacity,
        "min_tenure_months": min_tenure_months,
    }
    answers = _wizard(flags, yes=yes)
    text = scaffold.render_program(answers)
    if dry_run:
        # Written as is: a Console would wrap long lines to the terminal's width.
        sys.stdout.write(text)
        return
    backup = _backup_program(directory, text)
    with _restore_on_failure(directory, backup):
        written = scaffold.write_program(directory, text, force=force)
        _create_roster(ctx, directory, written)
    from rich.markup import escape

    output.info(f"[green]created[/green] {escape(str(directory / 'program.yaml'))}", markup=True)
    output.info(f"  participants template: {directory / scaffold.TEMPLATE_FILE}")
    output.info(
        "  next: fill the template (or export your form), then "
        f"`mentorctl -p {directory} participants import FILE`"
    )


_FLAG_OF = {
    "name": "--name",
    "coordinator": "--coordinator",
    "format": "--format",
    "focus": "--focus",
    "reverse": "--reverse/--no-reverse",
    "cycle_name": "--cycle-name",
    "start": "--start",
    "length_weeks": "--length-weeks",
    "cadence": "--cadence",
    "criteria": "--criteria",
    "capacity": "--capacity",
    "min_tenure_months": "--min-tenure-months",
}


def _is_email_or_blank(text: str) -> bool | str:
    """A prompt's check: blank (no coordinator) or an email address."""
    from mentorctl.roster.records import is_email

    text = text.strip()
    return not text or is_email(text) or f"{text!r} is not an email address"


def _wizard(flags: dict[str, Any], *, yes: bool) -> Any:
    """Fill unanswered questions: defaults with --yes, prompts on a TTY, else a usage error."""
    from mentorctl.cli import prompts
    from mentorctl.program import scaffold

    answers = scaffold.InitAnswers()
    missing = [k for k, v in flags.items() if v is None]
    if missing and not yes:
        prompts.require_tty([_FLAG_OF[k] for k in missing])
    given = {k: v for k, v in flags.items() if v is not None}
    for key, value in given.items():
        setattr(answers, key, value)
    if yes or not missing:
        return _finish(answers, given)

    def ask(key: str, fn: Any) -> None:
        if key not in given:
            setattr(answers, key, fn())

    ask("name", lambda: prompts.text("Program name", answers.name, lambda s: bool(s.strip())))
    ask(
        "coordinator",
        lambda: (
            prompts.text("Coordinator email (optional)", "", _is_email_or_blank).strip() or None
        ),
    )
    ask("format", lambda: prompts.select("Format", [f.value for f in Format], answers.format))
    ask("focus", lambda: prompts.select("Focus", [f.value for f in Focus], answers.focus))
    ask("reverse", lambda: prompts.confirm("Reverse mentoring (junior mentors senior)?", False))
    ask(
        "start",
        lambda: dt.date.fromisoformat(
            prompts.text("First cycle starts (YYYY-MM-DD)", answers.start.isoformat(), _is_date)
        ),
    )
    ask(
        "cycle_name",
        lambda: prompts.text(
            "Cycle name", scaffold.default_cycle_name(answers.start), lambda s: bool(s.strip())
        ),
    )
    ask(
        "length_weeks",
        lambda: int(prompts.text("Cycle length in weeks", str(answers.length_weeks), _is_positive)),
    )
    ask(
        "cadence",
        lambda: prompts.select("Meeting cadence", [c.value for c in Cadence], answers.cadence),
    )
    ask(
        "criteria",
        lambda: prompts.checkbox(
            "What should matching consider?", list(scaffold.CRITERIA), answers.criteria
        ),
    )
    if answers.format != "one-to-one":
        ask(
            "capacity", lambda: int(prompts.text("Mentees per mentor (default)", "3", _is_positive))
        )
    ask(
        "min_tenure_months",
        lambda: (
            int(
                prompts.text(
                    "Months at the organisation needed to mentor (0 for none)",
                    str(answers.min_tenure_months or 0),
                    _is_count,
                )
            )
            or None
        ),
    )
    return _finish(answers, given)


def _finish(answers: Any, given: dict[str, Any]) -> Any:
    if "capacity" not in given and answers.format != "one-to-one" and answers.capacity == 1:
        answers.capacity = 3
    return answers


def _is_date(text: str) -> bool | str:
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return "a date like 2027-01-15"
    return True


def _is_positive(text: str) -> bool | str:
    return (text.isdigit() and int(text) > 0) or "a whole number above 0"


def _is_count(text: str) -> bool | str:
    return text.isdigit() or "a whole number"


def _backup_program(directory: Path, new_text: str | None) -> Path | None:
    """Copy an existing program.yaml aside before ``--force`` overwrites it, and say where.

    A program.yaml is hand-edited (comments, criteria, clauses); overwriting it with no
    copy lost that work. Nothing is copied when there is no file or it would not change.
    """
    import shutil

    from mentorctl.program import PROGRAM_FILE

    path = directory / PROGRAM_FILE
    if not path.is_file():
        return None
    if new_text is not None and path.read_text(encoding="utf-8") == new_text:
        return None
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    backup = path.with_name(f"{PROGRAM_FILE}.bak-{stamp}")
    n = 1
    while backup.exists():
        n += 1
        backup = path.with_name(f"{PROGRAM_FILE}.bak-{stamp}-{n}")
    shutil.copy2(path, backup)
    output.info(f"kept the old program.yaml as {backup}")
    return backup


@contextlib.contextmanager
def _restore_on_failure(directory: Path, backup: Path | None) -> Iterator[None]:
    """Put the backed-up program.yaml back if writing the new one or the roster fails."""
    try:
        yield
    except BaseException:
        if backup is not None:
            import shutil

            from mentorctl.program import PROGRAM_FILE

            shutil.copy2(backup, directory / PROGRAM_FILE)
            backup.unlink()
        raise


def _create_roster(ctx: typer.Context, directory: Path, written: list[Path]) -> None:
    """Create the roster with the program and its first cycle; undo the files on failure."""
    from mentorctl.cli.state import State
    from mentorctl.roster.db import sqlite_path
    from mentorctl.roster.participants import ensure_cycle, ensure_program

    state = State(program_location=directory, database_url=ctx.obj.database_url)
    db_file = sqlite_path(state.roster_url()) if (directory / "program.yaml").exists() else None
    if db_file is not None and db_file.exists():
        db_file = None  # an existing roster is never removed
    try:
        _, program = state.load()
        with state.roster(create=True) as roster, roster.session(write=True) as session:
            ensure_cycle(session, ensure_program(session, program), program)
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        if db_file is not None:
            for suffix in ("", "-wal", "-shm"):
                db_file.with_name(db_file.name + suffix).unlink(missing_ok=True)
        raise
    ctx.obj = state


def _init_from_sample(
    ctx: typer.Context, directory: Path, name: str, *, force: bool, dry_run: bool
) -> None:
    from mentorctl.program import scaffold
    from mentorctl.roster.importer import plan_import, read_participants, require_clean
    from mentorctl.roster.participants import apply_import, existing_index

    if dry_run:
        names = scaffold.sample_names()
        if name not in names:
            scaffold.copy_sample(name, directory, force=force)  # raises the clear error
        output.info(f"would copy sample {name!r} into {directory}")
        return
    backup = _backup_program(directory, None) if force else None
    with _restore_on_failure(directory, backup):
        written = scaffold.copy_sample(name, directory, force=force)
        _create_roster(ctx, directory, written)
    csv_path = directory / "participants.csv"
    enrolled = 0
    if csv_path.exists():
        state = ctx.obj
        _, program = state.load()
        result = read_participants(program, csv_path)
        require_clean(result, str(csv_path))
        with state.roster(create=True) as roster, roster.session(write=True) as session:
            from mentorctl.roster.participants import ensure_program

            row = ensure_program(session, program)
            plan = plan_import(result.records, existing_index(session, id_of(row)))
            apply_import(session, id_of(row), plan)
            enrolled = len(plan.create) + len(plan.update)
    from rich.markup import escape

    output.info(
        f"[green]created[/green] {escape(str(directory / 'program.yaml'))} "
        f"from sample {escape(repr(name))}"
        + (f"; enrolled {enrolled} participant(s)" if enrolled else ""),
        markup=True,
    )
