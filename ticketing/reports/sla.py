"""SLA reports: compliance per metric (in total and per day), the breaches, response times,
and each ticket's verdicts.

Every figure reads the stored verdicts (`SlaVerdict`, ticketing/sla/verdicts.py): one per
deadline, decided once by the reply, the resolution or the worker, with the business and elapsed
time the clock took. Compliance and response times come from the daily roll-up of the verdicts
where it can answer, exactly as from the verdicts (ticketing/reports/sla_figures.py).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from ticketing.models import (
    SlaEvent,
    SlaEventKind,
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
    created_in,
    in_period,
    ticket_conditions,
)
from ticketing.reports.sla_figures import compliance_rows, gather, time_rows


def sla_compliance(session: Session, filters: ReportFilters, now: datetime) -> Table:
    """Per metric: clocks met and breached among tickets created in the period, % met."""
    figures = gather(session, filters, by_day=False, times=False)
    return Table(
        "sla", ["metric", "met", "breached", "pct_met"], compliance_rows(figures, by_day=False)
    )


def sla_trend(session: Session, filters: ReportFilters, now: datetime) -> Table:
    """SLA compliance per day of creation and metric."""
    figures = gather(session, filters, by_day=True, times=False)
    return Table(
        "sla_trend",
        ["day", "metric", "met", "breached", "pct_met"],
        compliance_rows(figures, by_day=True),
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


def response_times(session: Session, filters: ReportFilters, now: datetime) -> Table:
    """First-response, next-response and resolution time: count, and the average, median and
    p90 of the elapsed minutes and of the business minutes the SLA clock counted. Response
    times count the clocks a reply stopped, resolution times all stopped clocks."""
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
        time_rows(gather(session, filters, by_day=False, times=True)),
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
