"""Who makes a change, and the ticket's history rows that record it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from ticketing.models import (
    ActorKind,
    EventKind,
    Ticket,
    TicketEvent,
    User,
)


@dataclass(frozen=True)
class Actor:
    """Who makes a change: recorded on every history row."""

    kind: ActorKind
    user: User | None = None

    @classmethod
    def system(cls) -> Actor:
        return cls(ActorKind.SYSTEM)

    @classmethod
    def bot(cls) -> Actor:
        return cls(ActorKind.BOT)

    @classmethod
    def customer(cls) -> Actor:
        return cls(ActorKind.CUSTOMER)

    @classmethod
    def of(cls, user: User) -> Actor:
        return cls(ActorKind.AGENT, user)


def log_event(
    session: Session,
    ticket: Ticket,
    kind: EventKind,
    actor: Actor,
    at: datetime,
    **data: Any,
) -> TicketEvent:
    """Append one history row for `ticket`."""
    row = TicketEvent(
        ticket_id=ticket.id,
        kind=kind,
        actor_kind=actor.kind,
        actor_user_id=actor.user.id if actor.user else None,
        data=data,
        created_at=at,
    )
    session.add(row)
    return row
