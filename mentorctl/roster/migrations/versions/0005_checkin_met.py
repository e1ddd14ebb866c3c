"""A check-in's "we met" / "not yet" answer (the one-click links of intros and reminders).

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"


def upgrade() -> None:
    with op.batch_alter_table("checkin") as batch:
        batch.add_column(sa.Column("met", sa.Boolean, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("checkin") as batch:
        batch.drop_column("met")
