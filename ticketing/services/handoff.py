"""Handing a conversation to a person and back to the bot."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ticketing.errors import Conflict
from ticketing.models import (
    Conversation,
    ConversationState,
    EventKind,
    Message,
    MessageKind,
    OutboxKind,
    OutboxMessage,
    OutboxStatus,
    Ticket,
)
from ticketing.services.conversations import CUSTOMER_VISIBLE, enqueue_outbound, open_ticket_of
from ticketing.services.history import Actor, log_event
from ticketing.services.tickets import create_ticket
from ticketing.services.validation import DESCRIPTION_MAX, at_or_now


def hand_off_ticket(
    session: Session, ticket: Ticket, actor: Actor, *, at: datetime | None = None
) -> Ticket:
    """The conversation of this ticket now wants a human: the ticket shows in the desk's queues.
    For a conversation the gateway knows, `hand_off_conversation` also silences the bot."""
    at = at_or_now(at)
    if not ticket.handed_off:
        ticket.handed_off = True
        ticket.updated_at = at
        log_event(session, ticket, EventKind.ASSIGNED, actor, at, handed_off=True)
    return ticket


def _transcript(session: Session, conversation_id: str, limit: int = 10) -> str:
    rows = session.scalars(
        select(Message)
        .where(Message.conversation_id == conversation_id, Message.kind.in_(CUSTOMER_VISIBLE))
        .order_by(Message.id.desc())
        .limit(limit)
    ).all()
    return "\n".join(f"{m.kind.value}: {m.body}" for m in reversed(rows))


def _handoff_subject(session: Session, conversation: Conversation) -> str:
    """The ticket's subject: the customer's most telling message, taken to be their longest
    (the earliest of equals): "鞋底开胶了，订单A2024-1181", not the "转人工" that came after."""
    bodies = session.scalars(
        select(Message.body)
        .where(Message.conversation_id == conversation.id, Message.kind == MessageKind.CUSTOMER)
        .order_by(Message.id)
    ).all()
    typed = [" ".join(body.split()) for body in bodies if not body.lstrip().startswith("/")]
    best = max(typed, key=len, default="")
    label = "在线咨询" if conversation.language == "zh" else "Chat"
    snippet = best[:79] + "…" if len(best) > 80 else best
    return f"{label}: {snippet}" if snippet else label


def hand_off_conversation(
    session: Session,
    conversation: Conversation,
    actor: Actor,
    *,
    reason: str,
    at: datetime | None = None,
) -> Ticket:
    """The conversation wants a human: the bot falls silent (state `queued`) and the
    conversation's open ticket, created now if there is none, is marked handed off so it shows
    in the desk's queues. `reason` goes into the ticket's history (request, fallback, bot_down)."""
    at = at_or_now(at)
    ticket = open_ticket_of(session, conversation.id)
    if ticket is None:
        ticket = create_ticket(
            session,
            subject=_handoff_subject(session, conversation),
            description=_transcript(session, conversation.id)[:DESCRIPTION_MAX],
            channel=conversation.channel,
            actor=actor,
            customer=conversation.customer,
            conversation_id=conversation.id,
            language=conversation.language,
            at=at,
        )
    changed = False
    if not ticket.handed_off:
        ticket.handed_off = True
        ticket.updated_at = at
        changed = True
    if conversation.state is ConversationState.BOT:
        conversation.state = ConversationState.QUEUED
        conversation.handed_off_at = at
        enqueue_outbound(session, conversation, OutboxKind.EVENT, {"event": "queued"}, at=at)
        changed = True
    if changed:
        log_event(session, ticket, EventKind.ASSIGNED, actor, at, handed_off=True, reason=reason)
    return ticket


def hand_back_conversation(
    session: Session, conversation: Conversation, actor: Actor, *, at: datetime | None = None
) -> OutboxMessage:
    """Give the conversation back to the bot. Rasa must be resumed first (an outbox row); the
    state goes back to `bot` only when that has been delivered (`complete_hand_back`), so no
    customer message reaches a paused bot."""
    at = at_or_now(at)
    if conversation.state is ConversationState.BOT:
        raise Conflict("the bot already has this conversation", field="state")
    waiting = session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.conversation_id == conversation.id,
            OutboxMessage.kind == OutboxKind.RASA_RESUME.value,
            OutboxMessage.status.in_([OutboxStatus.PENDING, OutboxStatus.SENDING]),
        )
    ).first()
    if waiting is not None:
        return waiting
    ticket = open_ticket_of(session, conversation.id)
    if ticket is not None:
        log_event(session, ticket, EventKind.ASSIGNED, actor, at, handed_back=True)
    return enqueue_outbound(session, conversation, OutboxKind.RASA_RESUME, {}, at=at)


def complete_hand_back(
    session: Session, conversation_id: str, *, at: datetime | None = None
) -> Conversation | None:
    """Rasa has resumed the conversation: the bot answers again and the customer is told."""
    conversation = session.get(Conversation, conversation_id)
    if conversation is None or conversation.state is ConversationState.BOT:
        return conversation
    conversation.state = ConversationState.BOT
    enqueue_outbound(session, conversation, OutboxKind.EVENT, {"event": "handed_back"}, at=at)
    return conversation
