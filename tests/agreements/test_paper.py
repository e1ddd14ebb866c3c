"""PDF agreements on A4 or US Letter: ``agreement.paper`` in program.yaml, else the
locale's paper, else A4; long names never reach past the right margin on either."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from mentorctl.agreements.pdf import paper_size
from tests.cli.test_remind import matched
from tests.conftest import Cli

MEDIA = {"a4": b"/MediaBox [0 0 595.28 841.89]", "letter": b"/MediaBox [0 0 612.00 792.00]"}
NO_LOCALE = {"LC_ALL": "", "LC_PAPER": "", "LANG": ""}


@pytest.mark.parametrize(
    ("setting", "env", "expected"),
    [
        ("letter", {"LC_PAPER": "en_GB.UTF-8"}, "letter"),
        ("a4", {"LC_PAPER": "en_US.UTF-8"}, "a4"),
        (None, {"LC_PAPER": "en_US.UTF-8"}, "letter"),
        (None, {"LANG": "fr_CA.UTF-8"}, "letter"),
        (None, {"LC_ALL": "de_DE.UTF-8", "LC_PAPER": "en_US.UTF-8"}, "a4"),  # LC_ALL wins
        (None, {"LANG": "en_GB.UTF-8"}, "a4"),
        (None, {"LANG": "C.UTF-8"}, "a4"),
        (None, {}, "a4"),
    ],
)
def test_paper_from_the_program_then_the_locale(
    setting: str | None, env: dict[str, str], expected: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for key, value in {**NO_LOCALE, **env}.items():
        monkeypatch.setenv(key, value)
    assert paper_size(setting) == expected


def _pdfs(cli: Cli, out: Path, env: dict[str, str]) -> list[bytes]:
    r = cli("agreements", "-f", "pdf", "-o", str(out), env={**NO_LOCALE, **env})
    assert r.exit_code == 0, r.output
    files = sorted(out.rglob("*.pdf"))
    assert len(files) == 3
    return [f.read_bytes() for f in files]


def test_agreements_print_on_the_paper_asked_for(
    sqlite_cli: Cli, program_dir: Path, tmp_path: Path
) -> None:
    matched(sqlite_cli)
    default = _pdfs(sqlite_cli, tmp_path / "default", {})
    assert all(MEDIA["a4"] in pdf for pdf in default)
    us = _pdfs(sqlite_cli, tmp_path / "us", {"LC_PAPER": "en_US.UTF-8"})
    assert all(MEDIA["letter"] in pdf for pdf in us)
    with (program_dir / "program.yaml").open("a", encoding="utf-8") as fh:
        fh.write("agreement: {paper: a4}\n")
    pinned = _pdfs(sqlite_cli, tmp_path / "pinned", {"LC_PAPER": "en_US.UTF-8"})
    assert pinned == default  # the program's setting wins, and the output is stable


def test_a_bad_paper_names_the_field(sqlite_cli: Cli, program_dir: Path) -> None:
    with (program_dir / "program.yaml").open("a", encoding="utf-8") as fh:
        fh.write("agreement: {paper: legal}\n")
    r = sqlite_cli("validate")
    assert r.exit_code == 1
    assert "agreement.paper" in r.stderr


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler's pdftotext")
@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_long_names_stay_inside_the_margins(paper: str, tmp_path: Path) -> None:
    from mentorctl.agreements.pdf import render_pdf

    long_name = "Maximiliana-Konstantina Wolfeschlegelsteinhausenbergerdorff-Łukasiewicz"
    text = "# Agreement\n\n" + "\n".join(
        f"- **Mentee:** {long_name} ({'Principal ' * 8}Engineer), {'x' * 60}@example.com"
        for _ in range(40)
    )
    import datetime as dt

    path = tmp_path / "a.pdf"
    path.write_bytes(render_pdf(text, title="t", when=dt.date(2027, 1, 11), paper=paper).content)
    bbox = subprocess.run(
        ["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    width = float(re.findall(r'<page width="([\d.]+)"', bbox)[0])
    assert abs(width - (612 if paper == "letter" else 595.28)) < 0.5
    right_margin = width - 20 / 25.4 * 72  # the renderer's 20 mm side margin
    ends = [float(x) for x in re.findall(r'xMax="([\d.]+)"', bbox)]
    assert ends and max(ends) <= right_margin + 1
    assert bbox.count("<page ") >= 2  # long enough to need a second page


def test_the_first_pdf_of_a_run_is_the_same_as_any_other(tmp_path: Path) -> None:
    """Regression: the first document a process printed embedded its fonts differently
    (a smaller subset), so re-running `agreements` rewrote files that had not changed."""
    import sys

    script = (
        "import datetime as dt, sys\n"
        "from mentorctl.agreements.pdf import markdown_pdf\n"
        "text = '# Hi\\n\\n- **Mentee:** Zoë Łukasz\\n\\nText'\n"
        "first, again = (markdown_pdf(text, title='t', when=dt.date(2027, 1, 1)) for _ in 'ab')\n"
        "sys.exit(0 if first == again else 1)\n"
    )
    root = Path(__file__).resolve().parents[2]
    run = subprocess.run([sys.executable, "-c", script], cwd=root, capture_output=True)
    assert run.returncode == 0, run.stderr.decode()
