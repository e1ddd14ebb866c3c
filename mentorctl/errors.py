"""One error hierarchy for the whole library.

Core modules raise these; :mod:`mentorctl.cli` turns them into a one-line message
and the documented exit code. Nothing else in the code decides exit codes.
"""

from __future__ import annotations

from dataclasses import dataclass


class ExitCode:
    """Process exit codes, documented in the README ("Exit codes")."""

    OK = 0
    DATA = 1  # bad input: program file, CSV rows, unknown person ...
    USAGE = 2  # bad flags, or a prompt needed with no terminal to ask on
    ROSTER = 3  # the roster cannot be opened, is read-only, busy or newer than this release
    UNHEALTHY = 4  # `status --fail-on`: a match at or below the given health
    INTERNAL = 70  # a bug: reported in one line (MENTORCTL_DEBUG=1 shows the traceback)
    INTERRUPTED = 130


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, located as precisely as we can."""

    message: str
    file: str | None = None
    line: int | None = None
    path: str | None = None  # e.g. "survey.questions[3].options" or a CSV column

    def __str__(self) -> str:
        where = ""
        if self.file:
            where = self.file
            if self.line is not None:
                where += f":{self.line}"
            where += ": "
        elif self.line is not None:
            where = f"line {self.line}: "
        field = f"{self.path}: " if self.path else ""
        return f"{where}{field}{self.message}"


class MentorctlError(Exception):
    """Base of every error the library raises on purpose."""

    exit_code: int = ExitCode.DATA

    def __init__(self, message: str, problems: list[Problem] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.problems: list[Problem] = list(problems or [])

    def __str__(self) -> str:
        return self.message


class ProgramError(MentorctlError):
    """program.yaml is missing, not YAML, or breaks the schema."""


class ProgramNotFound(ProgramError):
    """No program.yaml where we looked."""


class RosterError(MentorctlError):
    """The roster database cannot be opened, migrated or written."""

    exit_code = ExitCode.ROSTER


class NotFoundError(MentorctlError):
    """A participant, match or cycle that the caller named does not exist."""


class ImportProblemError(MentorctlError):
    """An input file (CSV/XLSX) has bad rows; nothing was imported."""


class MatchingError(MentorctlError):
    """Matching cannot run (no mentors, bad configuration ...)."""


class UsageError(MentorctlError):
    """The caller asked for something that cannot be done as asked."""

    exit_code = ExitCode.USAGE
