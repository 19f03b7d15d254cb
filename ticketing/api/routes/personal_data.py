"""A customer's personal data, for admins: export it, erase it on request (PIPL, GDPR).

Both are recorded in the audit trail (who, when, from which address); the erasure's entry holds
counts only. See ticketing/personal_data.py for what is exported and what erasure keeps.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path
from pydantic import BaseModel

from ticketing import audit, personal_data
from ticketing.api import errors
from ticketing.api.deps import ClientAddress, CurrentAdmin, SessionDep
from ticketing.clock import utcnow

router = APIRouter(
    prefix="/api/admin/customers",
    tags=["personal data"],
    responses=errors.documented(401, 403, 404, 503),
)

CustomerId = Annotated[int, Path(ge=1, le=2**31 - 1)]

_REFUSALS: dict[int | str, dict[str, Any]] = {
    401: {"description": "Not signed in, or the token is invalid"},
    403: {"description": "Admins only"},
    404: {"description": "No such customer"},
    422: {"description": "The customer id is not a number from 1 to 2147483647"},
}


class CustomerRecord(BaseModel):
    id: int
    name: str
    tier: str
    lifecycle: str
    language: str
    created_at: datetime | None
    erased_at: datetime | None


class IdentityRecord(BaseModel):
    kind: str
    value: str


class ConversationRecord(BaseModel):
    id: str
    channel: str
    state: str
    language: str
    created_at: datetime | None
    last_message_at: datetime | None


class TicketRecord(BaseModel):
    number: str
    subject: str
    description: str
    category: str
    severity: str
    priority: str
    status: str
    channel: str
    order_number: str | None
    conversation_id: str | None
    created_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None


class MessageRecord(BaseModel):
    id: int
    ticket: str | None
    conversation_id: str | None
    kind: str
    body: str
    created_at: datetime | None


class SurveyRecord(BaseModel):
    ticket_id: int
    csat: int | None
    nps: int | None
    comment: str
    created_at: datetime | None


class FollowUpRecord(BaseModel):
    ticket_id: int
    status: str
    due_at: datetime | None
    survey_sent_at: datetime | None
    answered_at: datetime | None


class CallbackRecord(BaseModel):
    reason: str
    status: str
    summary: str
    due_at: datetime | None
    outcome: str | None
    outcome_note: str
    completed_at: datetime | None


class CustomerExport(BaseModel):
    """Everything kept about one customer."""

    exported_at: datetime
    customer: CustomerRecord
    identities: list[IdentityRecord]
    conversations: list[ConversationRecord]
    tickets: list[TicketRecord]
    messages: list[MessageRecord]
    surveys: list[SurveyRecord]
    follow_ups: list[FollowUpRecord]
    callbacks: list[CallbackRecord]


class ErasureResult(BaseModel):
    """What the erasure anonymised: counts, never the data."""

    customer_id: int
    erased_at: datetime
    identities: int
    conversations: int
    tickets: int
    messages: int
    surveys: int
    callbacks: int


@router.get("/{customer_id}/export", responses=_REFUSALS)
def export_customer(
    customer_id: CustomerId, session: SessionDep, admin: CurrentAdmin, address: ClientAddress
) -> CustomerExport:
    """All the customer's data as JSON: record, identities, conversations, messages, tickets,
    surveys, follow-ups and call-backs. Recorded in the audit trail."""
    data = personal_data.export_customer(session, customer_id, at=utcnow())
    audit.record(
        session,
        "customer.export",
        actor=admin,
        target_type="customer",
        target_id=customer_id,
        address=address,
    )
    return CustomerExport.model_validate(data)


@router.post("/{customer_id}/erase", responses=_REFUSALS)
def erase_customer(
    customer_id: CustomerId, session: SessionDep, admin: CurrentAdmin, address: ClientAddress
) -> ErasureResult:
    """Anonymise the customer in place, on their request: names, identities, message bodies,
    phone numbers, order numbers and comments are replaced; counts, categories, timestamps and
    scores stay, so reports stay right. Recorded in the audit trail; erasing again is harmless."""
    erasure = personal_data.erase_customer(session, customer_id, at=utcnow())
    audit.record(
        session,
        "customer.erase",
        actor=admin,
        target_type="customer",
        target_id=customer_id,
        address=address,
        after=erasure.counts(),
    )
    return ErasureResult(customer_id=customer_id, erased_at=erasure.erased_at, **erasure.counts())
