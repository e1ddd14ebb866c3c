"""Light Core tables for the read-only commands: the columns they read, nothing else.

:mod:`mentorctl.roster.models` describes the whole schema with SQLModel, which imports
pydantic models, the ORM and SQLModel itself (about a third of a second before any
work). ``status`` and the health figures read a handful of columns with Core queries:
these plain :class:`sqlalchemy.Table` objects, in a private ``MetaData``, give those
queries the same column names and the same result types (dates as dates, booleans as
booleans) without that import. ``tests/roster/test_tables.py`` checks every column
here against the models, so the two cannot drift apart.
"""

from __future__ import annotations

import functools
from types import SimpleNamespace


@functools.cache
def tables() -> SimpleNamespace:
    """``.program``, ``.cycle``, ``.participant``, ``.match``, ``.meeting``, ``.checkin``,
    ``.goal``: Core tables with the columns the read paths use."""
    from sqlalchemy import (
        JSON,
        Boolean,
        Column,
        Date,
        DateTime,
        Float,
        Integer,
        MetaData,
        String,
        Table,
    )

    md = MetaData()

    def table(name: str, *columns: Column) -> Table:  # type: ignore[type-arg]
        return Table(name, md, Column("id", Integer, primary_key=True), *columns)

    return SimpleNamespace(
        program=table("program", Column("slug", String)),
        cycle=table(
            "cycle",
            Column("program_id", Integer),
            Column("name", String),
            Column("start", Date),
            Column("end", Date),
        ),
        participant=table(
            "participant",
            Column("program_id", Integer),
            Column("email", String),
            Column("name", String),
            Column("role", String),
            Column("department", String),
            Column("title", String),
            Column("level", String),
            Column("manager_email", String),
            Column("location", String),
            Column("timezone", String),
            Column("languages", JSON),
            Column("tenure_months", Integer),
            Column("years_experience", Float),
            Column("capacity", Integer),
            Column("answers", JSON),
            Column("active", Boolean),
            Column("forgotten_at", DateTime),
        ),
        match=table(
            "match",
            Column("cycle_id", Integer),
            Column("mentor_id", Integer),
            Column("mentee_id", Integer),
            Column("circle", String),
            Column("status", String),
            Column("started_at", DateTime),
            Column("ended_at", DateTime),
            Column("end_reason", String),
            Column("outcome", String),
        ),
        meeting=table(
            "meeting", Column("match_id", Integer), Column("date", Date), Column("minutes", Integer)
        ),
        checkin=table(
            "checkin",
            Column("match_id", Integer),
            Column("date", Date),
            Column("satisfaction", Integer),
            Column("recommend", Integer),
            Column("progress", Integer),
            Column("met", Boolean),
        ),
        goal=table(
            "goal",
            Column("participant_id", Integer),
            Column("cycle_id", Integer),
            Column("status", String),
            Column("progress", Integer),
        ),
    )
