"""Global options, and the program and roster that commands open from them."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mentorctl.program import Program
    from mentorctl.roster.db import Roster


@dataclass
class State:
    program_location: Path | None = None
    database_url: str | None = None
    quiet: bool = False
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

    def open_roster(self, *, create: bool = True) -> Roster:
        from mentorctl.roster.db import open_roster

        return open_roster(self.roster_url(), create=create)
