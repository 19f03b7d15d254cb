"""ticket_viewers: who has a ticket open in the console, and who is typing on it

Revision ID: 0093
Revises: 0030
Create Date: 2026-12-03 20:05:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import ticketing.models

revision: str = "0093"
down_revision: str | None = "0030"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ticket_viewers",
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("seen_at", ticketing.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("typing_at", ticketing.models.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["tickets.id"],
            name=op.f("fk_ticket_viewers_ticket_id_tickets"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_ticket_viewers_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("ticket_id", "user_id", name=op.f("pk_ticket_viewers")),
    )


def downgrade() -> None:
    op.drop_table("ticket_viewers")
