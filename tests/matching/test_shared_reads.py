"""Each person's answers are read once per run: the same tokens and numbers as before.

:func:`~mentorctl.matching.scoring.tokens` has an inline path for plain strings, and
:class:`~mentorctl.matching.matrix.PairScorer` keeps what it read (``memo``) for the
hard constraints, the explanations' words and the supply gaps. Checked here against
the definitions they replace and against reading everything afresh. Shared items are
counted with bit masks for small vocabularies: checked against the BLAS product.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mentorctl.matching import matrix, scoring
from mentorctl.matching.engine import MatchInput, propose
from mentorctl.matching.scoring import _display, _key, tokens
from mentorctl.program import parse_program

from .test_engine import PROGRAM, rosters


class Text(str):
    """A str subclass (not the inline path's exact ``str``)."""


def _reference_tokens(value: Any) -> dict[str, str]:
    """tokens as it was: _key and _display for every item."""
    items = value if isinstance(value, list | tuple) else [value]
    out: dict[str, str] = {}
    for item in items:
        if item is None:
            continue
        key = _key(item)
        if key:
            out.setdefault(key, _display(item))
    return out


ITEMS = st.one_of(
    st.none(),
    st.text(alphabet=" \tAaBbßẞİı\u00a0x1.", max_size=6),
    st.text(max_size=4).map(Text),
    st.integers(-3, 3),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.booleans(),
)


@settings(max_examples=300, deadline=None)
@given(st.one_of(ITEMS, st.lists(ITEMS, max_size=6), st.tuples(ITEMS, ITEMS)))
def test_tokens_equal_the_item_by_item_definition(value: Any) -> None:
    got = tokens(value)
    want = _reference_tokens(value)
    assert got == want
    assert list(got) == list(want)  # first spelling kept, in order


@settings(max_examples=40, deadline=None)
@given(rosters())
def test_a_proposal_reads_the_same_without_the_scorers_memo(roster) -> None:
    """Everything the scorer's memo feeds (hard constraints, words, supply gaps) is what
    reading every answer afresh gives."""
    min_score, people = roster
    program = parse_program(PROGRAM.replace("MIN", min_score))
    inp = MatchInput(program=program, people=people)
    try:
        kept = propose(inp)
    except Exception as exc:  # nobody to match
        assert "nobody" in str(exc) or "no mentors" in str(exc) or "no mentees" in str(exc)
        return
    original = scoring.shared_values

    def fresh(memo: dict | None = None):  # type: ignore[no-untyped-def]
        return original(None)  # every block starts empty, as before the memo was kept

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(scoring, "shared_values", fresh)  # scored.py imports it when called
        mp.setattr(matrix, "shared_values", fresh)
        again = propose(inp)
    assert kept.matches == again.matches
    assert kept.unmatched == again.unmatched
    assert kept.supply_gaps == again.supply_gaps
    assert kept.summary == again.summary


# --------------------------------------------------------------------------- counts


@settings(max_examples=150, deadline=None)
@given(
    st.integers(1, 300),
    st.lists(st.sets(st.integers(0, 299), max_size=8), min_size=1, max_size=6),
    st.lists(st.sets(st.integers(0, 299), max_size=12), min_size=1, max_size=7),
    st.sampled_from([0, 64, matrix.BITS_KEYS]),
)
def test_shared_counts_by_bit_masks_equal_the_blas_product(
    keys, mentors, mentees, bits_keys
) -> None:
    """Vocabularies of up to BITS_KEYS keys are counted with bit masks (one or several
    64-bit words); larger ones (the premise fails) with the BLAS product as before:
    the same counts, block by block and pair by pair."""
    offers = [{f"k{k % keys}": "x" for k in s} for s in mentors]
    wants = [{f"k{k % keys}": "x" for k in s} for s in mentees]
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(matrix, "BITS_KEYS", bits_keys)
        shared = matrix._shared(offers, wants)
    vocab = matrix._vocab(offers, wants)
    left = matrix._multi_hot(offers, vocab, True)
    right = matrix._multi_hot(wants, vocab, True)
    want = np.asarray(left @ right.T, dtype=np.float64)
    got = shared.block(0, len(wants))
    assert got.dtype == np.float64 and np.array_equal(got, want)
    assert np.array_equal(shared.block(1, len(wants)), want[:, 1:])
    i = np.array([a for a in range(len(offers)) for _ in range(len(wants))])
    j = np.array([b for _ in range(len(offers)) for b in range(len(wants))])
    assert np.array_equal(shared.at(i, j), want[i, j])
    by_hand = [[len(set(o) & set(w)) for w in wants] for o in offers]
    assert got.tolist() == by_hand
