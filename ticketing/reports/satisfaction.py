"""After and around the cases: satisfaction surveys, follow-up visits, call-backs, customers at
risk of churning, and how many conversations the bot handled on its own."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, Float, and_, cast, func, or_, select
from sqlalchemy.orm import Session

from ticketing.models import (
    CallbackStatus,
    CallbackTask,
    Conversation,
    Customer,
    FollowUp,
    FollowUpStatus,
    SurveyResponse,
    Ticket,
)
from ticketing.reports.base import (
    LIST_LIMIT,
    ReportFilters,
    Table,
    count_if,
    in_period,
    pct,
    plain,
    rounded,
    ticket_conditions,
    tier_customers,
)
from ticketing.scores import DETRACTOR, PROMOTER, SATISFIED


def satisfaction(session: Session, filters: ReportFilters, now: datetime) -> Table:
    """CSAT (average, % satisfied = 4-5) and NPS (% promoters 9-10 minus % detractors 0-6)."""
    csat_n = func.count(SurveyResponse.csat)
    nps_n = func.count(SurveyResponse.nps)
    satisfied = count_if(SATISFIED)
    promoters = count_if(PROMOTER)
    detractors = count_if(DETRACTOR)
    stmt = select(
        func.count(SurveyResponse.id),
        csat_n,
        rounded(func.avg(cast(SurveyResponse.csat, Float)), 2),
        pct(satisfied, csat_n),
        nps_n,
        promoters,
        nps_n - promoters - detractors,
        detractors,
        pct(promoters - detractors, nps_n),
    ).where(*in_period(SurveyResponse.created_at, filters))
    # Joined only when sliced: on a million tickets the join is most of the time.
    if slices := ticket_conditions(filters):
        stmt = stmt.join(Ticket, Ticket.id == SurveyResponse.ticket_id).where(*slices)
    row = session.execute(stmt).one()
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
        [plain(row)],
    )


def follow_ups(session: Session, filters: ReportFilters, now: datetime) -> Table:
    """Follow-up visits due in the period: surveyed, answered, called back, % completed."""
    due = and_(FollowUp.status != FollowUpStatus.CANCELLED)
    total = func.count(FollowUp.id)
    answered = count_if(FollowUp.status == FollowUpStatus.ANSWERED)
    called = count_if(FollowUp.status == FollowUpStatus.DONE)
    stmt = select(
        total,
        count_if(FollowUp.survey_sent_at.is_not(None)),
        answered,
        count_if(FollowUp.status == FollowUpStatus.CALLBACK),
        called,
        count_if(FollowUp.status.in_([FollowUpStatus.SCHEDULED, FollowUpStatus.SURVEY_SENT])),
        pct(answered + called, total),
    ).where(due, *in_period(FollowUp.due_at, filters))
    if slices := ticket_conditions(filters):
        stmt = stmt.join(Ticket, Ticket.id == FollowUp.ticket_id).where(*slices)
    row = session.execute(stmt).one()
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
        [plain(row)],
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
