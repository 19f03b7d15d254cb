"""sla_recomputes: the worker's queue of open tickets to re-target after a settings change

Revision ID: 0071
Revises: 0070
Create Date: 2026-12-03 19:20:00

When an admin changes an SLA policy or a calendar, the open tickets it governs get their
deadlines recomputed by the worker in batches; this row is that work, and its place in it.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import ticketing.models

revision: str = "0071"
down_revision: str | None = "0070"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sla_recomputes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", ticketing.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.String(length=64), nullable=False),
        sa.Column("policy_id", sa.Integer(), nullable=True),
        sa.Column("calendar_id", sa.Integer(), nullable=True),
        sa.Column(
            "priority",
            sa.Enum(
                "low",
                "normal",
                "high",
                "urgent",
                name="priority",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=True,
        ),
        sa.Column("after_ticket_id", sa.Integer(), nullable=False),
        sa.Column("tickets", sa.Integer(), nullable=False),
        sa.Column("done_at", ticketing.models.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["calendar_id"],
            ["business_calendars.id"],
            name=op.f("fk_sla_recomputes_calendar_id_business_calendars"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["policy_id"],
            ["sla_policies.id"],
            name=op.f("fk_sla_recomputes_policy_id_sla_policies"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sla_recomputes")),
    )
    with op.batch_alter_table("sla_recomputes", schema=None) as batch_op:
        batch_op.create_index("ix_sla_recomputes_done_at_id", ["done_at", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("sla_recomputes", schema=None) as batch_op:
        batch_op.drop_index("ix_sla_recomputes_done_at_id")
    op.drop_table("sla_recomputes")
