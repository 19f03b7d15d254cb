"""SLA reports: compliance per metric (in total and per day), the breaches, response times,
and each ticket's verdicts.

Every figure reads the stored verdicts (`SlaVerdict`, ticketing/sla/verdicts.py): one per
deadline, decided once by the reply, the resolution or the worker, with the business and elapsed
time the clock took. Percentiles use the nearest-rank method with window functions
(`row_number`, `count(*) over`), since SQLite has no `percentile_cont`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, case, func, or_, select
from sqlalchemy.orm import Session, aliased

from ticketing.models import (
    SlaEvent,
    SlaEventKind,
    SlaMetric,
    SlaVerdict,
    Team,
    Ticket,
    User,
    format_ticket_number,
)
from ticketing.reports.base import (
    LIST_LIMIT,
    ReportFilters,
    Table,
    as_float,
    count_if,
    created_in,
    in_period,
    local_day,
    pct,
    plain,
    rounded,
    ticket_conditions,
)


def _compliance(session: Session, filters: ReportFilters, *, by_day: bool) -> list[list[Any]]:
    """Met and missed deadlines per metric (and day of creation) of the tickets created in the
    period: the stored verdicts, counted."""
    keys = [local_day(session, Ticket.created_at, filters).label("day")] if by_day else []
    met = count_if(SlaVerdict.breached.is_(False))
    late = count_if(SlaVerdict.breached.is_(True))
    rows = session.execute(
        select(
            *keys,
            SlaVerdict.metric,
            met.label("met"),
            late.label("breached"),
            pct(met, met + late).label("pct_met"),
        )
        .join(Ticket, Ticket.id == SlaVerdict.ticket_id)
        .where(*created_in(filters))
        .group_by(*keys, SlaVerdict.metric)
        .order_by(*keys, SlaVerdict.metric)
    )
    return [plain([*r[:-4], SlaMetric(r[-4]).value, *r[-3:]]) for r in rows]


def sla_compliance(session: Session, filters: ReportFilters, now: datetime) -> Table:
    """Per metric: clocks met and breached among tickets created in the period, % met."""
    return Table(
        "sla", ["metric", "met", "breached", "pct_met"], _compliance(session, filters, by_day=False)
    )


def sla_trend(session: Session, filters: ReportFilters, now: datetime) -> Table:
    """SLA compliance per day of creation and metric."""
    return Table(
        "sla_trend",
        ["day", "metric", "met", "breached", "pct_met"],
        _compliance(session, filters, by_day=True),
    )


def breaches(session: Session, filters: ReportFilters, now: datetime) -> Table:
    """The deadlines missed in the period (by when the verdict was decided), newest first."""
    assignee = aliased(User)
    escalated = (
        select(SlaEvent.escalated)
        .where(
            SlaEvent.ticket_id == SlaVerdict.ticket_id,
            SlaEvent.metric == SlaVerdict.metric,
            SlaEvent.clock == SlaVerdict.clock,
            SlaEvent.kind == SlaEventKind.BREACH,
        )
        .limit(1)
        .scalar_subquery()
    )
    rows = session.execute(
        select(
            SlaVerdict.decided_at,
            SlaVerdict.ticket_id,
            Ticket.subject,
            SlaVerdict.metric,
            SlaVerdict.due_at,
            SlaVerdict.priority,
            Team.name,
            assignee.display_name,
            func.coalesce(escalated, False),
        )
        .join(Ticket, Ticket.id == SlaVerdict.ticket_id)
        .outerjoin(Team, Team.id == Ticket.team_id)
        .outerjoin(assignee, assignee.id == Ticket.assignee_id)
        .where(
            SlaVerdict.breached.is_(True),
            *in_period(SlaVerdict.decided_at, filters),
            *ticket_conditions(filters),
        )
        .order_by(SlaVerdict.decided_at.desc(), SlaVerdict.id.desc())
        .limit(LIST_LIMIT)
    ).all()
    return Table(
        "breaches",
        [
            "breached_at",
            "ticket",
            "subject",
            "metric",
            "due_at",
            "priority",
            "team",
            "assignee",
            "escalated",
        ],
        [
            [
                at.isoformat(),
                format_ticket_number(ticket_id),
                subject,
                metric.value,
                due.isoformat(),
                priority.value,
                team,
                agent,
                bool(escalated),
            ]
            for at, ticket_id, subject, metric, due, priority, team, agent, escalated in rows
        ],
    )


def _stopped_in_time_samples(filters: ReportFilters) -> Any:
    """One row per stopped clock of the tickets created in the period: its metric, elapsed and
    business minutes. Response times count the clocks a reply stopped, resolution times all."""
    return (
        select(
            SlaVerdict.metric.label("metric"),
            (SlaVerdict.elapsed_seconds / 60.0).label("v"),
            (SlaVerdict.business_seconds / 60.0).label("b"),
        )
        .join(Ticket, Ticket.id == SlaVerdict.ticket_id)
        .where(
            SlaVerdict.stopped_at.is_not(None),
            or_(
                SlaVerdict.metric == SlaMetric.RESOLUTION,
                SlaVerdict.stopped_by == "reply",
            ),
            *created_in(filters),
        )
        .subquery()
    )


def response_times(session: Session, filters: ReportFilters, now: datetime) -> Table:
    """First-response, next-response and resolution time: count, and the average, median and
    p90 of the elapsed minutes and of the business minutes the SLA clock counted."""
    samples = _stopped_in_time_samples(filters)
    ranked = select(
        samples.c.metric,
        samples.c.v,
        samples.c.b,
        func.row_number().over(partition_by=samples.c.metric, order_by=samples.c.v).label("rv"),
        func.row_number().over(partition_by=samples.c.metric, order_by=samples.c.b).label("rb"),
        func.count().over(partition_by=samples.c.metric).label("n"),
    ).subquery()

    def percentile(value: Any, rank: Any, p: int) -> ColumnElement[float]:
        # Nearest rank: the smallest value whose rank reaches p% of the count.
        return rounded(func.min(case((rank * 100 >= ranked.c.n * p, value))), 1)

    figures = []
    for value, rank in ((ranked.c.v, ranked.c.rv), (ranked.c.b, ranked.c.rb)):
        figures += [
            rounded(func.avg(value), 1),
            percentile(value, rank, 50),
            percentile(value, rank, 90),
        ]
    rows = session.execute(
        select(ranked.c.metric, func.count(), *figures)
        .group_by(ranked.c.metric)
        .order_by(ranked.c.metric)
    ).all()
    return Table(
        "response_times",
        [
            "metric",
            "count",
            "avg_minutes",
            "median_minutes",
            "p90_minutes",
            "business_avg_minutes",
            "business_median_minutes",
            "business_p90_minutes",
        ],
        [[m.value, n, *(as_float(f) for f in rest)] for m, n, *rest in rows],
    )


def sla_tickets(session: Session, filters: ReportFilters, now: datetime) -> Table:
    """Per ticket created in the period, each deadline's verdict and the time it took."""
    rows = session.execute(
        select(
            SlaVerdict.ticket_id,
            SlaVerdict.metric,
            SlaVerdict.clock,
            SlaVerdict.breached,
            SlaVerdict.due_at,
            SlaVerdict.decided_at,
            SlaVerdict.business_seconds,
            SlaVerdict.elapsed_seconds,
        )
        .join(Ticket, Ticket.id == SlaVerdict.ticket_id)
        .where(*created_in(filters))
        .order_by(SlaVerdict.ticket_id, SlaVerdict.id)
        .limit(LIST_LIMIT)
    ).all()

    def minutes(seconds: int | None) -> float | None:
        return None if seconds is None else round(seconds / 60.0, 1)

    return Table(
        "sla_tickets",
        [
            "ticket",
            "metric",
            "clock",
            "verdict",
            "due_at",
            "decided_at",
            "business_minutes",
            "elapsed_minutes",
        ],
        [
            [
                format_ticket_number(ticket_id),
                metric.value,
                clock,
                "missed" if missed else "met",
                due.isoformat(),
                decided.isoformat(),
                minutes(business),
                minutes(elapsed),
            ]
            for ticket_id, metric, clock, missed, due, decided, business, elapsed in rows
        ],
    )
