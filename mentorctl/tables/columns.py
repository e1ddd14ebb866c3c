"""Finding columns in an imported file's header: aliases, repeats, and the closest header.

Every import (participants, meetings, check-ins, HR) matches headers the same way:
compared without case, a BOM or runs of spaces (:func:`header_key`).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from mentorctl.errors import Problem


def header_key(text: str) -> str:
    """A column header compared without case, a BOM or runs of spaces."""
    return " ".join(text.strip().strip("\ufeff").lower().split())


def find_columns(
    headers: list[str], wanted: dict[str, tuple[str, ...]], source: str
) -> tuple[dict[str, int], list[Problem]]:
    """Column index of each wanted field, and a problem for each header that repeats one
    already used: which of the two holds the data is a guess.

    A header feeds the first field whose aliases name it; of several headers feeding one
    field, the one named earliest in its aliases wins, whatever their order in the file
    (a Microsoft Forms "Meeting date" question beats the form's own "Start time").
    """
    best: dict[str, tuple[int, int]] = {}  # field -> (alias rank, column)
    problems: list[Problem] = []
    for i, h in enumerate(headers):
        key = header_key(h)
        name = next((n for n, aliases in wanted.items() if key in aliases), None)
        if name is None:
            continue
        rank = wanted[name].index(key)
        seen = best.get(name)
        if seen is not None and seen[0] == rank:
            problems.append(Problem("the column appears twice in the header", source, 1, h))
        elif seen is None or rank < seen[0]:
            best[name] = (rank, i)
    return {name: i for name, (_, i) in best.items()}, problems


def closest_header(label: str, headers: Iterable[str]) -> str | None:
    """The header most like ``label`` (a reworded question), or None if none is close."""
    by_key = {header_key(h): h for h in headers if h.strip()}
    found = difflib.get_close_matches(header_key(label), list(by_key), n=1, cutoff=0.5)
    if found:
        return by_key[found[0]]
    # A header that contains the label's first words ("Availability slots" for "availability")
    words = header_key(label).split()[:2]
    for key, header in by_key.items():
        if words and all(w in key for w in words):
            return header
    return None


def whole_number(text: str, low: int, high: int, what: str) -> int:
    """``text`` as a whole number within ``low``-``high``; ValueError naming ``what``."""
    try:
        value = int(float(text.strip()))
        if float(text.strip()) != value:
            raise ValueError
    except (ValueError, OverflowError):  # "nan", "inf", "1e400"
        raise ValueError(f"{text.strip()!r} is not a whole number ({what})") from None
    if not low <= value <= high:
        shown = value if abs(value) < 10**9 else repr(text.strip())
        raise ValueError(f"{shown} is outside {low}-{high} ({what})")
    return value
