"""SLA met per agent and per team, in total and per day: who keeps the promises.

Like every SLA figure these count the stored verdicts (`SlaVerdict`) of the tickets created in
the period; a ticket counts for its team and its assignee as they are now (a ticket passed on
counts for whoever holds it). Tickets in no team, or with no assignee, are a row of their own
(team or agent None), so the rows add up to the totals of the `sla` report.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from ticketing.models import SlaMetric, SlaVerdict, Team, Ticket, User
from ticketing.reports.base import (
    ReportFilters,
    Table,
    count_if,
    created_in,
    local_day,
    pct,
    plain,
)

COLUMNS = ["metric", "met", "breached", "pct_met"]


def _day(session: Session, filters: ReportFilters) -> ColumnElement[Any]:
    """The local day of creation: a date on PostgreSQL (grouping by dates is cheaper than by
    formatted text), `local_day`'s text on SQLite."""
    if session.get_bind().dialect.name == "postgresql":
        return func.date(func.timezone(filters.timezone, Ticket.created_at)).label("day")
    return local_day(session, Ticket.created_at, filters).label("day")


def _met_by(
    session: Session, filters: ReportFilters, keys: list[Any], joins: list[tuple[Any, Any]]
) -> list[list[Any]]:
    """Met and missed verdicts per `keys` and metric among tickets created in the period."""
    met = count_if(SlaVerdict.breached.is_(False))
    late = count_if(SlaVerdict.breached.is_(True))
    stmt = select(
        *keys,
        SlaVerdict.metric,
        met.label("met"),
        late.label("breached"),
        pct(met, met + late).label("pct_met"),
    ).join(Ticket, Ticket.id == SlaVerdict.ticket_id)
    for target, on in joins:
        stmt = stmt.outerjoin(target, on)
    rows = session.execute(
        stmt.where(*created_in(filters))
        .group_by(*keys, SlaVerdict.metric)
        .order_by(*keys, SlaVerdict.metric)
    )
    return [
        plain(
            [
                *(k.isoformat() if isinstance(k, date) else k for k in r[:-4]),
                SlaMetric(r[-4]).value,
                *r[-3:],
            ]
        )
        for r in rows
    ]


def sla_by_team(session: Session, filters: ReportFilters, now: datetime) -> Table:
    """Per team and metric: deadlines met and missed, % met."""
    rows = _met_by(
        session, filters, [Ticket.team_id, Team.name], [(Team, Team.id == Ticket.team_id)]
    )
    return Table("sla_by_team", ["team_id", "team", *COLUMNS], rows)


def sla_by_agent(session: Session, filters: ReportFilters, now: datetime) -> Table:
    """Per assignee and metric: deadlines met and missed, % met."""
    rows = _met_by(
        session,
        filters,
        [Ticket.assignee_id, User.display_name],
        [(User, User.id == Ticket.assignee_id)],
    )
    return Table("sla_by_agent", ["agent_id", "agent", *COLUMNS], rows)


def sla_team_trend(session: Session, filters: ReportFilters, now: datetime) -> Table:
    """Per day of creation, team and metric: deadlines met and missed, % met."""
    day = _day(session, filters)
    rows = _met_by(
        session, filters, [day, Ticket.team_id, Team.name], [(Team, Team.id == Ticket.team_id)]
    )
    return Table("sla_team_trend", ["day", "team_id", "team", *COLUMNS], rows)


def sla_agent_trend(session: Session, filters: ReportFilters, now: datetime) -> Table:
    """Per day of creation, assignee and metric: deadlines met and missed, % met."""
    day = _day(session, filters)
    rows = _met_by(
        session,
        filters,
        [day, Ticket.assignee_id, User.display_name],
        [(User, User.id == Ticket.assignee_id)],
    )
    return Table("sla_agent_trend", ["day", "agent_id", "agent", *COLUMNS], rows)
