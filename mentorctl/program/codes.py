"""Person codes: a short, stable stand-in for a participant in forms and shortlists.

A shortlist names each candidate with a code such as ``C7K2QX``, and the ranking form
sends the codes back in the person's order (``participants import`` reads them, and
``preference`` criteria resolve them). A code is:

* **stable**: derived from the program's ``slug`` and the person's email (a SHA-256
  hash, written in Crockford's base-32 alphabet: digits and capitals without I, L, O
  and U, so it survives being read aloud or retyped); the same person has the same code
  on every run, as long as the slug and their email stay the same;
* **unique in the program**: :func:`person_codes` gives each person the shortest
  prefix of their hash, :data:`LENGTH` characters or more, that nobody else enrolled
  shares (with 6 characters two people collide about once in 500 programs of 1,000);
* **not guessable from the name**: it depends on the email and the program only. It
  is no secret either: it identifies a person to people who know the program, exactly
  as a name would, and is written in emails for that purpose.

Reading is forgiving: case, spaces and dashes are ignored, and any prefix of a hash
that is :data:`LENGTH` characters or longer and points at exactly one person resolves.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping

#: Crockford's base-32 alphabet (no I, L, O, U).
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
#: The shortest code written.
LENGTH = 6
_FULL = 20  # characters of hash kept: 100 bits, far past any program's size
_SHAPE = re.compile(rf"^[0-9A-Z]{{{LENGTH},{_FULL}}}$")


def _full(slug: str, email: str) -> str:
    digest = hashlib.sha256(f"mentorctl-person-code\n{slug}\n{email.strip().lower()}".encode())
    number = int.from_bytes(digest.digest()[:13], "big")  # 104 bits
    chars = []
    for _ in range(_FULL):
        number, digit = divmod(number, 32)
        chars.append(ALPHABET[digit])
    return "".join(chars)


def normalise_code(text: str) -> str:
    """``text`` as a code is compared: upper-case, without spaces and dashes; Crockford's
    look-alikes read as digits (O as 0, I and L as 1)."""
    cleaned = re.sub(r"[\s\-]", "", text).upper()
    return cleaned.translate(str.maketrans("OIL", "011"))


def looks_like_code(text: str) -> bool:
    """Whether ``text`` has the shape of a person code (not whether anyone has it).

    Codes are written in capitals: a lower-case word (a mistyped email such as
    ``johnsmith``) is never taken for one."""
    stripped = text.strip()
    return (
        stripped == stripped.upper()
        and "@" not in stripped
        and bool(_SHAPE.match(normalise_code(stripped)))
    )


def person_code(slug: str, email: str, others: Iterable[str] = ()) -> str:
    """``email``'s code in the program ``slug``, unique among ``others`` (emails)."""
    return person_codes(slug, [email, *others])[email.strip().lower()]


def person_codes(slug: str, emails: Iterable[str]) -> dict[str, str]:
    """Email (lower-case) -> code, for everyone in ``emails`` (see the module)."""
    full = {e.strip().lower(): _full(slug, e) for e in emails}
    out: dict[str, str] = {}
    ordered = sorted(full.items(), key=lambda kv: kv[1])
    for i, (email, code) in enumerate(ordered):
        # Sorted hashes: the longest prefix shared with anyone is shared with a neighbour.
        shared = 0
        for j in (i - 1, i + 1):
            if 0 <= j < len(ordered):
                other = ordered[j][1]
                n = 0
                while n < _FULL and code[n] == other[n]:
                    n += 1
                shared = max(shared, n)
        out[email] = code[: max(LENGTH, shared + 1)]
    return out


class CodeBook:
    """Resolves codes written by people back to emails, for one program's people."""

    def __init__(self, slug: str, emails: Iterable[str]) -> None:
        self._by_prefix: dict[str, list[tuple[str, str]]] = {}
        for e in emails:
            full = _full(slug, e)
            self._by_prefix.setdefault(full[:LENGTH], []).append((e.strip().lower(), full))

    def email(self, text: str) -> str | None:
        """The one email whose code ``text`` is (a prefix of ``LENGTH`` or more), else None."""
        code = normalise_code(text)
        if len(code) < LENGTH:
            return None
        near = self._by_prefix.get(code[:LENGTH], [])
        found = [e for e, full in near if full.startswith(code)]
        return found[0] if len(found) == 1 else None

    def resolve_all(self, items: Iterable[str]) -> Mapping[str, str | None]:
        return {item: self.email(item) for item in items}


__all__ = [
    "ALPHABET",
    "LENGTH",
    "CodeBook",
    "looks_like_code",
    "normalise_code",
    "person_code",
    "person_codes",
]
