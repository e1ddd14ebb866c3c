"""Pre-filled links into the coordinator's own form tool (``forms:`` in program.yaml).

:func:`fill` puts values into a link template's ``{placeholders}``, each value
percent-encoded on its own (``urllib.parse.quote`` with nothing kept safe: a ``+``,
``&``, ``=``, ``#``, space or non-ASCII letter in a name or email can never break out
of its query parameter), and the template's own text left exactly as written.
:func:`checkin_lines` writes the "we met / not yet" lines of introductions and
reminders. The templates were checked when program.yaml was loaded
(:mod:`mentorctl.program.schema`).
"""

from __future__ import annotations

import string
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING
from urllib.parse import quote

if TYPE_CHECKING:
    from mentorctl.program import Program


def fill(template: str, values: Mapping[str, object]) -> str:
    """``template`` with each ``{name}`` replaced by ``values[name]``, percent-encoded."""
    out = []
    for literal, name, _, _ in string.Formatter().parse(template):
        out.append(literal)
        if name is not None:
            out.append(quote(str(values.get(name, "")), safe=""))
    return "".join(out)


def checkin_link(program: Program, match_id: int, email: str, name: str, met: bool) -> str | None:
    """The check-in form link answering "we met" (``met``) or "not yet", or None."""
    forms = program.forms
    if forms.checkin_url is None:
        return None
    answer = forms.met_answer if met else forms.not_yet_answer
    return fill(
        forms.checkin_url, {"match": match_id, "email": email, "name": name, "answer": answer}
    )


def checkin_lines(
    program: Program, match_id: int | None, people: Sequence[tuple[str, str]]
) -> list[str]:
    """Plain-text lines with each person's two check-in links (empty without
    ``forms.checkin_url`` or a match): ``people`` are (name, email)."""
    if program.forms.checkin_url is None or match_id is None or not people:
        return []
    lines = ["Have you met yet? One click tells us (each link is for the person named):"]
    for name, email in people:
        first = (name or email).split(" ")[0]
        met = checkin_link(program, match_id, email, name, True)
        not_yet = checkin_link(program, match_id, email, name, False)
        lines += [f"- {first}, we met: {met}", f"- {first}, not yet: {not_yet}"]
    return lines


__all__ = ["checkin_lines", "checkin_link", "fill"]
