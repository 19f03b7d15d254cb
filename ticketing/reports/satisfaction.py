"""After and around the cases: satisfaction surveys, follow-up visits, call-backs, customers at
risk of churning, and how many conversations the bot handled on its own."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from ticketing.models import (
    CallbackStatus,
    CallbackTask,
    Conversation,
    Customer,
    FollowUp,
    FollowUpDay,
    FollowUpStatus,
    SurveyDay,
    SurveyResponse,
    Ticket,
)
from ticketing.reports import rollup
from ticketing.reports.base import (
    LIST_LIMIT,
    ReportFilters,
    Table,
    count_if,
    in_period,
    pct,
    plain,
    tier_customers,
)
from ticketing.reports.sla_figures import percent
from ticketing.scores import DETRACTOR_NPS, PROMOTER_NPS, SATISFIED_CSAT


def _scores(session: Session, filters: ReportFilters) -> Counter[tuple[int, int]]:
    """Survey answers given in the period, per (CSAT, NPS), -1 for a question not answered."""
    scores = [rollup.survey_score(SurveyResponse.csat), rollup.survey_score(SurveyResponse.nps)]

    def raw(own: list[ColumnElement[bool]], slices: list[ColumnElement[bool]]) -> Any:
        stmt = select(*scores, func.count()).where(*own).group_by(*scores)
        if slices:  # joined only when sliced: on a million tickets the join is most of the time
            stmt = stmt.join(Ticket, Ticket.id == SurveyResponse.ticket_id).where(*slices)
        return session.execute(stmt)

    def rolled(conditions: list[ColumnElement[bool]]) -> Any:
        keys = [SurveyDay.csat, SurveyDay.nps]
        return session.execute(
            select(*keys, func.sum(SurveyDay.responses)).where(*conditions).group_by(*keys)
        )

    counts: Counter[tuple[int, int]] = Counter()
    rows = rollup.gather_rows(session, filters, SurveyResponse.created_at, SurveyDay, raw, rolled)
    for csat, nps, n in rows:
        counts[(int(csat), int(nps))] += int(n)
    return counts


def satisfaction(session: Session, filters: ReportFilters, now: datetime) -> Table:
    """CSAT (average, % satisfied = 4-5) and NPS (% promoters 9-10 minus % detractors 0-6)."""
    counts = _scores(session, filters)

    def total(keep: Callable[[int, int], bool]) -> int:
        return sum(n for (csat, nps), n in counts.items() if keep(csat, nps))

    csat_n = total(lambda csat, _: csat >= 0)
    csat_sum = sum(csat * n for (csat, _), n in counts.items() if csat >= 0)
    nps_n = total(lambda _, nps: nps >= 0)
    promoters = total(lambda _, nps: nps >= PROMOTER_NPS)
    detractors = total(lambda _, nps: 0 <= nps <= DETRACTOR_NPS)
    average = (
        None
        if csat_n == 0
        else float((Decimal(csat_sum) / csat_n).quantize(Decimal("0.01"), ROUND_HALF_UP))
    )
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
        [
            [
                sum(counts.values()),
                csat_n,
                average,
                percent(total(lambda csat, _: csat >= SATISFIED_CSAT), csat_n),
                nps_n,
                promoters,
                nps_n - promoters - detractors,
                detractors,
                percent(promoters - detractors, nps_n),
            ]
        ],
    )


def _visits(session: Session, filters: ReportFilters) -> Counter[tuple[FollowUpStatus, bool]]:
    """Follow-up visits due in the period, per (status, whether a survey went out)."""
    kinds = [FollowUp.status, rollup.visit_surveyed()]

    def raw(own: list[ColumnElement[bool]], slices: list[ColumnElement[bool]]) -> Any:
        stmt = select(*kinds, func.count()).where(*own).group_by(*kinds)
        if slices:
            stmt = stmt.join(Ticket, Ticket.id == FollowUp.ticket_id).where(*slices)
        return session.execute(stmt)

    def rolled(conditions: list[ColumnElement[bool]]) -> Any:
        keys = [FollowUpDay.status, FollowUpDay.surveyed]
        return session.execute(
            select(*keys, func.sum(FollowUpDay.visits)).where(*conditions).group_by(*keys)
        )

    counts: Counter[tuple[FollowUpStatus, bool]] = Counter()
    for status, surveyed, n in rollup.gather_rows(
        session, filters, FollowUp.due_at, FollowUpDay, raw, rolled
    ):
        counts[(FollowUpStatus(status), bool(surveyed))] += int(n)
    return counts


def follow_ups(session: Session, filters: ReportFilters, now: datetime) -> Table:
    """Follow-up visits due in the period: surveyed, answered, called back, % completed."""
    counts = _visits(session, filters)

    def total(*statuses: FollowUpStatus) -> int:
        return sum(n for (status, _), n in counts.items() if status in statuses)

    due = [s for s in FollowUpStatus if s is not FollowUpStatus.CANCELLED]
    answered, called = total(FollowUpStatus.ANSWERED), total(FollowUpStatus.DONE)
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
        [
            [
                total(*due),
                sum(n for (status, sent), n in counts.items() if sent and status in due),
                answered,
                total(FollowUpStatus.CALLBACK),
                called,
                total(FollowUpStatus.SCHEDULED, FollowUpStatus.SURVEY_SENT),
                percent(answered + called, total(*due)),
            ]
        ],
    )


def bot(session: Session, filters: ReportFilters, now: datetime) -> Table:
    """Conversations started in the period: contained by the bot, or handed to an agent.

    Only the channel and tier slices apply: a conversation has no team, agent or category.
    """
    conditions: list[ColumnElement[bool]] = in_period(Conversation.created_at, filters)
    if filters.channel is not None:
        conditions.append(Conversation.channel == filters.channel)
    if filters.tier is not None:
        conditions.append(Conversation.customer_id.in_(tier_customers(filters.tier)))
    total = func.count(Conversation.id)
    handed = count_if(
        or_(Conversation.handed_off_at.is_not(None), Conversation.agent_id.is_not(None))
    )
    row = session.execute(
        select(total, total - handed, handed, pct(total - handed, total), pct(handed, total)).where(
            *conditions
        )
    ).one()
    return Table(
        "bot",
        ["conversations", "contained", "handed_off", "pct_contained", "pct_handed_off"],
        [plain(row)],
    )


def churn_risk(session: Session, filters: ReportFilters, now: datetime) -> Table:
    """Customers flagged at risk of churning (the flag is the worker's; tier applies)."""
    recent = (
        select(func.count(Ticket.id))
        .where(Ticket.customer_id == Customer.id, *in_period(Ticket.created_at, filters))
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
