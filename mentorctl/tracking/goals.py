"""Mentees' development goals in the REAL form, with a status and progress.

REAL: **R**elevant (why it matters to the mentee and the organisation), **A**spirational
(where it leads, beyond the cycle), **E**xperimental (what the mentee will try), and
**L**earning-based (what they expect to learn). Only the title is required.

Goals belong to a participant and a cycle. A mentee who answered the survey question
``goals`` (a text question, as ``mentorctl init`` scaffolds it) and has no stored goal in
the cycle yet has that answer as their first goal: it is shown as such everywhere, and it
is stored as goal #1 the first time anyone adds or changes one of their goals.

Every function takes an open session and plain values; none prints.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from mentorctl.enums import GoalStatus, QuestionType
from mentorctl.errors import NotFoundError, UsageError
from mentorctl.program import Program
from mentorctl.roster.ids import id_of
from mentorctl.roster.models import Goal, Participant, utcnow

STATUSES: tuple[str, ...] = tuple(GoalStatus)
REAL_FIELDS: tuple[str, ...] = ("relevant", "aspirational", "experimental", "learning")
SURVEY_QUESTION = "goals"
TITLE_MAX = 300
TEXT_MAX = 2000


@dataclass
class GoalView:
    """A goal as callers see it: a stored row or the survey answer standing in for one."""

    number: int  # 1-based position among the mentee's goals this cycle
    goal: Goal
    source: str  # "roster" | "survey"

    def as_json(self, email: str) -> dict[str, Any]:
        g = self.goal
        return {
            "id": g.id,
            "number": self.number,
            "mentee": email,
            "title": g.title,
            "relevant": g.relevant,
            "aspirational": g.aspirational,
            "experimental": g.experimental,
            "learning": g.learning,
            "status": g.status,
            "progress": g.progress,
            "source": self.source,
        }


def _clean(value: str | None, limit: int, field: str) -> str | None:
    if value is None:
        return None
    text = value.strip()
    if len(text) > limit:
        raise UsageError(f"{field}: longer than {limit} characters")
    return text or None


def check_progress(percent: int) -> int:
    if not 0 <= percent <= 100:
        raise UsageError(f"progress {percent}: must be between 0 and 100")
    return percent


def check_status(status: str) -> str:
    if status not in STATUSES:
        raise UsageError(f"status {status!r}: must be one of {', '.join(STATUSES)}")
    return status


def survey_goal_text(program: Program, person: Participant) -> str | None:
    """The mentee's answer to the survey's ``goals`` text question, if any."""
    q = program.question(SURVEY_QUESTION)
    if q is None or q.type is not QuestionType.TEXT:
        return None
    value = (person.answers or {}).get(SURVEY_QUESTION)
    if not isinstance(value, str) or not value.strip():
        return None
    return " ".join(value.split())[:TITLE_MAX]


def stored_goals(session: Session, participant_id: int, cycle_id: int) -> list[Goal]:
    return list(
        session.exec(
            select(Goal)
            .where(Goal.participant_id == participant_id, Goal.cycle_id == cycle_id)
            .order_by(col(Goal.id))
        ).all()
    )


def goals_of(
    session: Session, program: Program, person: Participant, cycle_id: int
) -> list[GoalView]:
    """The mentee's goals this cycle, numbered; the survey answer when none is stored."""
    rows = stored_goals(session, id_of(person), cycle_id)
    if rows:
        return [GoalView(i, g, "roster") for i, g in enumerate(rows, start=1)]
    text = survey_goal_text(program, person)
    if text is None:
        return []
    return [
        GoalView(1, Goal(participant_id=id_of(person), cycle_id=cycle_id, title=text), "survey")
    ]


def _materialise(session: Session, program: Program, person: Participant, cycle_id: int) -> None:
    """Store the survey goal as goal #1 before the mentee's goals are first changed."""
    views = goals_of(session, program, person, cycle_id)
    if views and views[0].source == "survey":
        session.add(views[0].goal)
        session.flush()


def add_goal(
    session: Session,
    program: Program,
    person: Participant,
    cycle_id: int,
    title: str,
    *,
    relevant: str | None = None,
    aspirational: str | None = None,
    experimental: str | None = None,
    learning: str | None = None,
    status: str = "not-started",
    progress: int = 0,
) -> GoalView:
    """Add a goal for ``person`` in the cycle; returns it with its number."""
    if person.role not in ("mentee", "both"):
        raise UsageError(f"{person.email}: is a {person.role}; goals are for mentees")
    clean_title = _clean(title, TITLE_MAX, "title")
    if clean_title is None:
        raise UsageError("title: a goal needs a title")
    _materialise(session, program, person, cycle_id)
    goal = Goal(
        participant_id=person.id or 0,
        cycle_id=cycle_id,
        title=clean_title,
        relevant=_clean(relevant, TEXT_MAX, "relevant"),
        aspirational=_clean(aspirational, TEXT_MAX, "aspirational"),
        experimental=_clean(experimental, TEXT_MAX, "experimental"),
        learning=_clean(learning, TEXT_MAX, "learning"),
        status=check_status(status),
        progress=check_progress(progress),
    )
    session.add(goal)
    session.flush()
    return goals_of(session, program, person, cycle_id)[-1]


def find_goal(
    session: Session, program: Program, person: Participant, cycle_id: int, ref: str
) -> GoalView:
    """A goal by its number (``1``), or by its title (exact, or a unique start of it).

    A survey goal is stored first, so the returned goal can be changed.
    """
    _materialise(session, program, person, cycle_id)
    views = goals_of(session, program, person, cycle_id)
    if not views:
        raise NotFoundError(f"{person.email}: has no goals this cycle; add one with `goals add`")
    ref = ref.strip()
    if ref.isdigit():
        n = int(ref)
        if 1 <= n <= len(views):
            return views[n - 1]
        raise NotFoundError(f"{person.email}: no goal #{n} (they have {len(views)})")
    lowered = ref.lower()
    exact = [v for v in views if v.goal.title.lower() == lowered]
    starts = exact or [v for v in views if v.goal.title.lower().startswith(lowered)]
    if len(starts) == 1:
        return starts[0]
    if not starts:
        raise NotFoundError(f"{person.email}: no goal titled {ref!r}")
    raise UsageError(f"{ref!r} matches {len(starts)} goals of {person.email}; give its number")


def edit_goal(goal: Goal, changes: dict[str, Any]) -> list[str]:
    """Apply ``changes`` (title, REAL fields, status, progress); returns the changed names."""
    cleaned: dict[str, Any] = {}
    for key, value in changes.items():
        if key == "title":
            cleaned[key] = _clean(value, TITLE_MAX, "title")
            if cleaned[key] is None:
                raise UsageError("title: a goal needs a title")
        elif key in REAL_FIELDS:
            cleaned[key] = _clean(value, TEXT_MAX, key)
        elif key == "status":
            cleaned[key] = check_status(value)
        elif key == "progress":
            cleaned[key] = check_progress(int(value))
        else:
            raise UsageError(f"{key}: not a goal field")
    if "progress" in cleaned and "status" not in cleaned:
        cleaned["status"] = status_for_progress(goal.status, cleaned["progress"])
    changed = [k for k, v in cleaned.items() if getattr(goal, k) != v]
    for key in changed:
        setattr(goal, key, cleaned[key])
    if changed:
        goal.updated_at = utcnow()
    return changed


def status_for_progress(status: str, progress: int) -> str:
    """The status that a new progress figure implies (a dropped goal stays dropped)."""
    if status == "dropped":
        return status
    if progress >= 100:
        return "achieved"
    if progress > 0:
        return "in-progress"
    return "not-started" if status == "achieved" else status


def set_progress(goal: Goal, percent: int) -> list[str]:
    """Record progress (0-100 %); the status follows unless the goal was dropped."""
    return edit_goal(goal, {"progress": check_progress(percent)})


def mentee_goals(
    session: Session, program: Program, program_id: int, cycle_id: int, email: str | None = None
) -> list[tuple[Participant, list[GoalView]]]:
    """Every mentee (or one) with their goals this cycle, ordered by email."""
    query = select(Participant).where(
        Participant.program_id == program_id,
        col(Participant.forgotten_at).is_(None),
        col(Participant.role).in_(("mentee", "both")),
    )
    if email is not None:
        query = query.where(Participant.email == email.strip().lower())
    people = session.exec(query.order_by(Participant.email)).all()
    if email is not None and not people:
        raise NotFoundError(f"{email.strip().lower()}: no such mentee in this program")
    return [(p, goals_of(session, program, p, cycle_id)) for p in people]
