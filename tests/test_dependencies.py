"""What the code imports is what ``pyproject.toml`` declares.

A module imported by ``mentorctl/`` that no declared dependency provides works on a
developer's machine (something else pulled it in) and breaks a user's clean install; a
test or benchmark import must be in the ``test`` extra for the same reason. Every import
statement counts, lazy ones inside functions and ``TYPE_CHECKING`` ones included.
The lower bounds themselves are exercised by ``.ci/run``'s lowest-direct step.
"""

from __future__ import annotations

import ast
import importlib.metadata
import re
import sys
import tomllib
from collections.abc import Iterable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
#: Declared runtime dependencies that are used without an import statement.
NOT_IMPORTED: dict[str, str] = {
    "uharfbuzz": "fpdf2 shapes Arabic and Indic names with it (agreements/pdf.py)",
}


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _requirement_name(spec: str) -> str:
    match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", spec)
    assert match, spec
    return _norm(match.group(1))


def declared() -> tuple[set[str], set[str]]:
    """(runtime dependencies, runtime + every optional extra), normalised names."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    runtime = {_requirement_name(s) for s in project["dependencies"]}
    extras = {
        _requirement_name(s) for specs in project["optional-dependencies"].values() for s in specs
    }
    return runtime, runtime | extras


def imported_modules(files: Iterable[Path]) -> dict[str, set[str]]:
    """Top-level module name -> files importing it (absolute imports only)."""
    found: dict[str, set[str]] = {}
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            shown = str(path.relative_to(REPO) if path.is_relative_to(REPO) else path)
            for name in names:
                found.setdefault(name.split(".")[0], set()).add(shown)
    return found


def undeclared(modules: dict[str, set[str]], allowed: set[str], local: set[str]) -> dict[str, str]:
    """Third-party modules that no allowed distribution provides -> where they are imported.

    ``local`` names the project's own top-level modules (``mentorctl``, ``tests`` ...).
    """
    providers = importlib.metadata.packages_distributions()
    problems: dict[str, str] = {}
    for module, where in sorted(modules.items()):
        if module in sys.stdlib_module_names or module in local or module == "__future__":
            continue
        dists = {_norm(d) for d in providers.get(module, [])}
        if not dists & allowed:
            shown = ", ".join(sorted(dists)) or "not installed"
            problems[module] = f"{shown}; imported by {', '.join(sorted(where))}"
    return problems


def _sources(*folders: str) -> list[Path]:
    return [p for f in folders for p in sorted((REPO / f).rglob("*.py"))]


def test_the_package_imports_only_declared_dependencies() -> None:
    runtime, _ = declared()
    modules = imported_modules(_sources("mentorctl"))
    # The postgres extra's driver is loaded by SQLAlchemy from the URL, never imported.
    assert undeclared(modules, runtime, {"mentorctl"}) == {}


def test_tests_and_benchmarks_import_only_declared_dependencies() -> None:
    _, with_extras = declared()
    local = {"mentorctl", "tests"} | {p.stem for p in (REPO / "benchmarks").glob("*.py")}
    modules = imported_modules(_sources("tests", "benchmarks"))
    assert undeclared(modules, with_extras, local) == {}


def test_every_runtime_dependency_is_used() -> None:
    """A declared dependency nothing imports is a stale line users still install."""
    runtime, _ = declared()
    providers = importlib.metadata.packages_distributions()
    modules = imported_modules(_sources("mentorctl"))
    used = {_norm(d) for m in modules for d in providers.get(m, [])}
    assert sorted(runtime - used - set(NOT_IMPORTED)) == []


def test_an_undeclared_import_is_reported(tmp_path: Path) -> None:
    """The scan can fail: a lazy import of an undeclared package inside a function is found."""
    src = tmp_path / "probe.py"
    src.write_text(
        "import json\nimport mentorctl.errors\nimport yaml\n\ndef f():\n    import pytest\n",
        encoding="utf-8",
    )
    runtime, _ = declared()
    problems = undeclared(imported_modules([src]), runtime, {"mentorctl"})
    assert list(problems) == ["pytest"]  # json is stdlib, PyYAML is declared
    assert str(src) in problems["pytest"]
