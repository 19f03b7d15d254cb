"""report roll-ups: daily SLA, ticket, survey and follow-up figures; marks of days to rebuild

Revision ID: 0130
Revises: 0120
Create Date: 2026-12-03 23:30:00

The SLA reports aggregated every verdict of their period and took seconds on a million tickets
(issue 14); they now read one row per day, team and metric (and per time, for the medians), and
the complaint, reopen, satisfaction and follow-up reports one row per day, team and value; the
backlog counts its recent open tickets from an index.
Every day that has tickets is marked here, so the worker builds the rows after the upgrade
(`python -m ticketing reports rebuild` does it at once); until then the reports read the
verdicts of the marked days, and give the same answers throughout.
"""

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

revision: str = "0130"
down_revision: str | None = "0120"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_CATEGORIES = ("product_quality", "service", "delivery", "price", "contract", "policy", "other")
_CHANNELS = ("web", "telegram", "phone", "email", "api")
_FOLLOW_UP_STATUSES = ("scheduled", "survey_sent", "answered", "callback", "done", "cancelled")
_ZONE = ZoneInfo("Asia/Shanghai")  # ticketing.models.report_rollups.ROLLUP_ZONE, as of now


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=24)


def _metric() -> sa.Enum:
    return _enum("sla_metric", "first_response", "next_response", "resolution")


def upgrade() -> None:
    marks = op.create_table(
        "report_rollup_marks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_rollup_marks")),
    )
    with op.batch_alter_table("report_rollup_marks", schema=None) as batch_op:
        batch_op.create_index("ix_report_rollup_marks_day", ["day"], unique=False)
    op.create_table(
        "report_sla_days",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("team_key", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("metric", _metric(), nullable=False),
        sa.Column("met", sa.Integer(), nullable=False),
        sa.Column("breached", sa.Integer(), nullable=False),
        sa.Column("samples", sa.Integer(), nullable=False),
        sa.Column("elapsed_seconds", sa.BigInteger(), nullable=False),
        sa.Column("business_samples", sa.Integer(), nullable=False),
        sa.Column("business_seconds", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("day", "team_key", "metric", name=op.f("pk_report_sla_days")),
    )
    op.create_table(
        "report_sla_times",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("team_key", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("metric", _metric(), nullable=False),
        sa.Column("measure", sa.String(length=1), nullable=False),
        sa.Column("tenths", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("clocks", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "day", "team_key", "metric", "measure", "tenths", name=op.f("pk_report_sla_times")
        ),
    )
    op.create_table(
        "report_survey_days",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("team_key", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("csat", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("nps", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("responses", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "day", "team_key", "csat", "nps", name=op.f("pk_report_survey_days")
        ),
    )
    op.create_table(
        "report_follow_up_days",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("team_key", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("status", _enum("follow_up_status", *_FOLLOW_UP_STATUSES), nullable=False),
        sa.Column("surveyed", sa.Boolean(), nullable=False),
        sa.Column("visits", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "day", "team_key", "status", "surveyed", name=op.f("pk_report_follow_up_days")
        ),
    )
    op.create_table(
        "report_ticket_days",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("team_key", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("category", _enum("category", *_CATEGORIES), nullable=False),
        sa.Column("severity", _enum("severity", "general", "major"), nullable=False),
        sa.Column("channel", _enum("channel", *_CHANNELS), nullable=False),
        sa.Column("tickets", sa.Integer(), nullable=False),
        sa.Column("resolved", sa.Integer(), nullable=False),
        sa.Column("reopened", sa.Integer(), nullable=False),
        sa.Column("open", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "day", "team_key", "category", "severity", "channel", name=op.f("pk_report_ticket_days")
        ),
    )
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.create_index(
            "ix_tickets_status_created_at", ["status", "created_at", "team_id"], unique=False
        )
    spans = (
        "SELECT min(created_at), max(created_at) FROM tickets",
        "SELECT min(created_at), max(created_at) FROM survey_responses",
        "SELECT min(due_at), max(due_at) FROM follow_ups",
    )
    bind = op.get_bind()
    instants = [
        _aware(at) for query in spans for at in bind.execute(sa.text(query)).one() if at is not None
    ]
    if instants:
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
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.drop_index("ix_tickets_status_created_at")
    op.drop_table("report_follow_up_days")
    op.drop_table("report_survey_days")
    op.drop_table("report_ticket_days")
    op.drop_table("report_sla_times")
    op.drop_table("report_sla_days")
    with op.batch_alter_table("report_rollup_marks", schema=None) as batch_op:
        batch_op.drop_index("ix_report_rollup_marks_day")
    op.drop_table("report_rollup_marks")
