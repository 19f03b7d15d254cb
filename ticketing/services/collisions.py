"""Collision warnings: who else has a ticket open and who is typing on it, and whether another
desk user's reply reached the customer since the one replying last looked."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ticketing.models import Message, MessageKind, Ticket, TicketViewer, User
from ticketing.services.validation import at_or_now

VIEWING = timedelta(seconds=30)  # a console sends its heartbeat every 10 s
TYPING = timedelta(seconds=15)  # longer than a heartbeat, so a typist shows in every poll


@dataclass(frozen=True)
class Viewer:
    user: User
    typing: bool


@dataclass(frozen=True)
class LaterReply:
    author: User
    at: datetime


def seen(
    session: Session, ticket: Ticket, user: User, *, typing: bool, at: datetime | None = None
) -> None:
    """`user` has `ticket` open (and is typing a reply or note when `typing`)."""
    at = at_or_now(at)
    row = session.get(TicketViewer, (ticket.id, user.id))
    if row is None:
        row = TicketViewer(ticket_id=ticket.id, user_id=user.id, seen_at=at)
        session.add(row)
    row.seen_at = at
    if typing:
        row.typing_at = at
    session.flush()


def left(session: Session, ticket: Ticket, user: User) -> None:
    row = session.get(TicketViewer, (ticket.id, user.id))
    if row is not None:
        session.delete(row)
        session.flush()


def others(session: Session, ticket: Ticket, user: User, now: datetime) -> list[Viewer]:
    """The other desk users with `ticket` open now, typists first."""
    rows = session.execute(
        select(TicketViewer, User)
        .join(User, User.id == TicketViewer.user_id)
        .where(
            TicketViewer.ticket_id == ticket.id,
            TicketViewer.user_id != user.id,
            TicketViewer.seen_at > now - VIEWING,
        )
        .order_by(User.display_name)
    ).all()
    viewers = [
        Viewer(u, row.typing_at is not None and row.typing_at > now - TYPING) for row, u in rows
    ]
    return sorted(viewers, key=lambda v: not v.typing)


def reply_since(
    session: Session, ticket: Ticket, user: User, seen_message_id: int
) -> LaterReply | None:
    """The latest reply to the customer on `ticket` by another desk user after message
    `seen_message_id` (what the replier's console last showed), if any."""
    message = session.scalars(
        select(Message)
        .where(
            Message.ticket_id == ticket.id,
            Message.kind == MessageKind.AGENT,
            Message.id > seen_message_id,
            Message.author_user_id != user.id,
        )
        .order_by(Message.id.desc())
        .limit(1)
    ).first()
    if message is None or message.author is None:
        return None
    return LaterReply(message.author, message.created_at)
