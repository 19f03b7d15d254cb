"""outbox lease (status sending, lease_until, claimed_by), message data for chat buttons

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 03:21:56.152558
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import ticketing.models

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATUS_CHECK = "ck_outbox_outbox_status"


def upgrade() -> None:
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("data", sa.JSON(), nullable=True))

    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("lease_until", ticketing.models.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("claimed_by", sa.String(length=64), nullable=True))
        # A new status value: autogenerate does not see CHECK constraints, so by hand.
        batch_op.drop_constraint(op.f(STATUS_CHECK), type_="check")
        batch_op.create_check_constraint(
            op.f(STATUS_CHECK), "status IN ('pending', 'sending', 'sent', 'failed')"
        )


def downgrade() -> None:
    op.execute("UPDATE outbox SET status = 'pending' WHERE status = 'sending'")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_constraint(op.f(STATUS_CHECK), type_="check")
        batch_op.create_check_constraint(
            op.f(STATUS_CHECK), "status IN ('pending', 'sent', 'failed')"
        )
        batch_op.drop_column("claimed_by")
        batch_op.drop_column("lease_until")

    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_column("data")
