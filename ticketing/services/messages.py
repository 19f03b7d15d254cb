"""Messages on a ticket: replies to the customer, the customer's and the bot's words, notes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from ticketing import sla
from ticketing.errors import Conflict
from ticketing.models import (
    EventKind,
    Message,
    MessageKind,
    Status,
    Ticket,
)
from ticketing.services.conversations import send_to_conversation
from ticketing.services.history import Actor, log_event
from ticketing.services.status import set_status
from ticketing.services.validation import BODY_MAX, at_or_now, text_field


def _add_message(
    session: Session,
    ticket: Ticket,
    kind: MessageKind,
    body: str,
    actor: Actor,
    at: datetime,
) -> Message:
    message = Message(
        ticket_id=ticket.id,
        conversation_id=ticket.conversation_id,
        kind=kind,
        author_user_id=actor.user.id if actor.user else None,
        body=text_field(body, "body", max_len=BODY_MAX),
        created_at=at,
    )
    session.add(message)
    session.flush()
    log_event(
        session,
        ticket,
        EventKind.NOTE if kind is MessageKind.NOTE else EventKind.MESSAGE,
        actor,
        at,
        message_id=message.id,
        message_kind=kind.value,
    )
    ticket.updated_at = at
    return message


def reply_to_customer(
    session: Session, ticket: Ticket, actor: Actor, body: str, *, at: datetime | None = None
) -> Message:
    """A public reply by an agent: meets the response clocks and opens a new ticket. On a chat
    conversation the agent joins it (the bot falls silent) and the reply goes out on the
    customer's channel through the outbox."""
    at = at_or_now(at)
    if ticket.status is Status.CLOSED:
        raise Conflict(f"{ticket.number} is closed; reopen it to reply")
    message = _add_message(session, ticket, MessageKind.AGENT, body, actor, at)
    if ticket.first_responded_at is None:
        ticket.first_responded_at = at
    before = sla.state_of(ticket)
    after = sla.agent_replied(before, at)
    replies_before = sla.agent_replies(session, ticket) - 1  # this reply is flushed already
    sla.clocks_stopped(
        session, ticket, before, after, at, sla.Stop.REPLY, replies_before=replies_before
    )
    sla.set_state(ticket, after)
    if ticket.status is Status.NEW:
        set_status(session, ticket, Status.OPEN, actor, at)
    send_to_conversation(session, ticket, message, actor, at)
    return message


def add_bot_message(
    session: Session, ticket: Ticket, body: str, *, at: datetime | None = None
) -> Message:
    """What the bot said on a ticket's conversation; it does not meet a human response target."""
    return _add_message(session, ticket, MessageKind.BOT, body, Actor.bot(), at_or_now(at))


def add_customer_message(
    session: Session, ticket: Ticket, body: str, *, at: datetime | None = None
) -> Message:
    """A customer wrote: starts the next-response clock; an answer to `pending` resumes it, and a
    message on a resolved ticket reopens it."""
    at = at_or_now(at)
    if ticket.status is Status.CLOSED:
        raise Conflict(f"{ticket.number} is closed")
    message = _add_message(session, ticket, MessageKind.CUSTOMER, body, Actor.customer(), at)
    if ticket.status in (Status.PENDING, Status.RESOLVED):
        set_status(session, ticket, Status.OPEN, Actor.customer(), at)
    targets = sla.targets_of_ticket(ticket)
    if targets is not None:
        sla.set_state(
            ticket,
            sla.customer_wrote(sla.state_of(ticket), targets, sla.calendar_of_ticket(ticket), at),
        )
    return message


def add_note(
    session: Session, ticket: Ticket, actor: Actor, body: str, *, at: datetime | None = None
) -> Message:
    """An internal note: seen by agents only, no effect on the SLA."""
    return _add_message(session, ticket, MessageKind.NOTE, body, actor, at_or_now(at))
