"""What the meeting-log and check-in imports share: header aliases and bounded whole
numbers (reading files and summarising problems is :mod:`mentorctl.roster.importer`'s)."""

from __future__ import annotations

from mentorctl.errors import Problem


def _columns(
    headers: list[str], wanted: dict[str, tuple[str, ...]], source: str
) -> tuple[dict[str, int], list[Problem]]:
    """Column index of each wanted field (the first of its aliases wins), and a problem for
    each header that repeats one already used: which of the two holds the data is a guess."""
    from mentorctl.tables.reader import header_key  # (it loads the schema: not at import)

    index: dict[str, int] = {}
    problems: list[Problem] = []
    for i, h in enumerate(headers):
        key = header_key(h)
        for name, aliases in wanted.items():
            if key not in aliases:
                continue
            if name not in index:
                index[name] = i
            elif header_key(headers[index[name]]) == key:
                problems.append(Problem("the column appears twice in the header", source, 1, h))
            break
    return index, problems


def _int_in(text: str, low: int, high: int, what: str) -> int:
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
