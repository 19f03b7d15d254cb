"""tickets.team_routed: whether a ticket's team came from its category's route

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 08:20:00

Triage moves an unassigned ticket with its category only when routing gave it its team; a team
a person chose stays. Tickets that exist already count as chosen, so none moves by surprise.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("team_routed", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.drop_column("team_routed")
