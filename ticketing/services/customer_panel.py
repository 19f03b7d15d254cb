"""What the console shows of a ticket's customer: their history with us and their scores, and
the latest thing each ticket's customer said."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from ticketing import churn, scores
from ticketing.models import (
    Customer,
    IdentityKind,
    Message,
    MessageKind,
    SurveyResponse,
    Ticket,
    User,
)
from ticketing.services.access import visible_to

PAST_TICKETS = 20
SURVEYS = 20
PREVIEW_MAX = 140


@dataclass(frozen=True)
class CustomerFigures:
    """A customer as one desk user may see them."""

    channels: list[IdentityKind]  # how we know them; the values stay private
    churn_reasons: list[str]
    tickets: Sequence[Ticket]  # newest first, those the user may see, PAST_TICKETS at most
    tickets_count: int  # all those the user may see
    complaints_30d: int  # tickets the user may see, opened in the last 30 days
    surveys: Sequence[SurveyResponse]  # on tickets the user may see, newest first, SURVEYS at most
    csat_average: float | None  # over those surveys
    nps: int | None  # % promoters - % detractors over those surveys


def customer_figures(
    session: Session, user: User, customer: Customer, now: datetime
) -> CustomerFigures:
    """Past tickets, complaints in the last 30 days, surveys, CSAT average and NPS: every
    figure from the customer's tickets `user` may see (services/access.py), so the panel tells
    nothing (a comment, a score, a count) about a ticket they cannot open."""
    theirs = [Ticket.customer_id == customer.id, visible_to(user)]
    past = session.scalars(
        select(Ticket).where(*theirs).order_by(Ticket.created_at.desc(), Ticket.id.desc())
    ).fetchmany(PAST_TICKETS)
    tickets_count = session.scalar(select(func.count()).select_from(Ticket).where(*theirs)) or 0
    complaints_30d = (
        session.scalar(
            select(func.count())
            .select_from(Ticket)
            .where(*theirs, Ticket.created_at >= now - churn.COMPLAINT_WINDOW)
        )
        or 0
    )
    # A survey is about one ticket: shown with it, or not at all.
    rated = [
        SurveyResponse.customer_id == customer.id,
        SurveyResponse.ticket_id.in_(select(Ticket.id).where(*theirs)),
    ]
    surveys = session.scalars(
        select(SurveyResponse)
        .where(*rated)
        .order_by(SurveyResponse.created_at.desc(), SurveyResponse.id.desc())
        .limit(SURVEYS)
    ).all()
    csat_avg, promoters, detractors, scored = session.execute(
        select(
            func.avg(SurveyResponse.csat),
            func.count(case((scores.PROMOTER, 1))),
            func.count(case((scores.DETRACTOR, 1))),
            func.count(SurveyResponse.nps),
        ).where(*rated)
    ).one()
    return CustomerFigures(
        channels=sorted({i.kind for i in customer.identities}, key=str),
        churn_reasons=[r for r in customer.churn_reasons.split(",") if r],
        tickets=past,
        tickets_count=tickets_count,
        complaints_30d=complaints_30d,
        surveys=surveys,
        csat_average=round(float(csat_avg), 2) if csat_avg is not None else None,
        nps=round(100 * (promoters - detractors) / scored) if scored else None,
    )


def last_customer_messages(session: Session, tickets: Sequence[Ticket]) -> dict[int, str]:
    """Each ticket's latest customer message, cut short: by conversation for chats (the
    messages before the handoff belong to no ticket yet), by ticket otherwise."""
    by_conversation = {t.conversation_id: t.id for t in tickets if t.conversation_id}
    by_ticket = [t.id for t in tickets if not t.conversation_id]
    newest: dict[int, int] = {}
    customer = Message.kind == MessageKind.CUSTOMER
    if by_conversation:
        rows = session.execute(
            select(Message.conversation_id, func.max(Message.id))
            .where(customer, Message.conversation_id.in_(list(by_conversation)))
            .group_by(Message.conversation_id)
        ).all()
        newest.update({by_conversation[c]: m for c, m in rows if c is not None})
    if by_ticket:
        ticket_rows = session.execute(
            select(Message.ticket_id, func.max(Message.id))
            .where(customer, Message.ticket_id.in_(by_ticket))
            .group_by(Message.ticket_id)
        ).all()
        newest.update({t: m for t, m in ticket_rows if t is not None})
    if not newest:
        return {}
    bodies = {
        message_id: body
        for message_id, body in session.execute(
            select(Message.id, Message.body).where(Message.id.in_(newest.values()))
        )
    }
    return {
        ticket_id: _snippet(bodies[message_id])
        for ticket_id, message_id in newest.items()
        if message_id in bodies
    }


def _snippet(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= PREVIEW_MAX else flat[: PREVIEW_MAX - 1] + "…"
