"""received_updates (received_at): the worker deletes old update ids by it

The update ids kept against replays (0010) grew for ever. The worker now deletes the ones
older than KEFU_RECEIVED_UPDATE_RETENTION_DAYS (7 by default; Telegram redelivers for 24 hours
at most), a batch at a time in received_at order: without the index each batch would scan the
whole table.

Revision ID: 0160
Revises: 0150
Create Date: 2026-12-04 14:45:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0160"
down_revision: str | None = "0150"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("received_updates", schema=None) as batch_op:
        batch_op.create_index("ix_received_updates_received_at", ["received_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("received_updates", schema=None) as batch_op:
        batch_op.drop_index("ix_received_updates_received_at")
