"""The customer's answers to a follow-up survey, and what a low score sets off."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from ticketing import followups, notifications, scores
from ticketing.errors import InvalidInput
from ticketing.models import (
    FollowUp,
    NotificationKind,
    Status,
    SurveyResponse,
    Ticket,
)
from ticketing.services.history import Actor
from ticketing.services.status import set_status
from ticketing.services.validation import BODY_MAX, at_or_now, text_field


def record_survey(
    session: Session,
    ticket: Ticket,
    csat: int | None,
    nps: int | None,
    comment: str = "",
    *,
    at: datetime | None = None,
    follow_up: FollowUp | None = None,
) -> SurveyResponse:
    """The customer's follow-up answers (CSAT 1-5, NPS 0-10). A low score (CSAT 1-2 or NPS
    0-6) reopens a handled ticket and alerts the supervisors of its team."""
    at = at_or_now(at)
    if csat is None and nps is None:
        raise InvalidInput("give a CSAT or an NPS score", field="csat")
    if csat is not None and not 1 <= csat <= 5:
        raise InvalidInput("CSAT must be 1 to 5", field="csat")
    if nps is not None and not 0 <= nps <= 10:
        raise InvalidInput("NPS must be 0 to 10", field="nps")
    text = text_field(comment, "comment", max_len=BODY_MAX, required=False)
    response = followups.store_survey(session, ticket, csat, nps, text, at, follow_up=follow_up)
    if scores.is_low_score(csat, nps):
        if ticket.status in (Status.RESOLVED, Status.CLOSED):
            set_status(session, ticket, Status.OPEN, Actor.customer(), at)
        notifications.notify(
            session,
            notifications.supervisors_of(session, ticket.team_id),
            NotificationKind.LOW_SCORE,
            at=at,
            ticket_id=ticket.id,
            customer_id=ticket.customer_id,
            dedupe_key=f"low_score:{response.id}",
            ticket_number=ticket.number,
            csat=csat,
            nps=nps,
        )
    return response
