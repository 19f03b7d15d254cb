"""tickets: triage confidence, runner-up category and secondary categories

Revision ID: 0080
Revises: 0071
Create Date: 2026-12-03 19:05:00

The agent sees how sure triage was of a ticket's category and what it would have said
otherwise, so a ticket that may be in the wrong queue stands out; complaints naming several
problems keep the others. Existing tickets have none of this (NULL, and an empty list).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0080"
down_revision: str | None = "0071"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("triage_confidence", sa.Float(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "triage_runner_up",
                sa.Enum(
                    "product_quality",
                    "service",
                    "delivery",
                    "price",
                    "contract",
                    "policy",
                    "other",
                    name="triage_runner_up",
                    native_enum=False,
                    create_constraint=True,
                    length=24,
                ),
                nullable=True,
            )
        )
        batch_op.add_column(
            sa.Column(
                "secondary_categories", sa.JSON(), server_default=sa.text("'[]'"), nullable=False
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.drop_column("secondary_categories")
        batch_op.drop_column("triage_runner_up")
        batch_op.drop_column("triage_confidence")
