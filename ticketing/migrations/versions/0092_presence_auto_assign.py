"""agent_presence, teams.auto_assign, customers.account_manager_id: auto-assignment by capacity

Revision ID: 0092
Revises: 0091
Create Date: 2026-12-03 19:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import ticketing.models

revision: str = "0092"
down_revision: str | None = "0091"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "agent_presence",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=8), server_default="offline", nullable=False),
        sa.Column("last_seen_at", ticketing.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("changed_at", ticketing.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("max_chats", sa.Integer(), server_default="3", nullable=False),
        sa.Column("max_tickets", sa.Integer(), server_default="20", nullable=False),
        sa.Column("last_assigned_at", ticketing.models.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_agent_presence_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_agent_presence")),
    )
    with op.batch_alter_table("teams", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("auto_assign", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("account_manager_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_customers_account_manager_id_users"),
            "users",
            ["account_manager_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_customers_account_manager_id_users"), type_="foreignkey"
        )
        batch_op.drop_column("account_manager_id")
    with op.batch_alter_table("teams", schema=None) as batch_op:
        batch_op.drop_column("auto_assign")
    op.drop_table("agent_presence")
