"""Small-group privacy: which cells of a breakdown to suppress so nobody can be singled out."""

from __future__ import annotations

from collections.abc import Mapping


def suppress_cells(counts: Mapping[str, int], min_size: int) -> set[str]:
    """Which cells of one breakdown to hide: 1..min_size-1 people, plus a second cell
    when only one would be hidden (else total minus the others gives it away)."""
    hidden = {k for k, n in counts.items() if 0 < n < min_size}
    if len(hidden) == 1:
        rest = sorted((n, k) for k, n in counts.items() if n > 0 and k not in hidden)
        if rest:
            hidden.add(rest[0][1])
    return hidden
