"""Daily roll-ups of the tickets and their SLA verdicts, so the reports read a few rows per day
instead of every ticket and verdict of the period (ticketing/reports/rollup.py keeps them;
issue 14).

`day` is the local day, in the roll-up's time zone, of the creation of the tickets (the reports
count a ticket and its deadlines on the day it was created); `team_key` is the ticket's team,
0 for none. A new ticket, a change to a verdict or to a ticket's rolled-up columns writes a
`ReportRollupMark` for its day in the same transaction; the worker rebuilds marked days and
removes the marks it read. Until then the reports read the tickets and verdicts of marked days,
so a roll-up answer never differs from aggregating the rows themselves.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from itertools import chain
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import BigInteger, Boolean, Date, Index, Integer, String, event, inspect, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from ticketing.clock import utcnow
from ticketing.models.base import Base, UTCDateTime, enum_type
from ticketing.models.enums import Category, Channel, FollowUpStatus, Severity, SlaMetric
from ticketing.models.follow_ups import FollowUp, SurveyResponse
from ticketing.models.sla_events import SlaVerdict
from ticketing.models.tickets import Ticket

# The roll-up's days are days in this zone: the reports' default (reports in another zone read
# the verdicts).
ROLLUP_ZONE = "Asia/Shanghai"


class ReportRollupMark(Base):
    """A day whose roll-up rows are out of date; [starts_at, ends_at) is that day in UTC."""

    __tablename__ = "report_rollup_marks"
    __table_args__ = (Index("ix_report_rollup_marks_day", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SlaDayTotal(Base):
    """Per day, team and metric: deadlines met and missed, and the stopped-in-time samples of
    the response-time report (count and sum of the elapsed and of the business seconds)."""

    __tablename__ = "report_sla_days"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    team_key: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    metric: Mapped[SlaMetric] = mapped_column(enum_type(SlaMetric, "sla_metric"), primary_key=True)
    met: Mapped[int] = mapped_column(Integer)
    breached: Mapped[int] = mapped_column(Integer)
    samples: Mapped[int] = mapped_column(Integer)
    elapsed_seconds: Mapped[int] = mapped_column(BigInteger)
    business_samples: Mapped[int] = mapped_column(Integer)
    business_seconds: Mapped[int] = mapped_column(BigInteger)


class SlaAgentDay(Base):
    """Per day, team, agent (`agent_key`: the verdict's assignee, 0 for none) and metric:
    deadlines met and missed (the per-agent SLA reports)."""

    __tablename__ = "report_sla_agent_days"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    team_key: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    agent_key: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    metric: Mapped[SlaMetric] = mapped_column(enum_type(SlaMetric, "sla_metric"), primary_key=True)
    met: Mapped[int] = mapped_column(Integer)
    breached: Mapped[int] = mapped_column(Integer)


class SlaDayTime(Base):
    """Per day, team, metric and measure ("e" elapsed, "b" business): how many stopped clocks
    took each time, in tenths of a minute (the precision the reports show), so medians and p90
    come out exactly as from the verdicts."""

    __tablename__ = "report_sla_times"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    team_key: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    metric: Mapped[SlaMetric] = mapped_column(enum_type(SlaMetric, "sla_metric"), primary_key=True)
    measure: Mapped[str] = mapped_column(String(1), primary_key=True)
    tenths: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    clocks: Mapped[int] = mapped_column(Integer)


class TicketDay(Base):
    """Per day, team, category, severity and channel: the tickets created, those resolved at
    least once, those reopened, and those unresolved (the complaint, reopen-rate and backlog
    reports)."""

    __tablename__ = "report_ticket_days"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    team_key: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    category: Mapped[Category] = mapped_column(enum_type(Category, "category"), primary_key=True)
    severity: Mapped[Severity] = mapped_column(enum_type(Severity, "severity"), primary_key=True)
    channel: Mapped[Channel] = mapped_column(enum_type(Channel, "channel"), primary_key=True)
    tickets: Mapped[int] = mapped_column(Integer)
    resolved: Mapped[int] = mapped_column(Integer)
    reopened: Mapped[int] = mapped_column(Integer)
    open: Mapped[int] = mapped_column(Integer)  # unresolved now (the backlog)


class SurveyDay(Base):
    """Per day (of the answer), team, CSAT and NPS given (-1: not answered): the answers."""

    __tablename__ = "report_survey_days"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    team_key: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    csat: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    nps: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    responses: Mapped[int] = mapped_column(Integer)


class FollowUpDay(Base):
    """Per day (the visit was due), team, status and whether a survey went out: the visits."""

    __tablename__ = "report_follow_up_days"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    team_key: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    status: Mapped[FollowUpStatus] = mapped_column(
        enum_type(FollowUpStatus, "follow_up_status"), primary_key=True
    )
    surveyed: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    visits: Mapped[int] = mapped_column(Integer)


# The ticket columns the roll-up holds (the team also as its relationship; created_at decides
# the day the ticket and its verdicts count in, so moving it marks both days).
TICKET_COLUMNS = (
    "created_at",
    "team_id",
    "team",
    "category",
    "severity",
    "channel",
    "resolved_at",
    "reopen_count",
    "status",
)


FOLLOW_UP_COLUMNS = ("status", "survey_sent_at", "due_at", "ticket_id")


def day_of(at: datetime) -> date:
    """The roll-up day of an instant."""
    return at.astimezone(ZoneInfo(ROLLUP_ZONE)).date()


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """A roll-up day as [start, end) in UTC."""
    zone = ZoneInfo(ROLLUP_ZONE)
    start = datetime.combine(day, time(), zone)
    end = datetime.combine(day + timedelta(days=1), time(), zone)
    return start.astimezone(UTC), end.astimezone(UTC)


def mark(session: Session, day: date) -> None:
    """Note that `day`'s roll-up rows must be rebuilt (in the caller's transaction)."""
    starts, ends = day_bounds(day)
    session.add(ReportRollupMark(day=day, starts_at=starts, ends_at=ends))


def _when(obj: Any, attribute: str) -> datetime:
    """A creation time, fixed here when the flush would fill it in: it decides the day."""
    if getattr(obj, attribute) is None:
        setattr(obj, attribute, utcnow())
    value: datetime = getattr(obj, attribute)
    return value


def _changed(obj: Any, names: tuple[str, ...]) -> bool:
    state = inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in names)


def _ticket_days(session: Session, ticket: Ticket, deleted: bool) -> set[date]:
    if ticket.id is None:  # new
        return {day_of(_when(ticket, "created_at"))}
    if not deleted and not _changed(ticket, TICKET_COLUMNS):
        return set()
    moved_from = inspect(ticket).attrs.created_at.history.deleted
    days = {day_of(at) for at in (*moved_from, ticket.created_at) if at is not None}
    if deleted or _changed(ticket, ("team_id", "team")):  # its care rows move team too
        for table, column in (
            (FollowUp, FollowUp.due_at),
            (SurveyResponse, SurveyResponse.created_at),
        ):
            days |= {
                day_of(at)
                for at in session.scalars(select(column).where(table.ticket_id == ticket.id))
            }
    return days


def _follow_up_days(follow_up: FollowUp, deleted: bool) -> set[date]:
    if follow_up.id is None or deleted:
        return {day_of(follow_up.due_at)}
    if not _changed(follow_up, FOLLOW_UP_COLUMNS):
        return set()
    history = inspect(follow_up).attrs.due_at.history
    return {day_of(at) for at in (*history.deleted, follow_up.due_at) if at is not None}


def changed_days(session: Session, obj: object, deleted: bool) -> set[date]:
    """The roll-up days a change to `obj` (new, changed, or `deleted`) affects."""
    if isinstance(obj, SlaVerdict):
        if not deleted and obj in session.dirty and not session.is_modified(obj):
            return set()
        ticket = session.get(Ticket, obj.ticket_id)
        return set() if ticket is None else {day_of(ticket.created_at)}
    if isinstance(obj, Ticket):
        return _ticket_days(session, obj, deleted)
    if isinstance(obj, FollowUp):
        return _follow_up_days(obj, deleted)
    if isinstance(obj, SurveyResponse) and (
        obj.id is None or deleted or _changed(obj, ("csat", "nps", "ticket_id"))
    ):
        return {day_of(_when(obj, "created_at"))}
    return set()


@event.listens_for(Session, "before_flush")
def _mark_changed_days(session: Session, _context: Any, _instances: Any) -> None:
    """Every flush that changes what the roll-up holds (a new ticket, a changed column of one,
    a verdict, a follow-up visit, a survey answer) marks the days it counts in: nothing that
    changes a report figure can leave the roll-up behind, whichever code path made it."""
    days: set[date] = set()
    for obj in chain(session.new, session.dirty):
        days |= changed_days(session, obj, deleted=False)
    for obj in session.deleted:
        days |= changed_days(session, obj, deleted=True)
    for day in sorted(days):
        mark(session, day)
