"""Continuity: favour an earlier cycle's pairs (``matching.prefer_previous: WEIGHT``), and
the standing waitlist (``match --fill``: place only people without a partner).

The opposite of ``avoid_previous_pairs`` (the two contradict, and the schema refuses
both at once). A pair matched in an earlier cycle gets ``WEIGHT`` added to its score in
the solver's objective only: the scores shown, stored and reported stay the pair's own,
and the bonus is told as its own line of the match's reasons and of ``explain``.

The objective is rescaled to ``(score + bonus) / (1 + WEIGHT)`` so that every pair's
objective stays in [0, 1]: scaling by a constant changes no solver's choice, and keeps
the priority rule's bound (:func:`mentorctl.matching.types.priority_weight`) valid.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

import numpy as np

from mentorctl.matching.scored import Scored
from mentorctl.matching.types import MatchInput, Pair, Proposal

__all__ = ["fill_input", "previous_reason", "restore_pending", "with_previous_bonus"]


def with_previous_bonus(inp: MatchInput, scored: Scored) -> Scored:
    """``scored`` with the continuity bonus in ``raw`` (itself when there is none)."""
    weight = inp.program.matching.prefer_previous
    if weight is None or not inp.previous_pairs:
        return scored
    at_m = {m["email"]: i for i, m in enumerate(scored.mentors)}
    at_e = {e["email"]: j for j, e in enumerate(scored.mentees)}
    cells = [(at_m[m], at_e[e]) for m, e in inp.previous_pairs if m in at_m and e in at_e]
    if not cells:
        return scored
    bonus = np.zeros_like(scored.raw)
    index = np.array(cells, dtype=np.int64)
    bonus[index[:, 0], index[:, 1]] = weight
    return replace(scored, raw=(scored.raw + bonus) / (1.0 + weight))


def previous_reason(
    inp: MatchInput, mentor: str, mentee: str, *, either_way: bool = False
) -> str | None:
    """The explanation line for the continuity bonus, or None when it does not apply."""
    weight = inp.program.matching.prefer_previous
    if weight is None:
        return None
    pairs = inp.previous_pairs
    if (mentor, mentee) in pairs or (either_way and (mentee, mentor) in pairs):
        return f"paired in an earlier cycle (prefer_previous +{weight:g})"
    return None


# --------------------------------------------------------------------------- the waitlist


def fill_input(inp: MatchInput, pending: Sequence[Pair]) -> MatchInput:
    """The input for ``match --fill``: every match in place is kept, only the rest placed.

    Active matches are already ``kept``; ``pending`` (the stored proposal's pairs, not yet
    accepted) are kept too, so nobody who has a partner, accepted or proposed, moves. A
    lock on a mentee whose places are all taken is dropped: their pairs stand (a mentee
    with a free place, under ``mentee_capacity``, keeps the lock).
    """
    from mentorctl.matching.tracks import locks_with_room

    kept = list(dict.fromkeys([*inp.kept, *pending]))
    locks = locks_with_room(inp.program, inp.people, kept, inp.locks)
    return replace(inp, kept=kept, locks=locks)


def restore_pending(proposal: Proposal, pending: Mapping[Pair, bool]) -> Proposal:
    """Mark the kept pending pairs as proposals again (their stored ``locked`` flag), so
    that storing the proposal writes them back instead of dropping them."""
    matches = [
        replace(m, kept=False, locked=pending[(m.mentor, m.mentee)])
        if m.kept and (m.mentor, m.mentee) in pending
        else m
        for m in proposal.matches
    ]
    return replace(proposal, matches=matches)
