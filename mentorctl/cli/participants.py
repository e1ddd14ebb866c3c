"""``mentorctl participants ...``: enrol, list, change and erase people."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from mentorctl.cli import enrol, output
from mentorctl.cli.options import CsvOpt, DryRunOpt, JsonOpt, YesOpt
from mentorctl.cli.output import Column, Fmt
from mentorctl.cli.people import person_row, show_person
from mentorctl.roster.ids import id_of

if TYPE_CHECKING:
    from mentorctl.program import Program, Question

app = typer.Typer(
    rich_markup_mode=None,
    help="Enrol people and manage who takes part.",
    no_args_is_help=True,
)
# `participants import` lives in its own module (checking files is a job of its own).
app.command("import")(enrol.import_participants)


class Role(StrEnum):
    MENTOR = "mentor"
    MENTEE = "mentee"
    BOTH = "both"


# One declaration per roster field, shared by `add` and `edit`.
NameOpt = Annotated[str | None, typer.Option(help="Full name.")]
RoleOpt = Annotated[Role | None, typer.Option(help="mentor, mentee or both.")]
DepartmentOpt = Annotated[str | None, typer.Option(help="Department or team.")]
TitleOpt = Annotated[str | None, typer.Option(help="Job title.")]
LevelOpt = Annotated[str | None, typer.Option(help="One of the program's levels.")]
ManagerOpt = Annotated[
    str | None, typer.Option(help="Manager's email (for the management-chain rule).")
]
LocationOpt = Annotated[str | None, typer.Option(help="Office or city.")]
TimezoneOpt = Annotated[str | None, typer.Option(help="IANA name, e.g. Europe/Berlin.")]
LanguagesOpt = Annotated[str | None, typer.Option(help="Separated by ';'.")]
TenureOpt = Annotated[int | None, typer.Option(min=0, help="Months at the organisation.")]
ExperienceOpt = Annotated[
    float | None, typer.Option(min=0, help="Years of professional experience.")
]
CapacityOpt = Annotated[
    int | None,
    typer.Option(min=0, help="Mentees this mentor takes (a mentee: mentors they take)."),
]


def _fmt(as_json: bool, as_csv: bool) -> Fmt:
    if as_json and as_csv:
        from mentorctl.errors import UsageError

        raise UsageError("choose one of --json and --csv")
    return Fmt.JSON if as_json else Fmt.CSV if as_csv else Fmt.TABLE


# --------------------------------------------------------------------------- add / edit


def _answer_flags(program: Program, values: list[str]) -> dict[str, str]:
    from mentorctl.errors import UsageError

    ids = [q.id for q in program.survey.questions]
    out: dict[str, str] = {}
    for item in values:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"--answer {item!r}: expected QUESTION_ID=VALUE")
        if key.strip() not in ids:
            raise UsageError(
                f"--answer {item!r}: no question {key.strip()!r} in program.yaml "
                f"(questions: {', '.join(ids) or 'none'})"
            )
        out[key.strip()] = value
    return out


AnswerOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--answer",
        "-a",
        help="A survey answer as QUESTION_ID=VALUE (lists joined with ';'). Repeatable.",
    ),
]


def _field_flags(**values: Any) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


def _ask(
    program: Program,
    given: dict[str, Any],
    defaults: dict[str, Any],
    *,
    only_missing: bool,
) -> dict[str, Any]:
    """Ask on the terminal for what flags did not give (every prompt has a flag)."""
    from mentorctl.cli import prompts
    from mentorctl.program import ROSTER_FIELDS

    values = dict(given)
    ask_fields = [
        f
        for f in (
            "email",
            "name",
            "role",
            "department",
            "title",
            "level",
            "manager_email",
            "timezone",
            "languages",
        )
        if f in ROSTER_FIELDS
    ]
    for key in ask_fields:
        if only_missing and key in values:
            continue
        if key == "email" and "email" in defaults:
            continue  # identity never changes in edit
        current = _display(values.get(key, defaults.get(key)))
        check = _answer_check(program, key, values, defaults)
        if key == "role":
            values[key] = prompts.select("Role", ["mentee", "mentor", "both"], current or "mentee")
        elif key == "level" and program.levels:
            values[key] = prompts.select("Level", program.levels, current or program.levels[0])
        else:
            label = key.replace("_", " ").capitalize()
            values[key] = prompts.text(label, default=current, validate=check)
    role = values.get("role") or defaults.get("role") or "both"
    for q in program.survey.questions:
        if not q.asks(role) or (only_missing and q.id in values):
            continue
        check = _answer_check(program, q.id, values, defaults)
        values[q.id] = _ask_question(q, values.get(q.id, defaults.get(q.id)), check)
    return values


def _answer_check(
    program: Program, key: str, values: dict[str, Any], defaults: dict[str, Any]
) -> Any:
    """A prompt validator for one answer: the importer's own rules for that field, run as
    it is typed, so a mistake is fixed at its prompt and earlier answers are kept."""
    from mentorctl.roster.records import parse_record

    def check(answer: Any) -> bool | str:
        role = values.get("role") or defaults.get("role") or "both"
        probe = {"email": "someone@example.org", "name": "Someone", "role": role, key: answer}
        _, problems = parse_record(program, probe, provided={key})
        found = [p.message for p in problems if p.path == key]
        if not found:
            return True
        if key == "timezone" and isinstance(answer, str):
            hint = _closest_timezone(answer)
            if hint:
                return f"{found[0]}; did you mean {hint}?"
        return found[0]

    return check


def _closest_timezone(name: str) -> str | None:
    import difflib
    import zoneinfo

    names = sorted(zoneinfo.available_timezones())
    folded = {n.casefold(): n for n in names}
    close = difflib.get_close_matches(name.strip().casefold(), list(folded), n=1, cutoff=0.75)
    return folded[close[0]] if close else None


def _display(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return str(value)


def _ask_question(q: Question, current: Any, check: Any = None) -> Any:
    from mentorctl.cli import prompts
    from mentorctl.enums import QuestionType

    label = q.label + ("" if q.required else " (optional)")
    if q.type is QuestionType.SINGLE_CHOICE:
        return prompts.select(label, q.options or [], _display(current) or None)
    if q.type is QuestionType.MULTIPLE_CHOICE:
        return prompts.checkbox(label, q.options or [], current or [], validate=check)
    if q.type is QuestionType.LIKERT:
        low, high = q.scale
        choices = [str(i) for i in range(low, high + 1)]
        return prompts.select(label + f" ({low}-{high})", choices, _display(current) or None)
    hint = {
        QuestionType.RANKED_CHOICE: " (in order, separated by ';')",
        QuestionType.EMAIL_LIST: " (emails separated by ';')",
    }.get(q.type, "")
    return prompts.text(label + hint, default=_display(current), validate=check)


@app.command("add")
def add(
    ctx: typer.Context,
    email: Annotated[str | None, typer.Option(help="Email (the person's identity).")] = None,
    name: NameOpt = None,
    role: RoleOpt = None,
    department: DepartmentOpt = None,
    title: TitleOpt = None,
    level: LevelOpt = None,
    manager_email: ManagerOpt = None,
    location: LocationOpt = None,
    timezone: TimezoneOpt = None,
    languages: LanguagesOpt = None,
    tenure_months: TenureOpt = None,
    years_experience: ExperienceOpt = None,
    capacity: CapacityOpt = None,
    answer: AnswerOpt = None,
    yes: YesOpt = False,
    dry_run: DryRunOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Enrol one person. On a terminal, asks the survey for what the flags leave out."""
    from mentorctl.cli import prompts
    from mentorctl.errors import ImportProblemError
    from mentorctl.roster.participants import add_participant, ensure_program
    from mentorctl.roster.records import parse_record

    _, program = ctx.obj.load()
    given = _field_flags(
        email=email,
        name=name,
        role=role.value if role else None,
        department=department,
        title=title,
        level=level,
        manager_email=manager_email,
        location=location,
        timezone=timezone,
        languages=languages,
        tenure_months=tenure_months,
        years_experience=years_experience,
        capacity=capacity,
    )
    given.update(_answer_flags(program, answer or []))
    missing = [f"--{k}" for k in ("email", "name", "role") if k not in given]
    if not yes:
        role_for_questions = given.get("role", "both")
        missing += [
            f"--answer {q.id}=..."
            for q in program.survey.questions
            if q.required and q.asks(role_for_questions) and q.id not in given
        ]
    if missing and yes:
        from mentorctl.errors import UsageError

        raise UsageError("--yes cannot guess " + ", ".join(missing))
    if missing:
        prompts.require_tty(missing)
        given = _ask(program, given, {}, only_missing=True)
    record, problems = parse_record(program, given, file="participants add")
    if record is None:
        raise ImportProblemError(f"{len(problems)} problem(s); nobody was enrolled", problems)
    with ctx.obj.roster() as roster, roster.session(write=True, dry_run=dry_run) as session:
        row = ensure_program(session, program)
        add_participant(session, id_of(row), record)
    if as_json:
        output.print_json({"dry_run": dry_run, "added": record.as_dict()})
    else:
        output.info(
            f"{'would enrol' if dry_run else 'enrolled'} {record.name} <{record.email}> "
            f"as {record.role}"
        )


@app.command("edit")
def edit(
    ctx: typer.Context,
    email: Annotated[str, typer.Argument(help="Who to change.")],
    name: NameOpt = None,
    role: RoleOpt = None,
    department: DepartmentOpt = None,
    title: TitleOpt = None,
    level: LevelOpt = None,
    manager_email: ManagerOpt = None,
    location: LocationOpt = None,
    timezone: TimezoneOpt = None,
    languages: LanguagesOpt = None,
    tenure_months: TenureOpt = None,
    years_experience: ExperienceOpt = None,
    capacity: CapacityOpt = None,
    answer: AnswerOpt = None,
    dry_run: DryRunOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Change someone's details or answers. With no flags on a terminal, asks each question
    with the current answer as default."""
    from mentorctl.cli import prompts
    from mentorctl.errors import ImportProblemError, UsageError
    from mentorctl.roster.participants import (
        ensure_program,
        get_participant,
        stored_values,
        update_participant,
    )
    from mentorctl.roster.records import parse_record

    _, program = ctx.obj.load()
    changes = _field_flags(
        name=name,
        role=role.value if role else None,
        department=department,
        title=title,
        level=level,
        manager_email=manager_email,
        location=location,
        timezone=timezone,
        languages=languages,
        tenure_months=tenure_months,
        years_experience=years_experience,
        capacity=capacity,
    )
    changes.update(_answer_flags(program, answer or []))
    with ctx.obj.roster() as roster, roster.session(write=True, dry_run=dry_run) as session:
        row = ensure_program(session, program)
        person = get_participant(session, id_of(row), email)
        current = stored_values(person)
        flat = {k: v for k, v in current.items() if k != "answers"} | current["answers"]
        if not changes:
            if not prompts.interactive():
                raise UsageError(
                    "nothing to change: pass flags such as --name or --answer ID=VALUE"
                )
            changes = _ask(program, {}, flat, only_missing=False)
        merged = flat | changes
        record, problems = parse_record(program, merged, file="participants edit")
        if record is None:
            raise ImportProblemError(f"{len(problems)} problem(s); nothing changed", problems)
        changed = update_participant(session, person, record)
    if as_json:
        output.print_json({"email": record.email, "changed": changed, "dry_run": dry_run})
    elif changed:
        output.info(
            f"{'would change' if dry_run else 'changed'} {record.email}: {', '.join(changed)}"
        )
    else:
        output.info(f"{record.email}: nothing changed")


# --------------------------------------------------------------------------- list / show

LIST_COLUMNS = [
    Column("email", "Email"),
    Column("name", "Name"),
    Column("role", "Role"),
    Column("department", "Department"),
    Column("level", "Level"),
    Column("capacity", "Capacity", justify="right"),
    Column("matched", "Matched"),
]


@app.command("list")
def list_(
    ctx: typer.Context,
    role: Annotated[
        Role | None, typer.Option(help="Only this role ('both' counts as each).")
    ] = None,
    department: Annotated[str | None, typer.Option(help="Only this department.")] = None,
    matched: Annotated[
        bool | None,
        typer.Option(
            "--matched/--unmatched", help="Only people with / without a match this cycle."
        ),
    ] = None,
    as_json: JsonOpt = False,
    as_csv: CsvOpt = False,
) -> None:
    """List enrolled people."""
    from mentorctl.roster.listing import list_participants, program_and_cycle

    fmt = _fmt(as_json, as_csv)
    _, program = ctx.obj.load()
    rows: list[dict[str, Any]] = []
    # The plain read path: on SQLite, listing imports neither SQLAlchemy nor the ORM.
    with ctx.obj.reading() as db:
        pid, cycle_id = program_and_cycle(db, program)
        if pid is not None:
            people = list_participants(
                db,
                pid,
                role=role.value if role else None,
                department=department,
                matched=matched,
                cycle_id=cycle_id,
            )
            rows = [person_row(p, m) for p, m in people]
    columns = LIST_COLUMNS
    if fmt is Fmt.CSV:
        from mentorctl.program import ROSTER_FIELDS

        columns = (
            [Column(f, f) for f in ROSTER_FIELDS]
            + [Column("matched", "matched")]
            + [Column(q.id, q.id) for q in program.survey.questions]
        )
        rows = [r | r["answers"] for r in rows]
    output.render(fmt, columns, rows, caption=f"{len(rows)} participant(s)")


@app.command("show")
def show(
    ctx: typer.Context,
    email: Annotated[str, typer.Argument(help="Who to show.")],
    as_json: JsonOpt = False,
) -> None:
    """Show one person's details and survey answers."""
    code = show_person(ctx.obj, email, as_json)
    if code:
        raise typer.Exit(code)


# --------------------------------------------------------------------------- remove / forget


def _confirm_or_flag(yes: bool, question: str) -> None:
    from mentorctl.cli import prompts
    from mentorctl.errors import UsageError

    if yes:
        return
    if not prompts.interactive():
        raise UsageError(f"{question} Pass --yes to confirm (no terminal to ask on).")
    if not prompts.confirm(question, default=False):
        raise typer.Exit(1)


@app.command("remove")
def remove(
    ctx: typer.Context,
    email: Annotated[str, typer.Argument(help="Who leaves the program.")],
    yes: YesOpt = False,
    dry_run: DryRunOpt = False,
) -> None:
    """Take someone out of the program.

    People with no matches or goals are deleted; others are withdrawn (kept for reports,
    never matched again, open matches ended). Use `forget` to erase personal data.
    """
    from mentorctl.roster.participants import ensure_program, get_participant, remove_participant

    _, program = ctx.obj.load()
    if not dry_run:
        _confirm_or_flag(yes, f"Remove {email} from the program?")
    with ctx.obj.roster() as roster, roster.session(write=True, dry_run=dry_run) as session:
        row = ensure_program(session, program)
        outcome = remove_participant(session, get_participant(session, id_of(row), email))
    output.info(f"{email.lower()}: {'would be ' if dry_run else ''}{outcome}")


@app.command("forget")
def forget(
    ctx: typer.Context,
    email: Annotated[str, typer.Argument(help="Whose personal data to erase.")],
    yes: YesOpt = False,
    dry_run: DryRunOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Erase a person's personal data on request, keeping anonymous counts.

    Name, email, answers, goals, meeting notes and comments go, as do mentions of their
    email and name anywhere else in the roster (messages, HR records, other people's
    answers); role and department stay for the counts. Outside the roster: migration
    backups (roster.db.bak-*) are rewritten, rendered agreements and calendars in
    agreements/ that name them are deleted, the reminder log is rewritten and rejects
    CSVs lose their rows. Everything erased is listed.
    """
    from mentorctl.cli import prompts
    from mentorctl.roster.db import sqlite_path
    from mentorctl.roster.participants import ensure_program, forget_participant, get_participant

    state = ctx.obj
    directory, program = state.load()
    if not dry_run:
        prompts.confirm_or_flag(yes, f"Erase {email}'s personal data? This cannot be undone.")
    with state.roster() as roster, roster.session(write=True, dry_run=dry_run) as session:
        row = ensure_program(session, program)
        person = get_participant(session, id_of(row), email)
        name = person.name
        counts = forget_participant(session, id_of(row), person)
        anon = person.email
    roster_file = sqlite_path(state.roster_url())
    if roster_file is not None and not dry_run:
        _compact(roster_file)
    files = _erase_files(
        directory,
        roster_file,
        program.reminders.log_file,
        (email.strip().lower(), name, anon),
        dry_run=dry_run,
    )
    if as_json:
        output.print_json(
            {
                "email": email.lower(),
                "dry_run": dry_run,
                "erased": counts,
                "files": [{"path": str(p), "action": a} for a, p in files],
            }
        )
        return
    verb = "would erase" if dry_run else "erased"
    output.info(
        f"{email.lower()}: {verb} personal data "
        f"({counts['goals']} goal(s), {counts['meetings']} meeting note(s), "
        f"{counts['checkins']} comment(s), {counts['mentions']} mention(s) in other people's "
        f"answers, {counts['records']} other roster column(s) such as messages and HR records)"
    )
    for action, path in files:
        output.info(f"  {'would be ' if dry_run else ''}{action}: {path}")
    if not files:
        output.info("  no file outside the roster mentions them")


def _compact(roster_file: Path) -> None:
    """SQLite keeps deleted text in free pages and the WAL until they are reused: write
    the WAL back and rebuild the file, so the erased text is really gone. (Another
    process holding the roster open makes this wait; it is safe to run again.)"""
    import sqlite3

    con = sqlite3.connect(roster_file, isolation_level=None, timeout=30)
    try:
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        con.execute("VACUUM")
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        con.close()


def _erase_files(
    directory: Path,
    roster_file: Path | None,
    log_file: str | None,
    who: tuple[str, str, str],
    *,
    dry_run: bool,
) -> list[tuple[str, Path]]:
    """Erase the person from the files mentorctl wrote beside the program: (action, path)."""
    from mentorctl.roster import erasure

    needles = erasure.Needles(*who)
    done: list[tuple[str, Path]] = []
    if roster_file is not None:
        for backup in sorted(roster_file.parent.glob(roster_file.name + ".bak-*")):
            if erasure.scrub_sqlite_file(backup, needles, dry_run=dry_run):
                done.append(("rewrote migration backup", backup))
    for path in erasure.erase_documents(directory / "agreements", needles, dry_run=dry_run):
        done.append(("deleted agreement/calendar", path))
    if log_file:
        log = Path(log_file).expanduser()
        log = log if log.is_absolute() else directory / log
        if erasure.scrub_text_file(log, needles, dry_run=dry_run):
            done.append(("rewrote reminder log", log))
    rejects_files = erasure.find_files(directory, ["*.rejects.csv", "*rejects*.csv"])
    for rejects in rejects_files:
        if erasure.scrub_csv_file(rejects, needles, dry_run=dry_run):
            done.append(("removed rows from rejects file", rejects))
    # Enrolment files kept beside program.yaml (a sample's, or exports saved there) are
    # copies of the person's answers too: an erasure request covers them.
    for enrolment in sorted(set(directory.glob("*.csv")) - set(rejects_files)):
        if erasure.scrub_csv_file(enrolment, needles, dry_run=dry_run):
            done.append(("removed rows from enrolment file", enrolment))
    return done
