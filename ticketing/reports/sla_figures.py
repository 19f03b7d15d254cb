"""The SLA compliance and response-time figures, from the daily roll-up where it can answer
(ticketing/reports/rollup.py) and from the verdicts otherwise: per period, the roll-up rows of
its days, plus the verdicts of the days marked as changed since their rows were built.

Both ways fetch counts and sums; the percentages, averages and percentiles are finished here
in exact arithmetic, so the two cannot differ in the last digit. Percentiles are nearest-rank:
the smallest time whose cumulative count reaches p% of the clocks.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import ColumnElement, false, func, literal_column, select
from sqlalchemy.orm import Session

from ticketing.models import SlaDayTime, SlaDayTotal, SlaMetric, SlaVerdict, Ticket
from ticketing.reports import rollup
from ticketing.reports.base import ReportFilters, created_in, local_day, ticket_conditions

TOTALS = ("met", "breached", "samples", "elapsed_seconds", "business_samples", "business_seconds")


def one_decimal(value: Decimal) -> float:
    return float(value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def percent(part: int, whole: int) -> float | None:
    """part / whole as a percentage with one decimal (halves up); None when whole is 0."""
    return None if whole == 0 else one_decimal(Decimal(100 * part) / Decimal(whole))


def mean_minutes(seconds: int, count: int) -> float | None:
    return None if count == 0 else one_decimal(Decimal(seconds) / Decimal(60 * count))


def nearest_rank(counts: Counter[int], p: int) -> float | None:
    """The p-th percentile (nearest rank) of times counted in tenths of a minute, in minutes."""
    total = sum(counts.values())
    seen = 0
    for tenths in sorted(counts):
        seen += counts[tenths]
        if seen * 100 >= total * p:
            return tenths / 10
    return None


@dataclass
class Figures:
    """What the SLA reports are finished from: totals per (day or '', metric), and the stopped
    clocks counted per (metric, measure) and tenths of a minute."""

    totals: dict[tuple[str, SlaMetric], list[int]] = field(
        default_factory=lambda: defaultdict(lambda: [0] * len(TOTALS))
    )
    times: dict[tuple[SlaMetric, str], Counter[int]] = field(
        default_factory=lambda: defaultdict(Counter)
    )

    def add_totals(self, rows: Iterable[Any]) -> None:
        for day, metric, *values in rows:
            into = self.totals[(day_text(day), SlaMetric(metric))]
            for index, value in enumerate(values):
                into[index] += int(value)

    def add_times(self, rows: Iterable[Any]) -> None:
        for metric, measure, tenths, clocks in rows:
            self.times[(SlaMetric(metric), measure)][int(tenths)] += int(clocks)


def day_text(value: Any) -> str:
    """A day (a date from the roll-up or PostgreSQL, text from SQLite) as YYYY-MM-DD; '' for
    none."""
    if isinstance(value, date | datetime):
        return value.isoformat()[:10]
    return str(value or "")


def gather(session: Session, filters: ReportFilters, *, by_day: bool, times: bool) -> Figures:
    """The totals (per day of creation when `by_day`) and, when `times`, the stopped clocks'
    times of the tickets created in the period."""
    figures = Figures()
    days = rollup.rolled_up_days(session, filters)
    if days is None:
        _from_verdicts(session, filters, figures, created_in(filters), by_day=by_day, times=times)
        return figures
    first, end = days
    marked = rollup.marked_days(session, first, end)
    if marked:
        within = [rollup.created_within(marked), *ticket_conditions(filters)]
        _from_verdicts(session, filters, figures, within, by_day=by_day, times=times)
    marked_days = [day for day, _, _ in marked]
    _from_rollup(session, filters, figures, (first, end, marked_days), by_day=by_day, times=times)
    return figures


def _from_verdicts(
    session: Session,
    filters: ReportFilters,
    figures: Figures,
    conditions: list[ColumnElement[bool]],
    *,
    by_day: bool,
    times: bool,
) -> None:
    day = local_day(session, Ticket.created_at, filters) if by_day else literal_column("''")
    keys = [day.label("day")] if by_day else []
    figures.add_totals(
        session.execute(
            rollup.verdicts_of(conditions)
            .add_columns(day, SlaVerdict.metric, *rollup.totals_columns())
            .group_by(*keys, SlaVerdict.metric)
        )
    )
    if times:
        for measure in rollup.MEASURES:
            sub = rollup.times_select(measure, [], conditions).subquery()
            figures.add_times(
                (metric, measure, tenths, clocks)
                for metric, tenths, clocks in session.execute(
                    select(sub.c.metric, sub.c.tenths, sub.c.clocks)
                )
            )


def _from_rollup(
    session: Session,
    filters: ReportFilters,
    figures: Figures,
    period: tuple[date, date, list[date]],
    *,
    by_day: bool,
    times: bool,
) -> None:
    first, end, marked = period

    def where(table: type[SlaDayTotal] | type[SlaDayTime]) -> list[ColumnElement[bool]]:
        conditions = [table.day >= first, table.day < end]
        if marked:
            conditions.append(table.day.not_in(marked))
        if filters.team_id is not None:
            conditions.append(table.team_key == filters.team_id)
        if first >= end:
            conditions.append(false())
        return conditions

    day = SlaDayTotal.day if by_day else literal_column("''")
    keys = [SlaDayTotal.day] if by_day else []
    sums = [func.sum(getattr(SlaDayTotal, name)) for name in TOTALS]
    figures.add_totals(
        session.execute(
            select(day, SlaDayTotal.metric, *sums)
            .where(*where(SlaDayTotal))
            .group_by(*keys, SlaDayTotal.metric)
        )
    )
    if times:
        figures.add_times(
            session.execute(
                select(
                    SlaDayTime.metric,
                    SlaDayTime.measure,
                    SlaDayTime.tenths,
                    func.sum(SlaDayTime.clocks),
                )
                .where(*where(SlaDayTime))
                .group_by(SlaDayTime.metric, SlaDayTime.measure, SlaDayTime.tenths)
            )
        )


def compliance_rows(figures: Figures, *, by_day: bool) -> list[list[Any]]:
    """[day,] metric, met, breached, % met; in order of day and metric."""
    rows = []
    for (day, metric), values in sorted(
        figures.totals.items(), key=lambda i: (i[0][0], i[0][1].value)
    ):
        met, late = values[0], values[1]
        if met + late == 0:
            continue
        rows.append([*([day] if by_day else []), metric.value, met, late, percent(met, met + late)])
    return rows


def time_rows(figures: Figures) -> list[list[Any]]:
    """Per metric with stopped clocks: count, and the average, median and p90 of the elapsed
    and of the business minutes."""
    merged: dict[SlaMetric, list[int]] = defaultdict(lambda: [0] * len(TOTALS))
    for (_, metric), values in figures.totals.items():
        merged[metric] = [a + b for a, b in zip(merged[metric], values, strict=True)]
    rows = []
    for metric in sorted(merged, key=lambda m: m.value):
        _, _, samples, elapsed, business_samples, business = merged[metric]
        if samples == 0:
            continue
        row: list[Any] = [metric.value, samples]
        for measure, seconds, count in (("e", elapsed, samples), ("b", business, business_samples)):
            counts = figures.times[(metric, measure)]
            row += [
                mean_minutes(seconds, count),
                nearest_rank(counts, 50),
                nearest_rank(counts, 90),
            ]
        rows.append(row)
    return rows
