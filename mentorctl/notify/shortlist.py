"""Shortlists: each mentee (or mentor) gets their best candidates, to rank before matching.

:func:`build` works on the matching engine's plain input (:class:`MatchInput`): every
candidate pair is scored and checked against the hard constraints once
(:func:`mentorctl.matching.scored.score_candidates`), and each person not yet matched in
this cycle gets up to ``top`` eligible candidates with room left, best first. Each
candidate is shown with:

* their name and person code (:mod:`mentorctl.program.codes`), which the ranking form
  sends back;
* the roster fields in ``shortlist.fields`` and the survey answers whose question is
  visible to participants (``visible:``; personality items, free text and lists of
  people are private by default);
* one or two reasons in the participants' own words
  (:func:`mentorctl.agreements.reasons.participant_reasons`), from criteria that read
  nothing private. No score, weight or criterion name is ever written.

With ``forms.ranking_url`` set, each email carries the person's own pre-filled link
(:func:`mentorctl.notify.links.fill`: every value percent-encoded).

:func:`send` sends them through the one outbox (:mod:`mentorctl.notify.outbox`): the
key ``<slug>:shortlist:<cycle>:<email>`` is claimed before SMTP sees the message, so a
re-run sends nothing twice (``resend`` to send again), and ``participants forget``
finds the person's rows by their email.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mentorctl.notify.outbox import Message

if TYPE_CHECKING:
    from mentorctl.matching.types import MatchInput, Person
    from mentorctl.notify.batch import SendResult
    from mentorctl.program import Program
    from mentorctl.roster.db import Roster

KIND = "shortlist"


@dataclass(frozen=True)
class Candidate:
    """One person on a shortlist, as participants may see them."""

    email: str
    name: str
    code: str
    facts: tuple[tuple[str, str], ...]  # (label, value), visible fields only
    reasons: tuple[str, ...]

    def as_json(self) -> dict[str, Any]:
        return {
            "email": self.email,
            "name": self.name,
            "code": self.code,
            "facts": [{"label": k, "value": v} for k, v in self.facts],
            "reasons": list(self.reasons),
        }


@dataclass
class Shortlist:
    """One shortlist email, as plain data."""

    to: tuple[str, str]  # (name, email)
    role: str  # mentee | mentor: the recipient's side
    code: str
    candidates: list[Candidate]
    dedupe_key: str
    subject: str
    text: str
    reply_to: str | None = None
    link: str | None = None
    previous: str | None = None  # status recorded by an earlier run

    def message(self) -> Message:
        return Message(
            kind=KIND,
            dedupe_key=self.dedupe_key,
            to=[self.to],
            subject=self.subject,
            text=self.text,
            reply_to=self.reply_to,
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "key": self.dedupe_key,
            "to": {"name": self.to[0], "email": self.to[1]},
            "role": self.role,
            "code": self.code,
            "candidates": [c.as_json() for c in self.candidates],
            "link": self.link,
            "subject": self.subject,
            "text": self.text,
            "previous": self.previous,
        }


# --------------------------------------------------------------------------- what is shown


def _shown(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value if v not in (None, ""))
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value)


_FIELD_LABELS = {
    "title": "Job title",
    "department": "Department",
    "level": "Level",
    "location": "Based in",
    "timezone": "Time zone",
    "languages": "Languages",
    "tenure_months": "Months at the organisation",
    "years_experience": "Years of experience",
    "name": "Name",
    "role": "Role",
    "capacity": "Mentees they take",
}


def visible_facts(program: Program, person: Person) -> tuple[tuple[str, str], ...]:
    """(label, value) of what participants may see of ``person``: the roster fields in
    ``shortlist.fields`` and the answers to questions visible to participants."""
    out: list[tuple[str, str]] = []
    for name in program.shortlist.fields:
        value = _shown(person.get(name))
        if value:
            out.append((_FIELD_LABELS.get(name, name.replace("_", " ").capitalize()), value))
    answers = person.get("answers") or {}
    role = str(person.get("role") or "both")
    for q in program.survey.questions:
        if not q.shown_to_participants or not q.asks(role):
            continue
        value = _shown(answers.get(q.id))
        if value:
            out.append((q.label, value))
    return tuple(out)


def private_questions(program: Program) -> set[str]:
    """Ids of the questions participants may not see (their answers stay private)."""
    return {q.id for q in program.survey.questions if not q.shown_to_participants}


def _criterion_sources(c: Any) -> set[str]:
    out = set()
    for attr in ("field", "mentee", "mentor"):
        value = getattr(c, attr, None)
        if isinstance(value, str):
            out.add(value)
    out.update(getattr(c, "questions", None) or [])
    return out


def reasons_program(program: Program) -> Program:
    """``program`` with every criterion that reads a private answer kept from
    participants (``show_participants: false``): a reason such as "you answered the
    questions about work style alike" or "Amelia asked for Adaeze" would tell what a
    private answer was."""
    private = private_questions(program)
    criteria = [
        c.model_copy(update={"show_participants": False}) if _criterion_sources(c) & private else c
        for c in program.matching.criteria
    ]
    matching = program.matching.model_copy(update={"criteria": criteria})
    return program.model_copy(update={"matching": matching})


# --------------------------------------------------------------------------- building


def _first(name: str, email: str) -> str:
    words = name.split()
    return words[0] if words else email.partition("@")[0]


def body(
    program: Program,
    first: str,
    role: str,
    candidates: Sequence[Candidate],
    link: str | None,
) -> str:
    """The plain-text shortlist email (pinned by tests: change it deliberately)."""
    other = "mentors" if role == "mentee" else "mentees"
    pairing = "mentees with mentors" if role == "mentee" else "mentors with mentees"
    signer = program.coordinator or f"The {program.name} team"
    n = len(candidates)
    lines = [
        f"Hello {first},",
        "",
        f"{program.name} will soon pair {pairing} for the {program.cycle.name} cycle. "
        "You have a say in it: here "
        + (f"are the {n} {other} who look" if n > 1 else f"is the {other[:-1]} who looks")
        + " most likely to suit you, from what everyone told us when they signed up.",
        "",
    ]
    for i, c in enumerate(candidates, 1):
        lines.append(f"{i}. {c.name} (code {c.code})")
        lines += [f"   {label}: {value}" for label, value in c.facts]
        if c.reasons:
            lines.append("   Why: " + " ".join(r.rstrip(".") + "." for r in c.reasons))
        lines.append("")
    if link:
        lines += [
            "Tell us whom you would most like to work with. Your own link opens the form "
            "with these codes filled in: put them in your order (first = most wanted) and "
            "leave out anyone you would rather not work with.",
            "",
            link,
            "",
        ]
    else:
        lines += [
            "Tell us whom you would most like to work with: reply to this email with their "
            "codes in your order (first = most wanted), leaving out anyone you would rather "
            "not work with.",
            "",
        ]
    lines += [
        "Answering is up to you: if you rank nobody, you will be matched on your sign-up "
        "answers as usual. We cannot promise your first choice, as everyone's wishes "
        "count, but we will do our best.",
        "",
        "Best wishes,",
        signer,
        "",
    ]
    return "\n".join(lines)


def subject(program: Program, role: str) -> str:
    other = "mentors" if role == "mentee" else "mentees"
    return f"{program.name}: your shortlist of {other} to rank"


def dedupe_key(program: Program, email: str) -> str:
    """``<slug>:shortlist:<cycle>:<email>``: one shortlist per person and cycle."""
    return f"{program.slug}:{KIND}:{program.cycle.name}:{email}"


def build(
    inp: MatchInput,
    *,
    top: int,
    mentors: bool = False,
    only: Sequence[str] = (),
) -> list[Shortlist]:
    """A shortlist for each mentee (``mentors``: each mentor) not yet matched this cycle.

    Candidates are the other side's people a pair with whom breaks no hard constraint
    (eligibility and ``min_score`` included) and who have room left, best first, at most
    ``top``. People without any candidate get no email. ``only`` limits the recipients
    to these emails. Deterministic: ties are broken by email.
    """
    import numpy as np

    from mentorctl.matching.scored import mentors_and_mentees, score_candidates
    from mentorctl.program.codes import person_codes

    program = inp.program
    all_mentors, all_mentees = mentors_and_mentees(inp)
    # Accepted matches and the coordinator's locks are settled: those mentees get no
    # shortlist, and their mentors have that much less room.
    taken: dict[str, int] = {}
    settled = set()
    for mentor, mentee in (*inp.kept, *inp.locks):
        if mentee not in settled:
            taken[mentor] = taken.get(mentor, 0) + 1
            settled.add(mentee)
    room = np.array(
        [
            max(0, program.mentor_capacity(m.get("capacity")) - taken.get(m["email"], 0))
            for m in all_mentors
        ]
    )
    scored = score_candidates(inp, all_mentors, all_mentees, room)
    codes = person_codes(program.slug, [p["email"] for p in inp.people])
    shown = reasons_program(program)
    from mentorctl.agreements.reasons import participant_reasons

    wanted = {e.strip().lower() for e in only}
    out = []
    if mentors:
        recipients = [(i, m) for i, m in enumerate(all_mentors) if room[i] > 0]
    else:
        recipients = [(j, e) for j, e in enumerate(all_mentees) if e["email"] not in settled]
    for index, person in recipients:
        email = person["email"]
        if wanted and email not in wanted:
            continue
        if mentors:
            ok = scored.allowed[index, :] & np.array(
                [e["email"] not in settled for e in all_mentees]
            )
            raw, pool = scored.raw[index, :], all_mentees
        else:
            ok = scored.allowed[:, index] & (room > 0)
            raw, pool = scored.raw[:, index], all_mentors
        picks = sorted(
            (k for k in np.flatnonzero(ok).tolist() if pool[k]["email"] != email),
            key=lambda k: (-float(raw[k]), pool[k]["email"]),
        )[:top]
        if not picks:
            continue
        candidates = []
        for k in picks:
            other = pool[k]
            pair = (person, other) if mentors else (other, person)
            reader = "mentor" if mentors else "mentee"
            reasons = participant_reasons(shown, pair[0], pair[1], limit=2, reader=reader)
            candidates.append(
                Candidate(
                    email=other["email"],
                    name=str(other.get("name") or other["email"]),
                    code=codes[other["email"]],
                    facts=visible_facts(program, other),
                    reasons=tuple(reasons),
                )
            )
        role = "mentor" if mentors else "mentee"
        name = str(person.get("name") or "")
        link = _ranking_link(program, email, name, codes[email], candidates)
        out.append(
            Shortlist(
                to=(name, email),
                role=role,
                code=codes[email],
                candidates=candidates,
                dedupe_key=dedupe_key(program, email),
                subject=subject(program, role),
                text=body(program, _first(name, email), role, candidates, link),
                reply_to=program.coordinator,
                link=link,
            )
        )
    return out


def _ranking_link(
    program: Program, email: str, name: str, code: str, candidates: Sequence[Candidate]
) -> str | None:
    from mentorctl.notify.links import fill

    template = program.forms.ranking_url
    if template is None:
        return None
    values = {
        "email": email,
        "name": name,
        "code": code,
        "candidates": ", ".join(c.code for c in candidates),
    }
    return fill(template, values)


# --------------------------------------------------------------------------- sending


def send(
    roster: Roster,
    program: Program,
    program_id: int,
    shortlists: Sequence[Shortlist],
    *,
    password: str | None,
    resend: bool = False,
    wait: float = 60.0,
    on_result: Callable[[SendResult[Shortlist]], None] | None = None,
) -> list[SendResult[Shortlist]]:
    """Send each shortlist once through the outbox, as every email is
    (:func:`mentorctl.notify.batch.send_once`)."""
    from mentorctl.notify.batch import send_once

    return send_once(
        roster,
        program,
        program_id,
        shortlists,
        password=password,
        resend=resend,
        wait=wait,
        on_result=on_result,
    )


def preview(shortlists: Sequence[Shortlist]) -> list[str]:
    """Each email as it would be read: headers and body."""
    out = []
    for s in shortlists:
        head = [f"To: {s.to[0]} <{s.to[1]}>", f"Subject: {s.subject}"]
        if s.previous:
            head.append(f"Recorded: {s.previous}")
        out.append("\n".join(head) + "\n\n" + s.text)
    return out


__all__ = [
    "KIND",
    "Candidate",
    "Shortlist",
    "build",
    "dedupe_key",
    "preview",
    "private_questions",
    "reasons_program",
    "send",
    "visible_facts",
]
