"""Supervisor reports: every figure aggregated in SQL, the same on SQLite and PostgreSQL.

Each report is a function `(session, filters, now) -> Table`; the API serves them as JSON and
CSV, and the dashboard draws them. Percentiles use the nearest-rank method with window
functions (`row_number`, `count(*) over`), since SQLite has no `percentile_cont`. Times are
elapsed minutes; days are calendar days in the report's time zone.
"""

from __future__ import annotations

import csv
import io
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
    and_,
    case,
    cast,
    func,
    literal,
    literal_column,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import Session, aliased

from ticketing.models import (
    OPEN_STATUSES,
    CallbackStatus,
    CallbackTask,
    Category,
    Channel,
    Conversation,
    Customer,
    FollowUp,
    FollowUpStatus,
    Message,
    MessageKind,
    Priority,
    Severity,
    SlaEvent,
    SlaEventKind,
    SlaMetric,
    SurveyResponse,
    Team,
    Ticket,
    Tier,
    User,
    format_ticket_number,
)
from ticketing.scores import DETRACTOR, PROMOTER, SATISFIED

BACKLOG_BUCKETS = (  # (label, upper bound of the age in hours)
    ("< 4 h", 4),
    ("4-24 h", 24),
    ("1-3 d", 72),
    ("3-7 d", 168),
    ("> 7 d", None),
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
    timezone: str = "Asia/Shanghai"

    def __post_init__(self) -> None:
        for name in ("start", "end"):
            value = getattr(self, name)
            if value.tzinfo is None:
                raise ValueError(f"{name} must be timezone-aware")
        if self.end <= self.start:
            raise ValueError("end must be after start")
        ZoneInfo(self.timezone)


@dataclass
class Table:
    """One report: named columns and rows of plain values (numbers, strings, None)."""

    name: str
    columns: list[str]
    rows: list[list[Any]] = field(default_factory=list)

    def as_dicts(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]


# --- SQL helpers --------------------------------------------------------------------------------


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def _epoch(session: Session, column: Any) -> ColumnElement[float]:
    """Seconds since 1970 of a timestamp column, as a number."""
    if _dialect(session) == "postgresql":
        return cast(func.extract("epoch", column), Float)
    return (func.julianday(column) - 2440587.5) * 86400.0


def _day(session: Session, column: Any, filters: ReportFilters) -> ColumnElement[str]:
    """The calendar day (YYYY-MM-DD) of a timestamp in the report's time zone."""
    if _dialect(session) == "postgresql":
        return func.to_char(func.timezone(filters.timezone, column), "YYYY-MM-DD")
    # SQLite knows no time zones: the zone's offset at the start of the period (exact for
    # Asia/Shanghai, which has no daylight saving time).
    offset = filters.start.astimezone(ZoneInfo(filters.timezone)).utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset else 0
    return func.date(column, f"{minutes:+d} minutes")


def _round(value: Any, digits: int) -> ColumnElement[float]:
    # PostgreSQL rounds to a number of digits only numerics, not double precision.
    return func.round(cast(value, Numeric), digits)


def _pct(part: Any, whole: Any) -> ColumnElement[float]:
    """part / whole as a percentage with one decimal; NULL when whole is 0."""
    return func.round(literal_column("100.0") * part / func.nullif(whole, 0), 1)


def _count_if(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def ticket_conditions(filters: ReportFilters) -> list[ColumnElement[bool]]:
    """The slices that apply to tickets (the period is applied by each report on its own date)."""
    conditions: list[ColumnElement[bool]] = []
    if filters.team_id is not None:
        conditions.append(Ticket.team_id == filters.team_id)
    if filters.agent_id is not None:
        conditions.append(Ticket.assignee_id == filters.agent_id)
    if filters.category is not None:
        conditions.append(Ticket.category == filters.category)
    if filters.severity is not None:
        conditions.append(Ticket.severity == filters.severity)
    if filters.priority is not None:
        conditions.append(Ticket.priority == filters.priority)
    if filters.channel is not None:
        conditions.append(Ticket.channel == filters.channel)
    if filters.tier is not None:
        conditions.append(
            Ticket.customer_id.in_(select(Customer.id).where(Customer.tier == filters.tier))
        )
    return conditions


def _created_in(filters: ReportFilters) -> list[ColumnElement[bool]]:
    return [
        Ticket.created_at >= filters.start,
        Ticket.created_at < filters.end,
        *ticket_conditions(filters),
    ]


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
    columns = [_day(session, Ticket.created_at, filters).label("day")]
    for metric, (decided, missed) in outcomes.items():
        columns.append(case((decided, 1), else_=0).label(f"{metric.value}_decided"))
        columns.append(case((missed, 1), else_=0).label(f"{metric.value}_breached"))
    return (
        select(*columns)
        .select_from(Ticket)
        .outerjoin(breached, breached.c.ticket_id == Ticket.id)
        .outerjoin(last_customer, last_customer.c.ticket_id == Ticket.id)
        .where(Ticket.sla_policy_id.is_not(None), *_created_in(filters))
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
                _pct(met, met + late).label("pct_met"),
            ).group_by(*keys)
        )
    union = union_all(*parts).subquery()
    order = [union.c.day, union.c.metric] if by_day else [union.c.metric]
    return [_plain(r) for r in session.execute(select(union).order_by(*order))]


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
            SlaEvent.at >= filters.start,
            SlaEvent.at < filters.end,
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
    created = _epoch(session, Ticket.created_at)
    samples = union_all(
        select(
            literal(SlaMetric.FIRST_RESPONSE.value).label("metric"),
            ((_epoch(session, Ticket.first_responded_at) - created) / 60.0).label("v"),
        ).where(Ticket.first_responded_at.is_not(None), *_created_in(filters)),
        select(
            literal(SlaMetric.RESOLUTION.value).label("metric"),
            ((_epoch(session, Ticket.resolved_at) - created) / 60.0).label("v"),
        ).where(Ticket.resolved_at.is_not(None), *_created_in(filters)),
    ).subquery()
    ranked = select(
        samples.c.metric,
        samples.c.v,
        func.row_number().over(partition_by=samples.c.metric, order_by=samples.c.v).label("rn"),
        func.count().over(partition_by=samples.c.metric).label("n"),
    ).subquery()

    def percentile(p: int) -> ColumnElement[float]:
        # Nearest rank: the smallest value whose rank reaches p% of the count.
        return _round(func.min(case((ranked.c.rn * 100 >= ranked.c.n * p, ranked.c.v))), 1)

    rows = session.execute(
        select(
            ranked.c.metric,
            func.count().label("count"),
            _round(func.avg(ranked.c.v), 1).label("avg_minutes"),
            percentile(50).label("median_minutes"),
            percentile(90).label("p90_minutes"),
        )
        .group_by(ranked.c.metric)
        .order_by(ranked.c.metric)
    ).all()
    return Table(
        "response_times",
        ["metric", "count", "avg_minutes", "median_minutes", "p90_minutes"],
        [[m, n, _num(a), _num(md), _num(p90)] for m, n, a, md, p90 in rows],
    )


def _num(value: Any) -> float | None:
    return None if value is None else float(value)


def _plain(row: Sequence[Any]) -> list[Any]:
    """A result row with numeric types (Decimal from PostgreSQL) as plain floats."""
    return [float(v) if isinstance(v, Decimal | float) else v for v in row]


def backlog(session: Session, filters: ReportFilters, now: datetime) -> Table:
    """Unresolved tickets now, by age (the period does not apply: it is a snapshot)."""
    age_hours = (literal(now.timestamp()) - _epoch(session, Ticket.created_at)) / 3600.0
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
            _pct(count, func.sum(count).over()).label("pct"),
        )
        .where(*_created_in(filters))
        .group_by(column)
        .order_by(count.desc(), column)
    ).all()
    return Table(
        f"complaints_by_{name}",
        [name, "tickets", "pct"],
        [[value.value, n, _num(pct)] for value, n, pct in rows],
    )


def complaints_by_category(session: Session, filters: ReportFilters, now: datetime) -> Table:
    return _complaints_by(session, filters, Ticket.category, "category")


def complaints_by_severity(session: Session, filters: ReportFilters, now: datetime) -> Table:
    return _complaints_by(session, filters, Ticket.severity, "severity")


def complaints_by_channel(session: Session, filters: ReportFilters, now: datetime) -> Table:
    return _complaints_by(session, filters, Ticket.channel, "channel")


def reopen_rate(session: Session, filters: ReportFilters, now: datetime) -> Table:
    """Of the tickets created in the period and resolved at least once, the share reopened."""
    resolved = _count_if(or_(Ticket.resolved_at.is_not(None), Ticket.reopen_count > 0))
    reopened = _count_if(Ticket.reopen_count > 0)
    row = session.execute(
        select(resolved, reopened, _pct(reopened, resolved)).where(*_created_in(filters))
    ).one()
    return Table("reopen_rate", ["resolved", "reopened", "pct_reopened"], [_plain(row)])


def satisfaction(session: Session, filters: ReportFilters, now: datetime) -> Table:
    """CSAT (average, % satisfied = 4-5) and NPS (% promoters 9-10 minus % detractors 0-6)."""
    csat_n = func.count(SurveyResponse.csat)
    nps_n = func.count(SurveyResponse.nps)
    satisfied = _count_if(SATISFIED)
    promoters = _count_if(PROMOTER)
    detractors = _count_if(DETRACTOR)
    row = session.execute(
        select(
            func.count(SurveyResponse.id),
            csat_n,
            _round(func.avg(cast(SurveyResponse.csat, Float)), 2),
            _pct(satisfied, csat_n),
            nps_n,
            promoters,
            nps_n - promoters - detractors,
            detractors,
            func.round(
                literal_column("100.0") * (promoters - detractors) / func.nullif(nps_n, 0), 1
            ),
        )
        .join(Ticket, Ticket.id == SurveyResponse.ticket_id)
        .where(
            SurveyResponse.created_at >= filters.start,
            SurveyResponse.created_at < filters.end,
            *ticket_conditions(filters),
        )
    ).one()
    return Table(
        "satisfaction",
        [
            "responses",
            "csat_answers",
            "csat_avg",
            "pct_satisfied",
            "nps_answers",
            "promoters",
            "passives",
            "detractors",
            "nps",
        ],
        [_plain(row)],
    )


def follow_ups(session: Session, filters: ReportFilters, now: datetime) -> Table:
    """Follow-up visits due in the period: surveyed, answered, called back, % completed."""
    due = and_(FollowUp.status != FollowUpStatus.CANCELLED)
    total = func.count(FollowUp.id)
    answered = _count_if(FollowUp.status == FollowUpStatus.ANSWERED)
    called = _count_if(FollowUp.status == FollowUpStatus.DONE)
    row = session.execute(
        select(
            total,
            _count_if(FollowUp.survey_sent_at.is_not(None)),
            answered,
            _count_if(FollowUp.status == FollowUpStatus.CALLBACK),
            called,
            _count_if(FollowUp.status.in_([FollowUpStatus.SCHEDULED, FollowUpStatus.SURVEY_SENT])),
            _pct(answered + called, total),
        )
        .join(Ticket, Ticket.id == FollowUp.ticket_id)
        .where(
            due,
            FollowUp.due_at >= filters.start,
            FollowUp.due_at < filters.end,
            *ticket_conditions(filters),
        )
    ).one()
    return Table(
        "follow_ups",
        [
            "due",
            "surveys_sent",
            "answered",
            "callbacks_open",
            "callbacks_done",
            "pending",
            "pct_completed",
        ],
        [_plain(row)],
    )


def bot(session: Session, filters: ReportFilters, now: datetime) -> Table:
    """Conversations started in the period: contained by the bot, or handed to an agent.

    Only the channel and tier slices apply: a conversation has no team, agent or category.
    """
    conditions: list[ColumnElement[bool]] = [
        Conversation.created_at >= filters.start,
        Conversation.created_at < filters.end,
    ]
    if filters.channel is not None:
        conditions.append(Conversation.channel == filters.channel)
    if filters.tier is not None:
        conditions.append(
            Conversation.customer_id.in_(select(Customer.id).where(Customer.tier == filters.tier))
        )
    total = func.count(Conversation.id)
    handed = _count_if(
        or_(Conversation.handed_off_at.is_not(None), Conversation.agent_id.is_not(None))
    )
    row = session.execute(
        select(
            total, total - handed, handed, _pct(total - handed, total), _pct(handed, total)
        ).where(*conditions)
    ).one()
    return Table(
        "bot",
        ["conversations", "contained", "handed_off", "pct_contained", "pct_handed_off"],
        [_plain(row)],
    )


def churn_risk(session: Session, filters: ReportFilters, now: datetime) -> Table:
    """Customers flagged at risk of churning (the flag is the worker's; tier applies)."""
    recent = (
        select(func.count(Ticket.id))
        .where(
            Ticket.customer_id == Customer.id,
            Ticket.created_at >= filters.start,
            Ticket.created_at < filters.end,
        )
        .correlate(Customer)
        .scalar_subquery()
    )
    stmt = select(
        Customer.id,
        Customer.name,
        Customer.tier,
        Customer.churn_reasons,
        Customer.churn_flagged_at,
        recent,
    ).where(Customer.churn_risk.is_(True))
    if filters.tier is not None:
        stmt = stmt.where(Customer.tier == filters.tier)
    rows = session.execute(
        stmt.order_by(Customer.churn_flagged_at.desc(), Customer.id).limit(LIST_LIMIT)
    ).all()
    return Table(
        "churn_risk",
        ["customer_id", "name", "tier", "reasons", "flagged_at", "tickets_in_period"],
        [
            [cid, name, tier.value, reasons, flagged.isoformat() if flagged else None, n]
            for cid, name, tier, reasons, flagged, n in rows
        ],
    )


def callbacks_open(session: Session, filters: ReportFilters, now: datetime) -> Table:
    """Call-back tasks still open, by reason (a workload figure for the supervisor)."""
    rows = session.execute(
        select(CallbackTask.reason, func.count())
        .where(CallbackTask.status == CallbackStatus.OPEN)
        .group_by(CallbackTask.reason)
        .order_by(CallbackTask.reason)
    ).all()
    return Table("callbacks_open", ["reason", "tasks"], [[r.value, n] for r, n in rows])


Report = Callable[[Session, ReportFilters, datetime], Table]

REPORTS: dict[str, Report] = {
    "sla": sla_compliance,
    "sla_trend": sla_trend,
    "breaches": breaches,
    "response_times": response_times,
    "backlog": backlog,
    "complaints_by_category": complaints_by_category,
    "complaints_by_severity": complaints_by_severity,
    "complaints_by_channel": complaints_by_channel,
    "reopen_rate": reopen_rate,
    "satisfaction": satisfaction,
    "follow_ups": follow_ups,
    "bot": bot,
    "churn_risk": churn_risk,
    "callbacks_open": callbacks_open,
}


def run(session: Session, name: str, filters: ReportFilters, now: datetime) -> Table:
    return REPORTS[name](session, filters, now)


# --- CSV ----------------------------------------------------------------------------------------

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> Any:
    # A customer's text starting like a formula would run as one in Excel: keep it text.
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "" if value is None else value


def to_csv(table: Table) -> bytes:
    """UTF-8 with a byte-order mark, so Excel shows Chinese text correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(table.columns)
    writer.writerows([_cell(v) for v in row] for row in table.rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def period(days: int, now: datetime, timezone: str = "Asia/Shanghai") -> tuple[datetime, datetime]:
    """The last `days` whole local days up to and including today, as [start, end)."""
    zone = ZoneInfo(timezone)
    today = now.astimezone(zone).date()
    start = datetime.combine(date.fromordinal(today.toordinal() - days + 1), datetime.min.time())
    end = datetime.combine(date.fromordinal(today.toordinal() + 1), datetime.min.time())
    return start.replace(tzinfo=zone).astimezone(UTC), end.replace(tzinfo=zone).astimezone(UTC)


__all__: Sequence[str] = ["REPORTS", "ReportFilters", "Table", "period", "run", "to_csv"]
