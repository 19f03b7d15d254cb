"""A chat turn in the store: the customer's message in, the bot's answer out."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from ticketing.errors import AlreadyReceived
from ticketing.models import (
    Channel,
    Conversation,
    Message,
    MessageKind,
    OutboxKind,
    OutboxMessage,
    ReceivedUpdate,
    Ticket,
)
from ticketing.services.conversations import (
    enqueue_outbound,
    get_or_create_conversation,
    open_ticket_of,
)
from ticketing.services.messages import add_bot_message, add_customer_message
from ticketing.services.validation import BODY_MAX, at_or_now, text_field


@dataclass(frozen=True)
class InboundRecord:
    conversation: Conversation
    message: Message
    ticket: Ticket | None  # the open ticket the message was added to


def record_inbound_message(
    session: Session,
    channel: Channel,
    external_id: str,
    body: str,
    *,
    display_name: str | None = None,
    language: str | None = None,
    data: dict[str, Any] | None = None,
    update_id: str | None = None,
    at: datetime | None = None,
) -> InboundRecord:
    """A customer wrote on a chat channel: the message is kept whoever answers it. On the
    conversation's open ticket it runs that ticket's SLA clocks (next response, resumption).
    `update_id` is the channel's own id for the update: one stored before raises
    AlreadyReceived (two at once: the second fails on the key, and finds it when retried)."""
    at = at_or_now(at)
    text = text_field(body, "body", max_len=BODY_MAX)
    if update_id is not None:
        if session.get(ReceivedUpdate, (channel, update_id)) is not None:
            raise AlreadyReceived(f"{channel.value} update {update_id} was received before")
        session.add(ReceivedUpdate(channel=channel, update_id=update_id, received_at=at))
    conversation = get_or_create_conversation(
        session, channel, external_id, display_name=display_name, language=language, at=at
    )
    if language:
        conversation.language = language
    conversation.last_message_at = at
    ticket = open_ticket_of(session, conversation.id)
    if ticket is not None:
        message = add_customer_message(session, ticket, text, at=at)
    else:
        message = Message(
            conversation_id=conversation.id, kind=MessageKind.CUSTOMER, body=text, created_at=at
        )
        session.add(message)
    message.data = data or None
    session.flush()
    return InboundRecord(conversation, message, ticket)


def record_bot_reply(
    session: Session,
    conversation: Conversation,
    text: str | None,
    *,
    buttons: Sequence[Mapping[str, Any]] = (),
    image: str | None = None,
    at: datetime | None = None,
) -> tuple[Message, OutboxMessage]:
    """What the bot answered, kept in the conversation (and on its open ticket) and put on the
    outbox for the customer."""
    at = at_or_now(at)
    body = (text or "").strip() or (image or "").strip()
    clean_buttons = [
        {"title": str(b.get("title", ""))[:200], "payload": str(b.get("payload", ""))[:500]}
        for b in buttons
    ]
    ticket = open_ticket_of(session, conversation.id)
    if ticket is not None:
        message = add_bot_message(session, ticket, body, at=at)
    else:
        message = Message(
            conversation_id=conversation.id,
            kind=MessageKind.BOT,
            body=text_field(body, "body", max_len=BODY_MAX),
            created_at=at,
        )
        session.add(message)
    data: dict[str, Any] = {}
    if clean_buttons:
        data["buttons"] = clean_buttons
    if image:
        data["image"] = image
    message.data = data or None
    conversation.last_message_at = at
    session.flush()
    row = enqueue_outbound(
        session,
        conversation,
        OutboxKind.TEXT,
        {"message_id": message.id, "sender": "bot", "text": message.body, **data},
        at=at,
    )
    return message, row
