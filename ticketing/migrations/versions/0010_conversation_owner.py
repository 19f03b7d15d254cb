"""conversations.ticket_id: the ticket that owns a conversation

Revision ID: 0010
Revises: 0005
Create Date: 2026-12-03 19:00:00

A customer's messages went to the newest open ticket naming the conversation, so anyone who
opened a ticket on it took the chat over. Now they go to the conversation's own ticket. Each
existing conversation is given the ticket its messages went to until now: the newest open one.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("ticket_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            op.f("fk_conversations_ticket_id_tickets"),
            "tickets",
            ["ticket_id"],
            ["id"],
            ondelete="SET NULL",
        )
    op.execute(
        "UPDATE conversations SET ticket_id = ("
        " SELECT max(tickets.id) FROM tickets"
        " WHERE tickets.conversation_id = conversations.id"
        " AND tickets.status IN ('new', 'open', 'pending'))"
    )


def downgrade() -> None:
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("fk_conversations_ticket_id_tickets"), type_="foreignkey")
        batch_op.drop_column("ticket_id")
