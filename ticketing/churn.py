"""Churn warning (流失预警): flag customers at risk, computed in one SQL statement.

A customer is at risk with two or more complaints in 30 days, a detractor score (NPS 0-6) in
90 days, or, for a key account, any SLA breach in 30 days. The worker refreshes the flag; the
console's customer panel and the reports read it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import case, exists, func, literal, null, select, update
from sqlalchemy.orm import Session

from ticketing.models import (
    Customer,
    SlaEvent,
    SlaEventKind,
    SurveyResponse,
    Ticket,
    Tier,
    UTCDateTime,
)
from ticketing.scores import DETRACTOR

COMPLAINT_WINDOW = timedelta(days=30)
COMPLAINTS_AT_RISK = 2
DETRACTOR_WINDOW = timedelta(days=90)
BREACH_WINDOW = timedelta(days=30)

REASONS = ("complaints", "detractor", "key_account_breach")


def refresh(session: Session, now: datetime) -> int:
    """Recompute every customer's flag and reasons; returns how many customers changed."""
    complaints = (
        select(func.count(Ticket.id))
        .where(Ticket.customer_id == Customer.id, Ticket.created_at >= now - COMPLAINT_WINDOW)
        .correlate(Customer)
        .scalar_subquery()
    )
    detractor = exists().where(
        SurveyResponse.customer_id == Customer.id,
        DETRACTOR,
        SurveyResponse.created_at >= now - DETRACTOR_WINDOW,
    )
    key_breach = (
        select(SlaEvent.id)
        .join(Ticket, Ticket.id == SlaEvent.ticket_id)
        .where(
            Ticket.customer_id == Customer.id,
            SlaEvent.kind == SlaEventKind.BREACH,
            SlaEvent.at >= now - BREACH_WINDOW,
        )
        .correlate(Customer)
        .exists()
    )
    # ",complaints,detractor" -> "complaints,detractor": string building that both SQLite and
    # PostgreSQL understand.
    reasons = func.substr(
        case((complaints >= COMPLAINTS_AT_RISK, literal(",complaints")), else_=literal(""))
        + case((detractor, literal(",detractor")), else_=literal(""))
        + case(
            ((Customer.tier == Tier.KEY_ACCOUNT) & key_breach, literal(",key_account_breach")),
            else_=literal(""),
        ),
        2,
    )
    result = session.execute(
        update(Customer)
        .where(Customer.churn_reasons != reasons)
        .values(
            churn_reasons=reasons,
            churn_risk=reasons != "",
            churn_flagged_at=case(
                (reasons == "", null()),
                (Customer.churn_risk.is_(True), Customer.churn_flagged_at),
                else_=literal(now, UTCDateTime),
            ),
        )
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def at_risk(session: Session, *, limit: int = 200) -> list[Customer]:
    """Customers flagged at risk, most recently flagged first."""
    return list(
        session.scalars(
            select(Customer)
            .where(Customer.churn_risk.is_(True))
            .order_by(Customer.churn_flagged_at.desc(), Customer.id)
            .limit(limit)
        )
    )
