"""weekly_digests: a supervisor's Monday summary, once per week; teams.calendar_id

The worker writes one digest per supervisor and week (unique: several workers insert, one row
stays). A team's business calendar gives its supervisors' time zone for the Monday 09:00.

Revision ID: 0140
Revises: 0130
Create Date: 2026-12-03 23:05:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import ticketing.models

revision: str = "0140"
down_revision: str | None = "0130"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "weekly_digests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("week_start", sa.Date(), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("period_start", ticketing.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("period_end", ticketing.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("generated_at", ticketing.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("figures", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_weekly_digests_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_weekly_digests")),
        sa.UniqueConstraint("user_id", "week_start", name="uq_weekly_digests_week"),
    )
    with op.batch_alter_table("weekly_digests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_weekly_digests_user_id"), ["user_id"], unique=False)
    with op.batch_alter_table("teams", schema=None) as batch_op:
        batch_op.add_column(sa.Column("calendar_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_teams_calendar_id_business_calendars"),
            "business_calendars",
            ["calendar_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("teams", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_teams_calendar_id_business_calendars"), type_="foreignkey"
        )
        batch_op.drop_column("calendar_id")
    with op.batch_alter_table("weekly_digests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_weekly_digests_user_id"))
    op.drop_table("weekly_digests")
