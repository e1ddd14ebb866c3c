"""PDFs print every name: Latin with diacritics, Chinese, Arabic, Devanagari.

Checked by extracting the PDF's text with poppler's ``pdftotext``. The fonts come from
Debian's ``fonts-noto-core``, ``fonts-noto-cjk`` and ``fonts-dejavu-core`` (CI installs
them); without them, or without poppler, the test is skipped with the reason, except
under CI (``CI`` set), where it fails.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest

from mentorctl.agreements.context import sample_context
from mentorctl.agreements.pdf import fallback_fonts, render_pdf
from mentorctl.agreements.templates import Renderer
from mentorctl.agreements.values import one_line
from mentorctl.program import load_program

DATA = Path(__file__).parent.parent / "data"
NAMES = {
    "latin": ["Łukasz Kowalski", "Jürgen Weiß", "Michał Wójcik", "Zoë Ñúñez"],
    "chinese": ["李伟", "王芳"],
    "arabic": ["مريم الحسن"],
    "devanagari": ["अनन्या शर्मा"],
}
SAMPLES = {"chinese": "李", "arabic": "م", "devanagari": "अ"}


def _need(condition: bool, why: str) -> None:
    if condition:
        return
    if os.environ.get("CI"):
        pytest.fail(f"CI must have this: {why}")
    pytest.skip(why)


def _text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "out.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True
    ).stdout.decode()
    # pdftotext marks right-to-left runs with bidi controls; names are compared without.
    return "".join(
        ch for ch in unicodedata.normalize("NFC", out) if unicodedata.category(ch) != "Cf"
    )


def _covered(ch: str) -> bool:
    return any(lo <= ord(ch) <= hi for _, ranges in fallback_fonts() for lo, hi in ranges)


def test_every_name_is_printed(tmp_path: Path) -> None:
    _need(shutil.which("pdftotext") is not None, "poppler-utils (pdftotext) is not installed")
    missing = [s for s, ch in SAMPLES.items() if not _covered(ch)]
    _need(not missing, f"no installed font for {', '.join(missing)}: apt-get install "
          "fonts-noto-core fonts-noto-cjk fonts-dejavu-core")  # fmt: skip
    program = load_program(DATA / "program.yaml")
    ctx = sample_context(program, "circle")
    everyone = [n for names in NAMES.values() for n in names]
    people = ctx["mentees"][0]
    ctx["mentees"] = [{**people, "name": n, "first_name": n.split(" ")[0]} for n in everyone]
    ctx["mentor"] = {**ctx["mentor"], "name": "Ada Lovelace"}
    renderer = Renderer(program, DATA, "md")
    md = renderer.text(ctx)
    result = render_pdf(md, title="names", when=dt.date(2027, 1, 11), footer="Test · cycle 1")
    text = _text(result.content, tmp_path)
    for name in everyone:
        assert name in text, f"{name} is not in the PDF's text"
    assert result.missing == [] and "page 1 of" in text and "Test · cycle 1" in text


def test_a_character_no_font_has_is_reported_with_its_field(tmp_path: Path) -> None:
    program = load_program(DATA / "program.yaml")
    ctx = sample_context(program, "one-to-one")
    ctx["mentee"] = {
        **ctx["mentee"],
        "name": one_line("Zoë \U0001f9a9"),
    }  # an emoji: no font here has one
    ctx["mentees"] = [ctx["mentee"]]
    renderer = Renderer(program, DATA, "pdf")
    from mentorctl.agreements.context import AgreementDoc

    doc = AgreementDoc(
        kind="one-to-one",
        cycle="2027-h1",
        mentor="ada@example.com",
        mentees=["alan@example.com"],
        circle=None,
        match_ids=[1],
        stem="2027-h1/ada--zoe",
        context=ctx,
    )
    renderer.render(doc)
    assert len(renderer.warnings) == 1
    [warning] = renderer.warnings
    assert warning.startswith("2027-h1/ada--zoe.pdf: no installed font has")
    assert "(in mentee.name)" in warning and "printed as '?'" in warning
