"""sla_agent_rollup: whose verdict it is (sla_verdicts.assignee_id); a per-agent daily roll-up

The per-agent SLA reports counted each verdict for the ticket's assignee as it is now, from the
verdicts, and took seconds on a million tickets (issue 14). A verdict now keeps the assignee the
ticket had when it was decided, and the reports read one row per day, team, agent and metric.

Verdicts decided before this migration get the assignee their ticket has now: when it was
decided is not recorded anywhere else. Every day that has tickets is marked, so the worker
builds the new rows after the upgrade (`python -m ticketing reports rebuild` does it at once);
until then the reports read the verdicts of the marked days, and give the same answers.

Revision ID: 0150
Revises: 0140
Create Date: 2026-12-04 11:10:00
"""

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

revision: str = "0150"
down_revision: str | None = "0140"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ZONE = ZoneInfo("Asia/Shanghai")  # ticketing.models.report_rollups.ROLLUP_ZONE, as of now


def upgrade() -> None:
    with op.batch_alter_table("sla_verdicts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("assignee_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_sla_verdicts_assignee_id_users"), "users", ["assignee_id"], ["id"]
        )
    op.execute(
        "UPDATE sla_verdicts SET assignee_id ="
        " (SELECT tickets.assignee_id FROM tickets WHERE tickets.id = sla_verdicts.ticket_id)"
    )
    op.create_table(
        "report_sla_agent_days",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("team_key", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("agent_key", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column(
            "metric",
            sa.Enum(
                "first_response",
                "next_response",
                "resolution",
                name="sla_metric",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("met", sa.Integer(), nullable=False),
        sa.Column("breached", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "day", "team_key", "agent_key", "metric", name=op.f("pk_report_sla_agent_days")
        ),
    )
    span = op.get_bind().execute(sa.text("SELECT min(created_at), max(created_at) FROM tickets"))
    instants = [_aware(at) for at in span.one() if at is not None]
    if instants:
        marks = sa.table(
            "report_rollup_marks",
            sa.column("day", sa.Date()),
            sa.column("starts_at", sa.DateTime(timezone=True)),
            sa.column("ends_at", sa.DateTime(timezone=True)),
        )
        op.bulk_insert(marks, _days(min(instants), max(instants)))


def _aware(value: datetime | str) -> datetime:
    if isinstance(value, str):  # SQLite
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _days(first: datetime, last: datetime) -> list[dict[str, object]]:
    day: date = first.astimezone(_ZONE).date()
    end = last.astimezone(_ZONE).date()
    rows: list[dict[str, object]] = []
    while day <= end:
        after = day + timedelta(days=1)
        rows.append(
            {
                "day": day,
                "starts_at": datetime.combine(day, time(), _ZONE).astimezone(UTC),
                "ends_at": datetime.combine(after, time(), _ZONE).astimezone(UTC),
            }
        )
        day = after
    return rows


def downgrade() -> None:
    op.drop_table("report_sla_agent_days")
    with op.batch_alter_table("sla_verdicts", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_sla_verdicts_assignee_id_users"), type_="foreignkey"
        )
        batch_op.drop_column("assignee_id")
