"""The data of each agreement: who it is for, and the template context.

:func:`build_agreements` reads the roster and returns :class:`AgreementDoc` objects,
one per active match (or per circle), each holding a plain template context (its
fields are listed in ``docs/agreements.md``). The meeting terms come from
:mod:`mentorctl.agreements.terms`, the reasons a pair was matched from
:mod:`mentorctl.agreements.reasons`, and file names from
:mod:`mentorctl.agreements.names`; nothing here renders.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mentorctl.agreements.names import email_slug, slug, unique_stems
from mentorctl.agreements.values import NAME_MAX, one_line
from mentorctl.enums import Format
from mentorctl.errors import NotFoundError
from mentorctl.program import Program

if TYPE_CHECKING:
    from sqlmodel import Session

    from mentorctl.roster.models import CycleRow, Participant

KINDS = ("one-to-one", "group", "circle")


@dataclass
class AgreementDoc:
    """One agreement to render: who it is for, and the template context."""

    kind: str  # one-to-one | group | circle
    cycle: str
    mentor: str  # email (the facilitator of a circle)
    mentees: list[str]  # emails
    circle: str | None
    match_ids: list[int]
    stem: str  # relative path without extension: "2027-h1/ada-lovelace--alan-turing"
    context: dict[str, Any] = field(repr=False)
    attendees: list[tuple[str, str]] = field(default_factory=list, repr=False)
    timezone: str | None = None

    def summary(self) -> str:
        names = [self.context["mentor"]["name"]] + [m["name"] for m in self.context["mentees"]]
        return (f"{self.circle} circle: " if self.circle else "") + " / ".join(names)


def person_context(p: Participant) -> dict[str, Any]:
    name = one_line(p.name, NAME_MAX) or p.email
    return {
        "name": name,
        "first_name": name.split(" ")[0],
        "email": p.email,
        "role": p.role,
        "title": one_line(p.title),
        "department": one_line(p.department),
        "location": one_line(p.location),
        "timezone": one_line(p.timezone),
        "goals": [],
    }


def goal_context(goal: dict[str, Any]) -> dict[str, Any]:
    return {
        "number": goal["number"],
        "title": one_line(goal["title"]),
        "relevant": one_line(goal["relevant"]),
        "aspirational": one_line(goal["aspirational"]),
        "experimental": one_line(goal["experimental"]),
        "learning": one_line(goal["learning"]),
        "status": goal["status"],
        "progress": goal["progress"],
    }


def program_context(program: Program) -> dict[str, Any]:
    """The program, cycle and meeting fields every agreement shares (from its terms)."""
    from mentorctl.agreements.terms import terms_of

    cycle = program.cycle
    terms = terms_of(program)
    return {
        "program": {
            "name": one_line(program.name),
            "slug": program.slug,
            "description": one_line(program.description),
            "objectives": [one_line(o) for o in program.objectives],
            "focus": program.focus.value,
            "format": program.format.value,
            "reverse": program.reverse,
            "coordinator": program.coordinator or "",
        },
        "focus": program.focus.value,
        "cycle": {
            "name": one_line(cycle.name),
            "start": cycle.start,
            "end": cycle.end,
            "length_weeks": cycle.length_weeks,
            "cadence": cycle.cadence.value,
        },
        "meetings": {
            "cadence": terms.cadence.value,
            "cadence_text": terms.cadence_text,
            "count": terms.count,
            "minutes": terms.minutes,
            "length_text": terms.length_text,
            "time": terms.time,
            "first_date": terms.first_date,
            "last_date": terms.last_date,
            # The first meeting is the series' first date; it may move, up to this day.
            "move_by": terms.move_by,
            "first_meeting_by": terms.move_by,
        },
        "clauses": [one_line(c) for c in program.agreement.clauses],
    }


def build_agreements(
    session: Session,
    program: Program,
    program_id: int,
    cycle: CycleRow,
    *,
    mentor: str | None = None,
    mentee: str | None = None,
) -> list[AgreementDoc]:
    """The agreements of the cycle's active matches: one per match, or one per circle.

    ``mentor``/``mentee`` (emails) keep only the agreements they are part of; naming
    someone with no active match is a NotFoundError.
    """
    from sqlmodel import col, select

    from mentorctl.roster.models import MatchRow, Participant
    from mentorctl.tracking import goals as goals_mod

    rows = session.exec(
        select(MatchRow)
        .where(MatchRow.cycle_id == cycle.id, MatchRow.status == "active")
        .order_by(col(MatchRow.id))
    ).all()
    ids = {r.mentor_id for r in rows} | {r.mentee_id for r in rows}
    people = {
        p.id: p for p in session.exec(select(Participant).where(col(Participant.id).in_(ids))).all()
    }
    base = program_context(program)
    values: dict[int | None, dict[str, Any]] = {}

    def reasons_of(mentor_id: int | None, mentee_id: int | None) -> list[str]:
        from mentorctl.agreements.reasons import participant_reasons
        from mentorctl.roster.participants import stored_values

        for pid in (mentor_id, mentee_id):
            if pid not in values:
                values[pid] = stored_values(people[pid])
        found = participant_reasons(program, values[mentor_id], values[mentee_id])
        return [one_line(r) for r in found]

    def person(pid: int | None) -> dict[str, Any]:
        p = people[pid]
        ctx = person_context(p)
        if p.role in ("mentee", "both"):
            views = goals_mod.goals_of(session, program, p, cycle.id or 0)
            ctx["goals"] = [goal_context(v.as_json(p.email)) for v in views]
        return ctx

    groups: dict[tuple[Any, ...], list[MatchRow]] = {}
    for r in rows:
        key: tuple[Any, ...] = ("circle", r.mentor_id, r.circle) if r.circle else ("match", r.id)
        groups.setdefault(key, []).append(r)
    by_mentor: dict[int | None, list[MatchRow]] = {}
    for r in rows:
        if not r.circle:
            by_mentor.setdefault(r.mentor_id, []).append(r)

    docs: list[AgreementDoc] = []
    for key, members in groups.items():
        lead = people[members[0].mentor_id]
        mentee_rows = sorted(members, key=lambda r: people[r.mentee_id].email)
        mentee_ctx = [person(r.mentee_id) for r in mentee_rows]
        if key[0] == "circle":
            kind = "circle"
        elif program.format is Format.GROUP:
            kind = "group"
        else:
            kind = "one-to-one"
        group = []
        if kind == "group":
            group = [
                person_context(people[o.mentee_id])
                for o in sorted(by_mentor[lead.id], key=lambda r: people[r.mentee_id].email)
                if o.id != members[0].id
            ]
        context = {
            **base,
            "kind": kind,
            "mentor": person(lead.id),
            "mentee": mentee_ctx[0] if kind != "circle" else None,
            "mentees": mentee_ctx,
            "group": group,
            "circle": {"topic": one_line(key[2])} if kind == "circle" else None,
            "reasons": [] if kind == "circle" else reasons_of(lead.id, members[0].mentee_id),
        }
        cycle_dir = slug(program.cycle.name, "cycle")
        if kind == "circle":
            stem = f"circle-{slug(key[2], 'topic')}--{slug(lead.name, email_slug(lead.email))}"
        else:
            m = people[members[0].mentee_id]
            stem = f"{slug(lead.name, email_slug(lead.email))}--{slug(m.name, email_slug(m.email))}"
        docs.append(
            AgreementDoc(
                kind=kind,
                cycle=program.cycle.name,
                mentor=lead.email,
                mentees=[people[r.mentee_id].email for r in mentee_rows],
                circle=key[2] if kind == "circle" else None,
                match_ids=[r.id or 0 for r in mentee_rows],
                stem=f"{cycle_dir}/{stem}",
                context=context,
                attendees=[(lead.name, lead.email)]
                + [(people[r.mentee_id].name, people[r.mentee_id].email) for r in mentee_rows],
                timezone=people[mentee_rows[0].mentee_id].timezone
                if kind != "circle"
                else lead.timezone,
            )
        )
    unique_stems(docs)  # type: ignore[arg-type]
    return _select(docs, mentor, mentee)


def _select(docs: list[AgreementDoc], mentor: str | None, mentee: str | None) -> list[AgreementDoc]:
    if mentor is None and mentee is None:
        return docs
    mentor_l = mentor.strip().lower() if mentor else None
    mentee_l = mentee.strip().lower() if mentee else None
    out = [
        d
        for d in docs
        if (mentor_l is None or d.mentor == mentor_l)
        and (mentee_l is None or mentee_l in d.mentees)
    ]
    if not out:
        who = " -> ".join(x for x in (mentor_l, mentee_l) if x)
        raise NotFoundError(f"no active match {who} in this cycle")
    return out


def sample_context(program: Program, kind: str = "one-to-one") -> dict[str, Any]:
    """A context with every field filled, for `--template-check`, docs and screenshots."""

    def p(name: str, email: str, title: str, dept: str, role: str) -> dict[str, Any]:
        return {
            "name": name,
            "first_name": name.split(" ")[0],
            "email": email,
            "role": role,
            "title": title,
            "department": dept,
            "location": "London",
            "timezone": "Europe/London",
            "goals": [],
        }

    mentee = p("Alan Turing", "alan@example.com", "Researcher", "Research", "mentee")
    mentee["goals"] = [
        {
            "number": 1,
            "title": "Lead a small team through one project",
            "relevant": "Our group is growing and needs more leads",
            "aspirational": "Become a team lead within two years",
            "experimental": "Run the weekly stand-up for a month",
            "learning": "How to delegate and give feedback",
            "status": "in-progress",
            "progress": 20,
        }
    ]
    other = p("Katherine Johnson", "katherine@example.com", "Analyst", "Research", "mentee")
    return {
        **program_context(program),
        "kind": kind,
        "mentor": p("Ada Lovelace", "ada@example.com", "Staff Engineer", "Engineering", "mentor"),
        "mentee": None if kind == "circle" else mentee,
        "mentees": [mentee, other] if kind == "circle" else [mentee],
        "group": [other] if kind == "group" else [],
        "circle": {"topic": "Leadership"} if kind == "circle" else None,
        "reasons": []
        if kind == "circle"
        else [
            "Alan wants to grow in Python and Leadership, which Ada offers",
            "You both work in the same time zone",
        ],
    }


def kinds_of(program: Program) -> list[str]:
    """The kinds of agreement a program produces (its format decides)."""
    if program.format is Format.CIRCLES:
        return ["circle"]
    return ["group"] if program.format is Format.GROUP else ["one-to-one"]


def known_fields(program: Program) -> set[str]:
    """The top-level fields a template gets."""
    return set(sample_context(program))
