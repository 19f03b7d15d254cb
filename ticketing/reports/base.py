"""What every report shares: the filters and period, the result table, and SQL helpers that
read the same on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    ColumnElement,
    Float,
    Numeric,
    Select,
    case,
    cast,
    func,
    literal_column,
    select,
)
from sqlalchemy.orm import Session

from ticketing.models import (
    Category,
    Channel,
    Customer,
    Priority,
    Severity,
    Ticket,
    TicketTag,
    Tier,
)

LIST_LIMIT = 500


@dataclass(frozen=True)
class ReportFilters:
    """The period [start, end) and the optional slices every report honours where they apply."""

    start: datetime
    end: datetime
    team_id: int | None = None
    agent_id: int | None = None
    category: Category | None = None
    severity: Severity | None = None
    priority: Priority | None = None
    channel: Channel | None = None
    tier: Tier | None = None
    # A tag in its stored form (services.tags.normalize_tag). Roll-ups keep no per-tag
    # figures: with a tag, a report aggregates the raw rows.
    tag: str | None = None
    timezone: str = "Asia/Shanghai"

    def __post_init__(self) -> None:
        for name in ("start", "end"):
            value = getattr(self, name)
            if value.tzinfo is None:
                raise ValueError(f"{name} must be timezone-aware")
        if self.end < self.start:
            raise ValueError("end must not be before start")
        ZoneInfo(self.timezone)


@dataclass
class Table:
    """One report: named columns and rows of plain values (numbers, strings, None)."""

    name: str
    columns: list[str]
    rows: list[list[Any]] = field(default_factory=list)

    def as_dicts(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]


Report = Callable[[Session, ReportFilters, datetime], Table]


def period(days: int, now: datetime, timezone: str = "Asia/Shanghai") -> tuple[datetime, datetime]:
    """The last `days` whole local days up to and including today, as [start, end)."""
    zone = ZoneInfo(timezone)
    today = now.astimezone(zone).date()
    start = datetime.combine(date.fromordinal(today.toordinal() - days + 1), datetime.min.time())
    end = datetime.combine(date.fromordinal(today.toordinal() + 1), datetime.min.time())
    return start.replace(tzinfo=zone).astimezone(UTC), end.replace(tzinfo=zone).astimezone(UTC)


# --- SQL helpers --------------------------------------------------------------------------------


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def epoch(session: Session, column: Any) -> ColumnElement[float]:
    """Seconds since 1970 of a timestamp column, as a number."""
    if _dialect(session) == "postgresql":
        return cast(func.extract("epoch", column), Float)
    return (func.julianday(column) - 2440587.5) * 86400.0


def local_day(session: Session, column: Any, filters: ReportFilters) -> ColumnElement[str]:
    """The calendar day (YYYY-MM-DD) of a timestamp in the report's time zone."""
    if _dialect(session) == "postgresql":
        return func.to_char(func.timezone(filters.timezone, column), "YYYY-MM-DD")
    # SQLite knows no time zones: the zone's offset at the start of the period (exact for
    # Asia/Shanghai, which has no daylight saving time).
    offset = filters.start.astimezone(ZoneInfo(filters.timezone)).utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset else 0
    return func.date(column, f"{minutes:+d} minutes")


def rounded(value: Any, digits: int) -> ColumnElement[float]:
    # PostgreSQL rounds to a number of digits only numerics, not double precision.
    return func.round(cast(value, Numeric), digits)


def pct(part: Any, whole: Any) -> ColumnElement[float]:
    """part / whole as a percentage with one decimal; NULL when whole is 0."""
    return func.round(literal_column("100.0") * part / func.nullif(whole, 0), 1)


def count_if(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def in_period(column: Any, filters: ReportFilters) -> list[ColumnElement[bool]]:
    """The timestamp column falls in the report's period [start, end)."""
    return [column >= filters.start, column < filters.end]


def tier_customers(tier: Tier) -> Select[int]:
    """The ids of the customers of a tier, for the tier slice of tickets and conversations."""
    return select(Customer.id).where(Customer.tier == tier)


def ticket_conditions(filters: ReportFilters) -> list[ColumnElement[bool]]:
    """The slices that apply to tickets (the period is applied by each report on its own date)."""
    slices: list[tuple[Any, object]] = [
        (Ticket.team_id, filters.team_id),
        (Ticket.assignee_id, filters.agent_id),
        (Ticket.category, filters.category),
        (Ticket.severity, filters.severity),
        (Ticket.priority, filters.priority),
        (Ticket.channel, filters.channel),
    ]
    conditions: list[ColumnElement[bool]] = [
        column == value for column, value in slices if value is not None
    ]
    if filters.tier is not None:
        conditions.append(Ticket.customer_id.in_(tier_customers(filters.tier)))
    if filters.tag is not None:
        tagged = select(TicketTag.ticket_id).where(TicketTag.tag == filters.tag)
        conditions.append(Ticket.id.in_(tagged))
    return conditions


def created_in(filters: ReportFilters) -> list[ColumnElement[bool]]:
    """Tickets created in the period, with every ticket slice applied."""
    return [*in_period(Ticket.created_at, filters), *ticket_conditions(filters)]


def as_float(value: Any) -> float | None:
    return None if value is None else float(value)


def plain(row: Sequence[Any]) -> list[Any]:
    """A result row with numeric types (Decimal from PostgreSQL) as plain floats."""
    return [float(v) if isinstance(v, Decimal | float) else v for v in row]
