"""team routes: which team a new ticket of each category goes to

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 07:05:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "team_routes",
        sa.Column(
            "category",
            sa.Enum(
                "product_quality",
                "service",
                "delivery",
                "price",
                "contract",
                "policy",
                "other",
                name="category",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["teams.id"],
            name=op.f("fk_team_routes_team_id_teams"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("category", name=op.f("pk_team_routes")),
    )
    with op.batch_alter_table("team_routes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_team_routes_team_id"), ["team_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("team_routes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_team_routes_team_id"))
    op.drop_table("team_routes")
