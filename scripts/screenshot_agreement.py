"""Render sample HTML agreements, open them in headless Chromium, check and screenshot them.

For each kind of agreement (one-to-one, group, circle) and for one full of hostile values
(a 10,000-character name, right-to-left text, emoji, ``<script>``), the page is loaded at
the printable width of A4 and of US Letter (page width less the template's 15 mm
margins, at 96 px per inch), and a small script added to a copy of the page checks that
nothing overflows sideways: ``document.documentElement.scrollWidth <= clientWidth``. It
also checks that no ``<script>`` from participant values ran (there must be exactly one,
ours) and that the page made no request. Chromium prints the checked DOM
(``--dump-dom``), and takes a PNG screenshot (``--screenshot``) of each page.

Then, for each bundled sample (``mentorctl init DIR --from-sample NAME``, ``match``,
``match accept --all``), one real agreement as HTML (checked and shot as above) and as
PDF on A4 and on US Letter (the paper follows ``LC_PAPER`` here): every page becomes a
PNG with poppler's ``pdftoppm``, and ``pdftotext -bbox`` checks the page's size and that
no word reaches past the right margin.

Run: ``python scripts/screenshot_agreement.py [--out-dir /tmp] [--no-samples]``. Exit 0
when every check passes, 1 otherwise. Needs ``chromium`` (``apt-get install -y chromium``)
and ``poppler-utils``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

#: Printable widths in CSS px: (page width - 2 x 15 mm) at 96 px/in.
WIDTHS = {"a4": round((210 - 30) / 25.4 * 96), "letter": round((215.9 - 30) / 25.4 * 96)}
HEIGHT = 1400
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--hide-scrollbars",
)
CHECK = """<script id="mentorctl-check">
addEventListener("load", () => {
  const d = document.documentElement;
  const wide = [...document.querySelectorAll("body *")]
    .filter(e => e.getBoundingClientRect().right > d.clientWidth + 0.5)
    .slice(0, 5).map(e => e.tagName + ":" + (e.textContent || "").slice(0, 40));
  const out = document.createElement("pre");
  out.id = "mentorctl-result";
  out.textContent = JSON.stringify({
    scrollWidth: d.scrollWidth, clientWidth: d.clientWidth, wide: wide,
    scripts: document.scripts.length, alerted: !!window.__alerted,
    resources: performance.getEntriesByType("resource").length,
  });
  document.body.appendChild(out);
});
window.alert = () => { window.__alerted = true; };
</script>"""


def find_chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        path = shutil.which(name)
        if path:
            return path
    raise SystemExit("no chromium found: apt-get install -y chromium")


def samples() -> dict[str, str]:
    """HTML agreements: one per kind, and one full of hostile values."""
    from mentorctl.agreements.render import NAME_MAX, Renderer, one_line, sample_context
    from mentorctl.program import load_program

    program = load_program(ROOT / "tests" / "data" / "program.yaml")
    renderer = Renderer(program, ROOT / "tests" / "data", "html")
    out = {
        kind: renderer.text(sample_context(program, kind))
        for kind in ("one-to-one", "group", "circle")
    }
    hostile = sample_context(program, "group")
    hostile["mentor"]["name"] = one_line("W" * 10_000, NAME_MAX)
    hostile["mentor"]["title"] = one_line("<script>alert(1)</script>{{ 7*7 }}")
    hostile["mentee"]["name"] = "مريم الحسن 🎉👩🏽\u200d💻"
    hostile["mentee"]["goals"][0]["title"] = one_line("x" * 10_000)
    hostile["mentee"]["goals"][0]["learning"] = "أريد أن أتعلم القيادة " * 20
    hostile["reasons"] = [one_line("https://example.com/" + "a" * 3000)]
    out["hostile"] = renderer.text(hostile)
    return out


def check_page(chromium: str, html: str, name: str, width: int, out_dir: Path) -> list[str]:
    problems: list[str] = []
    with tempfile.TemporaryDirectory(
        prefix="mentorctl-chromium-", ignore_cleanup_errors=True
    ) as tmp:
        page = Path(tmp) / f"{name}.html"
        page.write_text(html.replace("</body>", CHECK + "\n</body>"), encoding="utf-8")
        common = [
            chromium,
            *FLAGS,
            f"--user-data-dir={tmp}/profile",
            f"--window-size={width},{HEIGHT}",
        ]
        dom = subprocess.run(
            [*common, "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120
        ).stdout
        match = re.search(r'<pre id="mentorctl-result">(.*?)</pre>', dom, re.S)
        if not match:
            return [f"{name} @ {width}px: the check did not run"]
        facts: dict[str, Any] = json.loads(
            match.group(1).replace("&quot;", '"').replace("&amp;", "&")
        )
        if facts["scrollWidth"] > facts["clientWidth"]:
            problems.append(
                f"{name} @ {width}px: overflows, scrollWidth {facts['scrollWidth']} > "
                f"clientWidth {facts['clientWidth']}: {facts['wide']}"
            )
        if facts["scripts"] != 1 or facts["alerted"]:
            problems.append(f"{name}: a script from the data is in the page ({facts['scripts']})")
        if facts["resources"]:
            problems.append(f"{name}: the page loaded {facts['resources']} resource(s)")
        png = out_dir / f"agreement-{name}-{width}px.png"
        subprocess.run(
            [*common, f"--screenshot={png}", page.as_uri()],
            capture_output=True,
            timeout=120,
            check=False,
        )
        if not png.is_file() or png.stat().st_size < 1000:
            problems.append(f"{name} @ {width}px: no screenshot")
        fits = facts["scrollWidth"] <= facts["clientWidth"]
        print(
            f"{name:11} {width}px: scrollWidth {facts['scrollWidth']} <= clientWidth "
            f"{facts['clientWidth']}: {'ok' if fits else 'NO'}; screenshot {png}"
        )
    return problems


SAMPLES = ("onboarding", "engineering-group", "tech-circles")


#: A locale per paper: the PDF's paper follows LC_PAPER when program.yaml does not set it.
LOCALES = {"a4": "en_GB.UTF-8", "letter": "en_US.UTF-8"}
#: Page widths in PDF points.
PAGE_WIDTH = {"a4": 595.28, "letter": 612.0}


def sample_files(name: str, work: Path) -> tuple[str, dict[str, Path]]:
    """The HTML text of one real agreement of a bundled sample, and its PDF per paper."""
    mentorctl = [sys.executable, "-m", "mentorctl", "-q"]
    directory = work / name
    out = work / f"{name}-out"
    for args in (
        ["init", str(directory), "--from-sample", name],
        ["-p", str(directory), "match"],
        ["-p", str(directory), "match", "accept", "--all"],
        ["-p", str(directory), "agreements", "-f", "html", "-o", str(out)],
    ):
        subprocess.run([*mentorctl, *args], check=True, capture_output=True, timeout=600)
    html = sorted(out.rglob("*.html"))[0]
    pdfs = {}
    for paper, locale in LOCALES.items():
        env = {k: v for k, v in os.environ.items() if k not in ("LC_ALL", "LANG")}
        target = work / f"{name}-{paper}"
        subprocess.run(
            [*mentorctl, "-p", str(directory), "agreements", "-f", "pdf", "-o", str(target)],
            check=True,
            capture_output=True,
            timeout=600,
            env={**env, "LC_PAPER": locale},
        )
        pdfs[paper] = target / html.relative_to(out).with_suffix(".pdf")
    return html.read_text(encoding="utf-8"), pdfs


def check_pdf(pdf: Path, name: str, paper: str, out_dir: Path) -> list[str]:
    """PNG pages (pdftoppm), the paper's width, and no word past the right margin
    (pdftotext -bbox)."""
    problems: list[str] = []
    prefix = out_dir / f"agreement-{name}-{paper}"
    subprocess.run(["pdftoppm", "-r", "70", "-png", str(pdf), str(prefix)], check=True)
    pages = sorted(out_dir.glob(f"{prefix.name}-*.png"))
    bbox = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    width = float(re.search(r'<page width="([\d.]+)"', bbox).group(1))  # type: ignore[union-attr]
    if abs(width - PAGE_WIDTH[paper]) > 1:
        problems.append(f"{name} PDF: page {width:.0f} pt wide, not {paper}")
    right = [float(x) for x in re.findall(r'xMax="([\d.]+)"', bbox)]
    margin = 20 / 25.4 * 72  # the renderer's side margin, 20 mm
    wide = [x for x in right if x > width - margin + 2]
    if wide:
        problems.append(f"{name} PDF: {len(wide)} word(s) past the right margin")
    print(
        f"{name:11} PDF {paper:6}: {len(pages)} page(s), widest word ends at {max(right):.0f} of "
        f"{width:.0f} pt: {'ok' if not wide else 'NO'}; {pages[0] if pages else '-'}"
    )
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out-dir", type=Path, default=Path(tempfile.gettempdir()))
    parser.add_argument("--no-samples", action="store_true", help="skip the bundled samples")
    args = parser.parse_args(argv)
    chromium = find_chromium()
    problems: list[str] = []
    pages = dict(samples())
    pdfs: dict[str, dict[str, Path]] = {}
    with tempfile.TemporaryDirectory(prefix="mentorctl-samples-") as tmp:
        if not args.no_samples:
            for name in SAMPLES:
                pages[f"sample-{name}"], pdfs[f"sample-{name}"] = sample_files(name, Path(tmp))
        for name, html in pages.items():
            for width in WIDTHS.values():
                problems += check_page(chromium, html, name, width, args.out_dir)
        for name, by_paper in pdfs.items():
            for paper, pdf in by_paper.items():
                problems += check_pdf(pdf, name, paper, args.out_dir)
    for p in problems:
        print("FAIL:", p)
    print("all checks passed" if not problems else f"{len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
