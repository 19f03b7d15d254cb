"""customer privacy: web chat ids derived one way; erasure and retention marks

Erasure on request and the retention sweep (ticketing/personal_data.py) mark what they
anonymised: `customers.erased_at`, `messages.erased_at`, and an index of the chat messages not
yet anonymised, by age, for the worker.

Web chat ids derived from the session id one way (the session id is the customer's secret):

Until now a web chat conversation was `web:<session id>` and its customer's web identity the
session id itself, so every desk user could read the one credential a web chat customer has.
Both become the key ticketing/pseudonyms.py derives from the session id with the app's secret
key (KEFU_SECRET_KEY, or var/secret_key in development: run this with the settings the app
runs with). The ids are rewritten wherever they are kept: conversations, tickets, messages, the
outbox and follow-ups. This cannot be undone (the session ids are gone): downgrading leaves the
derived ids in place. Rasa's trackers of existing web conversations keep the old sender ids, so
the bot starts those conversations afresh.

Revision ID: 0060
Revises: 0050
Create Date: 2026-12-03 19:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import ticketing.models
from ticketing.config import get_settings
from ticketing.pseudonyms import web_session_key

revision: str = "0060"
down_revision: str | None = "0050"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Where a conversation id is kept, besides conversations.id itself.
_CONVERSATION_COLUMNS = (
    ("tickets", "conversation_id"),
    ("messages", "conversation_id"),
    ("outbox", "conversation_id"),
    ("follow_ups", "conversation_id"),
)


def _rewrite_web_ids(bind: sa.Connection) -> None:
    conversations = (
        bind.execute(sa.text("SELECT id FROM conversations WHERE channel = 'web'")).scalars().all()
    )
    identities = bind.execute(
        sa.text("SELECT id, value FROM customer_identities WHERE kind = 'web'")
    ).all()
    if not conversations and not identities:
        return  # nothing to rewrite: no need for the secret key
    secret = get_settings().secret()
    renames = [
        {"old": old, "new": "web:" + web_session_key(secret, old.split(":", 1)[1])}
        for old in conversations
    ]
    if renames:
        bind.execute(sa.text("UPDATE conversations SET id = :new WHERE id = :old"), renames)
        for table, column in _CONVERSATION_COLUMNS:
            bind.execute(
                sa.text(f"UPDATE {table} SET {column} = :new WHERE {column} = :old"),  # noqa: S608
                renames,
            )
    if identities:
        bind.execute(
            sa.text("UPDATE customer_identities SET value = :value WHERE id = :id"),
            [{"id": row.id, "value": web_session_key(secret, row.value)} for row in identities],
        )


def upgrade() -> None:
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("erased_at", ticketing.models.UTCDateTime(timezone=True), nullable=True)
        )
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("erased_at", ticketing.models.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.create_index(
            "ix_messages_unerased_created_at",
            ["created_at"],
            unique=False,
            sqlite_where=sa.text("erased_at IS NULL"),
            postgresql_where=sa.text("erased_at IS NULL"),
        )
    _rewrite_web_ids(op.get_bind())


def downgrade() -> None:
    # The web chat ids stay derived: the session ids cannot be recovered from their keys.
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_index("ix_messages_unerased_created_at")
        batch_op.drop_column("erased_at")
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.drop_column("erased_at")
