"""Which of a ticket's SLA clocks are overdue: in Python for one ticket, in SQL for a list.

A clock is overdue when it runs past its due time, or is paused after it (a clock paused in time
is not overdue however long the pause); one met once and for all is never overdue.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, and_, func, literal, or_

from ticketing.models import SlaMetric, Ticket, UTCDateTime
from ticketing.sla.clock import is_breached
from ticketing.sla.metrics import METRICS


def sla_breaches(ticket: Ticket, now: datetime) -> dict[SlaMetric, bool]:
    """Each SLA clock of `ticket`: whether it is overdue at `now`. The SQL of
    `breached_condition` applies the same rule."""
    clock_at = ticket.sla_paused_at or now
    return {
        m.metric: m.met_at(ticket) is None and is_breached(m.due_at(ticket), None, clock_at)
        for m in METRICS
    }


def breached_condition(now: datetime) -> ColumnElement[bool]:
    """Tickets with at least one overdue clock at `now`. The IS NOT NULL guards keep its
    negation from being NULL (and so dropping the ticket) when a clock is not running."""
    clock_at = func.coalesce(Ticket.sla_paused_at, literal(now, UTCDateTime()))
    overdue = []
    for metric in METRICS:
        due = metric.due_column
        running = [due.is_not(None), due < clock_at]
        met = metric.met_column
        overdue.append(and_(met.is_(None), *running) if met is not None else and_(*running))
    return or_(*overdue)
