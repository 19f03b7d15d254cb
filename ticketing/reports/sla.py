"""SLA reports: compliance per metric (in total and per day), the breaches, response times.

A breach is what the SLA worker recorded (its `SlaEvent` rows), plus a resolution after its
due time. Percentiles use the nearest-rank method with window functions (`row_number`,
`count(*) over`), since SQLite has no `percentile_cont`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, literal, or_, select, union_all
from sqlalchemy.orm import Session, aliased

from ticketing.models import (
    Message,
    MessageKind,
    SlaEvent,
    SlaEventKind,
    SlaMetric,
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
    created_in,
    epoch,
    in_period,
    local_day,
    pct,
    plain,
    rounded,
    ticket_conditions,
)


def _clock_outcomes(session: Session, filters: ReportFilters) -> Any:
    """One row per ticket created in the period: its day, and per metric whether the clock has
    an outcome (`<metric>_decided`) and whether that outcome is a breach (`<metric>_breached`).

    Breaches are the worker's SLA events; a resolution after its due time counts too. A first
    response is decided by the reply (or by resolving); a next-response clock exists once the
    customer wrote after the first reply, and is decided when it stops running. One pass over
    the tickets, with the events and customer messages aggregated once and joined.
    """
    flags = select(
        SlaEvent.ticket_id,
        *[func.max(case((SlaEvent.metric == m, 1), else_=0)).label(m.value) for m in SlaMetric],
    )
    flags = flags.where(SlaEvent.kind == SlaEventKind.BREACH, SlaEvent.at >= filters.start)
    breached = flags.group_by(SlaEvent.ticket_id).subquery()
    last_customer = (
        select(Message.ticket_id, func.max(Message.created_at).label("at"))
        .where(Message.kind == MessageKind.CUSTOMER, Message.created_at >= filters.start)
        .group_by(Message.ticket_id)
        .subquery()
    )

    def flag(metric: SlaMetric) -> ColumnElement[bool]:
        return func.coalesce(breached.c[metric.value], 0) == 1

    late_resolution = and_(
        Ticket.resolved_at.is_not(None),
        Ticket.resolution_due_at.is_not(None),
        Ticket.resolved_at > Ticket.resolution_due_at,
    )
    outcomes = {
        SlaMetric.FIRST_RESPONSE: (
            or_(
                Ticket.first_responded_at.is_not(None),
                Ticket.resolved_at.is_not(None),
                flag(SlaMetric.FIRST_RESPONSE),
            ),
            flag(SlaMetric.FIRST_RESPONSE),
        ),
        SlaMetric.NEXT_RESPONSE: (
            or_(
                flag(SlaMetric.NEXT_RESPONSE),
                and_(
                    last_customer.c.at > Ticket.first_responded_at,
                    Ticket.next_response_due_at.is_(None),
                ),
            ),
            flag(SlaMetric.NEXT_RESPONSE),
        ),
        SlaMetric.RESOLUTION: (
            or_(Ticket.resolved_at.is_not(None), flag(SlaMetric.RESOLUTION), late_resolution),
            or_(flag(SlaMetric.RESOLUTION), late_resolution),
        ),
    }
    columns = [local_day(session, Ticket.created_at, filters).label("day")]
    for metric, (decided, missed) in outcomes.items():
        columns.append(case((decided, 1), else_=0).label(f"{metric.value}_decided"))
        columns.append(case((missed, 1), else_=0).label(f"{metric.value}_breached"))
    return (
        select(*columns)
        .select_from(Ticket)
        .outerjoin(breached, breached.c.ticket_id == Ticket.id)
        .outerjoin(last_customer, last_customer.c.ticket_id == Ticket.id)
        .where(Ticket.sla_policy_id.is_not(None), *created_in(filters))
        .cte("clock_outcomes")
    )


def _compliance(session: Session, filters: ReportFilters, *, by_day: bool) -> list[list[Any]]:
    per_ticket = _clock_outcomes(session, filters)
    parts = []
    for metric in SlaMetric:
        decided = per_ticket.c[f"{metric.value}_decided"]
        missed = per_ticket.c[f"{metric.value}_breached"]
        met = func.coalesce(func.sum(decided - missed), 0)
        late = func.coalesce(func.sum(missed), 0)
        keys = [per_ticket.c.day] if by_day else []
        parts.append(
            select(
                *keys,
                literal(metric.value).label("metric"),
                met.label("met"),
                late.label("breached"),
                pct(met, met + late).label("pct_met"),
            ).group_by(*keys)
        )
    union = union_all(*parts).subquery()
    order = [union.c.day, union.c.metric] if by_day else [union.c.metric]
    return [plain(r) for r in session.execute(select(union).order_by(*order))]


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
    """The SLA breaches recorded in the period, newest first."""
    assignee = aliased(User)
    rows = session.execute(
        select(
            SlaEvent.at,
            SlaEvent.ticket_id,
            Ticket.subject,
            SlaEvent.metric,
            SlaEvent.due_at,
            SlaEvent.priority,
            Team.name,
            assignee.display_name,
            SlaEvent.escalated,
        )
        .join(Ticket, Ticket.id == SlaEvent.ticket_id)
        .outerjoin(Team, Team.id == Ticket.team_id)
        .outerjoin(assignee, assignee.id == Ticket.assignee_id)
        .where(
            SlaEvent.kind == SlaEventKind.BREACH,
            *in_period(SlaEvent.at, filters),
            *ticket_conditions(filters),
        )
        .order_by(SlaEvent.at.desc(), SlaEvent.id.desc())
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


def response_times(session: Session, filters: ReportFilters, now: datetime) -> Table:
    """First-response and resolution time in minutes: count, average, median and p90."""
    created = epoch(session, Ticket.created_at)
    samples = union_all(
        select(
            literal(SlaMetric.FIRST_RESPONSE.value).label("metric"),
            ((epoch(session, Ticket.first_responded_at) - created) / 60.0).label("v"),
        ).where(Ticket.first_responded_at.is_not(None), *created_in(filters)),
        select(
            literal(SlaMetric.RESOLUTION.value).label("metric"),
            ((epoch(session, Ticket.resolved_at) - created) / 60.0).label("v"),
        ).where(Ticket.resolved_at.is_not(None), *created_in(filters)),
    ).subquery()
    ranked = select(
        samples.c.metric,
        samples.c.v,
        func.row_number().over(partition_by=samples.c.metric, order_by=samples.c.v).label("rn"),
        func.count().over(partition_by=samples.c.metric).label("n"),
    ).subquery()

    def percentile(p: int) -> ColumnElement[float]:
        # Nearest rank: the smallest value whose rank reaches p% of the count.
        return rounded(func.min(case((ranked.c.rn * 100 >= ranked.c.n * p, ranked.c.v))), 1)

    rows = session.execute(
        select(
            ranked.c.metric,
            func.count().label("count"),
            rounded(func.avg(ranked.c.v), 1).label("avg_minutes"),
            percentile(50).label("median_minutes"),
            percentile(90).label("p90_minutes"),
        )
        .group_by(ranked.c.metric)
        .order_by(ranked.c.metric)
    ).all()
    return Table(
        "response_times",
        ["metric", "count", "avg_minutes", "median_minutes", "p90_minutes"],
        [[m, n, as_float(a), as_float(md), as_float(p90)] for m, n, a, md, p90 in rows],
    )
