"""A customer's personal data (China's PIPL, the EU's GDPR): export it, erase it on request.

`export_customer` gathers everything kept about one customer: their record and identities,
their conversations with every message, their tickets, survey answers, follow-ups and call-back
tasks, as plain JSON values. `erase_customer` anonymises all of that in place, so that reports
stay right: names, identity values, conversation ids that carry a channel identity, message
bodies, ticket subjects and descriptions, order numbers, survey comments and call-back notes are
replaced; counts, categories, priorities, statuses, timestamps and scores are kept. The outbox
rows of the customer's conversations (they hold message text) are deleted, and nothing is
scheduled to reach the customer any more (follow-ups, care visits, call-backs).

Neither commits nor writes the audit trail: the caller (API route, command line) does both in
its transaction. Chat transcripts past the retention period are anonymised by the worker with
`erase_old_messages`, and the chat channels' update ids (kept against replays) deleted with
`prune_received_updates`.
"""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import ColumnElement, CursorResult, Executable, delete, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from ticketing.clock import utcnow
from ticketing.db import locked_batch
from ticketing.errors import NotFound
from ticketing.models import (
    CallbackOutcome,
    CallbackStatus,
    CallbackTask,
    Conversation,
    Customer,
    FollowUp,
    FollowUpStatus,
    Message,
    OutboxMessage,
    OutboxStatus,
    ReceivedUpdate,
    SurveyResponse,
    Ticket,
    format_ticket_number,
)
from ticketing.models.report_rollups import day_of, mark

ERASED = "[erased]"
PENDING_FOLLOW_UPS = (FollowUpStatus.SCHEDULED, FollowUpStatus.SURVEY_SENT)
RETENTION_BATCH = 500
# Where a conversation id is kept.
_CONVERSATION_COLUMNS: tuple[tuple[type[Any], str], ...] = (
    (Conversation, "id"),
    (Ticket, "conversation_id"),
    (Message, "conversation_id"),
    (FollowUp, "conversation_id"),
)

JSONDict = dict[str, Any]


def get_customer(session: Session, customer_id: int, *, for_update: bool = False) -> Customer:
    customer = session.get(Customer, customer_id, with_for_update=for_update)
    if customer is None:
        raise NotFound(f"no customer {customer_id}", field="customer_id")
    return customer


def _when(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _conversation_ids(session: Session, customer: Customer) -> list[str]:
    return list(
        session.scalars(select(Conversation.id).where(Conversation.customer_id == customer.id))
    )


def _ticket_ids(session: Session, customer: Customer, conversations: list[str]) -> list[int]:
    stmt = select(Ticket.id).where(
        or_(Ticket.customer_id == customer.id, Ticket.conversation_id.in_(conversations))
    )
    return list(session.scalars(stmt.order_by(Ticket.id)))


def _messages_of(tickets: list[int], conversations: list[str]) -> ColumnElement[bool]:
    return or_(Message.ticket_id.in_(tickets), Message.conversation_id.in_(conversations))


# --- export --------------------------------------------------------------------------------------


def export_customer(session: Session, customer_id: int, *, at: datetime | None = None) -> JSONDict:
    """Everything kept about the customer, as JSON values (see the module doc)."""
    customer = get_customer(session, customer_id)
    conversations = _conversation_ids(session, customer)
    tickets = _ticket_ids(session, customer, conversations)
    return {
        "exported_at": _when(at or utcnow()),
        "customer": _customer(customer),
        "identities": [{"kind": i.kind.value, "value": i.value} for i in customer.identities],
        "conversations": [
            _conversation(c)
            for c in session.scalars(select(Conversation).where(Conversation.id.in_(conversations)))
        ],
        "tickets": [
            _ticket(t) for t in session.scalars(select(Ticket).where(Ticket.id.in_(tickets)))
        ],
        "messages": [
            _message(m)
            for m in session.scalars(
                select(Message).where(_messages_of(tickets, conversations)).order_by(Message.id)
            )
        ],
        "surveys": [
            _survey(s)
            for s in session.scalars(
                select(SurveyResponse)
                .where(_surveys_of(customer, tickets))
                .order_by(SurveyResponse.id)
            )
        ],
        "follow_ups": [
            _follow_up(f)
            for f in session.scalars(
                select(FollowUp)
                .where(or_(FollowUp.customer_id == customer.id, FollowUp.ticket_id.in_(tickets)))
                .order_by(FollowUp.id)
            )
        ],
        "callbacks": [
            _callback(c)
            for c in session.scalars(
                select(CallbackTask)
                .where(CallbackTask.customer_id == customer.id)
                .order_by(CallbackTask.id)
            )
        ],
    }


def _surveys_of(customer: Customer, tickets: list[int]) -> ColumnElement[bool]:
    return or_(SurveyResponse.customer_id == customer.id, SurveyResponse.ticket_id.in_(tickets))


def _customer(c: Customer) -> JSONDict:
    return {
        "id": c.id,
        "name": c.name,
        "tier": c.tier.value,
        "lifecycle": c.lifecycle.value,
        "language": c.language,
        "created_at": _when(c.created_at),
        "erased_at": _when(c.erased_at),
    }


def _conversation(c: Conversation) -> JSONDict:
    return {
        "id": c.id,
        "channel": c.channel.value,
        "state": c.state.value,
        "language": c.language,
        "created_at": _when(c.created_at),
        "last_message_at": _when(c.last_message_at),
    }


def _ticket(t: Ticket) -> JSONDict:
    return {
        "number": t.number,
        "subject": t.subject,
        "description": t.description,
        "category": t.category.value,
        "severity": t.severity.value,
        "priority": t.priority.value,
        "status": t.status.value,
        "channel": t.channel.value,
        "order_number": t.order_number,
        "conversation_id": t.conversation_id,
        "created_at": _when(t.created_at),
        "resolved_at": _when(t.resolved_at),
        "closed_at": _when(t.closed_at),
    }


def _message(m: Message) -> JSONDict:
    return {
        "id": m.id,
        "ticket": format_ticket_number(m.ticket_id) if m.ticket_id else None,
        "conversation_id": m.conversation_id,
        "kind": m.kind.value,
        "body": m.body,
        "created_at": _when(m.created_at),
    }


def _survey(s: SurveyResponse) -> JSONDict:
    return {
        "ticket_id": s.ticket_id,
        "csat": s.csat,
        "nps": s.nps,
        "comment": s.comment,
        "created_at": _when(s.created_at),
    }


def _follow_up(f: FollowUp) -> JSONDict:
    return {
        "ticket_id": f.ticket_id,
        "status": f.status.value,
        "due_at": _when(f.due_at),
        "survey_sent_at": _when(f.survey_sent_at),
        "answered_at": _when(f.answered_at),
    }


def _callback(c: CallbackTask) -> JSONDict:
    return {
        "reason": c.reason.value,
        "status": c.status.value,
        "summary": c.summary,
        "due_at": _when(c.due_at),
        "outcome": c.outcome.value if c.outcome else None,
        "outcome_note": c.outcome_note,
        "completed_at": _when(c.completed_at),
    }


# --- erasure -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Erasure:
    """What an erasure changed (counts only: never personal data)."""

    customer_id: int
    erased_at: datetime
    identities: int
    conversations: int
    tickets: int
    messages: int
    surveys: int
    callbacks: int

    def counts(self) -> dict[str, int]:
        data = asdict(self)
        return {k: v for k, v in data.items() if isinstance(v, int) and k != "customer_id"}


def erase_customer(session: Session, customer_id: int, *, at: datetime | None = None) -> Erasure:
    """Anonymise the customer in place (see the module doc). Erasing again changes nothing
    more and answers the same kind of summary."""
    at = at or utcnow()
    customer = get_customer(session, customer_id, for_update=True)
    conversations = _conversation_ids(session, customer)
    tickets = _ticket_ids(session, customer, conversations)
    customer.name = ERASED
    customer.erased_at = customer.erased_at or at
    customer.next_care_visit_at = None
    for identity in customer.identities:
        identity.value = f"erased:{identity.id}"
    session.flush()
    messages = _changed(
        session,
        update(Message)
        .where(_messages_of(tickets, conversations))
        .values(body=ERASED, data=None, erased_at=at)
        .execution_options(synchronize_session=False),
    )
    _rename_conversations(session, conversations)  # after the messages: they are found by it
    session.execute(
        update(Ticket)
        .where(Ticket.id.in_(tickets))
        .values(subject=ERASED, description="", order_number=None, updated_at=Ticket.updated_at)
        .execution_options(synchronize_session=False)
    )
    surveys = _changed(
        session,
        update(SurveyResponse)
        .where(_surveys_of(customer, tickets))
        .values(comment="")
        .execution_options(synchronize_session=False),
    )
    callbacks = _close_callbacks(session, customer, at)
    pending = [FollowUp.ticket_id.in_(tickets), FollowUp.status.in_(PENDING_FOLLOW_UPS)]
    # A bulk update passes the roll-up's flush hook: the reports' days it changes, marked here.
    for day in {day_of(due) for due in session.scalars(select(FollowUp.due_at).where(*pending))}:
        mark(session, day)
    session.execute(
        update(FollowUp)
        .where(*pending)
        .values(status=FollowUpStatus.CANCELLED, next_action_at=None, completed_at=at)
        .execution_options(synchronize_session=False)
    )
    session.expire_all()
    return Erasure(
        customer_id=customer_id,
        erased_at=at,
        identities=len(customer.identities),
        conversations=len(conversations),
        tickets=len(tickets),
        messages=messages,
        surveys=surveys,
        callbacks=callbacks,
    )


def _rename_conversations(session: Session, conversations: list[str]) -> None:
    """A conversation id carries the channel identity (`telegram:<chat id>`): each gets a
    meaningless one, everywhere it is kept; the outbox rows (message text) go."""
    session.execute(
        delete(OutboxMessage)
        .where(OutboxMessage.conversation_id.in_(conversations))
        .execution_options(synchronize_session=False)
    )
    for old in conversations:
        if ":erased-" in old:
            continue
        new = f"{old.split(':', 1)[0]}:erased-{uuid.uuid4().hex}"
        for model, column in _CONVERSATION_COLUMNS:
            session.execute(
                update(model)
                .where(getattr(model, column) == old)
                .values({column: new})
                .execution_options(synchronize_session=False)
            )


def _close_callbacks(session: Session, customer: Customer, at: datetime) -> int:
    """Call-back notes may hold a phone number or a name; open ones will not be made."""
    session.execute(
        update(CallbackTask)
        .where(CallbackTask.customer_id == customer.id, CallbackTask.status == CallbackStatus.OPEN)
        .values(status=CallbackStatus.DONE, outcome=CallbackOutcome.DECLINED, completed_at=at)
        .execution_options(synchronize_session=False)
    )
    return _changed(
        session,
        update(CallbackTask)
        .where(CallbackTask.customer_id == customer.id)
        .values(summary=ERASED, script="", outcome_note="")
        .execution_options(synchronize_session=False),
    )


def _changed(session: Session, stmt: Executable) -> int:
    """Run an UPDATE; the number of rows it changed."""
    result = cast(CursorResult[Any], session.execute(stmt))
    return int(result.rowcount)


# --- retention -----------------------------------------------------------------------------------


def erase_old_messages(
    factory: sessionmaker[Session], now: datetime, keep: timedelta, *, batch: int = RETENTION_BATCH
) -> int:
    """Anonymise chat messages older than `keep`, a batch per transaction (several workers
    share the work); outbox rows as old, delivered or given up, are deleted. The count erased."""
    cutoff = now - keep
    total = 0
    while True:
        with factory.begin() as session:
            rows = locked_batch(
                session,
                select(Message)
                .where(
                    Message.erased_at.is_(None),
                    Message.created_at < cutoff,
                    Message.conversation_id.is_not(None),
                )
                .order_by(Message.created_at),
                batch,
            )
            for message in rows:
                message.body = ERASED
                message.data = None
                message.erased_at = now
        total += len(rows)
        if len(rows) < batch:
            break
    with factory.begin() as session:
        session.execute(
            delete(OutboxMessage).where(
                OutboxMessage.status.in_([OutboxStatus.SENT, OutboxStatus.FAILED]),
                OutboxMessage.next_attempt_at < cutoff,
            )
        )
    return total


def prune_received_updates(
    factory: sessionmaker[Session], now: datetime, keep: timedelta, *, batch: int = RETENTION_BATCH
) -> int:
    """Delete the update ids (received_updates) received before `now - keep`, a batch per
    transaction: only a redelivered update needs one, and Telegram redelivers for 24 hours at
    most. The count deleted."""
    cutoff = now - keep
    total = 0
    while True:
        with factory.begin() as session:
            rows = locked_batch(
                session,
                select(ReceivedUpdate)
                .where(ReceivedUpdate.received_at < cutoff)
                .order_by(ReceivedUpdate.received_at),
                batch,
            )
            for row in rows:
                session.delete(row)
        total += len(rows)
        if len(rows) < batch:
            return total
