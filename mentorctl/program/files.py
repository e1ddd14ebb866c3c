"""Finding ``program.yaml`` and reading it: from the validated-program cache when the
file is unchanged, else validated by :func:`mentorctl.program.load.parse_program` (which
needs PyYAML and pydantic: a command answered from the cache imports neither).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from mentorctl.errors import Problem, ProgramError, ProgramNotFound
from mentorctl.program.schema import PROGRAM_FILE, Program


def find_program_dir(start: Path | None = None) -> Path:
    """The directory holding program.yaml: ``start`` or its nearest parent that has one."""
    here = (start or Path.cwd()).resolve()
    for candidate in (here, *here.parents):
        if (candidate / PROGRAM_FILE).is_file():
            return candidate
    raise ProgramNotFound(
        f"no {PROGRAM_FILE} in {here} or its parents; "
        "run `mentorctl init` or pass --program DIR (or set MENTORCTL_PROGRAM)"
    )


def program_file(location: Path) -> Path:
    """Accept either a directory holding program.yaml or the file itself."""
    return location if location.is_file() else location / PROGRAM_FILE


def load_program(path: Path, overrides: Iterable[str] = ()) -> Program:
    """Read and validate a program file (or the program.yaml in directory ``path``).

    ``overrides`` are what-if settings (see :func:`apply_overrides`). A program that was
    validated before, byte for byte and with the same overrides, is taken from the
    validated-program cache (:func:`cache_dir`) instead of being validated again.
    """
    path = program_file(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ProgramNotFound(f"{path}: no such file") from None
    except OSError as exc:
        raise ProgramError(f"{path}: cannot read: {exc.strerror}") from None
    overrides = tuple(overrides)
    cache = _ProgramCache.of(path, raw, overrides)
    program = cache.get() if cache is not None else None
    if program is not None:
        return program
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        p = Problem("not UTF-8 text", file=str(path), line=line)
        raise ProgramError(str(p), [p]) from None
    from mentorctl.program.load import parse_program

    program = parse_program(text, str(path), overrides)
    if cache is not None:
        cache.put(program)
    return program


# ----------------------------------------------------------------- the validated-program cache

#: Source files whose bytes are part of every cache key: a change to the schema (even
#: in a checkout, without a new version number) is never answered from an old pickle.
_SCHEMA_SOURCES = ("schema.py", "load.py", "person.py", "../enums.py")
#: Cache files not rewritten for this long are deleted (a program folder that is gone
#: leaves nothing behind for long).
_STALE_SECONDS = 30 * 24 * 3600


def cache_dir() -> Path | None:
    """Where validated programs are kept: ``MENTORCTL_CACHE_DIR`` (empty: no cache),
    else ``$XDG_CACHE_HOME/mentorctl``, else ``~/.cache/mentorctl``."""
    import os

    chosen = os.environ.get("MENTORCTL_CACHE_DIR")
    if chosen is not None:
        return Path(chosen) if chosen.strip() else None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "mentorctl"


@dataclass(frozen=True)
class _ProgramCache:
    """One program file's validated program, pickled, under a key of everything it
    depends on: the file's bytes, the overrides, this code and Python's version.

    One file per program file (named by its path), overwritten when the program changes,
    so it never holds more than program.yaml itself. It is only a cache: a file that is
    missing, unreadable, not ours, corrupt or stale means one more validation, and a
    cache directory that cannot be written means none is kept. Invalid programs are never
    stored: every run reports their problems again.
    """

    file: Path
    key: bytes

    @classmethod
    def of(cls, path: Path, raw: bytes, overrides: tuple[str, ...]) -> _ProgramCache | None:
        import hashlib
        import sys

        from mentorctl import __version__

        where = cache_dir()
        if where is None:
            return None
        digest = hashlib.sha256()
        for part in (__version__, sys.version, "\0".join(overrides)):
            digest.update(part.encode() + b"\0")
        here = Path(__file__).parent
        try:
            for name in _SCHEMA_SOURCES:
                digest.update((here / name).read_bytes())
        except OSError:
            return None  # no sources to fingerprint (a frozen build): validate every time
        digest.update(raw)
        name = hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:32]
        return cls(where / f"{name}.program", digest.digest())

    def get(self) -> Program | None:
        import os
        import pickle

        try:
            with self.file.open("rb") as f:
                uid = getattr(os, "getuid", None)  # none on Windows: a per-user profile
                if uid is not None and os.fstat(f.fileno()).st_uid != uid():
                    return None  # only our own files are unpickled
                key = f.read(len(self.key))
                if key != self.key:
                    return None
                program = pickle.load(f)
        except Exception:  # missing, unreadable, truncated, from other code: validate
            return None
        return program if isinstance(program, Program) else None

    def put(self, program: Program) -> None:
        import os
        import pickle
        import tempfile
        import time

        try:
            self.file.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd, tmp = tempfile.mkstemp(dir=self.file.parent, suffix=".tmp")
            with os.fdopen(fd, "wb") as f:
                f.write(self.key)
                pickle.dump(program, f, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, self.file)  # readers see the old file or the new one
            old = time.time() - _STALE_SECONDS
            for other in self.file.parent.glob("*.program"):
                if other.stat().st_mtime < old:
                    other.unlink(missing_ok=True)
        except OSError:
            return  # a read-only home, a full disk: no cache, the same answers
