"""Chat conversations: who they belong to, their messages, and what goes out on them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ticketing import channels
from ticketing.errors import InvalidInput
from ticketing.models import (
    OPEN_STATUSES,
    Channel,
    Conversation,
    ConversationState,
    Message,
    MessageKind,
    OutboxKind,
    OutboxMessage,
    OutboxStatus,
    Ticket,
    User,
)
from ticketing.services.customers import get_or_create_customer
from ticketing.services.history import Actor
from ticketing.services.validation import at_or_now

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
        name=(display_name or "").strip()[:120],
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
    )
    session.add(conversation)
    session.flush()
    return conversation


def open_ticket_of(session: Session, conversation_id: str) -> Ticket | None:
    """The newest ticket of the conversation that is not resolved or closed."""
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
