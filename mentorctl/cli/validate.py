"""``mentorctl validate``: check program.yaml, and the roster against it."""

from __future__ import annotations

from typing import Annotated

import typer

from mentorctl.cli import output


def validate(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Check program.yaml and the roster against it.

    Lists every problem with its file, line and path. Exits 1 when there is any.
    """
    from mentorctl.errors import ExitCode, ProgramError
    from mentorctl.roster.checks import roster_problems
    from mentorctl.roster.db import sqlite_path

    state = ctx.obj
    try:
        directory, program = state.load()
    except ProgramError as exc:
        if not as_json:
            raise
        problems = exc.problems or []
        output.print_json(
            {"ok": False, "problems": [_problem(p) for p in problems] or [{"message": exc.message}]}
        )
        raise typer.Exit(ExitCode.DATA) from None

    url = state.roster_url()
    path = sqlite_path(url)
    people: list[dict] = []
    found_in_matches: list = []  # over-full mentors; locks that break a constraint
    roster_checked = path is None or path.exists()
    if roster_checked:
        from mentorctl.roster.listing import list_participants
        from mentorctl.roster.matches import match_problems
        from mentorctl.roster.participants import find_program_id, stored_values

        with state.roster(create=False) as roster, roster.session() as session:
            pid = find_program_id(session, program)
            if pid is not None:
                people = [stored_values(p) for p, _ in list_participants(session, pid)]
                found_in_matches = match_problems(
                    session,
                    program,
                    pid,
                    people,
                    roster=str(path or "roster"),
                    program_file=str(directory / "program.yaml"),
                )
    problems = roster_problems(program, people, source=str(path or "roster")) + found_in_matches
    # Agreement clauses that contradict the meeting terms every agreement states.
    from mentorctl.agreements.terms import clause_contradictions
    from mentorctl.errors import Problem

    yaml_file = str(directory / "program.yaml")
    problems = [
        Problem(p.message, file=yaml_file, path=p.path) for p in clause_contradictions(program)
    ] + problems
    summary = {
        "ok": not problems,
        "program": str(directory / "program.yaml"),
        "questions": len(program.survey.questions),
        "criteria": len(program.matching.criteria),
        "participants": len(people),
        "roster": roster_checked,
        "problems": [_problem(p) for p in problems],
    }
    if as_json:
        output.print_json(summary)
    elif problems:
        where = "in the roster" if all(p.file != yaml_file for p in problems) else "found"
        output.error(f"{len(problems)} problem(s) {where}", [str(p) for p in problems])
    else:
        roster_note = (
            f"{len(people)} participant(s) fit the survey" if roster_checked else ("no roster yet")
        )
        from rich.markup import escape

        output.info(
            f"[green]ok[/green] {escape(str(summary['program']))}: "
            f"{summary['questions']} question(s), "
            f"{summary['criteria']} matching criteria; {roster_note}",
            markup=True,
        )
    if problems:
        raise typer.Exit(ExitCode.DATA)


def _problem(p: object) -> dict:
    return {k: getattr(p, k) for k in ("file", "line", "path", "message")}
