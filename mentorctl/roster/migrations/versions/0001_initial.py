"""The first schema: programs, cycles and participants.

Revision ID: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None


def upgrade() -> None:
    op.create_table(
        "program",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("slug", sa.String, nullable=False, unique=True),
        sa.Column("name", sa.String, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "cycle",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("program_id", sa.Integer, sa.ForeignKey("program.id"), nullable=False),
        sa.Column("name", sa.String, nullable=False),
        sa.Column("start", sa.Date, nullable=False),
        sa.Column("end", sa.Date, nullable=False),
        sa.Column("status", sa.String, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("program_id", "name"),
    )
    op.create_index("ix_cycle_program_id", "cycle", ["program_id"])
    op.create_table(
        "participant",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("program_id", sa.Integer, sa.ForeignKey("program.id"), nullable=False),
        sa.Column("email", sa.String, nullable=False),
        sa.Column("name", sa.String, nullable=False),
        sa.Column("role", sa.String, nullable=False),
        sa.Column("department", sa.String),
        sa.Column("title", sa.String),
        sa.Column("level", sa.String),
        sa.Column("manager_email", sa.String),
        sa.Column("location", sa.String),
        sa.Column("timezone", sa.String),
        sa.Column("languages", sa.JSON, nullable=False),
        sa.Column("tenure_months", sa.Integer),
        sa.Column("years_experience", sa.Float),
        sa.Column("capacity", sa.Integer),
        sa.Column("answers", sa.JSON, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("forgotten_at", sa.DateTime),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("program_id", "email"),
    )
    op.create_index("ix_participant_program_id", "participant", ["program_id"])
