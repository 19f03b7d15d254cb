"""Chat conversations: who they belong to, who holds them (the bot, the queue or an agent),
their messages, and what goes out on them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ticketing import channels
from ticketing.errors import Conflict, InvalidInput
from ticketing.models import (
    OPEN_STATUSES,
    Channel,
    Conversation,
    ConversationState,
    EventKind,
    Message,
    MessageKind,
    OutboxKind,
    OutboxMessage,
    OutboxStatus,
    Ticket,
    User,
)
from ticketing.services.access import owning_ticket
from ticketing.services.assignment import assign_queued
from ticketing.services.customers import get_or_create_customer
from ticketing.services.history import Actor, log_event
from ticketing.services.tickets import create_ticket
from ticketing.services.validation import (
    DESCRIPTION_MAX,
    at_or_now,
    without_control_characters,
)

CUSTOMER_VISIBLE: tuple[MessageKind, ...] = (
    MessageKind.CUSTOMER,
    MessageKind.BOT,
    MessageKind.AGENT,
)


EXTERNAL_ID_MAX = 100


HISTORY_MAX = 200


def conversation_id_for(channel: Channel, external_id: str) -> str:
    """The channel-qualified conversation id, e.g. `web:3f2a...` or `telegram:123456789`."""
    if channels.lookup(channel) is None:
        raise InvalidInput(f"{channel.value} is not a chat channel", field="channel")
    value = external_id.strip()
    if not value or len(value) > EXTERNAL_ID_MAX or not value.isprintable() or " " in value:
        raise InvalidInput("the channel's conversation id is not valid", field="external_id")
    return f"{channel.value}:{value}"


def get_or_create_conversation(
    session: Session,
    channel: Channel,
    external_id: str,
    *,
    display_name: str | None = None,
    language: str | None = None,
    at: datetime | None = None,
) -> Conversation:
    """The conversation of a channel identity, with its customer; both created on first contact."""
    conversation_id = conversation_id_for(channel, external_id)
    conversation = session.get(Conversation, conversation_id)
    if conversation is not None:
        return conversation
    at = at_or_now(at)
    customer = get_or_create_customer(
        session,
        channels.identity_of(channel),
        external_id.strip(),
        # The name the channel reports: the customer cannot fix it, so it is cleaned, not refused.
        name=without_control_characters(display_name or "").strip()[:120],
        language=language or "zh",
    )
    conversation = Conversation(
        id=conversation_id,
        channel=channel,
        customer=customer,
        state=ConversationState.BOT,
        language=language or customer.language,
        created_at=at,
        last_message_at=at,
        # A ticket the bot opened for this sender before the gateway saw them.
        ticket=_newest_open_ticket(session, conversation_id),
    )
    session.add(conversation)
    session.flush()
    return conversation


def open_ticket_of(session: Session, conversation_id: str) -> Ticket | None:
    """The open ticket the conversation's messages go to: its own (`Conversation.ticket`),
    never merely the newest naming it. A sender the gateway has not seen (Rasa's own
    channels) has no conversation row: the newest open ticket naming it, for the bot."""
    conversation = session.get(Conversation, conversation_id)
    if conversation is not None:
        return owning_ticket(conversation)
    return _newest_open_ticket(session, conversation_id)


def _newest_open_ticket(session: Session, conversation_id: str) -> Ticket | None:
    return session.scalars(
        select(Ticket)
        .where(Ticket.conversation_id == conversation_id, Ticket.status.in_(OPEN_STATUSES))
        .order_by(Ticket.id.desc())
        .limit(1)
    ).first()


def enqueue_outbound(
    session: Session,
    conversation: Conversation,
    kind: OutboxKind,
    payload: dict[str, Any],
    *,
    at: datetime | None = None,
) -> OutboxMessage:
    """Put something on the outbox for the conversation's channel (delivered after commit)."""
    at = at_or_now(at)
    row = OutboxMessage(
        conversation_id=conversation.id,
        channel=conversation.channel,
        kind=kind.value,
        payload=payload,
        status=OutboxStatus.PENDING,
        attempts=0,
        next_attempt_at=at,
        created_at=at,
    )
    session.add(row)
    session.flush()
    return row


def join_conversation(
    session: Session, conversation: Conversation, agent: User, *, at: datetime | None = None
) -> Conversation:
    """An agent takes the conversation over: the bot stays silent and the customer is told the
    agent's name."""
    at = at_or_now(at)
    if conversation.state is ConversationState.AGENT and conversation.agent_id == agent.id:
        return conversation
    if conversation.state is ConversationState.BOT:
        conversation.handed_off_at = at
    conversation.state = ConversationState.AGENT
    conversation.agent_id = agent.id
    enqueue_outbound(
        session,
        conversation,
        OutboxKind.EVENT,
        {"event": "agent_joined", "agent_name": agent.display_name},
        at=at,
    )
    return conversation


def send_to_conversation(
    session: Session, ticket: Ticket, message: Message, actor: Actor, at: datetime
) -> None:
    if ticket.conversation_id is None:
        return
    conversation = session.get(Conversation, ticket.conversation_id)
    if conversation is None or channels.lookup(conversation.channel) is None:
        return
    if actor.user is not None:
        join_conversation(session, conversation, actor.user, at=at)
    conversation.last_message_at = at
    enqueue_outbound(
        session,
        conversation,
        OutboxKind.TEXT,
        {
            "message_id": message.id,
            "sender": "agent",
            "text": message.body,
            "author_name": actor.user.display_name if actor.user else None,
        },
        at=at,
    )


def conversation_messages(
    session: Session,
    conversation_id: str,
    *,
    after_id: int | None = None,
    limit: int = HISTORY_MAX,
    include_notes: bool = False,
) -> list[Message]:
    """The conversation's messages oldest first: the latest `limit`, or those after `after_id`.
    Internal notes only when `include_notes` (never for the customer)."""
    stmt = select(Message).where(Message.conversation_id == conversation_id)
    if not include_notes:
        stmt = stmt.where(Message.kind.in_(CUSTOMER_VISIBLE))
    if after_id is not None:
        stmt = stmt.where(Message.id > after_id)
    stmt = stmt.options(selectinload(Message.author)).order_by(Message.id.desc()).limit(limit)
    return list(reversed(session.scalars(stmt).all()))


# --- who holds the conversation: the bot, the queue or an agent ---------------------------------


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
        assign_queued(session, ticket.team_id, at=at)
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
