"""SLA met per agent and per team, in total and per day: who keeps the promises.

Like every SLA figure these count the stored verdicts (`SlaVerdict`) of the tickets created in
the period. A verdict counts for the ticket's team as it is now, and for the agent who held the
ticket when the verdict was decided (`SlaVerdict.assignee_id`: a ticket passed on after a
missed deadline leaves the miss with whoever missed it); in the agent reports the agent filter
means that agent too. Tickets in no team, and verdicts decided while nobody held the ticket, are
a row of their own (team or agent None), so the rows add up to the totals of the `sla` report.

They read the daily roll-ups (`SlaDayTotal` per team, `SlaAgentDay` per team and agent;
ticketing/reports/rollup.py) for clean days and the verdicts for days marked since their rows
were built; a slice the roll-up does not hold reads the verdicts, as the other rolled-up
reports do.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, false, func, literal_column, select
from sqlalchemy.orm import Session

from ticketing.models import SlaAgentDay, SlaDayTotal, SlaMetric, SlaVerdict, Team, Ticket, User
from ticketing.reports import rollup
from ticketing.reports.base import (
    ReportFilters,
    Table,
    created_in,
    local_day,
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
    table: type[SlaDayTotal] | type[SlaAgentDay]
    rolled: str
    names: Callable[[Session, set[int]], dict[int, str]]
    agent_is_key: bool  # the agent filter applies to the key, not to the ticket's assignee


def _team_names(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict(session.execute(select(Team.id, Team.name).where(Team.id.in_(ids))).all())


def _agent_names(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = session.execute(select(User.id, User.display_name).where(User.id.in_(ids)))
    return dict(rows.all())


TEAM = _By(rollup.team_key, SlaDayTotal, "team_key", _team_names, agent_is_key=False)
AGENT = _By(rollup.agent_key, SlaAgentDay, "agent_key", _agent_names, agent_is_key=True)


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
    if by.agent_is_key and filters.agent_id is not None:
        conditions = [*conditions, SlaVerdict.assignee_id == filters.agent_id]
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
    if by.agent_is_key and filters.agent_id is not None:
        conditions.append(key == filters.agent_id)
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
    # The ticket slices; in the agent reports the agent is the verdict's, applied on its own.
    tickets = dataclasses.replace(filters, agent_id=None) if by.agent_is_key else filters
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


def sla_by_agent(session: Session, filters: ReportFilters, now: datetime) -> Table:
    """Per agent (who held the ticket when the verdict was decided) and metric: deadlines met
    and missed, % met."""
    rows = _report(session, filters, AGENT, by_day=False)
    return Table("sla_by_agent", ["agent_id", "agent", *COLUMNS], rows)


def sla_team_trend(session: Session, filters: ReportFilters, now: datetime) -> Table:
    """Per day of creation, team and metric: deadlines met and missed, % met."""
    rows = _report(session, filters, TEAM, by_day=True)
    return Table("sla_team_trend", ["day", "team_id", "team", *COLUMNS], rows)


def sla_agent_trend(session: Session, filters: ReportFilters, now: datetime) -> Table:
    """Per day of creation, agent (who held the ticket when the verdict was decided) and
    metric: deadlines met and missed, % met."""
    rows = _report(session, filters, AGENT, by_day=True)
    return Table("sla_agent_trend", ["day", "agent_id", "agent", *COLUMNS], rows)
