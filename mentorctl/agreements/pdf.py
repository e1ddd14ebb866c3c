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

Every page has a running footer: program, cycle, "page N of M". Pages are A4 or US
Letter (:func:`paper_size`: ``agreement.paper`` in program.yaml, else the locale's).

Why not one template for HTML and PDF (fpdf2's ``write_html`` or WeasyPrint)? Measured
on the onboarding sample's agreement (CPU per document, after warm-up): this renderer
32 ms; fpdf2's ``write_html`` of the HTML agreement 217 ms, and it ignores the CSS (no
grid, boxes or colours: no better looking than this); WeasyPrint 315 ms, faithful to the
HTML, but a 97 MB install that needs Pango from the system. The Markdown is already the
agreement's plain structure, so it stays the PDF's source.

The module is longer than most (about 700 lines) because its parts only make sense
together: finding fonts, the layout that measures words with those fonts, and the
per-process caches wrapped around fpdf2 (parsed fonts, subsets, compressed streams) that
keep a run of 1,000 agreements within 3x of the Markdown run.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import hashlib
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


#: Territories whose locales print on US Letter (glibc's LC_PAPER); the rest use A4.
_LETTER_TERRITORIES = frozenset(
    {"US", "CA", "MX", "PH", "PR", "CL", "CO", "CR", "DO", "GT", "NI", "PA", "SV", "VE"}
)
PAPERS = ("a4", "letter")


def paper_size(setting: str | None = None) -> str:
    """``a4`` or ``letter``: ``setting`` (``agreement.paper``) when given, else the
    locale's paper (``LC_ALL``, ``LC_PAPER`` or ``LANG``, the first set: ``en_US.UTF-8``
    is Letter), else A4."""
    if setting is not None and setting in PAPERS:
        return setting
    for name in ("LC_ALL", "LC_PAPER", "LANG"):
        value = os.environ.get(name, "")
        if value:
            territory = value.partition(".")[0].partition("@")[0].partition("_")[2]
            return "letter" if territory.upper() in _LETTER_TERRITORIES else "a4"
    return "a4"


def _new_pdf(footer: str, paper: str = "a4") -> Any:  # an FPDF subclass with a running footer
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

    pdf = _Agreement(format="Letter" if paper == "letter" else "A4")
    pdf._footer_text = footer
    return pdf


def markdown_pdf(
    text: str, *, title: str, when: dt.date, footer: str = "", paper: str = "a4"
) -> bytes:
    """The bytes of :func:`render_pdf` (characters no font has print as ``?``)."""
    return render_pdf(text, title=title, when=when, footer=footer, paper=paper).content


def render_pdf(
    text: str,
    *,
    title: str,
    when: dt.date,
    footer: str = "",
    values: Iterable[str] = (),
    paper: str = "a4",
) -> PdfDocument:
    """A PDF of the simple Markdown our templates write (headings, bullets, **bold**).

    ``footer`` runs along the bottom of every page, beside the page number. ``values``
    are the participants' texts in the document; their characters that no installed
    font has are returned in :attr:`PdfDocument.missing` (in order, once each).
    ``paper``: ``a4`` or ``letter``.
    """
    pdf = _new_pdf(one_line(footer, 200), paper)
    pdf.set_creation_date(dt.datetime.combine(when, dt.time(0, 0), tzinfo=dt.UTC))
    pdf.set_title(one_line(title, 300))
    pdf.set_creator("mentorctl")
    pdf.set_auto_page_break(True, margin=20)
    pdf.set_margins(20, 18, 20)
    font = find_font()
    missing: dict[str, None] = {}
    unshaped = shaped = False
    if font is not None:
        regular, bold = font
        needs_shaping = bool(_SHAPED.search(text))
        shaping = needs_shaping and importlib.util.find_spec("uharfbuzz") is not None
        # The body fonts are a Latin/Greek/Cyrillic cut of the real ones (made once per
        # process): fpdf2 parses and subsets a small font far faster, and any other
        # character falls through to the full font or a fallback below.
        body_regular = base_cut(str(regular))
        add_font(pdf, "body", "", body_regular, shaping=shaping)
        add_font(pdf, "body", "B", base_cut(str(bold or regular)), shaping=shaping)
        family = "body"
        pdf._footer_family = "body"
        have = _cmap_of(body_regular)
        chars = {ch for ch in {*text, *footer} if ord(ch) not in have and needs_glyph(ch)}
        extra: list[str] = []
        fallback: dict[str, str] = {}  # character -> the font family that prints it
        full = _cmap_of(str(regular))
        for ch in sorted(chars):
            if ord(ch) in full:
                found: FontFile | None = FontFile(str(regular), 0)
            else:
                found = _font_for(ord(ch))
                if found is not None and ord(ch) not in _cmap_of(found.path, found.index):
                    found = None
            if found is None:
                missing[ch] = None
                continue
            name = "fb" + hashlib.sha1(f"{found.path}#{found.index}".encode()).hexdigest()[:10]
            fallback[ch] = name
            if name not in extra:
                add_font(pdf, name, "", found.path, found.index, shaping=shaping)
                extra.append(name)
        if extra:
            pdf.set_fallback_fonts(extra, exact_match=False)
        if shaping:
            pdf.set_text_shaping(True)
            shaped = True
        unshaped = needs_shaping and not shaping

        def fit(s: str) -> str:
            if not missing or missing.keys().isdisjoint(s):
                return s
            return "".join("?" if ch in missing else ch for ch in s)

    else:
        family = "helvetica"

        def fit(s: str) -> str:
            s = s.replace("…", "...").replace("’", "'").replace("–", "-").replace("—", "-")
            for ch in s:
                if ch.encode("latin-1", "replace") == b"?" and ch != "?" and needs_glyph(ch):
                    missing[ch] = None
            return s.encode("latin-1", "replace").decode("latin-1")

    # Shaped text (and the core-font fallback) goes through fpdf2's own line breaking;
    # everything else through _Layout, which measures each word once.
    layout = _Layout(pdf, family, fallback) if font is not None and not shaped else None
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
        runs = [(fit(chunk), b or forced_bold) for chunk, b in _segments(body)]
        if layout is not None:
            layout.paragraph(runs, size, height, indent)
            pdf.ln(1)
            continue
        pdf.set_x(pdf.l_margin + indent)
        if indent:
            pdf.set_font(family, "", size)
            pdf.cell(5, height, "•" if font is not None else "-")
        left = pdf.l_margin
        pdf.set_left_margin(left + indent + (5 if indent else 0))
        for chunk, bold_run in runs:
            pdf.set_font(family, "B" if bold_run else "", size)
            pdf.write(height, chunk)
        pdf.set_left_margin(left)
        pdf.ln(height + 1)
    values_chars = {ch for v in values for ch in v}
    found_missing = [ch for ch in missing if ch in values_chars] or list(missing)
    return PdfDocument(bytes(pdf.output()), found_missing, unshaped)


_PARSED: dict[tuple[str, int, str], Any] = {}
#: Widths of words in a body font's units, per width table (see _Layout.width).
_WORD_UNITS: dict[tuple[int, str], float] = {}
_SUBSETS: dict[tuple[str, int, frozenset[str], str], tuple[bytes, dict[str, int]]] = {}


class _SubsetOnce:
    """Stands in for a font file in fpdf2's output step, which subsets the file in place
    for each document: here the subset for a set of glyphs is made once per process and
    reused, as most agreements use the same few hundred glyphs."""

    def __init__(self, path: str, index: int) -> None:
        self.path, self.index = path, index
        self._bytes = b""
        self._ids: dict[str, int] = {}

    def subset_to(self, glyphs: Iterable[str], options: Any) -> None:
        key = (self.path, self.index, frozenset(glyphs), repr(sorted(vars(options).items())))
        if key not in _SUBSETS:
            import io

            from fontTools import subset
            from fontTools.ttLib import TTFont

            with TTFont(self.path, recalcTimestamp=False, fontNumber=self.index) as font:
                sub = subset.Subsetter(options)
                sub.populate(glyphs=sorted(key[2]))
                sub.subset(font)
                buf = io.BytesIO()
                font.save(buf)
                ids = {name: font.getGlyphID(name) for name in font.getGlyphOrder()}
            _SUBSETS[key] = (buf.getvalue(), ids)
        self._bytes, self._ids = _SUBSETS[key]

    def getGlyphID(self, name: str) -> int:
        return self._ids[name]

    def save(self, output: Any) -> None:
        output.write(self._bytes)

    def __contains__(self, table: str) -> bool:
        return False  # only asked for "CFF ", and only TrueType fonts get a stand-in

    def close(self) -> None:
        pass


class _Subsetter:
    """fontTools' Subsetter, except for a :class:`_SubsetOnce` font."""

    def __init__(self, real: Any, options: Any) -> None:
        self._real = real.Subsetter(options)
        self._options = options
        self._glyphs: list[str] = []

    def populate(self, glyphs: Iterable[str] = (), **kwargs: Any) -> None:
        self._glyphs = list(glyphs)
        self._real.populate(glyphs=self._glyphs, **kwargs)

    def subset(self, font: Any) -> None:
        if isinstance(font, _SubsetOnce):
            font.subset_to(self._glyphs, self._options)
        else:
            self._real.subset(font)


class _SubsetModule:
    """What fpdf2's output module sees as ``fontTools.subset``."""

    def __init__(self, real: Any) -> None:
        self._real = real
        self.Options = real.Options

    def Subsetter(self, options: Any) -> _Subsetter:
        return _Subsetter(self._real, options)


class _ZlibOnce:
    """What fpdf2's PDF objects see as ``zlib``: a large stream compressed before (the
    same font subset, embedded in every agreement) is not compressed again."""

    def __init__(self, real: Any) -> None:
        self._real = real
        self._done: dict[tuple[bytes, int], bytes] = {}

    def compress(self, data: bytes, level: int = -1) -> bytes:
        if len(data) < 4096:
            return bytes(self._real.compress(data, level=level))
        key = (hashlib.sha256(data).digest(), level)
        out = self._done.get(key)
        if out is None:
            out = self._done[key] = bytes(self._real.compress(data, level=level))
            if len(self._done) > 64:  # a few subsets per run; never grow without bound
                self._done.pop(next(iter(self._done)))
        return out

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


def _install_subset_cache() -> None:
    import fpdf.output
    import fpdf.syntax

    if not isinstance(fpdf.output.ftsubset, _SubsetModule):
        fpdf.output.ftsubset = _SubsetModule(fpdf.output.ftsubset)
    if not isinstance(fpdf.syntax.zlib, _ZlibOnce):
        fpdf.syntax.zlib = _ZlibOnce(fpdf.syntax.zlib)  # type: ignore[assignment]


def add_font(
    pdf: Any, family: str, style: str, path: str, index: int = 0, *, shaping: bool = False
) -> None:
    """``pdf.add_font``, parsing each font file once per process.

    fpdf2 reads a font's cmap and widths at every ``add_font``, and subsets the font
    file for every PDF; a run of 75 or 1,000 agreements did both for each. The parsed
    font is kept, and each document gets a shallow copy with its own subset map, whose
    file is a :class:`_SubsetOnce` (TrueType fonts without shaping) or a fresh lazy
    font file (shaping reads glyphs from it; CFF fonts are embedded differently).
    """
    from fontTools.ttLib import TTFont
    from fpdf.fonts import SubsetMap

    key = (path, index, style)
    fontkey = f"{family.lower()}{style}"
    proto = _PARSED.get(key)
    if proto is None:
        pdf.add_font(family, style, path, collection_font_number=index)
        # This document gets a copy too: made like every later one, so the first
        # document of a run is byte for byte what it is at any other place in a run.
        proto = copy.copy(pdf.fonts.pop(fontkey))
        proto.ttfont = None  # each copy opens its own
        _PARSED[key] = proto
    font = copy.copy(proto)
    font.i = len(pdf.fonts) + 1
    font.fontkey = fontkey
    if shaping or font.is_cff:
        font.ttfont = TTFont(path, recalcTimestamp=False, fontNumber=index, lazy=True)
    else:
        _install_subset_cache()
        font.ttfont = _SubsetOnce(path, index)
    font.subset = SubsetMap(font)
    font.biggest_size_pt = 0
    font.missing_glyphs = []
    font._hbfont = None
    if isinstance(font.ttfont, _SubsetOnce):
        for ch in COMMON:
            if ord(ch) in font.cmap:
                font.subset.pick(ord(ch))
    pdf.fonts[fontkey] = font
    if font.is_cff and font.is_cid_keyed:
        pdf._set_min_pdf_version("1.6")


class _Layout:
    """Word-wrapping that measures each word once from the fonts' width tables, then
    prints each line with ``text`` at computed positions, choosing the fallback font per
    character itself. (fpdf2's ``write`` re-measures the growing line at every word and
    ``cell`` lays out each run again: together most of a PDF's time.)"""

    def __init__(self, pdf: Any, family: str, fallback: dict[str, str]) -> None:
        self.pdf, self.family, self.fallback = pdf, family, fallback
        self.widths = {False: pdf.fonts[family].cw, True: pdf.fonts[family + "B"].cw}
        self._elsewhere = frozenset(fallback)  # characters another font prints

    def _cw(self, ch: str, bold: bool) -> float:
        w = self.widths[bold].get(ord(ch))
        if w is None:
            other = self.fallback.get(ch)
            if other is not None:
                w = self.pdf.fonts[other].cw.get(ord(ch))
        if w is None:  # assume a wide glyph: never overflow
            w = 1000 if unicodedata.east_asian_width(ch) in "WF" else 700
        return float(w)

    def width(self, text: str, bold: bool, size: float) -> float:
        table = self.widths[bold]
        # Agreements repeat the same words: a word's width in the body font is kept for
        # the run (the font's width table is shared by every document's copy of it).
        key = (id(table), text)
        units = _WORD_UNITS.get(key)
        if units is None:
            units = sum(self._cw(ch, bold) for ch in text)
            if len(_WORD_UNITS) < 200_000 and all(ord(ch) in table for ch in text):
                _WORD_UNITS[key] = units
        return units * size * 0.001 / self.pdf.k

    def _by_font(self, text: str, bold: bool) -> list[tuple[str, str, str]]:
        """``text`` cut into (piece, family, style) by the font that prints each char."""
        body = (self.family, "B" if bold else "")
        if self._elsewhere.isdisjoint(text):
            return [(text, *body)]
        out: list[tuple[str, str, str]] = []
        for ch in text:
            fam = self.fallback.get(ch)
            where = body if fam is None or ord(ch) in self.widths[bold] else (fam, "")
            if out and (out[-1][1], out[-1][2]) == where:
                out[-1] = (out[-1][0] + ch, *where)
            else:
                out.append((ch, *where))
        return out

    def paragraph(
        self, runs: list[tuple[str, bool]], size: float, height: float, indent: float
    ) -> None:
        pdf = self.pdf
        left = pdf.l_margin + indent + (5 if indent else 0)
        avail = pdf.w - pdf.r_margin - left
        lines: list[list[tuple[str, bool, float]]] = [[]]
        used = 0.0
        for chunk, bold in runs:
            for token in re.split(r"( +)", chunk):
                if not token:
                    continue
                w = self.width(token, bold, size)
                if token.isspace():
                    if lines[-1]:
                        lines[-1].append((" ", bold, self.width(" ", bold, size)))
                        used += lines[-1][-1][2]
                    continue
                if used + w > avail and lines[-1]:
                    lines.append([])
                    used = 0.0
                while w > avail:  # a "word" longer than the line: cut it
                    cut = self._fit(token, bold, size, avail - used)
                    lines[-1].append((token[:cut], bold, self.width(token[:cut], bold, size)))
                    lines.append([])
                    used, token = 0.0, token[cut:]
                    w = self.width(token, bold, size)
                if token:
                    lines[-1].append((token, bold, w))
                    used += w
        for i, items in enumerate(lines):
            while items and items[-1][0] == " ":
                items.pop()
            if pdf.y + height > pdf.page_break_trigger:
                pdf.add_page()
            # The baseline where fpdf2's cell() would put it: centred in the line.
            base = pdf.y + 0.5 * height + 0.3 * size / pdf.k
            if i == 0 and indent:
                pdf.set_font(self.family, "", size)
                pdf.text(pdf.l_margin + indent, base, "•")
            x = left
            for text, bold, run_width in _merge(items):
                pieces = self._by_font(text, bold)
                for piece, fam, style in pieces:
                    pdf.set_font(fam, style, size)
                    pdf.text(x, base, piece)
                    x += run_width if len(pieces) == 1 else self.width(piece, bold, size)
            pdf.ln(height)

    def _fit(self, token: str, bold: bool, size: float, room: float) -> int:
        total = 0.0
        for i, ch in enumerate(token):
            total += self.width(ch, bold, size)
            if total > room:
                return max(1, i)
        return len(token)


def _merge(items: list[tuple[str, bool, float]]) -> list[tuple[str, bool, float]]:
    """Neighbouring pieces of the same weight as one run (fewer, longer cells)."""
    out: list[tuple[str, bool, float]] = []
    for text, bold, w in items:
        if out and out[-1][1] == bold:
            out[-1] = (out[-1][0] + text, bold, out[-1][2] + w)
        else:
            out.append((text, bold, w))
    return out


#: What the body fonts' cut keeps: Latin with its accents, punctuation, the bullet.
BASE_RANGES = (
    (0x20, 0x24F),
    (0x300, 0x36F),
    (0x1E00, 0x1EFF),
    (0x2000, 0x206F),
    (0x20AC, 0x20AC),
    (0x2212, 0x2212),
)
#: Glyphs every agreement uses, put first in each document's subset so that most
#: documents share one subset (see _SubsetOnce).
COMMON = "".join(chr(c) for c in range(0x21, 0x7F)) + "•…’–—"


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "mentorctl" / "fonts"


@functools.cache
def base_cut(path: str) -> str:
    """A copy of the font at ``path`` with only :data:`BASE_RANGES`: fpdf2 parses and
    subsets a small font far faster. Made once and kept in the user's cache folder
    (``$XDG_CACHE_HOME/mentorctl/fonts``), keyed by the font's path, size and time; the
    original path when it cannot be made or kept."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    try:
        stat = Path(path).stat()
        key = f"{path}|{stat.st_size}|{stat.st_mtime_ns}|{BASE_RANGES}"
        folder = _cache_dir()
        target = folder / (hashlib.sha256(key.encode()).hexdigest()[:24] + ".ttf")
        if target.is_file():
            return str(target)
        folder.mkdir(parents=True, exist_ok=True)
        options = subset.Options(hinting=False, layout_features=[], notdef_outline=True)
        options.drop_tables += ["GSUB", "GPOS", "GDEF", "kern", "FFTM", "hdmx"]
        with TTFont(path, lazy=False) as font:
            sub = subset.Subsetter(options)
            sub.populate(unicodes=[c for low, high in BASE_RANGES for c in range(low, high + 1)])
            sub.subset(font)
            tmp = folder / f".{target.name}.{os.getpid()}.tmp"
            font.save(str(tmp))
        os.replace(tmp, target)  # atomic: a parallel run never reads half a font
        return str(target)
    except Exception:  # an unusual font, or no writable cache: use it whole (slower)
        return path


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
