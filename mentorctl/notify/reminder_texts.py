"""What reminders and the coordinator's digest say (pinned by tests: change them deliberately).

Pure functions from a match's health row (or the digest's items) to a subject and a plain
text body; :mod:`mentorctl.notify.ladder` decides which are due, and
:mod:`mentorctl.notify.reminders` sends them through the outbox.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from mentorctl.notify.links import checkin_lines
from mentorctl.tracking import MatchHealth

if TYPE_CHECKING:
    from mentorctl.program import Program


def _names(row: MatchHealth) -> str:
    mentor = row.mentor_name or row.mentor or "mentor"
    mentee = row.mentee_name or row.mentee or "mentee"
    return f"{mentor} and {mentee}"


def _since(row: MatchHealth) -> str:
    if row.last_met is None:
        return (
            f"You have not logged a meeting since your match started on {row.started} "
            f"({row.days_since} days ago)"
        )
    return f"Your last mentoring meeting was on {row.last_met} ({row.days_since} days ago)"


def _sign_off(program: Program) -> str:
    return f"\n-- \n{program.name}\n"


def _ask_coordinator(program: Program) -> str:
    return (
        f"your coordinator ({program.coordinator})" if program.coordinator else "your coordinator"
    )


def nudge_text(program: Program, row: MatchHealth, step: int) -> tuple[str, str]:
    """Subject and body of ladder step 1 or 2 (pinned by tests: change them deliberately)."""
    cadence = program.cycle.cadence.days
    # "We met" / "not yet" links (forms.checkin_url): a "we met" answer stops the nudges.
    links = checkin_lines(
        program,
        row.match_id,
        [
            (n or "", e)
            for n, e in ((row.mentor_name, row.mentor), (row.mentee_name, row.mentee))
            if e
        ],
    )
    if step == 1:
        subject = f"{program.name}: time for your next mentoring meeting"
        body = (
            f"Hello {_names(row)},\n\n"
            f"{_since(row)}; the program suggests meeting every {cadence} days. "
            "A short catch-up keeps the momentum going: could you find a time this week?\n\n"
            + (
                "\n".join(links) + "\n"
                if links
                else f"Already met? Reply to let {_ask_coordinator(program)} know, "
                "and this reminder stops.\n"
            )
        )
    else:
        subject = f"{program.name}: second reminder to meet"
        body = (
            f"Hello {_names(row)},\n\n"
            f"{_since(row)}; the program suggests meeting every {cadence} days.\n\n"
            "If something is in the way (time, fit, or the goals themselves), reply and "
            f"{_ask_coordinator(program)} will help. Ending a match early is fine too: "
            "it is a no-fault decision.\n" + ("\n" + "\n".join(links) + "\n" if links else "")
        )
    return subject, body + _sign_off(program)


def checkin_text(program: Program, row: MatchHealth) -> tuple[str, str]:
    subject = f"{program.name}: how is your mentoring going?"
    body = (
        f"Hello {_names(row)},\n\n"
        "It is time for the short pulse check-in: how satisfied you are (1-5), whether you "
        "would recommend the program (0-10), and how far the goals have come. It takes two "
        f"minutes, and your answers stay with {_ask_coordinator(program)}.\n"
    )
    return subject, body + _sign_off(program)


def cycle_ending_text(
    program: Program, row: MatchHealth, end: dt.date, days: int
) -> tuple[str, str]:
    subject = f"{program.name}: the cycle ends on {end}"
    body = (
        f"Hello {_names(row)},\n\n"
        f"Cycle {program.cycle.name} ends on {end}, {days} days from now. Plan a closing "
        "meeting: look back at the goals, note what worked, and decide whether to keep "
        "in touch.\n"
    )
    return subject, body + _sign_off(program)


@dataclass(frozen=True)
class DigestItem:
    """A recorded message the coordinator has not been told about yet."""

    id: int
    kind: str
    status: str
    subject: str
    recipients: tuple[str, ...]
    error: str | None = None


_DIGEST_HEADINGS = (
    ("escalation", None, "Stalled pairs: please reach out to them"),
    ("reminder-2", None, "Second reminders sent"),
    ("reminder-1", None, "First reminders sent"),
    ("cycle-ending", None, "Cycle-ending reminders sent"),
    ("checkin", None, "Check-in reminders sent"),
)


def digest_text(
    program: Program,
    items: Sequence[DigestItem],
    today: dt.date,
    counts: dict[str, int] | None = None,
) -> tuple[str, str]:
    """Subject and body of the coordinator's digest (pinned by tests)."""
    subject = f"{program.name}: reminders digest for {today}"
    lines = [f"Reminders for cycle {program.cycle.name} on {today}.", ""]
    if counts:
        lines += [
            "Matches: "
            + ", ".join(
                f"{counts.get(h, 0)} {h.replace('-', ' ')}"
                for h in ("on-track", "at-risk", "stalled")
            ),
            "",
        ]
    problems = [i for i in items if i.status in ("failed", "unknown", "interrupted") or i.error]
    for kind, _, heading in _DIGEST_HEADINGS:
        chosen = [i for i in items if i.kind == kind and i not in problems]
        if not chosen:
            continue
        lines.append(f"{heading} ({len(chosen)}):")
        for i in chosen:
            who = (
                i.subject.removeprefix("stalled: ")
                if kind == "escalation"
                else ", ".join(i.recipients)
            )
            lines.append(f"  - {who}")
        lines.append("")
    if problems:
        lines.append(f"Not delivered, or not sure ({len(problems)}):")
        for i in problems:
            why = (
                "interrupted while sending: may not have been delivered; not resent"
                if i.status in ("unknown", "interrupted")
                else f"failed: {i.error}"
                if i.status == "failed"
                else str(i.error)
            )
            lines.append(f"  - {i.kind} to {', '.join(i.recipients)}: {why}")
        lines.append("")
    lines.append("Run `mentorctl status` for every match's health.")
    return subject, "\n".join(lines) + "\n" + _sign_off(program)
