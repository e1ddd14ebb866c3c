"""Docs that cannot drift: docs/cli-reference.md is regenerated and compared."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parent.parent
SCRIPT = REPO / "scripts" / "cli_reference.py"
DOC = REPO / "docs" / "cli-reference.md"
FIX = "run `python scripts/cli_reference.py` and commit docs/cli-reference.md"


@pytest.fixture(scope="module")
def reference() -> ModuleType:
    spec = importlib.util.spec_from_file_location("cli_reference", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("cli_reference", module)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def fresh(reference: ModuleType) -> str:
    return reference.render()


def test_cli_reference_is_up_to_date(fresh: str) -> None:
    assert DOC.exists(), f"{DOC.relative_to(REPO)} is missing: {FIX}"
    committed = DOC.read_text(encoding="utf-8")
    if committed != fresh:
        import difflib

        diff = "".join(
            list(
                difflib.unified_diff(
                    committed.splitlines(keepends=True),
                    fresh.splitlines(keepends=True),
                    "committed",
                    "from --help",
                )
            )[:60]
        )
        pytest.fail(f"{DOC.relative_to(REPO)} is out of date: {FIX}\n{diff}", pytrace=False)


def test_every_command_has_a_section(reference: ModuleType, fresh: str) -> None:
    paths = [path for path, _ in reference.commands()]
    assert len(paths) > 3
    for path in paths:
        title = " ".join(("mentorctl", *path))
        assert f"\n## {title}\n" in fresh
        assert f"Usage: {title} " in fresh


def test_reference_is_plain_text_at_a_fixed_width(fresh: str) -> None:
    assert "\x1b" not in fresh
    blocks = fresh.split("```text\n")[1:]
    assert blocks
    for block in blocks:
        for line in block.split("```")[0].splitlines():
            assert len(line) <= 100, line
            assert line == line.rstrip()


def test_check_mode_reports_drift(
    reference: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    stale = tmp_path / "cli-reference.md"
    stale.write_text("# stale\n", encoding="utf-8")
    monkeypatch.setattr(reference, "DOC", stale)
    monkeypatch.setattr(reference, "ROOT", tmp_path)
    assert reference.main(["--check"]) == 1
    assert "python scripts/cli_reference.py" in capsys.readouterr().out
    assert reference.main([]) == 0
    assert reference.main(["--check"]) == 0
