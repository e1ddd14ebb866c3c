"""The program's current cycle in the roster: the cycle every tracking command acts on."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mentorctl.errors import NotFoundError

if TYPE_CHECKING:
    from sqlmodel import Session

    from mentorctl.program import Program


def current_cycle(session: Session, program: Program, *, create: bool = True) -> tuple[int, Any]:
    """(program id, CycleRow) of program.yaml's current cycle; created on first use."""
    from mentorctl.roster.models import CycleRow
    from mentorctl.roster.participants import ensure_cycle, ensure_program, find_program_id

    if create:
        row = ensure_program(session, program)
        return row.id or 0, ensure_cycle(session, row, program)
    from sqlmodel import select

    pid = find_program_id(session, program)
    cycle = None
    if pid is not None:
        cycle = session.exec(
            select(CycleRow).where(CycleRow.program_id == pid, CycleRow.name == program.cycle.name)
        ).first()
    if pid is None or cycle is None:
        raise NotFoundError(
            f"cycle {program.cycle.name}: nothing stored yet; "
            "enrol people and run `mentorctl match` first"
        )
    return pid, cycle
