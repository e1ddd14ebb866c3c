"""Scoring many pairs at once: the score matrix, and the explanation of chosen pairs.

:mod:`mentorctl.matching.scoring` defines every criterion on one pair
(:func:`~mentorctl.matching.scoring.explain_pair`, with the words); this module computes
the same numbers with NumPy for many pairs:

* :func:`score_matrix` - every mentor (rows) against every mentee (columns): shared
  items of list values counted with 64-bit masks for small vocabularies, else as
  products of multi-hot encodings (dense while the encodings are small, SciPy's sparse
  matrices only for very large vocabularies), broadcasting for numbers,
  a sparse fill for preference lists. Mentees are processed in chunks so that
  temporaries stay near :data:`CHUNK_CELLS` cells. The score matrix is float64 and
  agrees with ``explain_pair`` to within 1e-9; the per-criterion value matrices are
  float32 (NaN = blank), to halve their memory, and so agree to within 1e-6.
* :meth:`PairScorer.explain` - given index pairs (the solver's answer), every
  criterion's value for those pairs only, gathered from the same per-person arrays the
  matrix was built from (no per-pair Python work), then the score, the contributions
  and the top reasons. Values, score and contributions are the very floats
  ``explain_pair`` computes (the same operations in the same order), so a proposal's
  numbers and words are identical to explaining each match one by one; only the words
  of the reasons shown are written, per pair, by ``explain_pair``'s own functions.

A :class:`PairScorer` holds the per-person arrays of one (program, mentors, mentees):
``matching`` builds it once, scores the matrix from it, and explains its matches from
it afterwards. Nothing here depends on the order of people or on set/dict iteration
order: vocabularies are sorted, matrices are row/column aligned with the given
sequences, and a column's scores do not depend on which other columns are scored.

Longer than most modules on purpose: each criterion kind's two readings (by block and
by pairs) sit side by side, so that they cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from mentorctl.matching.scoring import (
    _KINDS,
    Person,
    _gap_value,
    _key,
    _number,
    _rank,
    _scale_range,
    _tokens_list,
    _tokens_of,
    shared_values,
    source_values,
)
from mentorctl.program import (
    ClosenessCriterion,
    DifferentCriterion,
    OverlapCriterion,
    PreferenceCriterion,
    Program,
    SameCriterion,
    SeniorityGapCriterion,
    SimilarityCriterion,
)

__all__ = [
    "CHUNK_CELLS",
    "Explained",
    "PairScorer",
    "criterion_block",
    "same_matrix_parts",
    "score_matrix",
    "shared_counts",
]

#: Target number of (mentor, mentee) cells per chunk of work in :func:`score_matrix`.
CHUNK_CELLS = 1_000_000
#: Multi-hot encodings stay dense numpy arrays up to this many cells (people x distinct
#: items): a product of two dense 0/1 matrices is one BLAS call, and SciPy is not even
#: imported; larger vocabularies (free-text answers) use sparse matrices.
DENSE_CELLS = 8_000_000
#: A criterion of a few distinct values per side is tabulated (:func:`_tabulated`) when
#: its table is at least this many times smaller than the matrix.
TABLE_RATIO = 4
#: Pairs gathered at a time by :meth:`PairScorer.explain` (bounds its temporaries).
PAIR_CHUNK = 4096
#: Vocabularies up to this many keys are counted with bit masks (AND and a population
#: count per 64 keys) instead of a BLAS product: a fresh process's first BLAS calls
#: cost tens of milliseconds of CPU in OpenBLAS's threads, more than the whole count
#: (measured at 2,000 x 400: the score matrix took 0.11 s of CPU with BLAS, 0.05 s
#: with BLAS on one thread). Counts are exact integers either way.
BITS_KEYS = 256

Matrix = np.ndarray
#: Computes one criterion's values for mentee columns ``[lo, hi)``: float64, NaN = blank.
Block = Callable[[int, int], Matrix]
#: Computes one criterion's values for pairs ``(mentor indices, mentee indices)``.
At = Callable[[Matrix, Matrix], Matrix]


class Prepared(NamedTuple):
    """One criterion's per-person arrays, read two ways: by block and by pairs."""

    block: Block
    at: At


# --------------------------------------------------------------------------- encodings


def _vocab(*groups: Sequence[dict[str, str]]) -> dict[str, int]:
    keys = sorted({k for group in groups for keys in group for k in keys})
    return {k: i for i, k in enumerate(keys)}


def _multi_hot(sets: Sequence[dict[str, str]], vocab: Mapping[str, int], dense: bool) -> Any:
    """0/1 float32 matrix: one row per person, one column per vocabulary key (a numpy
    array when ``dense``, else a SciPy CSR matrix)."""
    indptr = [0]
    indices: list[int] = []
    for keys in sets:
        indices.extend(vocab[k] for k in keys if k in vocab)
        indptr.append(len(indices))
    if dense:
        out = np.zeros((len(sets), len(vocab)), dtype=np.float32)
        sizes = [len([k for k in keys if k in vocab]) for keys in sets]
        rows = np.repeat(np.arange(len(sets), dtype=np.int64), sizes)
        out[rows, np.asarray(indices, dtype=np.int64)] = 1.0
        return out
    import scipy.sparse as sp  # only for large vocabularies

    data = np.ones(len(indices), dtype=np.float32)
    return sp.csr_matrix(
        (data, np.asarray(indices, dtype=np.int64), np.asarray(indptr, dtype=np.int64)),
        shape=(len(sets), len(vocab)),
    )


def _bits(multi_hot: Matrix) -> Matrix:
    """Each row of a 0/1 matrix as 64-bit masks: ``(rows, ceil(columns / 64))`` uint64."""
    packed = np.packbits(multi_hot.astype(bool), axis=1, bitorder="little")
    words = max(1, -(-packed.shape[1] // 8))
    out = np.zeros((len(multi_hot), words * 8), dtype=np.uint8)
    out[:, : packed.shape[1]] = packed
    return out.view("<u8")


class _Shared(NamedTuple):
    block: Callable[[int, int], Matrix]  # counts for mentee columns [lo, hi)
    at: Callable[[Matrix, Matrix], Matrix]  # counts for pairs


def _shared(
    mentor_sets: Sequence[dict[str, str]], mentee_sets: Sequence[dict[str, str]]
) -> _Shared:
    vocab = _vocab(mentor_sets, mentee_sets)
    dense = (len(mentor_sets) + len(mentee_sets)) * len(vocab) <= DENSE_CELLS
    left = _multi_hot(mentor_sets, vocab, dense)
    right = _multi_hot(mentee_sets, vocab, dense)
    if dense and len(vocab) <= BITS_KEYS and hasattr(np, "bitwise_count"):  # NumPy 2
        left_bits, right_bits = _bits(left), _bits(right)

        def bits_block(lo: int, hi: int) -> Matrix:
            right_part = right_bits[lo:hi]
            out = np.zeros((len(left_bits), hi - lo))
            for w in range(left_bits.shape[1]):
                out += np.bitwise_count(left_bits[:, w, None] & right_part[None, :, w])
            return out

        def bits_at(i: Matrix, j: Matrix) -> Matrix:
            both = left_bits[i] & right_bits[j]
            return np.bitwise_count(both).sum(axis=1, dtype=np.int64).astype(np.float64)

        return _Shared(bits_block, bits_at)
    if dense:

        def block(lo: int, hi: int) -> Matrix:
            # float32 sums of 0/1 are exact integers below 2**24.
            return np.asarray(left @ right[lo:hi].T, dtype=np.float64)

        def at(i: Matrix, j: Matrix) -> Matrix:
            return np.einsum("pk,pk->p", left[i], right[j]).astype(np.float64)

        return _Shared(block, at)
    by_column = right.T.tocsc()

    def sparse_block(lo: int, hi: int) -> Matrix:
        return np.asarray(left @ by_column[:, lo:hi].toarray(), dtype=np.float64)

    def sparse_at(i: Matrix, j: Matrix) -> Matrix:
        return np.asarray(left[i].multiply(right[j]).sum(axis=1), dtype=np.float64).ravel()

    return _Shared(sparse_block, sparse_at)


def shared_counts(
    mentor_sets: Sequence[dict[str, str]], mentee_sets: Sequence[dict[str, str]]
) -> Callable[[int, int], Matrix]:
    """``counts(lo, hi)[i, j]`` = number of keys mentor i shares with mentee lo + j."""
    return _shared(mentor_sets, mentee_sets).block


def _both_present(mentor_ok: Matrix, mentee_ok: Matrix, lo: int, hi: int) -> Matrix:
    return mentor_ok[:, None] & mentee_ok[None, lo:hi]


def _blank_where(out: Matrix, ok: Matrix) -> Matrix:
    out[~ok] = np.nan
    return out


def _distinct(keys: Matrix) -> tuple[Matrix, Matrix]:
    """(index of one person per distinct row of ``keys``, each person's row among them).

    Rows are compared bit for bit (NaN included), so two people share a row only when
    every computation on it gives them the very same floats."""
    bits = np.ascontiguousarray(keys, dtype=np.float64).view(np.int64)
    _, first, code = np.unique(bits, axis=0, return_index=True, return_inverse=True)
    return first, code.reshape(-1)


def _tabulated(
    mentor_keys: Matrix, mentee_keys: Matrix, table_of: Callable[[Matrix, Matrix], Matrix]
) -> Prepared | None:
    """A criterion whose value depends only on each side's row of numbers (a time zone,
    likert answers), computed once per distinct (mentor row, mentee row) by ``table_of``
    (the criterion's own formula, on mentor and mentee indices) and gathered: one pass
    over the matrix instead of one per arithmetic step. None when the rows are so
    varied that the table would not be much smaller than the matrix."""
    n_m, n_e = len(mentor_keys), len(mentee_keys)
    if n_m == 0 or n_e == 0:
        return None
    first_m, code_m = _distinct(mentor_keys)
    first_e, code_e = _distinct(mentee_keys)
    if len(first_m) * len(first_e) * TABLE_RATIO > n_m * n_e:
        return None
    table = table_of(first_m, first_e)  # (distinct mentor rows, distinct mentee rows)
    rows = table[code_m]  # (mentors, distinct mentee rows)
    return Prepared(
        lambda lo, hi: np.take(rows, code_e[lo:hi], axis=1),
        lambda i, j: table[code_m[i], code_e[j]],
    )


# --------------------------------------------------------------------------- criteria


def _overlap(
    program: Program, c: OverlapCriterion, mentors: Sequence[Person], mentees: Sequence[Person]
) -> Prepared:
    offers = _tokens_list(program, mentors, c.mentor_source)
    wants = _tokens_list(program, mentees, c.mentee_source)
    counts = _shared(offers, wants)
    n_wants = np.array([len(w) for w in wants], dtype=np.float64)
    has_offer = np.array([bool(o) for o in offers], dtype=bool)
    has_want = n_wants > 0
    safe = np.where(has_want, n_wants, 1.0)

    def block(lo: int, hi: int) -> Matrix:
        out = counts.block(lo, hi) / safe[None, lo:hi]
        return _blank_where(out, _both_present(has_offer, has_want, lo, hi))

    def at(i: Matrix, j: Matrix) -> Matrix:
        return _blank_where(counts.at(i, j) / safe[j], has_offer[i] & has_want[j])

    return Prepared(block, at)


def _codes(sets: Sequence[dict[str, str]], vocab: Mapping[str, int]) -> Matrix:
    return np.array([vocab[next(iter(s))] if s else -1 for s in sets], dtype=np.int64)


class _SameParts(NamedTuple):
    block: Callable[[int, int], Matrix]  # bool: shares a value, mentee columns [lo, hi)
    at: Callable[[Matrix, Matrix], Matrix]  # bool, for pairs
    mentor_ok: Matrix
    mentee_ok: Matrix


def _same_parts(
    mentor_sets: Sequence[dict[str, str]], mentee_sets: Sequence[dict[str, str]]
) -> _SameParts:
    mentor_ok = np.array([bool(s) for s in mentor_sets], dtype=bool)
    mentee_ok = np.array([bool(s) for s in mentee_sets], dtype=bool)
    if all(len(s) <= 1 for s in mentor_sets) and all(len(s) <= 1 for s in mentee_sets):
        vocab = _vocab(mentor_sets, mentee_sets)
        cm, ce = _codes(mentor_sets, vocab), _codes(mentee_sets, vocab)

        def shares(lo: int, hi: int) -> Matrix:
            return (cm[:, None] == ce[None, lo:hi]) & (cm >= 0)[:, None]

        def shares_at(i: Matrix, j: Matrix) -> Matrix:
            return (cm[i] == ce[j]) & (cm[i] >= 0)

        return _SameParts(shares, shares_at, mentor_ok, mentee_ok)
    counts = _shared(mentor_sets, mentee_sets)
    return _SameParts(
        lambda lo, hi: counts.block(lo, hi) > 0,
        lambda i, j: counts.at(i, j) > 0,
        mentor_ok,
        mentee_ok,
    )


def same_matrix_parts(
    mentor_sets: Sequence[dict[str, str]], mentee_sets: Sequence[dict[str, str]]
) -> tuple[Callable[[int, int], Matrix], Matrix, Matrix]:
    """``(shares, mentor_present, mentee_present)`` for a ``same``-style comparison.

    ``shares(lo, hi)`` is a bool matrix: mentor i and mentee lo + j share a value.
    Single values are compared as integer codes by broadcasting; lists by a product
    of multi-hot encodings.
    """
    parts = _same_parts(mentor_sets, mentee_sets)
    return parts.block, parts.mentor_ok, parts.mentee_ok


def _same(
    program: Program,
    c: SameCriterion | DifferentCriterion,
    mentors: Sequence[Person],
    mentees: Sequence[Person],
) -> Prepared:
    parts = _same_parts(
        _tokens_list(program, mentors, c.mentor_source),
        _tokens_list(program, mentees, c.mentee_source),
    )
    want_same = isinstance(c, SameCriterion)

    def values(same: Matrix, ok: Matrix) -> Matrix:
        return _blank_where((same if want_same else ~same).astype(np.float64), ok)

    def block(lo: int, hi: int) -> Matrix:
        ok = _both_present(parts.mentor_ok, parts.mentee_ok, lo, hi)
        return values(parts.block(lo, hi), ok)

    def at(i: Matrix, j: Matrix) -> Matrix:
        return values(parts.at(i, j), parts.mentor_ok[i] & parts.mentee_ok[j])

    return Prepared(block, at)


def _numbers(program: Program, people: Sequence[Person], source: str | None) -> Matrix:
    """Each person's number from ``source`` (NaN = blank or not a number)."""
    out = [_number(v) for v in source_values(program, people, source)]
    return np.array([np.nan if v is None else v for v in out], dtype=np.float64)


def _closeness(
    program: Program, c: ClosenessCriterion, mentors: Sequence[Person], mentees: Sequence[Person]
) -> Prepared:
    b = _numbers(program, mentors, c.mentor_source)
    a = _numbers(program, mentees, c.mentee_source)

    def values(diff: Matrix) -> Matrix:
        out = 1.0 - np.abs(diff) / c.max_diff
        np.clip(out, 0.0, 1.0, out=out)  # NaN stays NaN
        return out

    table = _tabulated(b[:, None], a[:, None], lambda i, j: values(a[None, j] - b[i, None]))
    if table is not None:
        return table
    return Prepared(
        lambda lo, hi: values(a[None, lo:hi] - b[:, None]), lambda i, j: values(a[j] - b[i])
    )


def _similarity(
    program: Program, c: SimilarityCriterion, mentors: Sequence[Person], mentees: Sequence[Person]
) -> Prepared:
    columns = []
    for qid in c.questions:
        b = _numbers(program, mentors, qid)
        a = _numbers(program, mentees, qid)
        complete = not (np.isnan(a).any() or np.isnan(b).any())
        columns.append((b, a, _scale_range(program, qid), complete))

    def combine(distances: Callable[[Matrix, Matrix], Matrix], shape: tuple[int, ...]) -> Matrix:
        # explain_pair's sum, question by question in the same order; a question
        # either side left blank adds an exact zero.
        total = np.zeros(shape)
        used: Matrix | None = None
        n_complete = 0
        for b, a, span, complete in columns:
            d = distances(b, a)
            np.abs(d, out=d)
            d /= span
            if complete:  # the common case (required questions): no masks needed
                total += d
                n_complete += 1
            else:
                ok = ~np.isnan(d)
                np.add(total, d, out=total, where=ok)
                used = ok.astype(np.float64) if used is None else used + ok
        with np.errstate(invalid="ignore", divide="ignore"):
            # 0/0 = NaN = blank: no question answered by both
            distance = total / n_complete if used is None else total / (used + n_complete)
        return distance if c.complement else 1.0 - distance

    def block(lo: int, hi: int) -> Matrix:
        return combine(lambda b, a: np.subtract.outer(b, a[lo:hi]), (len(mentors), hi - lo))

    def at(i: Matrix, j: Matrix) -> Matrix:
        return combine(lambda b, a: b[i] - a[j], (len(i),))

    if columns:
        table = _tabulated(
            np.stack([b for b, _, _, _ in columns], axis=1),
            np.stack([a for _, a, _, _ in columns], axis=1),
            lambda i, j: combine(lambda b, a: np.subtract.outer(b[i], a[j]), (len(i), len(j))),
        )
        if table is not None:
            return table
    return Prepared(block, at)


def _seniority(
    program: Program,
    c: SeniorityGapCriterion,
    mentors: Sequence[Person],
    mentees: Sequence[Person],
) -> Prepared:
    def ranks(people: Sequence[Person]) -> Matrix:
        out = [_rank(program, p) for p in people]
        return np.array([np.nan if r is None else r for r in out], dtype=np.float64)

    rm, re = ranks(mentors), ranks(mentees)
    # Levels are few: tabulate every (mentor rank, mentee rank) once with the very
    # function explain_pair uses, then each chunk is a single gather.
    keys_m, code_m = np.unique(rm, return_inverse=True)  # NaN (unknown) sorts last
    keys_e, code_e = np.unique(re, return_inverse=True)
    table = np.full((len(keys_m), len(keys_e)), np.nan)
    for i, a in enumerate(keys_m):
        for j, b in enumerate(keys_e):
            if not (np.isnan(a) or np.isnan(b)):
                gap = float(b - a) if program.reverse else float(a - b)
                table[i, j] = _gap_value(gap, c.min_gap, c.max_gap)
    code_m, code_e = code_m.reshape(-1), code_e.reshape(-1)
    rows = table[code_m]  # (n_mentors, distinct mentee ranks)

    return Prepared(
        lambda lo, hi: np.take(rows, code_e[lo:hi], axis=1),
        lambda i, j: table[code_m[i], code_e[j]],
    )


def _preference_fill(
    program: Program,
    qid: str,
    choosers: Sequence[Person],
    chosen: Sequence[Person],
) -> tuple[Matrix, dict[tuple[int, int], float]]:
    """(chooser has a list, {(chooser index, chosen index): 1 / rank}) as sparse data."""
    by_key: dict[str, list[int]] = {}
    for j, p in enumerate(chosen):
        for key in {_key(p.get("email") or ""), _key(p.get("name") or "")} - {""}:
            by_key.setdefault(key, []).append(j)
    has_list = np.zeros(len(choosers), dtype=bool)
    cells: dict[tuple[int, int], float] = {}
    for i, p in enumerate(choosers):
        listed = _tokens_of(program, p, qid)
        has_list[i] = bool(listed)
        for rank, key in enumerate(listed, start=1):
            for j in by_key.get(key, ()):
                cells.setdefault((i, j), 1.0 / rank)  # the first (best) rank wins
    return has_list, cells


def _by_column(
    cells: Mapping[tuple[int, int], float], *, mentee_first: bool
) -> dict[int, list[tuple[int, float]]]:
    """Group cells by mentee index: ``{mentee: [(mentor, value), ...]}``."""
    out: dict[int, list[tuple[int, float]]] = {}
    for (i, j), v in cells.items():
        mentee, mentor = (i, j) if mentee_first else (j, i)
        out.setdefault(mentee, []).append((mentor, v))
    return out


def _cell_lookup(
    cells: Mapping[tuple[int, int], float], n_mentees: int, *, mentee_first: bool
) -> Callable[[Matrix, Matrix], Matrix]:
    """``get(i, j)``: the listed value of (mentor i, mentee j), 0 where not listed.

    ``cells`` are keyed (chooser, chosen): (mentee, mentor) when ``mentee_first``."""
    pairs = [(b, a) if mentee_first else (a, b) for a, b in cells]  # (mentor, mentee)
    keys = np.array([i * n_mentees + j for i, j in pairs], dtype=np.int64)
    vals = np.fromiter(cells.values(), dtype=np.float64, count=len(cells))
    order = np.argsort(keys, kind="stable")
    keys, vals = keys[order], vals[order]

    def get(i: Matrix, j: Matrix) -> Matrix:
        if not len(keys):
            return np.zeros(len(i))
        want = i.astype(np.int64) * n_mentees + j
        pos = np.minimum(np.searchsorted(keys, want), len(keys) - 1)
        return np.where(keys[pos] == want, vals[pos], 0.0)

    return get


def _preference(
    program: Program, c: PreferenceCriterion, mentors: Sequence[Person], mentees: Sequence[Person]
) -> Prepared:
    # Lists are short, so the cells are few: fill them per chunk from sparse data.
    n_e = len(mentees)
    e_has, e_cells = _preference_fill(program, c.mentee, mentees, mentors)
    sides = [(e_has, _by_column(e_cells, mentee_first=True), 1)]
    lookups = [(e_has, _cell_lookup(e_cells, n_e, mentee_first=True), 1)]
    if c.mentor is not None:
        m_has, m_cells = _preference_fill(program, c.mentor, mentors, mentees)
        sides.append((m_has, _by_column(m_cells, mentee_first=False), 0))
        lookups.append((m_has, _cell_lookup(m_cells, n_e, mentee_first=False), 0))

    def both(parts: list[Matrix]) -> Matrix:
        if len(parts) == 1:
            return parts[0]
        a, b = parts
        return np.where(np.isnan(a), b, np.where(np.isnan(b), a, (a + b) / 2))

    def block(lo: int, hi: int) -> Matrix:
        parts = []
        for has, columns, axis in sides:
            out = np.zeros((len(mentors), hi - lo))
            if axis == 1:
                out[:, ~has[lo:hi]] = np.nan
            else:
                out[~has, :] = np.nan
            for j in range(lo, hi):
                for i, v in columns.get(j, ()):
                    out[i, j - lo] = v
            parts.append(out)
        return both(parts)

    def at(i: Matrix, j: Matrix) -> Matrix:
        parts = []
        for has, get, axis in lookups:
            listed = has[j] if axis == 1 else has[i]
            parts.append(np.where(listed, get(i, j), np.nan))
        return both(parts)

    return Prepared(block, at)


_PREPARE: dict[type, Callable[..., Prepared]] = {
    OverlapCriterion: _overlap,
    SameCriterion: _same,
    DifferentCriterion: _same,
    ClosenessCriterion: _closeness,
    SimilarityCriterion: _similarity,
    SeniorityGapCriterion: _seniority,
    PreferenceCriterion: _preference,
}


def criterion_block(
    program: Program, c: Any, mentors: Sequence[Person], mentees: Sequence[Person]
) -> Block:
    """One criterion's values for mentee columns ``[lo, hi)`` (float64, NaN = blank), as
    :func:`score_matrix` computes them: the must-have rules are built on these."""
    return _PREPARE[type(c)](program, c, mentors, mentees).block


# --------------------------------------------------------------------------- scorer


@dataclass(frozen=True)
class Explained:
    """One pair's numbers and top reasons, as :func:`explain_pair` gives them."""

    score: float
    #: Each criterion's value, in program order (None = blank).
    values: tuple[float | None, ...]
    #: Reasons of the largest positive contributions (ties by criterion name).
    reasons: list[str]


class PairScorer:
    """Every criterion of ``program`` prepared for ``mentors`` x ``mentees``.

    Building it reads and tokenises every person's answers once; :meth:`matrix` scores
    every pair from it, :meth:`explain` any chosen pairs. What it read is kept in
    :attr:`memo` (see :func:`~mentorctl.matching.scoring.shared_values`): the words of
    the explanations, the hard constraints and the supply gaps read it from there.
    """

    def __init__(
        self, program: Program, mentors: Sequence[Person], mentees: Sequence[Person]
    ) -> None:
        self.program = program
        self.mentors, self.mentees = list(mentors), list(mentees)
        self.criteria = list(program.matching.criteria)
        #: Each person's tokens and numbers, by source (the people are kept above).
        self.memo: dict[tuple[Any, ...], Any] = {}
        with shared_values(self.memo):
            self.prepared = [
                _PREPARE[type(c)](program, c, self.mentors, self.mentees) for c in self.criteria
            ]

    def matrix(self, *, with_values: bool = True) -> tuple[Matrix, dict[str, Matrix]]:
        """See :func:`score_matrix`."""
        n_m, n_e = len(self.mentors), len(self.mentees)
        criteria = self.criteria
        scores = np.zeros((n_m, n_e), dtype=np.float64)
        values = (
            {c.name: np.empty((n_m, n_e), dtype=np.float32) for c in criteria}
            if with_values
            else {}
        )
        step = max(1, CHUNK_CELLS // max(1, n_m))
        for lo in range(0, n_e, step):
            hi = min(n_e, lo + step)
            numerator = np.zeros((n_m, hi - lo))
            # While no value in the chunk is blank every pair has the same denominator:
            # a number, not a matrix (one pass less per criterion on complete data).
            denominator: Matrix | None = None
            common = 0.0
            # The same sums, in the same order, as explain_pair: bit-for-bit equal terms.
            for c, prepared in zip(criteria, self.prepared, strict=True):
                v = prepared.block(lo, hi)  # a fresh array: safe to change in place
                if with_values:
                    values[c.name][:, lo:hi] = v
                # One pass without a temporary to learn whether any value is blank.
                if np.isnan(np.add.reduce(v, axis=None)):
                    if denominator is None:
                        denominator = np.full((n_m, hi - lo), common)
                    blank = np.isnan(v)
                    v[blank] = 0.0  # adding an exact zero leaves the sum unchanged
                    np.add(denominator, c.weight, out=denominator, where=~blank)
                elif denominator is None:
                    common += c.weight
                else:
                    denominator += c.weight
                if c.weight != 1.0:
                    v *= c.weight
                numerator += v
            if denominator is not None:
                np.divide(numerator, denominator, out=scores[:, lo:hi], where=denominator > 0)
            elif common > 0:
                np.divide(numerator, common, out=scores[:, lo:hi])
        return scores, values

    def values_at(self, rows: Sequence[int], cols: Sequence[int]) -> Matrix:
        """Every criterion's value for the pairs ``(rows[k], cols[k])``: float64
        ``(pairs, criteria)``, NaN = blank; equal to ``explain_pair``'s values."""
        i = np.asarray(rows, dtype=np.int64)
        j = np.asarray(cols, dtype=np.int64)
        out = np.empty((len(i), len(self.prepared)), dtype=np.float64)
        for lo in range(0, len(i), PAIR_CHUNK):
            hi = min(len(i), lo + PAIR_CHUNK)
            for k, prepared in enumerate(self.prepared):
                out[lo:hi, k] = prepared.at(i[lo:hi], j[lo:hi])
        return out

    def explain(
        self, rows: Sequence[int], cols: Sequence[int], n_reasons: int = 2
    ) -> list[Explained]:
        """Score, values and top ``n_reasons`` reasons of the pairs ``(rows[k],
        cols[k])``: what ``explain_pair(...)`` and its ``top_reasons(n_reasons)`` give,
        number for number and word for word."""
        values = self.values_at(rows, cols)
        n, n_c = values.shape
        blank = np.isnan(values)
        # explain_pair's loop, criterion by criterion in program order: the same
        # IEEE operations in the same order (a blank adds an exact zero).
        numerator = np.zeros(n)
        denominator = np.zeros(n)
        for k, c in enumerate(self.criteria):
            ok = ~blank[:, k]
            numerator += c.weight * np.where(ok, values[:, k], 0.0)
            denominator += np.where(ok, c.weight, 0.0)
        usable = denominator > 0
        safe = np.where(usable, denominator, 1.0)
        score = np.where(usable, numerator / safe, 0.0)
        weights = np.array([c.weight for c in self.criteria], dtype=np.float64)
        contribution = np.where(
            ~blank & usable[:, None], weights[None, :] / safe[:, None] * values, 0.0
        )
        # top_reasons: positive contributions, largest first, ties by criterion name.
        by_name = np.argsort(np.argsort([c.name for c in self.criteria], kind="stable"))
        order = np.lexsort((np.broadcast_to(by_name, (n, n_c)), -contribution), axis=-1)
        top = order[:, :n_reasons]
        shown = np.take_along_axis(contribution, top, axis=1) > 0
        out: list[Explained] = []
        program, criteria = self.program, self.criteria
        mentors, mentees = self.mentors, self.mentees
        # Python floats and ints once for all pairs (tolist gives float(x) of each).
        value_rows, blank_rows, scores = values.tolist(), blank.tolist(), score.tolist()
        top_rows, shown_rows = top.tolist(), shown.tolist()
        with shared_values(self.memo):  # each person's answers were read for the matrix
            for k in range(n):
                i, j = int(rows[k]), int(cols[k])
                reasons = []
                for pos, visible in zip(top_rows[k], shown_rows[k], strict=True):
                    if visible:
                        c = criteria[pos]
                        reasons.append(_KINDS[type(c)](program, c, mentors[i], mentees[j])[1])
                out.append(
                    Explained(
                        scores[k],
                        tuple(
                            None if b else v
                            for v, b in zip(value_rows[k], blank_rows[k], strict=True)
                        ),
                        reasons,
                    )
                )
        return out


def score_matrix(
    program: Program,
    mentors: Sequence[Person],
    mentees: Sequence[Person],
    *,
    with_values: bool = True,
) -> tuple[Matrix, dict[str, Matrix]]:
    """Scores of every mentor (rows) against every mentee (columns).

    Returns ``(scores, values)``: ``scores`` is a float64 ``(len(mentors),
    len(mentees))`` matrix equal to :func:`explain_pair`'s scores (within 1e-9);
    ``values`` maps each criterion name, in program order, to a float32 matrix of its
    values (NaN = blank for that pair). Hard constraints are not applied here.
    ``with_values=False`` skips the per-criterion matrices (``values`` is then empty),
    which saves one float32 matrix per criterion on large rosters.
    """
    return PairScorer(program, mentors, mentees).matrix(with_values=with_values)
