"""Agreements rendered from the default templates: snapshots, hostile values, safety.

Snapshots live in ``tests/agreements/snapshots/``; to accept a deliberate change, run
with ``--update-snapshots`` (``tests/snapshots.py``) and review the diff.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest

from mentorctl.agreements import render as agreements
from mentorctl.agreements.render import (
    Renderer,
    TemplateError,
    check_templates,
    markdown_pdf,
    safe_target,
    sample_context,
    slug,
)
from mentorctl.enums import Focus, Format
from mentorctl.errors import UsageError
from mentorctl.program import Program, load_program
from tests.conftest import DATA
from tests.snapshots import assert_snapshot

SNAPSHOTS = Path(__file__).parent / "snapshots"
KINDS = ["one-to-one", "group", "circle"]
FOCI = ["information", "skill", "advocacy"]

HOSTILE = {
    "traversal": "../../etc/passwd",
    "template": "{{ 7*7 }}{% for x in range(3) %}loop{% endfor %}",
    "script": "<script>alert(1)</script>",
    "newlines": "Ada\nBcc: evil@example.org\r\n# heading",
    "long": "L" * 10_000,
    "rtl": "مريم الحسن",
    "emoji": "Zoë 🎉👩🏽\u200d💻\u202eevil",
    "markdown": "**bold** [click](javascript:alert(1)) ![img](x) | table | `code`",
}


def program(focus: str = "skill", fmt: str = "group", **extra: Any) -> Program:
    base = load_program(DATA / "program.yaml")
    return base.model_copy(update={"focus": Focus(focus), "format": Format(fmt), **extra})


def snapshot(name: str, actual: str) -> None:
    assert_snapshot(SNAPSHOTS / name, actual)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("ext", ["md", "html"])
def test_snapshot_of_each_kind(kind: str, ext: str) -> None:
    p = program()
    text = Renderer(p, DATA, ext).text(sample_context(p, kind))
    snapshot(f"{kind}.{ext}", text)


@pytest.mark.parametrize("focus", ["information", "advocacy"])
def test_snapshot_of_each_focus(focus: str) -> None:
    p = program(focus, "one-to-one", reverse=True)
    snapshot(f"one-to-one-{focus}.md", Renderer(p, DATA, "md").text(sample_context(p)))


def test_the_focus_changes_the_words_and_the_essentials_are_there() -> None:
    texts = {f: Renderer(program(f), DATA, "md").text(sample_context(program(f))) for f in FOCI}
    assert len(set(texts.values())) == 3
    assert "Promise a promotion" in texts["advocacy"]
    assert "Promise a promotion" not in texts["skill"]
    for text in texts.values():
        for needle in [
            "Test Mentoring",
            "2027-h1",
            "Ada Lovelace",
            "Alan Turing",
            "The mentee drives the mentoring",
            "Sets the goals",
            "Organises the meetings",
            "Reflects",
            "Listens first",
            "Keeps what is said in confidence",
            "Gives only as much guidance as is needed",
            "does not",
            "Lead a small team through one project",
            "Monday 25 January 2027",  # first meeting by
            "Monday 28 June 2027",  # last meeting
            "## Confidentiality",
            "## A no-fault way out",
            "Signature: ____",
        ]:
            assert needle in text, needle


def hostile_context(kind: str) -> dict[str, Any]:
    ctx = sample_context(program(), kind)
    people = [ctx["mentor"], *ctx["mentees"], *ctx["group"]]
    values = list(HOSTILE.values())
    for i, person in enumerate(people):
        person["name"] = agreements.one_line(values[i % len(values)], agreements.NAME_MAX)
        person["title"] = agreements.one_line(values[(i + 1) % len(values)])
        person["department"] = agreements.one_line(values[(i + 2) % len(values)])
        person["first_name"] = person["name"].split(" ")[0]
    ctx["mentees"][0]["name"] = agreements.one_line(HOSTILE["long"], agreements.NAME_MAX)
    for goal in ctx["mentees"][0]["goals"]:
        for key in ("title", "relevant", "aspirational", "experimental", "learning"):
            goal[key] = agreements.one_line(" ".join(values))
    ctx["reasons"] = [agreements.one_line(v) for v in values]
    if ctx["circle"]:
        ctx["circle"]["topic"] = agreements.one_line(HOSTILE["script"])
    return ctx


@pytest.mark.parametrize("kind", KINDS)
def test_hostile_values_in_html_are_escaped_text(kind: str) -> None:
    html = Renderer(program(), DATA, "html").text(hostile_context(kind))
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "49" not in html and "looploop" not in html  # never evaluated
    assert "{{ 7*7 }}" in html
    assert "javascript:alert" not in re.findall(r'href="([^"]*)"', html)[0]
    assert all(not h.startswith("javascript") for h in re.findall(r'href="([^"]*)"', html))
    assert "مريم الحسن" in html and "<bdi>مريم الحسن</bdi>" in html
    assert "Zoë 🎉👩🏽\u200d💻 evil" in html and "\u202e" not in html  # no bidi override
    assert "Bcc: evil@example.org # heading" in html  # newlines flattened
    assert "<bdi>" + "L" * 199 + "…</bdi>" in html  # names are capped at 200
    assert "L" * 2001 not in html  # other values at 2000
    assert html.count("<html") == 1 and html.rstrip().endswith("</html>")


@pytest.mark.parametrize("kind", KINDS)
def test_hostile_values_in_markdown_cannot_make_markup(kind: str) -> None:
    md = Renderer(program(), DATA, "md").text(hostile_context(kind))
    assert "<script>" not in md and r"\<script\>" in md
    assert "49" not in md and "looploop" not in md
    assert r"\{\{ 7\*7 \}\}" in md
    assert "[click]" not in md and r"\[click\]" in md
    assert r"\*\*bold\*\*" in md
    # Participant text never starts a line, so it cannot add headings: same outline.
    plain = Renderer(program(), DATA, "md").text(sample_context(program(), kind))

    def outline(text: str) -> list[str]:
        return [line.split(" ")[0] for line in text.splitlines() if line.startswith("#")]

    assert outline(md) == outline(plain)
    assert "\n# heading" not in md and r"\# heading" in md
    assert "مريم الحسن" in md and "🎉" in md


@pytest.mark.parametrize("kind", KINDS)
def test_hostile_values_in_pdf(kind: str) -> None:
    md = Renderer(program(), DATA, "md").text(hostile_context(kind))
    pdf = markdown_pdf(md, title="hostile", when=dt.date(2027, 1, 11))
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    assert pdf == markdown_pdf(md, title="hostile", when=dt.date(2027, 1, 11))  # stable


def test_pdf_without_a_unicode_font_falls_back(monkeypatch: pytest.MonkeyPatch) -> None:
    md = Renderer(program(), DATA, "md").text(hostile_context("one-to-one"))
    from mentorctl.agreements import pdf as pdf_mod

    monkeypatch.setattr(pdf_mod, "FONT_DIRS", ())
    monkeypatch.setattr(pdf_mod, "_matplotlib_font_dir", lambda: None)
    assert agreements.find_font() is None
    pdf = markdown_pdf(md, title="fallback", when=dt.date(2027, 1, 11))
    assert pdf.startswith(b"%PDF-") and b"/Helvetica" in pdf


def test_pdf_font_from_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("MENTORCTL_PDF_FONT", str(tmp_path / "missing.ttf"))
    with pytest.raises(UsageError, match="MENTORCTL_PDF_FONT"):
        agreements.find_font()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Ada Lovelace", "ada-lovelace"),
        ("../../etc/passwd", "etc-passwd"),
        ("..", "person"),
        ("/", "person"),
        ("Zoë Ñúñez", "zoe-nunez"),
        ("مريم", "mrym"),
        ("Łukasz", "lukasz"),
        ("Weiß", "weiss"),
        ("Michał Wójcik", "michal-wojcik"),
        ("李伟", "li-wei"),
        ("Ольга Петрова", "olga-petrova"),
        ("अनन्या", "annya"),
        ("🎉", "person"),
        ("a" * 500, "a" * 60),
        ("C:\\Windows\\system32", "c-windows-system32"),
        ("name\x00with\nnul", "name-with-nul"),
    ],
)
def test_slug(text: str, expected: str) -> None:
    assert slug(text) == expected


def test_safe_target_refuses_paths_outside(tmp_path: Path) -> None:
    assert safe_target(tmp_path, "2027-h1/a--b.md") == (tmp_path / "2027-h1/a--b.md").resolve()
    for bad in ["../x.md", "/etc/passwd", "a/../../x", "."]:
        with pytest.raises(UsageError):
            safe_target(tmp_path, bad)


# --------------------------------------------------------------------------- custom templates


def custom_program(tmp_path: Path, md: str, html: str | None = None) -> tuple[Program, Path]:
    (tmp_path / "mine.md.j2").write_text(md, encoding="utf-8")
    update: dict[str, Any] = {"template": "mine.md.j2"}
    if html is not None:
        (tmp_path / "mine.html.j2").write_text(html, encoding="utf-8")
        update["html_template"] = "mine.html.j2"
    p = program()
    return p.model_copy(update={"agreement": p.agreement.model_copy(update=update)}), tmp_path


def test_custom_template_extends_the_defaults(tmp_path: Path) -> None:
    p, d = custom_program(
        tmp_path,
        '{% extends "agreements/one-to-one.md.j2" %}'
        "{% block signatures %}Signed by {{ mentor.name }}.{% endblock %}",
    )
    text = Renderer(p, d, "md").text(hostile_context("one-to-one"))
    assert text.endswith("## Signatures\n\nSigned by ../../etc/passwd.")
    assert check_templates(p, d)[0] == (str(d / "mine.md.j2"), [])


def test_custom_template_cannot_escape_the_sandbox(tmp_path: Path) -> None:
    p, d = custom_program(tmp_path, "{{ mentor.__class__.__mro__[1].__subclasses__() }}")
    with pytest.raises(TemplateError, match=r"mine\.md\.j2:1: .*unsafe"):
        Renderer(p, d, "md").text(sample_context(p))


def test_template_check_reports_unknown_fields_and_syntax_errors(tmp_path: Path) -> None:
    p, d = custom_program(
        tmp_path,
        "# {{ program.name }}\n\n{{ mentor.nmae }}\n{{ mentee_goals }}\n",
        "<p>{% if mentor %}</p>\n",
    )
    results = dict(check_templates(p, d))
    md = [str(x) for x in results[str(d / "mine.md.j2")]]
    html = [str(x) for x in results[str(d / "mine.html.j2")]]
    assert any("mine.md.j2:4: unknown field 'mentee_goals'" in m for m in md)
    assert any(":3: " in m and "nmae" in m for m in md)
    assert len(html) == 1 and html[0].startswith(f"{d / 'mine.html.j2'}:1: ")


def test_missing_custom_template(tmp_path: Path) -> None:
    p = program()
    p = p.model_copy(update={"agreement": p.agreement.model_copy(update={"template": "no.j2"})})
    with pytest.raises(TemplateError, match=r"no\.j2: no such file \(agreement\.template"):
        Renderer(p, tmp_path, "md").text(sample_context(p))


@pytest.mark.parametrize("fmt", ["one-to-one", "group", "circles"])
def test_default_templates_pass_the_check(fmt: str) -> None:
    results = check_templates(program(fmt=fmt), DATA)
    kind = "circle" if fmt == "circles" else fmt
    assert results == [
        (f"agreements/{kind}.md.j2", []),
        (f"agreements/{kind}.html.j2", []),
        ("program.yaml agreement clauses", []),
    ]
