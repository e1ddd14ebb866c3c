"""The cheap answer to "was every introduction already sent?", for cron re-runs.

``notify intro --send`` run again when everything went out should cost little more than
start-up. Loading program.yaml's schema (pydantic) and SQLAlchemy alone take several
times that, so :func:`quick_all_sent` reads only what it needs: program.yaml's ``slug``,
``cycle.name`` and ``database_url`` with plain YAML, and the roster through the plain
read path (:mod:`mentorctl.roster.read`). It answers only when it is sure (an SQLite
roster, one-to-one or group matches, every ``intro:<match id>`` recorded ``sent``);
otherwise None, and the full path (:mod:`mentorctl.notify.intro`) loads, validates and
decides. Both compute the same keys: see :func:`mentorctl.notify.intro.dedupe_key`.
"""

from __future__ import annotations

from pathlib import Path

PROGRAM_FILE = "program.yaml"


def program_dir(location: Path | None) -> Path | None:
    """The program directory as the CLI finds it (``--program`` or the nearest parent of
    the current directory holding program.yaml); None when there is none."""
    if location is not None:
        return location.parent if location.name == PROGRAM_FILE or location.is_file() else location
    here = Path.cwd().resolve()
    for candidate in (here, *here.parents):
        if (candidate / PROGRAM_FILE).is_file():
            return candidate
    return None


def quick_all_sent(location: Path | None, database_url: str | None) -> int | None:
    """How many intros there are when every one was already sent, read straight from an
    SQLite roster; None when that is not so, or cannot be told cheaply (PostgreSQL,
    circles, anything unexpected), and the full path decides.

    ``location`` and ``database_url`` are the CLI's ``--program`` and ``--database-url``.
    """
    import yaml

    from mentorctl.errors import RosterError
    from mentorctl.roster.db import resolve_url, sqlite_path
    from mentorctl.roster.read import reading

    directory = program_dir(location)
    if directory is None:
        return None
    try:
        data = yaml.load(
            (directory / PROGRAM_FILE).read_text(encoding="utf-8"),
            Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader),
        )
        slug, cycle = str(data["slug"]), str(data["cycle"]["name"])
        from_program = data.get("database_url")
        url = resolve_url(directory, database_url, from_program if from_program else None)
    except Exception:  # any surprise: let the full path load, validate and explain
        return None
    path = sqlite_path(url)
    if path is None or not path.is_file():
        return None
    try:
        with reading(url, migrate=False) as db:
            # One query: the cycle's active matches, how many are in circles (keyed
            # differently: the full path decides those), and how many have their intro sent.
            row = db.first(
                "SELECT count(*), coalesce(sum(coalesce(m.circle, '') != ''), 0), "
                "coalesce(sum(msg.status = 'sent'), 0) "
                "FROM match m JOIN cycle c ON c.id = m.cycle_id "
                "JOIN program p ON p.id = c.program_id "
                "LEFT JOIN message msg ON msg.dedupe_key = 'intro:' || m.id "
                "WHERE p.slug = :slug AND c.name = :cycle AND m.status = 'active'",
                slug=slug,
                cycle=cycle,
            )
    except RosterError:  # busy, unreadable, an older schema: the full path says what
        return None
    assert row is not None  # an aggregate always has its row
    total, circles, sent = row
    return int(total) if total and not circles and sent == total else None
