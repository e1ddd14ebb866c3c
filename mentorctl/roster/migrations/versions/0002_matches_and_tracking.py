"""Matches, meetings, goals and check-ins.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    op.create_table(
        "match",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("cycle_id", sa.Integer, sa.ForeignKey("cycle.id"), nullable=False),
        sa.Column("mentor_id", sa.Integer, sa.ForeignKey("participant.id")),
        sa.Column("mentee_id", sa.Integer, sa.ForeignKey("participant.id")),
        sa.Column("circle", sa.String),
        sa.Column("score", sa.Float),
        sa.Column("explanation", sa.JSON, nullable=False),
        sa.Column("status", sa.String, nullable=False),
        sa.Column("locked", sa.Boolean, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("started_at", sa.DateTime),
        sa.Column("ended_at", sa.DateTime),
        sa.Column("end_reason", sa.String),
    )
    op.create_index("ix_match_cycle_id", "match", ["cycle_id"])
    op.create_index("ix_match_mentor_id", "match", ["mentor_id"])
    op.create_index("ix_match_mentee_id", "match", ["mentee_id"])
    op.create_index("ix_match_cycle_status", "match", ["cycle_id", "status"])
    op.create_table(
        "meeting",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("match_id", sa.Integer, sa.ForeignKey("match.id"), nullable=False),
        sa.Column("date", sa.Date, nullable=False),
        sa.Column("minutes", sa.Integer),
        sa.Column("note", sa.String),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_meeting_match_id", "meeting", ["match_id"])
    op.create_table(
        "goal",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("participant_id", sa.Integer, sa.ForeignKey("participant.id"), nullable=False),
        sa.Column("cycle_id", sa.Integer, sa.ForeignKey("cycle.id")),
        sa.Column("title", sa.String, nullable=False),
        sa.Column("relevant", sa.String),
        sa.Column("aspirational", sa.String),
        sa.Column("experimental", sa.String),
        sa.Column("learning", sa.String),
        sa.Column("status", sa.String, nullable=False),
        sa.Column("progress", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_goal_participant_id", "goal", ["participant_id"])
    op.create_table(
        "checkin",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("match_id", sa.Integer, sa.ForeignKey("match.id"), nullable=False),
        sa.Column("participant_id", sa.Integer, sa.ForeignKey("participant.id")),
        sa.Column("date", sa.Date, nullable=False),
        sa.Column("satisfaction", sa.Integer),
        sa.Column("recommend", sa.Integer),
        sa.Column("progress", sa.Integer),
        sa.Column("comment", sa.String),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_checkin_match_id", "checkin", ["match_id"])
