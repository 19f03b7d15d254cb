"""sla_verdicts: one verdict per SLA deadline; next-response start; Zammad's next-response option

Revision ID: 0020
Revises: 0092
Create Date: 2026-12-03 19:10:00

Reports compared wall-clock times with deadlines that pauses had kept, and so disagreed with the
worker (issue 14). Each deadline's outcome is now decided once and stored with the business and
elapsed time it took; everything reads it. Tickets from before have no verdicts: the reports
count them only from here on.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0092"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_METRIC = sa.Enum(
    "first_response",
    "next_response",
    "resolution",
    name="sla_metric",
    native_enum=False,
    create_constraint=True,
    length=24,
)
_PRIORITY = sa.Enum(
    "low",
    "normal",
    "high",
    "urgent",
    name="priority",
    native_enum=False,
    create_constraint=True,
    length=24,
)


def upgrade() -> None:
    op.create_table(
        "sla_verdicts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("metric", _METRIC, nullable=False),
        sa.Column("clock", sa.String(length=32), nullable=False),
        sa.Column("breached", sa.Boolean(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("priority", _PRIORITY, nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("stopped_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("stopped_by", sa.String(length=16), nullable=True),
        sa.Column("business_seconds", sa.Integer(), nullable=True),
        sa.Column("elapsed_seconds", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["tickets.id"], name=op.f("fk_sla_verdicts_ticket_id_tickets")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sla_verdicts")),
        sa.UniqueConstraint("ticket_id", "metric", "clock", name="uq_sla_verdicts_once"),
    )
    with op.batch_alter_table("sla_verdicts", schema=None) as batch_op:
        batch_op.create_index("ix_sla_verdicts_decided_at", ["decided_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_sla_verdicts_ticket_id"), ["ticket_id"], unique=False)
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("next_response_started_at", sa.DateTime(timezone=True), nullable=True)
        )
    with op.batch_alter_table("sla_policies", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "next_response_before_first_reply",
                sa.Boolean(),
                server_default=sa.false(),
                nullable=False,
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("sla_policies", schema=None) as batch_op:
        batch_op.drop_column("next_response_before_first_reply")
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.drop_column("next_response_started_at")
    with op.batch_alter_table("sla_verdicts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sla_verdicts_ticket_id"))
        batch_op.drop_index("ix_sla_verdicts_decided_at")
    op.drop_table("sla_verdicts")
