"""users: token_version, failed_logins, locked_until (token revocation and sign-in lockout)

Revision ID: 0050
Revises: 0093
Create Date: 2026-12-03 19:00:00

Tokens carry the user's token version, raised on a password, role or active-state change and on
sign-out, so old tokens stop working at once. Consecutive wrong passwords lock sign-in for a
while; the count and the lock are rows so they hold across restarts and web processes.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import ticketing.models

revision: str = "0050"
down_revision: str | None = "0093"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("token_version", sa.Integer(), server_default=sa.text("0"), nullable=False)
        )
        batch_op.add_column(
            sa.Column("failed_logins", sa.Integer(), server_default=sa.text("0"), nullable=False)
        )
        batch_op.add_column(
            sa.Column("locked_until", ticketing.models.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("locked_until")
        batch_op.drop_column("failed_logins")
        batch_op.drop_column("token_version")
