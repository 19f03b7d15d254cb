"""conversations.ticket_id: the ticket that owns a conversation; received_updates

Revision ID: 0010
Revises: 0080
Create Date: 2026-12-03 19:00:00

A customer's messages went to the newest open ticket naming the conversation, so anyone who
opened a ticket on it took the chat over. Now they go to the conversation's own ticket. Each
existing conversation is given the ticket its messages went to until now: the newest open one.

received_updates: a chat channel's own id of each update stored (Telegram's update_id), so the
same update delivered again is not stored twice, after a restart too.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import ticketing.models

revision: str = "0010"
down_revision: str | None = "0080"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "received_updates",
        sa.Column(
            "channel",
            sa.Enum(
                "web",
                "telegram",
                "phone",
                "email",
                "api",
                name="channel",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("update_id", sa.String(length=64), nullable=False),
        sa.Column("received_at", ticketing.models.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("channel", "update_id", name=op.f("pk_received_updates")),
    )
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
    op.drop_table("received_updates")
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("fk_conversations_ticket_id_tickets"), type_="foreignkey")
        batch_op.drop_column("ticket_id")
