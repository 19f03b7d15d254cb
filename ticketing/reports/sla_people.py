"""SLA met per agent and per team, in total and per day: who keeps the promises.

Like every SLA figure these count the stored verdicts (`SlaVerdict`) of the tickets created in
the period; a ticket counts for its team and its assignee as they are now. Tickets in no team,
or with no assignee, are a row of their own (team or agent None), so the rows add up to the
totals of the `sla` report.

The team reports read the daily roll-up (`SlaDayTotal`, ticketing/reports/rollup.py) for clean
days and the verdicts for days marked since their rows were built; a slice the roll-up does not
hold reads the verdicts, as the other rolled-up reports do. The agent reports read the verdicts.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, false, func, literal_column, select
from sqlalchemy.orm import Session

from ticketing.models import SlaDayTotal, SlaMetric, SlaVerdict, Team, Ticket, User
from ticketing.reports import rollup
from ticketing.reports.base import (
    ReportFilters,
    Table,
    count_if,
    created_in,
    local_day,
    pct,
    plain,
    ticket_conditions,
)
from ticketing.reports.sla_figures import day_text, percent

COLUMNS = ["metric", "met", "breached", "pct_met"]

# (day or '', team or agent key (0: none), metric) -> [met, breached]
Counts = dict[tuple[str, int, SlaMetric], list[int]]


@dataclasses.dataclass(frozen=True)
class _By:
    """What the rows are per: the key from the verdicts, the roll-up table and its key column,
    and the names of the keys."""

    raw: Callable[[], ColumnElement[int]]
    table: type[SlaDayTotal]
    rolled: str
    names: Callable[[Session, set[int]], dict[int, str]]


def _team_names(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict(session.execute(select(Team.id, Team.name).where(Team.id.in_(ids))).all())


TEAM = _By(rollup.team_key, SlaDayTotal, "team_key", _team_names)


def _add(counts: Counts, rows: Iterable[Any]) -> None:
    for day, key, metric, met, late in rows:
        into = counts[(day_text(day), int(key), SlaMetric(metric))]
        into[0] += int(met)
        into[1] += int(late)


def _from_verdicts(
    session: Session,
    filters: ReportFilters,
    by: _By,
    conditions: list[ColumnElement[bool]],
    by_day: bool,
) -> Iterable[Any]:
    day = local_day(session, Ticket.created_at, filters) if by_day else literal_column("''")
    key = by.raw()
    met, late = rollup.totals_columns()[:2]
    groups = [day, key, SlaVerdict.metric] if by_day else [key, SlaVerdict.metric]
    return session.execute(
        rollup.verdicts_of(conditions)
        .add_columns(day, key, SlaVerdict.metric, met, late)
        .group_by(*groups)
    )


def _from_rollup(
    session: Session,
    filters: ReportFilters,
    by: _By,
    period: tuple[date, date, list[date]],
    by_day: bool,
) -> Iterable[Any]:
    first, end, marked = period
    table = by.table
    key = getattr(table, by.rolled)
    conditions = [table.day >= first, table.day < end]
    if marked:
        conditions.append(table.day.not_in(marked))
    if filters.team_id is not None:
        conditions.append(table.team_key == filters.team_id)
    if first >= end:
        conditions.append(false())
    day = table.day if by_day else literal_column("''")
    groups = [table.day, key, table.metric] if by_day else [key, table.metric]
    return session.execute(
        select(day, key, table.metric, func.sum(table.met), func.sum(table.breached))
        .where(*conditions)
        .group_by(*groups)
    )


def _counts(session: Session, filters: ReportFilters, by: _By, by_day: bool) -> Counts:
    """Met and missed verdicts per (day or '', key, metric), from the roll-up where it can
    answer and from the verdicts of the marked days and of periods it cannot."""
    counts: Counts = defaultdict(lambda: [0, 0])
    tickets = filters
    days = rollup.rolled_up_days(session, tickets)
    if days is None:
        _add(counts, _from_verdicts(session, filters, by, created_in(tickets), by_day))
        return counts
    first, end = days
    marked = rollup.marked_days(session, first, end)
    if marked:
        within = [rollup.created_within(marked), *ticket_conditions(tickets)]
        _add(counts, _from_verdicts(session, filters, by, within, by_day))
    period = (first, end, [day for day, _, _ in marked])
    _add(counts, _from_rollup(session, filters, by, period, by_day))
    return counts


def _rows(session: Session, by: _By, counts: Counts, by_day: bool) -> list[list[Any]]:
    """[day,] id (None: none), name, metric, met, breached, % met; by day, id (None last) and
    metric."""
    names = by.names(session, {key for _, key, _ in counts if key})
    rows = []
    for (day, key, metric), (met, late) in sorted(
        counts.items(), key=lambda i: (i[0][0], i[0][1] == 0, i[0][1], i[0][2].value)
    ):
        if met + late == 0:
            continue
        rows.append(
            [
                *([day] if by_day else []),
                key or None,
                names.get(key),
                metric.value,
                met,
                late,
                percent(met, met + late),
            ]
        )
    return rows


def _report(session: Session, filters: ReportFilters, by: _By, by_day: bool) -> list[list[Any]]:
    return _rows(session, by, _counts(session, filters, by, by_day), by_day)


def sla_by_team(session: Session, filters: ReportFilters, now: datetime) -> Table:
    """Per team and metric: deadlines met and missed, % met."""
    rows = _report(session, filters, TEAM, by_day=False)
    return Table("sla_by_team", ["team_id", "team", *COLUMNS], rows)


def sla_team_trend(session: Session, filters: ReportFilters, now: datetime) -> Table:
    """Per day of creation, team and metric: deadlines met and missed, % met."""
    rows = _report(session, filters, TEAM, by_day=True)
    return Table("sla_team_trend", ["day", "team_id", "team", *COLUMNS], rows)


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


def sla_by_agent(session: Session, filters: ReportFilters, now: datetime) -> Table:
    """Per assignee and metric: deadlines met and missed, % met."""
    rows = _met_by(
        session,
        filters,
        [Ticket.assignee_id, User.display_name],
        [(User, User.id == Ticket.assignee_id)],
    )
    return Table("sla_by_agent", ["agent_id", "agent", *COLUMNS], rows)


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
