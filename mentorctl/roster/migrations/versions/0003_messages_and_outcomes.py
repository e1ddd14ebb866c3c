"""Sent messages (introductions, reminders), HR outcomes, match outcomes.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"


def upgrade() -> None:
    op.create_table(
        "message",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("program_id", sa.Integer, sa.ForeignKey("program.id"), nullable=False),
        sa.Column("match_id", sa.Integer, sa.ForeignKey("match.id")),
        sa.Column("kind", sa.String, nullable=False),
        sa.Column("dedupe_key", sa.String, nullable=False, unique=True),
        sa.Column("recipients", sa.JSON, nullable=False),
        sa.Column("subject", sa.String, nullable=False),
        sa.Column("status", sa.String, nullable=False),
        sa.Column("error", sa.String),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("sent_at", sa.DateTime),
    )
    op.create_index("ix_message_program_id", "message", ["program_id"])
    op.create_index("ix_message_match_id", "message", ["match_id"])
    op.create_table(
        "hr_record",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("program_id", sa.Integer, sa.ForeignKey("program.id"), nullable=False),
        sa.Column("email", sa.String, nullable=False),
        sa.Column("employed", sa.Boolean, nullable=False),
        sa.Column("left_date", sa.Date),
        sa.Column("promotion_date", sa.Date),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("program_id", "email"),
    )
    with op.batch_alter_table("match") as batch:
        batch.add_column(sa.Column("outcome", sa.String))
    with op.batch_alter_table("cycle") as batch:
        batch.add_column(sa.Column("closed_at", sa.DateTime))
    op.create_index("ix_meeting_match_date", "meeting", ["match_id", "date"])
