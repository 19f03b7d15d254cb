"""Settings: working-day overrides on calendars, optional targets, versions for admins' edits

Revision ID: 0070
Revises: 0006
Create Date: 2026-12-03 19:10:00

A calendar can now say that a date is worked with its own hours (China's 调休 make-up days);
an SLA policy may leave out its first-response or resolution target; calendars and policies
carry a version so two admins editing one at once cannot overwrite each other.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0070"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("business_calendars", schema=None) as batch_op:
        batch_op.add_column(sa.Column("overrides", sa.JSON(), server_default="{}", nullable=False))
        batch_op.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))
    with op.batch_alter_table("sla_policies", schema=None) as batch_op:
        batch_op.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))
        batch_op.alter_column("first_response_minutes", existing_type=sa.Integer(), nullable=True)
        batch_op.alter_column("resolution_minutes", existing_type=sa.Integer(), nullable=True)


def downgrade() -> None:
    with op.batch_alter_table("sla_policies", schema=None) as batch_op:
        batch_op.alter_column("resolution_minutes", existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column("first_response_minutes", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column("version")
    with op.batch_alter_table("business_calendars", schema=None) as batch_op:
        batch_op.drop_column("version")
        batch_op.drop_column("overrides")
