"""Hypothesis strategies for small matching instances.

Instances are small enough for exhaustive search (1-6 mentors, 1-8 mentees,
capacities 0-3), scores come from a handful of values so that ties are common, and
ids are drawn from pools in random order so that input order never matches sorted
order by accident. :func:`dense_instances` gives score matrices for the ``*_dense``
solvers, some of them built so that everybody's best mentors are the same few.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import TypeVar

import numpy as np
from hypothesis import strategies as st

from mentorctl.matching.solvers import Instance

MENTOR_POOL = tuple(
    f"{name}@mentors.example.org"
    for name in ("ada", "bea", "cy", "dov", "eli", "fay", "gus", "hal", "ivy")
)
MENTEE_POOL = tuple(
    f"{name}@mentees.example.org"
    for name in ("ann", "ben", "cal", "dee", "eve", "fin", "gil", "hub", "ira", "jo", "kai")
)
SCORES = (0.0, 0.1, 0.25, 0.5, 0.75, 1.0)
UNKNOWN = "ghost@nowhere.example.org"

K = TypeVar("K")
V = TypeVar("V")


@st.composite
def instances(
    draw: st.DrawFn,
    *,
    max_mentors: int = 6,
    max_mentees: int = 8,
    max_capacity: int = 3,
    with_prefs: bool = True,
) -> Instance:
    """A random valid :class:`Instance` (optionally with ranked preference lists)."""
    mentors = draw(
        st.lists(st.sampled_from(MENTOR_POOL), min_size=1, max_size=max_mentors, unique=True)
    )
    mentees = draw(
        st.lists(st.sampled_from(MENTEE_POOL), min_size=1, max_size=max_mentees, unique=True)
    )
    capacity = {m: draw(st.integers(0, max_capacity)) for m in mentors}
    density = draw(st.sampled_from((0.3, 0.6, 0.9, 1.0)))
    scores: dict[tuple[str, str], float] = {}
    for m in mentors:
        for e in mentees:
            if draw(st.floats(0, 1)) < density:
                scores[(m, e)] = draw(st.sampled_from(SCORES))
    mentee_prefs: dict[str, tuple[str, ...]] = {}
    mentor_prefs: dict[str, tuple[str, ...]] = {}
    if with_prefs:
        # Lists may repeat ids and name ineligible or unknown people.
        for e in mentees:
            if draw(st.booleans()):
                mentee_prefs[e] = tuple(
                    draw(st.lists(st.sampled_from([*mentors, UNKNOWN]), max_size=4))
                )
        for m in mentors:
            if draw(st.booleans()):
                mentor_prefs[m] = tuple(
                    draw(st.lists(st.sampled_from([*mentees, UNKNOWN]), max_size=4))
                )
    return Instance(
        mentors=tuple(mentors),
        mentees=tuple(mentees),
        capacity=capacity,
        scores=scores,
        mentee_prefs=mentee_prefs,
        mentor_prefs=mentor_prefs,
    )


def shuffled(instance: Instance, rng: random.Random) -> Instance:
    """The same instance with every tuple and dict in a new random order."""

    def shuffle_items(d: Mapping[K, V]) -> dict[K, V]:
        items = list(d.items())
        rng.shuffle(items)
        return dict(items)

    mentors = list(instance.mentors)
    mentees = list(instance.mentees)
    rng.shuffle(mentors)
    rng.shuffle(mentees)
    return Instance(
        mentors=tuple(mentors),
        mentees=tuple(mentees),
        capacity=shuffle_items(instance.capacity),
        scores=shuffle_items(instance.scores),
        mentee_prefs=shuffle_items(instance.mentee_prefs),
        mentor_prefs=shuffle_items(instance.mentor_prefs),
    )


@st.composite
def dense_instances(
    draw: st.DrawFn, *, max_mentors: int = 12, max_mentees: int = 30, max_capacity: int = 4
) -> tuple[list[str], list[str], list[int], np.ndarray]:
    """``(mentors, mentees, capacity, score)`` for the dense solvers: NaN = ineligible.

    Scores come from a few values (ties everywhere) or, half the time, are skewed so
    that one or two "star" mentors are everybody's best choice while their capacity is
    tiny: the case where each mentee's best few mentors are the wrong restriction.
    """
    n_m = draw(st.integers(1, max_mentors))
    n_e = draw(st.integers(1, max_mentees))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    capacity = [int(c) for c in rng.integers(0, max_capacity + 1, size=n_m)]
    if draw(st.booleans()):
        score = rng.choice(np.array(SCORES), size=(n_m, n_e))
    else:
        score = np.round(rng.uniform(0.0, 0.6, size=(n_m, n_e)), 3)
        stars = rng.choice(n_m, size=min(n_m, 2), replace=False)
        score[stars, :] = np.round(rng.uniform(0.9, 1.0, size=(len(stars), n_e)), 3)
        for i in stars:
            capacity[int(i)] = int(rng.integers(0, 2))
    density = draw(st.sampled_from((0.3, 0.7, 1.0)))
    score[rng.random((n_m, n_e)) >= density] = np.nan
    mentors = [f"m{i:03d}" for i in range(n_m)]
    mentees = [f"e{j:03d}" for j in range(n_e)]
    return mentors, mentees, capacity, score
