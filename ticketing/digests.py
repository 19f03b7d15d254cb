"""The weekly digest: every Monday 09:00 in each supervisor's time zone, the worker writes the
week's summary for them (SLA met by metric and team, the breaches, CSAT/NPS, churn-risk
customers, the bot's containment), once.

Once, even with several workers: the row is unique per supervisor and week and written with an
insert that skips a row already there (`ON CONFLICT DO NOTHING`, on SQLite and PostgreSQL). A
worker that was down on Monday writes the week's digest when it comes back. The figures are the
reports' own (`ticketing.reports`), kept with the row, so the digest reads the same later.
Rendering is in `digest_html`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from ticketing import reports
from ticketing.models import BusinessCalendar, Role, Team, User, WeeklyDigest

DEFAULT_TIMEZONE = "Asia/Shanghai"
DUE_AT = time(9, 0)  # Monday, local time
CHURN_LIMIT = 20  # churn-risk customers listed in a digest
# The reports a digest keeps, by the name the dashboard knows them by.
DIGEST_REPORTS = ("sla", "sla_by_team", "satisfaction", "churn_risk", "bot")


@dataclass(frozen=True)
class Week:
    """The digest due for a time zone at an instant: the Monday it is for, when it was due, and
    the seven local days before that Monday it covers, [start, end)."""

    monday: date
    due_at: datetime
    start: datetime
    end: datetime


def due_week(now: datetime, timezone: str) -> Week:
    """The latest Monday 09:00 at or before `now` in `timezone`, and the week it sums up."""
    zone = ZoneInfo(timezone)
    local = now.astimezone(zone)
    monday = local.date() - timedelta(days=local.weekday())
    if local.time() < DUE_AT and local.weekday() == 0:
        monday -= timedelta(days=7)

    def at(day: date, when: time) -> datetime:
        return datetime.combine(day, when, tzinfo=zone).astimezone(UTC)

    return Week(
        monday=monday,
        due_at=at(monday, DUE_AT),
        start=at(monday - timedelta(days=7), time.min),
        end=at(monday, time.min),
    )


def supervisor_timezone(session: Session, user: User) -> str:
    """The time zone of the supervisor's team's business calendar, else Asia/Shanghai."""
    if user.team_id is None:
        return DEFAULT_TIMEZONE
    zone = session.scalar(
        select(BusinessCalendar.timezone)
        .join(Team, Team.calendar_id == BusinessCalendar.id)
        .where(Team.id == user.team_id)
    )
    return zone or DEFAULT_TIMEZONE


def figures(session: Session, week: Week, timezone: str, now: datetime) -> dict[str, Any]:
    """The reports a digest keeps, for the week, as {name: {"columns", "rows"}}."""
    filters = reports.ReportFilters(start=week.start, end=week.end, timezone=timezone)
    kept: dict[str, Any] = {}
    for name in DIGEST_REPORTS:
        table = reports.run(session, name, filters, now)
        rows = table.rows[:CHURN_LIMIT] if name == "churn_risk" else table.rows
        kept[name] = {"columns": table.columns, "rows": rows}
    return kept


def _insert_or_skip(session: Session, values: dict[str, Any]) -> bool:
    """Insert the digest unless one for the supervisor and week is there; True if inserted."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = (
        insert(WeeklyDigest)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["user_id", "week_start"])
        .returning(WeeklyDigest.id)
    )
    # The id of the row inserted, or none when the conflict skipped it.
    return session.execute(stmt).scalar() is not None


def _missing(session: Session, now: datetime) -> list[tuple[User, str, Week]]:
    """The supervisors whose digest for their due week is not written yet."""
    wanted = []
    supervisors = session.scalars(
        select(User).where(User.role == Role.SUPERVISOR, User.is_active.is_(True))
    )
    for user in supervisors:
        zone = supervisor_timezone(session, user)
        week = due_week(now, zone)
        if user.created_at > week.due_at:
            continue  # not a supervisor yet when it was due: their first comes next Monday
        written = session.scalar(
            select(WeeklyDigest.id).where(
                WeeklyDigest.user_id == user.id, WeeklyDigest.week_start == week.monday
            )
        )
        if written is None:
            wanted.append((user, zone, week))
    return wanted


def generate_due(factory: sessionmaker[Session], now: datetime) -> int:
    """Write every digest due at `now` and not yet written; how many this call wrote."""
    with factory() as session:
        wanted = [(u.id, zone, week) for u, zone, week in _missing(session, now)]
    written = 0
    # Supervisors in one time zone share a week, so its figures are worked out once.
    known: dict[tuple[str, date], dict[str, Any]] = {}
    for user_id, zone, week in wanted:
        with factory.begin() as session:
            if (zone, week.monday) not in known:
                known[(zone, week.monday)] = figures(session, week, zone, now)
            values = {
                "user_id": user_id,
                "week_start": week.monday,
                "timezone": zone,
                "period_start": week.start,
                "period_end": week.end,
                "generated_at": now,
                "figures": known[(zone, week.monday)],
            }
            written += _insert_or_skip(session, values)
    return written


def for_user(session: Session, user: User, limit: int = 12) -> list[WeeklyDigest]:
    """The supervisor's own digests, newest first."""
    return list(
        session.scalars(
            select(WeeklyDigest)
            .where(WeeklyDigest.user_id == user.id)
            .order_by(WeeklyDigest.week_start.desc())
            .limit(limit)
        )
    )
