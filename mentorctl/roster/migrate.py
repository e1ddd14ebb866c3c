"""Schema migrations (Alembic), applied when a roster is opened.

The migration scripts live in ``migrations/versions``; :data:`HEAD` names the newest
one and a test keeps the two in step. Checking the stored revision is one small query,
so opening an up-to-date roster does not pay for importing Alembic.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from mentorctl.errors import RosterError
from mentorctl.roster.connect import WRITE_OPTION, backup_sqlite, lock_writers, sqlite_path

if TYPE_CHECKING:
    from alembic.config import Config
    from sqlalchemy.engine import Connection, Engine

#: The newest migration. Bump it with every new script in migrations/versions.
HEAD = "0006"
#: Every revision this release knows, oldest first.
REVISIONS = ("0001", "0002", "0003", "0004", "0005", "0006")

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


def alembic_config() -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


def _revision(conn: Connection) -> str | None:
    from sqlalchemy import inspect, text

    if not inspect(conn).has_table("alembic_version"):
        return None
    return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return _revision(conn)


def upgrade(engine: Engine, url: str, target: str = "head") -> None:
    """Bring the roster's schema up to ``target`` (default: this release's newest).

    Safe when several processes open a new roster at once: the upgrade runs under the
    writers' lock and looks at the revision again once it holds it.
    """
    if target == "head" and current_revision(engine) == HEAD:
        return

    with engine.execution_options(**{WRITE_OPTION: True}).begin() as conn:
        lock_writers(conn)
        current = _revision(conn)
        if target == "head" and current == HEAD:
            return
        if current is not None and current not in REVISIONS:
            raise RosterError(
                f"the roster's schema ({current}) is newer than this mentorctl knows; "
                "upgrade mentorctl"
            )
        path = sqlite_path(url)
        if current is not None and path is not None:
            backup_sqlite(path, current)
        from alembic import command

        cfg = alembic_config()
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, target)
