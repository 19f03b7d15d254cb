"""Complaint reports: the backlog by age, complaints by category, severity and channel, and the
share of cases reopened."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import case, func, literal, or_, select
from sqlalchemy.orm import Session

from ticketing.models import OPEN_STATUSES, Ticket
from ticketing.reports.base import (
    ReportFilters,
    Table,
    as_float,
    count_if,
    created_in,
    epoch,
    pct,
    plain,
    ticket_conditions,
)

BACKLOG_BUCKETS = (  # (label, upper bound of the age in hours)
    ("< 4 h", 4),
    ("4-24 h", 24),
    ("1-3 d", 72),
    ("3-7 d", 168),
    ("> 7 d", None),
)


def backlog(session: Session, filters: ReportFilters, now: datetime) -> Table:
    """Unresolved tickets now, by age (the period does not apply: it is a snapshot)."""
    age_hours = (literal(now.timestamp()) - epoch(session, Ticket.created_at)) / 3600.0
    order = case(
        *[(age_hours < hours, index) for index, (_, hours) in enumerate(BACKLOG_BUCKETS) if hours],
        else_=len(BACKLOG_BUCKETS) - 1,
    ).label("bucket")
    rows: dict[int, int] = {
        int(bucket): int(n)
        for bucket, n in session.execute(
            select(order, func.count())
            .where(Ticket.status.in_(OPEN_STATUSES), *ticket_conditions(filters))
            .group_by(order)
        )
    }
    return Table(
        "backlog",
        ["age", "tickets"],
        [[label, int(rows.get(index, 0))] for index, (label, _) in enumerate(BACKLOG_BUCKETS)],
    )


def _complaints_by(session: Session, filters: ReportFilters, column: Any, name: str) -> Table:
    count = func.count(Ticket.id)
    rows = session.execute(
        select(
            column,
            count.label("tickets"),
            pct(count, func.sum(count).over()).label("pct"),
        )
        .where(*created_in(filters))
        .group_by(column)
        .order_by(count.desc(), column)
    ).all()
    return Table(
        f"complaints_by_{name}",
        [name, "tickets", "pct"],
        [[value.value, n, as_float(pct)] for value, n, pct in rows],
    )


def complaints_by_category(session: Session, filters: ReportFilters, now: datetime) -> Table:
    return _complaints_by(session, filters, Ticket.category, "category")


def complaints_by_severity(session: Session, filters: ReportFilters, now: datetime) -> Table:
    return _complaints_by(session, filters, Ticket.severity, "severity")


def complaints_by_channel(session: Session, filters: ReportFilters, now: datetime) -> Table:
    return _complaints_by(session, filters, Ticket.channel, "channel")


def reopen_rate(session: Session, filters: ReportFilters, now: datetime) -> Table:
    """Of the tickets created in the period and resolved at least once, the share reopened."""
    resolved = count_if(or_(Ticket.resolved_at.is_not(None), Ticket.reopen_count > 0))
    reopened = count_if(Ticket.reopen_count > 0)
    row = session.execute(
        select(resolved, reopened, pct(reopened, resolved)).where(*created_in(filters))
    ).one()
    return Table("reopen_rate", ["resolved", "reopened", "pct_reopened"], [plain(row)])
