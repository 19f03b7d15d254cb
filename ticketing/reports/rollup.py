"""The reports' daily roll-up (tables in ticketing/models/report_rollups.py): how a day's rows
are built from the tickets and verdicts, the worker's refresh of marked days, the full rebuild,
and which periods the roll-up can answer.

The same aggregate expressions build the roll-up rows and answer the reports from the verdicts
directly, so both ways count the same things; the reports (ticketing/reports/sla.py) finish the
figures (percentages, averages, percentiles) in Python from the counts and sums either way.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    and_,
    case,
    delete,
    func,
    insert,
    literal,
    literal_column,
    or_,
    select,
    text,
    type_coerce,
)
from sqlalchemy.orm import Session, sessionmaker

from ticketing.models import (
    OPEN_STATUSES,
    FollowUp,
    FollowUpDay,
    ReportRollupMark,
    SlaAgentDay,
    SlaDayTime,
    SlaDayTotal,
    SlaMetric,
    SlaVerdict,
    SurveyDay,
    SurveyResponse,
    Ticket,
    TicketDay,
)
from ticketing.models.report_rollups import ROLLUP_ZONE, day_bounds, day_of, mark
from ticketing.reports.base import ReportFilters, ticket_conditions

# Set `session.info[READ_VERDICTS] = True` to answer from the verdicts alone (tests, bench).
READ_VERDICTS = "reports.read_verdicts"
# The days one refresh rebuilds at most (the worker comes back for the rest).
REFRESH_DAYS = 31
# Filters the roll-up holds: any other slice (agent, category, tag, ...) reads the verdicts.
_ROLLED_UP = {"start", "end", "team_id", "timezone"}
_ADVISORY_LOCK = 741_014  # one refresher at a time on PostgreSQL


# --- the aggregates, shared by the roll-up and the reports ---------------------------------------


def team_key() -> ColumnElement[int]:
    return func.coalesce(Ticket.team_id, literal_column("0"))


def agent_key() -> ColumnElement[int]:
    """Whose verdict it is: the ticket's assignee when it was decided, 0 for none."""
    return func.coalesce(SlaVerdict.assignee_id, literal_column("0"))


def _sample() -> ColumnElement[bool]:
    """A clock stopped in time for the response-time report: every stopped resolution clock,
    and the response clocks a reply stopped."""
    return and_(
        SlaVerdict.stopped_at.is_not(None),
        SlaVerdict.elapsed_seconds.is_not(None),
        or_(SlaVerdict.metric == SlaMetric.RESOLUTION, SlaVerdict.stopped_by == "reply"),
    )


def _sum_if(condition: ColumnElement[bool], value: Any = 1) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, value), else_=0)), 0)


def totals_columns() -> list[ColumnElement[Any]]:
    """met, breached, samples, elapsed_seconds, business_samples, business_seconds."""
    business = and_(_sample(), SlaVerdict.business_seconds.is_not(None))
    return [
        _sum_if(SlaVerdict.breached.is_(False)).label("met"),
        _sum_if(SlaVerdict.breached.is_(True)).label("breached"),
        _sum_if(_sample()).label("samples"),
        _sum_if(_sample(), SlaVerdict.elapsed_seconds).label("elapsed_seconds"),
        _sum_if(business).label("business_samples"),
        _sum_if(business, SlaVerdict.business_seconds).label("business_seconds"),
    ]


def tenths(seconds: Any) -> ColumnElement[int]:
    """Seconds as whole tenths of a minute, halves up, in integer arithmetic on both databases
    (the reports show minutes with one decimal)."""
    key: ColumnElement[int] = type_coerce((seconds * 10 + 30) // 60, Integer)
    return key


def ticket_columns() -> list[ColumnElement[int]]:
    """tickets, resolved (at least once), reopened, open now."""
    return [
        func.count().label("tickets"),
        _sum_if(or_(Ticket.resolved_at.is_not(None), Ticket.reopen_count > 0)).label("resolved"),
        _sum_if(Ticket.reopen_count > 0).label("reopened"),
        _sum_if(Ticket.status.in_(OPEN_STATUSES)).label("open"),
    ]


MEASURES = {"e": SlaVerdict.elapsed_seconds, "b": SlaVerdict.business_seconds}


def verdicts_of(conditions: Sequence[ColumnElement[bool]]) -> Select[Any]:
    return (
        select()
        .select_from(SlaVerdict)
        .join(Ticket, Ticket.id == SlaVerdict.ticket_id)
        .where(*conditions)
    )


def times_select(
    measure: str, keys: Sequence[ColumnElement[Any]], conditions: Sequence[ColumnElement[bool]]
) -> Select[Any]:
    """Stopped clocks per (keys, metric, tenths of a minute) of one measure."""
    seconds = MEASURES[measure]
    key = tenths(seconds).label("tenths")
    return (
        verdicts_of([*conditions, _sample(), seconds.is_not(None)])
        .add_columns(*keys, SlaVerdict.metric, key, func.count().label("clocks"))
        .group_by(*keys, SlaVerdict.metric, key)
    )


# --- which periods the roll-up answers -----------------------------------------------------------


def sliced_as_rolled_up(session: Session, filters: ReportFilters) -> bool:
    """No slice but the team (and the roll-up not turned off for this session)."""
    if session.info.get(READ_VERDICTS):
        return False
    return all(
        item.name in _ROLLED_UP or getattr(filters, item.name) is None
        for item in dataclasses.fields(filters)
    )


def rolled_up_days(session: Session, filters: ReportFilters) -> tuple[date, date] | None:
    """The period as roll-up days [first, end), when the roll-up can answer it: whole days in the
    roll-up's zone and no slice but the team."""
    if filters.timezone != ROLLUP_ZONE or not sliced_as_rolled_up(session, filters):
        return None
    zone = ZoneInfo(ROLLUP_ZONE)
    first, end = (at.astimezone(zone) for at in (filters.start, filters.end))
    if any(at.timetz().replace(tzinfo=None) != datetime.min.time() for at in (first, end)):
        return None
    return first.date(), end.date()


def marked_days(session: Session, first: date, end: date) -> list[tuple[date, datetime, datetime]]:
    """The marked days of [first, end), with their UTC ranges: their roll-up rows may be
    behind the verdicts."""
    rows = session.execute(
        select(ReportRollupMark.day, ReportRollupMark.starts_at, ReportRollupMark.ends_at)
        .where(ReportRollupMark.day >= first, ReportRollupMark.day < end)
        .distinct()
    )
    return sorted((day, starts, ends) for day, starts, ends in rows)


def created_within(
    days: Sequence[tuple[date, datetime, datetime]], column: Any = Ticket.created_at
) -> ColumnElement[bool]:
    return or_(*(and_(column >= starts, column < ends) for _, starts, ends in days))


Rows = Callable[[list[ColumnElement[bool]], list[ColumnElement[bool]]], Iterable[Any]]


def gather_rows(
    session: Session,
    filters: ReportFilters,
    at: Any,
    table: type[FollowUpDay] | type[SurveyDay],
    raw: Rows,
    rolled: Callable[[list[ColumnElement[bool]]], Iterable[Any]],
) -> list[Any]:
    """The rows of `raw(conditions on at, ticket slices)` for the period, or where the roll-up
    can answer, those of `rolled(conditions on table)` for its days and of `raw` for the days
    marked since their rows were built."""
    days = rolled_up_days(session, filters)
    if days is None:
        return list(raw([at >= filters.start, at < filters.end], ticket_conditions(filters)))
    first, end = days
    marked = marked_days(session, first, end)
    rows = list(raw([created_within(marked, at)], ticket_conditions(filters))) if marked else []
    conditions = [table.day >= first, table.day < end]
    if marked:
        conditions.append(table.day.not_in([day for day, _, _ in marked]))
    if filters.team_id is not None:
        conditions.append(table.team_key == filters.team_id)
    return rows + list(rolled(conditions))


# --- keeping the rows current --------------------------------------------------------------------


def rebuild_day(session: Session, day: date) -> None:
    """Replace a day's roll-up rows with the aggregate of its verdicts."""
    starts, ends = day_bounds(day)
    session.execute(delete(SlaDayTotal).where(SlaDayTotal.day == day))
    session.execute(delete(SlaAgentDay).where(SlaAgentDay.day == day))
    session.execute(delete(SlaDayTime).where(SlaDayTime.day == day))
    session.execute(delete(TicketDay).where(TicketDay.day == day))
    of_day = [Ticket.created_at >= starts, Ticket.created_at < ends]
    keys: list[ColumnElement[Any]] = [literal(day).label("day"), team_key().label("team_key")]
    totals = totals_columns()
    by_team = (
        verdicts_of(of_day)
        .add_columns(*keys, SlaVerdict.metric, *totals)
        .group_by(keys[1], SlaVerdict.metric)
    )
    session.execute(
        insert(SlaDayTotal).from_select(
            [
                "day",
                "team_key",
                "metric",
                "met",
                "breached",
                "samples",
                "elapsed_seconds",
                "business_samples",
                "business_seconds",
            ],
            by_team,
        )
    )
    agents = (
        verdicts_of(of_day)
        .add_columns(*keys, agent_key().label("agent_key"), SlaVerdict.metric, *totals[:2])
        .group_by(keys[1], agent_key(), SlaVerdict.metric)
    )
    session.execute(
        insert(SlaAgentDay).from_select(
            ["day", "team_key", "agent_key", "metric", "met", "breached"], agents
        )
    )
    slices = [Ticket.category, Ticket.severity, Ticket.channel]
    session.execute(
        insert(TicketDay).from_select(
            [
                "day",
                "team_key",
                "category",
                "severity",
                "channel",
                "tickets",
                "resolved",
                "reopened",
                "open",
            ],
            select(*keys, *slices, *ticket_columns()).where(*of_day).group_by(keys[1], *slices),
        )
    )
    _rebuild_care(session, day, keys)
    for measure in MEASURES:
        times = times_select(measure, [team_key().label("team_key")], of_day).subquery()
        session.execute(
            insert(SlaDayTime).from_select(
                ["day", "team_key", "measure", "metric", "tenths", "clocks"],
                select(
                    literal(day).label("day"),
                    times.c.team_key,
                    literal(measure).label("measure"),
                    times.c.metric,
                    times.c.tenths,
                    times.c.clocks,
                ),
            )
        )


def _rebuild_care(session: Session, day: date, keys: list[ColumnElement[Any]]) -> None:
    """The day's survey answers and follow-up visits (by their own dates)."""
    session.execute(delete(SurveyDay).where(SurveyDay.day == day))
    session.execute(delete(FollowUpDay).where(FollowUpDay.day == day))
    starts, ends = day_bounds(day)
    scores = [survey_score(SurveyResponse.csat), survey_score(SurveyResponse.nps)]
    session.execute(
        insert(SurveyDay).from_select(
            ["day", "team_key", "csat", "nps", "responses"],
            select(*keys, *scores, func.count())
            .select_from(SurveyResponse)
            .join(Ticket, Ticket.id == SurveyResponse.ticket_id)
            .where(SurveyResponse.created_at >= starts, SurveyResponse.created_at < ends)
            .group_by(keys[1], *scores),
        )
    )
    kinds = [FollowUp.status, visit_surveyed()]
    session.execute(
        insert(FollowUpDay).from_select(
            ["day", "team_key", "status", "surveyed", "visits"],
            select(*keys, *kinds, func.count())
            .select_from(FollowUp)
            .join(Ticket, Ticket.id == FollowUp.ticket_id)
            .where(FollowUp.due_at >= starts, FollowUp.due_at < ends)
            .group_by(keys[1], *kinds),
        )
    )


def survey_score(column: Any) -> ColumnElement[int]:
    """A score, or -1 for a question not answered."""
    return func.coalesce(column, literal_column("-1")).label(column.key)


def visit_surveyed() -> ColumnElement[bool]:
    return FollowUp.survey_sent_at.is_not(None).label("surveyed")


def _locked(session: Session) -> bool:
    if session.get_bind().dialect.name != "postgresql":
        return True  # SQLite: one writer at a time already
    return bool(session.scalar(text(f"SELECT pg_try_advisory_xact_lock({_ADVISORY_LOCK})")))


def refresh(factory: sessionmaker[Session], limit: int = REFRESH_DAYS) -> int:
    """Rebuild the marked days (up to `limit` of them, oldest marks first) and remove the marks
    read; returns the days rebuilt. A mark written while this runs stays for the next pass, so
    a change is never lost, and a crash leaves the marks in place."""
    with factory() as session, session.begin():
        if not _locked(session):
            return 0
        marks = session.execute(
            select(ReportRollupMark.id, ReportRollupMark.day).order_by(ReportRollupMark.id)
        ).all()
        days: list[date] = []
        for _, day in marks:
            if day not in days:
                days.append(day)
        days = days[:limit]
        for day in days:
            rebuild_day(session, day)
        done = [mark_id for mark_id, day in marks if day in days]
        for start in range(0, len(done), 500):
            session.execute(
                delete(ReportRollupMark).where(ReportRollupMark.id.in_(done[start : start + 500]))
            )
    return len(days)


def mark_all(session: Session) -> int:
    """Mark every day that has tickets, survey answers or follow-up visits (for a rebuild);
    returns the days marked."""
    spans = [
        session.execute(select(func.min(column), func.max(column))).one()
        for column in (Ticket.created_at, SurveyResponse.created_at, FollowUp.due_at)
    ]
    instants = [at for span in spans for at in span if at is not None]
    if not instants:
        return 0
    day, end = day_of(min(instants)), day_of(max(instants))
    count = 0
    while day <= end:
        mark(session, day)
        day += timedelta(days=1)
        count += 1
    return count


def rebuild(factory: sessionmaker[Session]) -> int:
    """Rebuild the whole roll-up from the verdicts (`python -m ticketing reports rebuild`):
    every day is marked, then refreshed; the reports stay exact throughout."""
    with factory() as session, session.begin():
        session.execute(delete(SlaDayTotal))
        session.execute(delete(SlaAgentDay))
        session.execute(delete(SlaDayTime))
        session.execute(delete(TicketDay))
        session.execute(delete(SurveyDay))
        session.execute(delete(FollowUpDay))
        mark_all(session)
    rebuilt = 0
    while days := refresh(factory):
        rebuilt += days
    return rebuilt
