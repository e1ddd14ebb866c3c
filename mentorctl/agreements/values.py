"""Participants' values as documents show them: one line, Markdown-escaped, long dates.

Participants' text is only ever a *value* in a template's context, never template
source; these helpers make each value safe to print: control characters, line breaks
and bidi overrides go (they could reorder the text around a value), Markdown markup
characters are backslash-escaped.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any

NAME_MAX = 200  # characters of a name shown in a document
TEXT_MAX = 2000  # characters of any other participant value

_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _keep(ch: str) -> bool:
    # Joiners (emoji sequences, Persian) stay; controls, line breaks and bidi overrides,
    # which could reorder the text around a value, go.
    if ch in _BIDI_CONTROLS:
        return False
    return unicodedata.category(ch) not in ("Cc", "Zl", "Zp", "Cs", "Co", "Cn")


def one_line(value: Any, limit: int = TEXT_MAX) -> str:
    """Participant text on one line: control characters and newlines become spaces."""
    if value is None:
        return ""
    text = " ".join("".join(ch if _keep(ch) else " " for ch in str(value)).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|~&!])")


def md_escape(value: Any) -> str:
    """A value safe inside Markdown text: markup characters are backslash-escaped."""
    if value is None:
        return ""
    if isinstance(value, bool | int | float | dt.date):
        return str(value)
    return _MD_SPECIAL.sub(r"\\\1", str(value))


def md_escape_tree(value: Any) -> Any:
    """The context with every string Markdown-escaped (values only; template text is
    trusted). Escaping values, not output, keeps macros' output from being escaped twice."""
    if isinstance(value, str):
        return md_escape(value)
    if isinstance(value, dict):
        return {k: md_escape_tree(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [md_escape_tree(v) for v in value]
    return value


def long_date(value: dt.date | str | None) -> str:
    """``2027-01-11`` -> ``Monday 11 January 2027`` (the ``longdate`` template filter)."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = dt.date.fromisoformat(value)
    return f"{value:%A} {value.day} {value:%B %Y}"
