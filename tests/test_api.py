"""The short public API of ``import mentorctl``: every name resolves, lazily."""

from __future__ import annotations

import subprocess
import sys

import pytest

import mentorctl


@pytest.mark.parametrize("name", [n for n in mentorctl.__all__ if n != "__version__"])
def test_every_public_name_resolves(name: str) -> None:
    assert getattr(mentorctl, name) is not None


def test_unknown_names_are_attribute_errors() -> None:
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        mentorctl.nothing  # noqa: B018


def test_import_mentorctl_is_cheap() -> None:
    code = "import sys, mentorctl; print(sorted(m for m in ('sqlalchemy', 'pydantic', 'numpy') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
