"""PDF agreements: the simple Markdown our templates write, printed with fpdf2.

Every name prints: the body font is DejaVu Sans (``MENTORCTL_PDF_FONT`` overrides it;
Debian's ``fonts-dejavu-core``, or the copy matplotlib ships), and each character it
lacks is printed with a font that has it, found through the system's fontconfig
(``fc-match -s sans-serif`` lists the installed fonts with the characters they cover,
e.g. Noto Sans CJK for 李伟, Noto Sans Devanagari, Noto Naskh Arabic). Only the fonts a
document needs are embedded, as subsets. A character no installed font has is reported
(:attr:`PdfDocument.missing`, which the command turns into one warning naming the
document and the field) and printed as ``?``. Right-to-left and Indic text is shaped
when the optional ``uharfbuzz`` package is installed; without it such text is reported too.

Every page has a running footer: program, cycle, "page N of M".

Why not one template for HTML and PDF (fpdf2's ``write_html`` or WeasyPrint)? Measured
on the sample agreement (docs/agreements.md has the numbers): WeasyPrint needs Pango
from the system and was about 10x slower per document; ``write_html`` supports no CSS
(the HTML agreement's grid, boxes and colours are lost) and was slower than this
renderer. The Markdown is already the agreement's plain structure, so it stays the PDF's
source.
"""

from __future__ import annotations

import datetime as dt
import functools
import importlib.util
import os
import re
import shutil
import subprocess
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mentorctl.agreements.values import one_line
from mentorctl.errors import UsageError

if TYPE_CHECKING:
    pass

#: Where a Unicode TTF font is looked for, first hit wins (``MENTORCTL_PDF_FONT`` first).
FONT_DIRS = (
    "/usr/share/fonts/truetype/dejavu",  # Debian, Ubuntu (fonts-dejavu-core)
    "/usr/share/fonts/dejavu",  # Fedora
    "/usr/share/fonts/TTF",  # Arch
    "/usr/local/share/fonts",
    "/Library/Fonts",
    "~/Library/Fonts",
    "~/.local/share/fonts",
)
_INLINE = re.compile(r"\\(.)|\*\*")
#: Characters that need shaping (joining, reordering): Arabic, Hebrew, Indic, Thai ...
_SHAPED = re.compile(
    "[\u0590-\u08ff\u0900-\u0dff\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\ufb1d-\ufdff\ufe70-\ufefc]"
)
#: Zero-width and format characters that need no glyph (joiners, marks).
_NO_GLYPH = frozenset("\u200b\u200c\u200d\u200e\u200f\u2060\ufe0e\ufe0f\n\t ")


def _matplotlib_font_dir() -> Path | None:
    """Matplotlib's bundled fonts (DejaVu Sans), found without importing matplotlib."""
    spec = importlib.util.find_spec("matplotlib")
    if spec is None or not spec.origin:
        return None
    return Path(spec.origin).parent / "mpl-data" / "fonts" / "ttf"


def find_font() -> tuple[Path, Path | None] | None:
    """A Unicode TTF (regular, bold) for PDFs: $MENTORCTL_PDF_FONT, DejaVu Sans, or None."""
    explicit = os.environ.get("MENTORCTL_PDF_FONT")
    if explicit:
        path = Path(explicit).expanduser()
        if not path.is_file():
            raise UsageError(f"MENTORCTL_PDF_FONT={explicit}: no such font file")
        return path, None
    dirs = [Path(d).expanduser() for d in FONT_DIRS]
    mpl = _matplotlib_font_dir()
    if mpl is not None:
        dirs.append(mpl)
    for d in dirs:
        regular = d / "DejaVuSans.ttf"
        if regular.is_file():
            bold = d / "DejaVuSans-Bold.ttf"
            return regular, bold if bold.is_file() else None
    return None


# --------------------------------------------------------------------------- fonts


@dataclass(frozen=True)
class FontFile:
    path: str
    index: int  # the font's number inside a .ttc collection


def _ranges(text: str) -> list[tuple[int, int]]:
    out = []
    for part in text.split():
        low, _, high = part.partition("-")
        try:
            out.append((int(low, 16), int(high or low, 16)))
        except ValueError:
            continue
    return out


@functools.cache
def fallback_fonts() -> tuple[tuple[FontFile, tuple[tuple[int, int], ...]], ...]:
    """Installed fonts in fontconfig's order for sans-serif, with the characters each
    covers; empty without fontconfig. One ``fc-match`` call per process."""
    exe = shutil.which("fc-match")
    if exe is None:
        return ()
    try:
        proc = subprocess.run(
            [exe, "-s", "-f", "%{file}|%{index}|%{charset}\n", "sans-serif"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return ()
    out = []
    for line in proc.stdout.splitlines():
        path, _, rest = line.partition("|")
        index, _, charset = rest.partition("|")
        # fpdf2 embeds TrueType and OpenType (CFF) fonts; bitmap and Type 1 fonts it cannot.
        if not path.lower().endswith((".ttf", ".otf", ".ttc", ".otc")):
            continue
        try:
            number = int(index or 0)
        except ValueError:
            number = 0
        out.append((FontFile(path, number), tuple(_ranges(charset))))
    return tuple(out)


@functools.cache
def _font_for(code: int) -> FontFile | None:
    for font, ranges in fallback_fonts():
        for low, high in ranges:
            if low <= code <= high:
                return font
    return None


@functools.cache
def _cmap_of(path: str, index: int = 0) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    with TTFont(path, fontNumber=index, lazy=True) as font:
        return frozenset(font.getBestCmap() or {})


def needs_glyph(ch: str) -> bool:
    return ch not in _NO_GLYPH and unicodedata.category(ch) not in ("Cc", "Cf", "Mn", "Me")


# --------------------------------------------------------------------------- layout


def _segments(line: str) -> list[tuple[str, bool]]:
    """Markdown inline text -> (text, bold) runs: ``**`` toggles bold, ``\\x`` is ``x``."""
    out: list[tuple[str, bool]] = []
    bold, buf, pos = False, "", 0
    for m in _INLINE.finditer(line):
        buf += line[pos : m.start()]
        pos = m.end()
        if m.group(1) is not None:
            buf += m.group(1)
        else:
            if buf:
                out.append((buf, bold))
            buf, bold = "", not bold
    buf += line[pos:]
    if buf:
        out.append((buf, bold))
    return out


@dataclass
class PdfDocument:
    """A rendered PDF and the characters no installed font could print."""

    content: bytes
    missing: list[str] = field(default_factory=list)
    unshaped: bool = False  # right-to-left/Indic text printed without uharfbuzz


def _new_pdf(footer: str) -> Any:  # an FPDF subclass with a running footer
    from fpdf import FPDF

    class _Agreement(FPDF):
        _footer_text = ""
        _footer_family = "helvetica"

        def footer(self) -> None:
            self.set_y(-12)
            self.set_font(self._footer_family, "", 8)
            self.set_text_color(110, 118, 130)
            self.cell(0, 5, self._footer_text, align="L")
            self.set_x(self.l_margin)
            self.cell(0, 5, f"page {self.page_no()} of {{nb}}", align="R")
            self.set_text_color(0, 0, 0)

    pdf = _Agreement(format="A4")
    pdf._footer_text = footer
    return pdf


def markdown_pdf(text: str, *, title: str, when: dt.date, footer: str = "") -> bytes:
    """The bytes of :func:`render_pdf` (characters no font has print as ``?``)."""
    return render_pdf(text, title=title, when=when, footer=footer).content


def render_pdf(
    text: str, *, title: str, when: dt.date, footer: str = "", values: Iterable[str] = ()
) -> PdfDocument:
    """A PDF of the simple Markdown our templates write (headings, bullets, **bold**).

    ``footer`` runs along the bottom of every page, beside the page number. ``values``
    are the participants' texts in the document; their characters that no installed
    font has are returned in :attr:`PdfDocument.missing` (in order, once each).
    """
    pdf = _new_pdf(one_line(footer, 200))
    pdf.set_creation_date(dt.datetime.combine(when, dt.time(0, 0), tzinfo=dt.UTC))
    pdf.set_title(one_line(title, 300))
    pdf.set_creator("mentorctl")
    pdf.set_auto_page_break(True, margin=20)
    pdf.set_margins(20, 18, 20)
    font = find_font()
    missing: dict[str, None] = {}
    unshaped = False
    if font is not None:
        regular, bold = font
        pdf.add_font("body", "", str(regular))
        pdf.add_font("body", "B", str(bold or regular))
        family = "body"
        pdf._footer_family = "body"
        have = _cmap_of(str(regular))
        chars = {ch for ch in text + footer if needs_glyph(ch) and ord(ch) not in have}
        extra: list[str] = []
        for ch in sorted(chars):
            found = _font_for(ord(ch))
            if found is None or ord(ch) not in _cmap_of(found.path, found.index):
                missing[ch] = None
                continue
            name = f"fb{abs(hash(found)) % 10**8}"
            if name not in extra:
                pdf.add_font(name, "", found.path, collection_font_number=found.index)
                extra.append(name)
        if extra:
            pdf.set_fallback_fonts(extra, exact_match=False)
        if _SHAPED.search(text):
            if importlib.util.find_spec("uharfbuzz") is not None:
                pdf.set_text_shaping(True)
            else:
                unshaped = True

        def fit(s: str) -> str:
            return "".join("?" if ch in missing else ch for ch in s)

    else:
        family = "helvetica"

        def fit(s: str) -> str:
            s = s.replace("…", "...").replace("’", "'").replace("–", "-").replace("—", "-")
            for ch in s:
                if ch.encode("latin-1", "replace") == b"?" and ch != "?" and needs_glyph(ch):
                    missing[ch] = None
            return s.encode("latin-1", "replace").decode("latin-1")

    pdf.add_page()
    sizes = {"# ": 18.0, "## ": 13.5, "### ": 11.5, "#### ": 10.5}
    for raw in text.splitlines():
        line = raw.rstrip()
        if not line.strip():
            pdf.ln(2.5)
            continue
        heading = next((h for h in sizes if line.startswith(h)), None)
        indent = 0.0
        if heading is not None:
            pdf.ln(3 if heading == "# " else 2)
            body, size, forced_bold = line[len(heading) :], sizes[heading], True
        elif line.lstrip().startswith("- "):
            indent = 4 + (len(line) - len(line.lstrip()))
            body, size, forced_bold = line.lstrip()[2:], 10.5, False
        else:
            body, size, forced_bold = line.strip(), 10.5, False
        height = size * 0.5
        pdf.set_x(pdf.l_margin + indent)
        if indent:
            pdf.set_font(family, "", size)
            pdf.cell(5, height, "•" if font is not None else "-")
        left = pdf.l_margin
        pdf.set_left_margin(left + indent + (5 if indent else 0))
        for chunk, bold_run in _segments(body):
            pdf.set_font(family, "B" if (bold_run or forced_bold) else "", size)
            pdf.write(height, fit(chunk))
        pdf.set_left_margin(left)
        pdf.ln(height + 1)
    values_chars = {ch for v in values for ch in v}
    found_missing = [ch for ch in missing if ch in values_chars] or list(missing)
    return PdfDocument(bytes(pdf.output()), found_missing, unshaped)


def fields_with(context: dict[str, Any], chars: Iterable[str]) -> list[str]:
    """The context's fields (``mentee.name``, ``mentee.goals[0].title``) holding any of
    ``chars``, to name them in a warning."""
    wanted = set(chars)
    out: list[str] = []

    def walk(value: Any, path: str) -> None:
        if isinstance(value, str):
            if wanted & set(value):
                out.append(path)
        elif isinstance(value, dict):
            for k, v in value.items():
                walk(v, f"{path}.{k}" if path else str(k))
        elif isinstance(value, list | tuple):
            for i, v in enumerate(value):
                walk(v, f"{path}[{i}]")

    for key in ("mentor", "mentee", "mentees", "group", "circle", "program", "cycle", "clauses"):
        if key == "mentees" and context.get("mentee") is not None:
            continue  # the one mentee is mentees[0] too: name them once, as "mentee"
        walk(context.get(key), key)
    return list(dict.fromkeys(out))
