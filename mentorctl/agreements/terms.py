"""What a pair agrees to, in one place: cadence, meeting length and time, dates.

Every document a participant receives reads :func:`terms_of`: the agreement in each
format, the ``.ics`` meeting series and the introduction email. So the agreement can no
longer say "every two weeks" while the calendar repeats monthly, or "first meeting by
15 February" while the calendar's first meeting is on the 1st: the first meeting *is* the
first date of the series, and ``agreement.first_meeting_within_days`` only says how late
a pair may move it.

:func:`clause_contradictions` reads the coordinator's free-text ``agreement.clauses`` for
a cadence ("every week", "monthly" ...), a meeting length ("30 minutes", "an hour") or a
first-meeting delay ("within 3 weeks") that disagrees with these terms; ``agreements
--template-check`` and ``validate`` report what it finds.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta

from mentorctl.enums import Cadence
from mentorctl.errors import Problem
from mentorctl.program import Program

CADENCE_TEXT = {
    Cadence.WEEKLY: "every week",
    Cadence.BIWEEKLY: "every two weeks",
    Cadence.MONTHLY: "every month",
}


@dataclass(frozen=True)
class Terms:
    """The meeting terms of one program's current cycle (the same for every pair)."""

    cadence: Cadence
    cadence_text: str  # "every two weeks"
    minutes: int  # length of each meeting
    time: str  # "10:00", local time of the series
    cycle_start: dt.date
    cycle_end: dt.date
    dates: tuple[dt.date, ...]  # every meeting of the series; dates[0] is the first meeting
    move_by: dt.date  # the first meeting may move, but should happen by this day

    @property
    def first_date(self) -> dt.date:
        return self.dates[0]

    @property
    def last_date(self) -> dt.date:
        return self.dates[-1]

    @property
    def count(self) -> int:
        return len(self.dates)

    @property
    def length_text(self) -> str:
        """``about 45 minutes``, ``about an hour``, ``about 1 hour 30 minutes``."""
        hours, minutes = divmod(self.minutes, 60)
        if hours == 0:
            return f"about {minutes} minutes"
        head = "an hour" if hours == 1 else f"{hours} hours"
        if minutes == 0:
            return f"about {head}"
        return f"about {'1 hour' if hours == 1 else head} {minutes} minutes"


def first_meeting_date(program: Program) -> dt.date:
    """The first date of the series: the cycle start (monthly: never a day after the 28th).

    A monthly RRULE skips months that lack its day (no 31 February), so a monthly series
    that would start on the 29th-31st starts on the 1st of the next month instead.
    """
    start = program.cycle.start
    if program.cycle.cadence is Cadence.MONTHLY and start.day > 28:
        return (start + relativedelta(months=1)).replace(day=1)
    return start


def occurrence_dates(first: dt.date, cadence: Cadence, count: int) -> list[dt.date]:
    """The dates of ``count`` meetings from ``first`` at ``cadence`` (as RRULE expands)."""
    if cadence is Cadence.MONTHLY:
        # first_meeting_date keeps the day <= 28, where RRULE and relativedelta agree.
        return [first + relativedelta(months=i) for i in range(count)]
    step = dt.timedelta(days=cadence.days)
    return [first + i * step for i in range(count)]


def terms_of(program: Program) -> Terms:
    """The terms every document of this program's current cycle states."""
    cycle, agreement = program.cycle, program.agreement
    first = first_meeting_date(program)
    dates = occurrence_dates(first, cycle.cadence, cycle.expected_meetings)
    # A series moved to the 1st of the next month could end past the cycle: keep it inside.
    inside = [d for d in dates if d < cycle.end] or dates[:1]
    return Terms(
        cadence=cycle.cadence,
        cadence_text=CADENCE_TEXT[cycle.cadence],
        minutes=agreement.meeting_minutes,
        time=agreement.meeting_time,
        cycle_start=cycle.start,
        cycle_end=cycle.end,
        dates=tuple(inside),
        move_by=max(first, cycle.start + dt.timedelta(days=agreement.first_meeting_within_days)),
    )


# --------------------------------------------------------------------------- checking

_CADENCE_WORDS: tuple[tuple[re.Pattern[str], Cadence], ...] = (
    (
        re.compile(
            r"\b(every (other|second) week|every (two|2) weeks|bi-?weekly|fortnight(ly)?)\b"
        ),
        Cadence.BIWEEKLY,
    ),
    (re.compile(r"\b(every week|weekly|once a week)\b"), Cadence.WEEKLY),
    (re.compile(r"\b(every month|monthly|once a month)\b"), Cadence.MONTHLY),
)
_NUMBER_WORDS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "half an": 0.5}
_LENGTH = re.compile(
    r"\b(?P<n>\d+(?:[.,]\d+)?|an?|one|two|three|half an)\s*[- ]?\s*"
    r"(?P<unit>minutes?|mins?|hours?|hrs?|h)\b(?!\s*(?:before|after|ahead|early|late))"
)
_WITHIN = re.compile(
    r"\bfirst (?:meeting|session|conversation)\b[^.;]*?\bwithin (?P<n>\d+|one|two|three|four)"
    r"\s+(?P<unit>days?|weeks?)\b"
)


def _number(word: str) -> float:
    word = word.lower().replace(",", ".")
    return float(_NUMBER_WORDS[word]) if word in _NUMBER_WORDS else float(word)


def clause_contradictions(program: Program) -> list[Problem]:
    """Clauses that state a cadence, meeting length or first-meeting delay the program's
    settings contradict, each as a Problem at ``agreement.clauses[i]``."""
    terms = terms_of(program)
    out: list[Problem] = []
    for i, clause in enumerate(program.agreement.clauses):
        text = clause.lower()
        path = f"agreement.clauses[{i}]"
        said = next((c for pattern, c in _CADENCE_WORDS if pattern.search(text)), None)
        if said is not None and said is not terms.cadence:
            out.append(
                Problem(
                    f"says meetings happen {CADENCE_TEXT[said]}, but cycle.cadence is "
                    f"{terms.cadence.value} ({terms.cadence_text}); change one of them",
                    path=path,
                )
            )
        if re.search(r"\b(meet|meeting|meetings|session|sessions|call|calls)\b", text):
            for m in _LENGTH.finditer(text):
                value = _number(m.group("n"))
                minutes = value if m.group("unit").startswith("m") else value * 60
                if round(minutes) != terms.minutes:
                    out.append(
                        Problem(
                            f"says meetings last {m.group(0).strip()}, but "
                            f"agreement.meeting_minutes is {terms.minutes}; change one of them",
                            path=path,
                        )
                    )
                    break
        within = _WITHIN.search(text)
        if within:
            n = _number(within.group("n"))
            days = n * 7 if within.group("unit").startswith("week") else n
            if round(days) != program.agreement.first_meeting_within_days:
                out.append(
                    Problem(
                        f"says the first meeting happens within {within.group('n')} "
                        f"{within.group('unit')}, but agreement.first_meeting_within_days is "
                        f"{program.agreement.first_meeting_within_days}; change one of them",
                        path=path,
                    )
                )
    return out
