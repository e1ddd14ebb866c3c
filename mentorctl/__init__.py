"""mentorctl: run a mentoring program from the terminal, on files you own.

The package is a library first; :mod:`mentorctl.cli` is one thin layer over it. The
short public API below is imported on first use, so ``import mentorctl`` stays cheap::

    import mentorctl

    program = mentorctl.load_program(Path("my-program"))
    roster = mentorctl.open_roster("sqlite:///my-program/roster.db")
    proposal = mentorctl.propose(mentorctl.MatchInput(program=program, people=people))
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_API = {
    "load_program": "mentorctl.program",
    "Program": "mentorctl.program",
    "open_roster": "mentorctl.roster.db",
    "MatchInput": "mentorctl.matching.engine",
    "propose": "mentorctl.matching.engine",
    "explain_pair": "mentorctl.matching.scoring",
    "health_rows": "mentorctl.tracking",
    "build_report": "mentorctl.reports",
    "MentorctlError": "mentorctl.errors",
}

__all__ = ["__version__", *_API]


def __getattr__(name: str) -> Any:
    if name in _API:
        return getattr(importlib.import_module(_API[name]), name)
    raise AttributeError(f"module 'mentorctl' has no attribute {name!r}")
