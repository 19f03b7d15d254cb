"""tickets (assignee_id, status, handed_off): an agent's load counted from the index alone

Auto-assignment counts each online agent's open tickets and live chats on every pass; with
handed_off in the index PostgreSQL answers that from the index instead of the table's rows.
It replaces the (assignee_id, status) index, whose every use it covers.

Revision ID: 0110
Revises: 0060
Create Date: 2026-12-03 23:20:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0110"
down_revision: str | None = "0060"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.drop_index("ix_tickets_assignee_status")
        batch_op.create_index(
            "ix_tickets_assignee_load", ["assignee_id", "status", "handed_off"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.drop_index("ix_tickets_assignee_load")
        batch_op.create_index("ix_tickets_assignee_status", ["assignee_id", "status"], unique=False)
