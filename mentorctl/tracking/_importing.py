"""What the meeting-log and check-in imports share: header aliases, bounded whole numbers,
and the one-line summary of a list of problems."""

from __future__ import annotations

from mentorctl.errors import Problem


def _norm(text: str) -> str:
    return " ".join(text.strip().strip("\ufeff").lower().split())


def _columns(
    headers: list[str], wanted: dict[str, tuple[str, ...]], source: str
) -> tuple[dict[str, int], list[Problem]]:
    """Column index of each wanted field (the first of its aliases wins), and a problem for
    each header that repeats one already used: which of the two holds the data is a guess."""
    index: dict[str, int] = {}
    problems: list[Problem] = []
    for i, h in enumerate(headers):
        key = _norm(h)
        for name, aliases in wanted.items():
            if key not in aliases:
                continue
            if name not in index:
                index[name] = i
            elif _norm(headers[index[name]]) == key:
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


def _summary(problems: list[Problem], source: str | None, verb: str) -> str:
    if len(problems) == 1:
        return str(problems[0])
    rows = {p.line for p in problems}
    where = f"{source}: " if source else ""
    return f"{where}{len(problems)} problems in {len(rows)} row(s); nothing was {verb}"
