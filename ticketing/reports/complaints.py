"""Complaint reports: the backlog by age, complaints by category, severity and channel, and the
share of cases reopened."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, case, func, literal_column, or_, select
from sqlalchemy.orm import Session

from ticketing.models import OPEN_STATUSES, Ticket, TicketDay
from ticketing.models.report_rollups import day_bounds, day_of
from ticketing.reports import rollup
from ticketing.reports.base import ReportFilters, Table, created_in, ticket_conditions
from ticketing.reports.sla_figures import percent

BACKLOG_BUCKETS = (  # (label, upper bound of the age in hours)
    ("< 4 h", 4),
    ("4-24 h", 24),
    ("1-3 d", 72),
    ("3-7 d", 168),
    ("> 7 d", None),
)


def backlog(session: Session, filters: ReportFilters, now: datetime) -> Table:
    """Unresolved tickets now, by age (the period does not apply: it is a snapshot). The days
    wholly past the oldest bucket's bound come from the roll-up where it can answer."""
    # Younger than h hours: created after now - h (compared as stored, no arithmetic per row).
    order = case(
        *[
            (Ticket.created_at > now - timedelta(hours=hours), index)
            for index, (_, hours) in enumerate(BACKLOG_BUCKETS)
            if hours
        ],
        else_=len(BACKLOG_BUCKETS) - 1,
    ).label("bucket")
    conditions = [Ticket.status.in_(OPEN_STATUSES), *ticket_conditions(filters)]
    rows: dict[int, int] = defaultdict(int)
    if rollup.sliced_as_rolled_up(session, filters):
        oldest = len(BACKLOG_BUCKETS) - 1
        bound = max(hours for _, hours in BACKLOG_BUCKETS if hours)
        # Days before this one are older than every bound: all theirs is the oldest bucket.
        cutoff = day_of(now - timedelta(hours=bound))
        marked = rollup.marked_days(session, date.min, cutoff)
        since = [Ticket.created_at >= day_bounds(cutoff)[0]]
        conditions.append(or_(*since, rollup.created_within(marked)) if marked else since[0])
        older = [TicketDay.day < cutoff]
        if marked:
            older.append(TicketDay.day.not_in([day for day, _, _ in marked]))
        if filters.team_id is not None:
            older.append(TicketDay.team_key == filters.team_id)
        rows[oldest] += int(session.scalar(select(func.sum(TicketDay.open)).where(*older)) or 0)
    for bucket, n in session.execute(
        select(order, func.count()).where(*conditions).group_by(order)
    ):
        rows[int(bucket)] += int(n)
    return Table(
        "backlog",
        ["age", "tickets"],
        [[label, rows[index]] for index, (label, _) in enumerate(BACKLOG_BUCKETS)],
    )


def _counts(session: Session, filters: ReportFilters, column: str | None) -> dict[Any, list[int]]:
    """Tickets created in the period, resolved at least once, and reopened, per value of a
    ticket column (or in all, when `column` is None): from the daily roll-up where it can
    answer, with the tickets of the days marked since their rows were built."""
    counts: dict[Any, list[int]] = defaultdict(lambda: [0, 0, 0])

    def add(rows: Iterable[Any]) -> None:
        for value, *numbers in rows:
            into = counts[value]
            for index, number in enumerate(numbers):
                into[index] += int(number or 0)

    def from_tickets(conditions: list[ColumnElement[bool]]) -> None:
        key = getattr(Ticket, column) if column else literal_column("''")
        stmt = select(key, *rollup.ticket_columns()[:3]).where(*conditions)
        add(session.execute(stmt.group_by(key) if column else stmt))

    days = rollup.rolled_up_days(session, filters)
    if days is None:
        from_tickets(created_in(filters))
        return counts
    first, end = days
    marked = rollup.marked_days(session, first, end)
    if marked:
        from_tickets([rollup.created_within(marked), *ticket_conditions(filters)])
    conditions = [TicketDay.day >= first, TicketDay.day < end]
    if marked:
        conditions.append(TicketDay.day.not_in([day for day, _, _ in marked]))
    if filters.team_id is not None:
        conditions.append(TicketDay.team_key == filters.team_id)
    key = getattr(TicketDay, column) if column else literal_column("''")
    sums = [func.sum(TicketDay.tickets), func.sum(TicketDay.resolved), func.sum(TicketDay.reopened)]
    stmt = select(key, *sums).where(*conditions)
    add(session.execute(stmt.group_by(key) if column else stmt))
    return counts


def _complaints_by(session: Session, filters: ReportFilters, column: str) -> Table:
    tickets = {value: numbers[0] for value, numbers in _counts(session, filters, column).items()}
    total = sum(tickets.values())
    ordered = sorted(
        (item for item in tickets.items() if item[1]), key=lambda i: (-i[1], i[0].value)
    )
    return Table(
        f"complaints_by_{column}",
        [column, "tickets", "pct"],
        [[value.value, n, percent(n, total)] for value, n in ordered],
    )


def complaints_by_category(session: Session, filters: ReportFilters, now: datetime) -> Table:
    return _complaints_by(session, filters, "category")


def complaints_by_severity(session: Session, filters: ReportFilters, now: datetime) -> Table:
    return _complaints_by(session, filters, "severity")


def complaints_by_channel(session: Session, filters: ReportFilters, now: datetime) -> Table:
    return _complaints_by(session, filters, "channel")


def reopen_rate(session: Session, filters: ReportFilters, now: datetime) -> Table:
    """Of the tickets created in the period and resolved at least once, the share reopened."""
    _, resolved, reopened = _counts(session, filters, None)[""]
    return Table(
        "reopen_rate",
        ["resolved", "reopened", "pct_reopened"],
        [[resolved, reopened, percent(reopened, resolved)]],
    )
