"""Global options, and the program and roster that commands open from them.

Only the commands that exist to enrol people create a roster that is not there yet
(:data:`CREATES_ROSTER`: ``init``, ``participants import``, ``participants add``). Every
other command pointed at a folder without one fails with exit 3 ("no roster here yet")
instead of creating an empty roster and reporting on nobody, which is what cron would
otherwise do in a mistyped directory.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mentorctl.program import Program
    from mentorctl.roster.db import Roster
    from mentorctl.roster.read import Reader


# The command paths (as typed: ``participants import``) allowed to create a missing roster.
CREATES_ROSTER = frozenset({"init", "participants import", "participants add"})


@dataclass
class State:
    program_location: Path | None = None
    database_url: str | None = None
    quiet: bool = False
    command: str = ""  # the command path being run, e.g. "participants import"
    _program: tuple[Path, Program] | None = field(default=None, repr=False)

    def program_dir(self) -> Path:
        from mentorctl.program import PROGRAM_FILE, find_program_dir

        if self.program_location is None:
            return find_program_dir()
        loc = self.program_location
        if loc.is_file() or loc.name == PROGRAM_FILE:
            return loc.parent
        return loc

    def load(self, overrides: tuple[str, ...] = ()) -> tuple[Path, Program]:
        """The program directory and its validated program.yaml (read once per command).

        ``overrides`` (``--set PATH=VALUE``) change the program for this command only.
        """
        if self._program is None or overrides:
            from mentorctl.program import load_program

            directory = self.program_dir()
            loaded = (directory, load_program(directory, overrides))
            if overrides:
                return loaded
            self._program = loaded
        return self._program

    def roster_url(self) -> str:
        from mentorctl.roster.db import resolve_url

        directory, program = self.load()
        return resolve_url(directory, self.database_url, program.database_url)

    def open_roster(self, *, create: bool | None = None) -> Roster:
        """Open the roster; a missing one is created only when ``create`` says so, or by
        default when the running command is one of :data:`CREATES_ROSTER`."""
        from mentorctl.roster.db import open_roster

        if create is None:
            create = self.command in CREATES_ROSTER
        url = self.roster_url()
        if not create:
            _must_exist(url)
        return open_roster(url, create=create)

    @contextlib.contextmanager
    def roster(self, *, create: bool | None = None) -> Iterator[Roster]:
        """:meth:`open_roster` for the length of a ``with`` block: its connections are
        closed however the block ends."""
        roster = self.open_roster(create=create)
        try:
            yield roster
        finally:
            roster.dispose()

    @contextlib.contextmanager
    def reading(self) -> Iterator[Reader]:
        """A read-only snapshot of the roster (:mod:`mentorctl.roster.read`), for
        commands that only read; a missing roster is exit 3, never created."""
        from mentorctl.roster.read import reading

        url = self.roster_url()
        _must_exist(url)
        with reading(url) as reader:
            yield reader


def _must_exist(url: str) -> None:
    from mentorctl.errors import RosterError
    from mentorctl.roster.connect import sqlite_path

    path = sqlite_path(url)
    if path is not None and not path.exists():
        raise RosterError(
            f"{path}: no roster here yet; enrol people first with "
            "`mentorctl participants import FILE` (or `participants add`)"
        )


def today(text: str | None) -> dt.date:
    """The day a command acts on: ``--today`` / ``MENTORCTL_TODAY``, else the real date."""
    from mentorctl.tracking import check_today, parse_today

    return check_today(parse_today(text))
