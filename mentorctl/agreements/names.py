"""File names for agreements and their attachments: readable, unique, inside ``--out``.

People's names become ASCII slugs by transliteration (``anyascii``), not by dropping
what is not ASCII: Łukasz -> ``lukasz``, Weiß -> ``weiss``, Michał Wójcik ->
``michal-wojcik``, 李伟 -> ``li-wei``, Ольга -> ``olga``. The same names are the email
attachments' names, so a recipient recognises their file. Two agreements that would
get the same name are told apart by ``-2``, ``-3`` ... (in the order of their match ids),
and every path is checked to lie inside the output directory.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import Protocol

from mentorctl.errors import UsageError

SLUG_MAX = 60

# Scripts written without spaces between syllables (Chinese, Japanese kana, Korean):
# anyascii gives "LiWei" for 李伟, so each character's transliteration is set apart.
_SYLLABIC = ("CJK UNIFIED IDEOGRAPH", "HANGUL SYLLABLE", "HIRAGANA", "KATAKANA")


def _ascii(text: str) -> str:
    from anyascii import anyascii

    out = []
    for ch in text:
        if ch.isascii():
            out.append(ch)
            continue
        if unicodedata.category(ch).startswith(("S", "C")):
            out.append(" ")  # emoji and symbols: 🎉 is not "tada" in someone's name
            continue
        name = unicodedata.name(ch, "")
        latin = anyascii(ch).replace("'", "")  # Cyrillic soft sign: Ольга -> olga
        out.append(f" {latin} " if name.startswith(_SYLLABIC) else latin)
    return "".join(out)


def slug(text: str, fallback: str = "person") -> str:
    """A file-name-safe slug: ASCII letters, digits and single dashes, at most 60 long.

    Non-ASCII letters are transliterated (see the module docstring); ``fallback`` is
    used when nothing is left (a name of emoji only).
    """
    ascii_text = _ascii(unicodedata.normalize("NFC", text or ""))
    out = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:SLUG_MAX].strip("-")
    return out or fallback


def email_slug(email: str) -> str:
    """The slug of an email address's local part (for people without a name)."""
    return slug(email.partition("@")[0], "person")


class _Named(Protocol):
    stem: str
    match_ids: list[int]


def unique_stems(docs: list[_Named]) -> None:
    """Give two documents with the same stem ``-2``, ``-3`` ... in match-id order, and
    sort them by stem. Case-insensitive, as file systems on macOS and Windows are."""
    taken: set[str] = set()
    for doc in sorted(docs, key=lambda d: d.match_ids):
        base, n = doc.stem, 1
        while doc.stem.lower() in taken:
            n += 1
            doc.stem = f"{base}-{n}"
        taken.add(doc.stem.lower())
    docs.sort(key=lambda d: d.stem)


def safe_target(out_dir: Path, relative: str) -> Path:
    """``out_dir/relative``, refusing anything that would land outside ``out_dir``."""
    root = out_dir.resolve()
    target = (root / relative).resolve()
    if not target.is_relative_to(root) or target == root:
        raise UsageError(f"{relative!r}: would be written outside {out_dir}")
    return target
