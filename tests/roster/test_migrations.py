"""The table models and the migrations describe one schema.

The migrations own the schema (they create and alter it); ``roster/models.py`` describes
it for the ORM. Alembic's autogenerate comparison (``compare_metadata``) between the
models' metadata and a roster upgraded through every migration must find nothing to do,
on SQLite and on PostgreSQL: a model that declares an index, a column or a constraint the
migrations never made (or the reverse) fails here, before a user's roster meets it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, inspect

from mentorctl.roster import migrate
from mentorctl.roster.db import open_roster


def _differences(url: str) -> list[Any]:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlmodel import SQLModel

    import mentorctl.roster.models  # noqa: F401  (registers every table on SQLModel.metadata)

    roster = open_roster(url)  # upgrades a new roster through every migration
    roster.dispose()
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            assert migrate.current_revision(engine) == migrate.HEAD
            context = MigrationContext.configure(
                conn, opts={"compare_type": True, "compare_server_default": True}
            )
            diff = compare_metadata(context, SQLModel.metadata)
    finally:
        engine.dispose()
    # alembic_version is Alembic's own table, not a model's.
    return [d for d in diff if not (d[0] == "remove_table" and d[1].name == "alembic_version")]


def test_models_and_migrations_agree(db_url: str) -> None:
    assert _differences(db_url) == []


def test_the_comparison_sees_a_disagreement(tmp_path: Path) -> None:
    """The check can fail: an index the models declare and no migration made is found."""
    from sqlalchemy import Index
    from sqlmodel import SQLModel

    from mentorctl.roster.models import Meeting

    table = SQLModel.metadata.tables[Meeting.__tablename__]
    extra = Index("ix_meeting_note_only_in_the_model", table.c.note)
    try:
        diff = _differences(f"sqlite:///{tmp_path / 'roster.db'}")
    finally:
        table.indexes.discard(extra)
    assert [(d[0], d[1].name) for d in diff] == [("add_index", "ix_meeting_note_only_in_the_model")]


@pytest.mark.parametrize("start", migrate.REVISIONS[:-1])
def test_every_older_roster_upgrades_to_the_same_schema(tmp_path: Path, start: str) -> None:
    """A roster made by any released schema, upgraded, has exactly a new roster's indexes."""
    from alembic import command

    old = tmp_path / "old.db"
    engine = create_engine(f"sqlite:///{old}")
    cfg = migrate.alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, start)
    engine.dispose()
    open_roster(f"sqlite:///{old}").dispose()
    open_roster(f"sqlite:///{tmp_path / 'new.db'}").dispose()

    def shape(path: Path) -> dict[str, Any]:
        eng = create_engine(f"sqlite:///{path}")
        try:
            insp = inspect(eng)
            return {
                t: (
                    sorted(c["name"] for c in insp.get_columns(t)),
                    sorted((i["name"], tuple(i["column_names"])) for i in insp.get_indexes(t)),
                )
                for t in sorted(insp.get_table_names())
            }
        finally:
            eng.dispose()

    assert shape(old) == shape(tmp_path / "new.db")
    assert _differences(f"sqlite:///{old}") == []
