"""Mentees with several mentors: how many each takes, and mentor tracks.

A mentee's places come from ``mentee_capacity`` in program.yaml (their own ``capacity``
when they are a mentee, capped at its ``maximum``). With ``matching.tracks``, every
mentor is in one track, read from the field or survey question it names, and a mentee
gets at most one mentor per track. A mentor whose answer names no track cannot be placed
(the reason says so); ``mentorctl validate`` lists them beforehand.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from mentorctl.matching.types import Person
from mentorctl.program import Program

__all__ = [
    "fixed_problem",
    "locks_with_room",
    "mentee_places",
    "rule_out_fixed",
    "track_of",
    "track_problem",
    "tracks_of",
]


def mentee_places(program: Program, mentee: Person) -> int:
    """How many mentors ``mentee`` takes (see :meth:`Program.mentee_capacity_of`)."""
    return program.mentee_capacity_of(mentee.get("capacity"), str(mentee.get("role") or ""))


def locks_with_room(
    program: Program,
    people: Sequence[Person],
    held: Sequence[tuple[str, str]],
    locks: Sequence[tuple[str, str]],
) -> list[tuple[str, str]]:
    """The locks still to place beside the ``held`` (mentor, mentee) pairs: a lock on a held
    pair, or on a mentee whose places the held pairs already fill, is left out (their pairs
    stand; with one mentor per mentee, a lock on a matched mentee goes). Locks that
    together overfill a mentee all stay, for the engine to refuse by name."""
    by_email = {p["email"]: p for p in people}
    taken: dict[str, int] = {}
    for _, mentee in held:
        taken[mentee] = taken.get(mentee, 0) + 1
    pairs = set(held)
    out = []
    for mentor, mentee in locks:
        person = by_email.get(mentee)
        # Someone not enrolled keeps the lock: the engine names them.
        places = mentee_places(program, person) if person is not None else 1
        if (mentor, mentee) not in pairs and taken.get(mentee, 0) < places:
            out.append((mentor, mentee))
    return out


def _answer(program: Program, person: Person) -> object:
    tracks = program.matching.tracks
    assert tracks is not None
    if tracks.field in person:
        return person[tracks.field]
    return (person.get("answers") or {}).get(tracks.field)


def track_of(program: Program, mentor: Person) -> str | None:
    """The mentor's track, spelt as in ``matching.tracks.names``; None if none fits."""
    tracks = program.matching.tracks
    if tracks is None:
        return None
    value = _answer(program, mentor)
    if isinstance(value, list):  # a multiple-choice question: one track only
        value = value[0] if len(value) == 1 else None
    if value is None:
        return None
    wanted = str(value).strip().lower()
    return next((n for n in tracks.names if n.strip().lower() == wanted), None)


def track_problem(program: Program, mentor: Person) -> str | None:
    """Why ``mentor`` has no track (None: they have one, or the program has no tracks)."""
    tracks = program.matching.tracks
    if tracks is None or track_of(program, mentor) is not None:
        return None
    value = _answer(program, mentor)
    names = ", ".join(tracks.names)
    if value is None or value in ("", []):
        return f"no track ({tracks.field!r} is not answered; tracks: {names})"
    return f"track {value!r} is not one of the program's tracks ({names})"


def tracks_of(program: Program, mentors: Sequence[Person]) -> list[str | None] | None:
    """Each mentor's track, or None when the program has no tracks."""
    if program.matching.tracks is None:
        return None
    return [track_of(program, m) for m in mentors]


def fixed_problem(
    program: Program, mentor: Person, held: Sequence[Person], places: int
) -> str | None:
    """Why a fixed pair (kept or locked) does not fit beside the mentee's ``held`` ones."""
    if len(held) >= places:
        if places == 1:
            return "the mentee is already matched"
        return f"the mentee already has {len(held)} mentor(s), their capacity"
    track = track_of(program, mentor)
    if track is not None and any(track_of(program, m) == track for m in held):
        return f"the mentee already has a mentor in track {track!r}"
    return None


def rule_out_fixed(
    program: Program,
    mentors: Sequence[Person],
    mentees: Sequence[Person],
    masks: Sequence[np.ndarray],
    held: Mapping[str, Sequence[Person]],
) -> None:
    """Clear, in each ``mentors x mentees`` boolean mask, the pairs the solver must not
    add beside fixed ones: a mentee's kept or locked mentor again, and any mentor of a
    track such a pair already fills for that mentee."""
    if not held:
        return
    rows = {m["email"]: i for i, m in enumerate(mentors)}
    track = tracks_of(program, mentors)
    for j, mentee in enumerate(mentees):
        for mentor in held.get(mentee["email"], ()):
            out = [rows[mentor["email"]]]
            filled = track_of(program, mentor)
            if filled is not None and track is not None:
                out += [i for i, t in enumerate(track) if t == filled]
            for mask in masks:
                mask[out, j] = False
