"""CSV that is safe to open in a spreadsheet.

A cell starting with ``=``, ``+``, ``-``, ``@`` (or a tab/carriage return) would be run
as a formula by Excel, LibreOffice and Google Sheets; such cells get a leading ``'``.
Numbers (``-3``, ``+44 20 ...`` is not a number) are left alone.

:class:`StagedCsv` writes such a file beside its target and puts it in place only when
the command that makes it has succeeded.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list | tuple):
        value = "; ".join(str(v) for v in value)
    text = str(value)
    if text.startswith(_TRIGGERS):
        try:
            float(text)
        except ValueError:
            return "'" + text
    return text


def to_csv(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow([safe_cell(h) for h in headers])
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
    return buf.getvalue()


class StagedCsv:
    """A CSV file written beside its target first, and put in place only on :meth:`commit`.

    Creating it is the check that the target can be written (the folder exists, is
    writable, the name is not a folder), so a command finds path problems before it
    writes anything else; the file is private to the user (0600), as it may hold
    personal data. :meth:`discard` removes it when the command fails.
    """

    def __init__(self, path: Path, *, flag: str | None = None) -> None:
        import tempfile

        from mentorctl.errors import UsageError

        self.path = path
        what = f"{flag} {path}" if flag else str(path)
        hint = "" if flag else " (choose another place with --rejects)"
        if path.is_dir():
            raise UsageError(f"{what}: is a directory, not a file name{hint}")
        try:
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        except FileNotFoundError:
            raise UsageError(f"{what}: no such directory {path.parent}{hint}") from None
        except NotADirectoryError:
            raise UsageError(f"{what}: {path.parent} is not a directory{hint}") from None
        except PermissionError:
            raise UsageError(f"{what}: cannot write in {path.parent}{hint}") from None
        except OSError as exc:
            raise UsageError(f"{what}: cannot write: {exc.strerror}{hint}") from None
        self._tmp = Path(tmp)
        self._fh = os.fdopen(fd, "w", newline="", encoding="utf-8")

    def write(self, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
        """Write the whole file (spreadsheet-safe cells) to the staging copy."""
        try:
            self._fh.write(to_csv(headers, rows))
            self._fh.close()
        except OSError as exc:
            self.discard()
            from mentorctl.errors import UsageError

            raise UsageError(f"{self.path}: cannot write: {exc.strerror}") from None

    def commit(self) -> None:
        """Put the file in place (an atomic rename in the same folder)."""
        self._fh.close()
        os.replace(self._tmp, self.path)

    def discard(self) -> None:
        self._fh.close()
        self._tmp.unlink(missing_ok=True)
