"""Presence: an agent is online, away or offline; the console's heartbeat keeps them online,
and a console silent for `TIMEOUT` counts as offline whatever the agent last chose."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, select
from sqlalchemy.orm import Session

from ticketing.errors import InvalidInput, NotFound
from ticketing.models import AgentPresence, Role, User
from ticketing.models.presence import DEFAULT_MAX_CHATS, DEFAULT_MAX_TICKETS
from ticketing.services.access import is_supervisor
from ticketing.services.validation import at_or_now

TIMEOUT = timedelta(minutes=3)
CAPACITY_MAX = 200


class Presence(enum.StrEnum):
    ONLINE = "online"
    AWAY = "away"
    OFFLINE = "offline"


@dataclass(frozen=True)
class PresenceView:
    user: User
    status: Presence
    last_seen_at: datetime | None
    max_chats: int
    max_tickets: int


def presence_of(session: Session, user: User) -> AgentPresence:
    row = session.get(AgentPresence, user.id)
    if row is None:
        row = AgentPresence(user_id=user.id, status=Presence.OFFLINE.value)
        session.add(row)
        session.flush()
    return row


def effective(row: AgentPresence | None, now: datetime) -> Presence:
    if row is None or row.last_seen_at is None or now - row.last_seen_at > TIMEOUT:
        return Presence.OFFLINE
    return Presence(row.status)


def online_condition(now: datetime) -> ColumnElement[bool]:
    """SQL: the presence row of someone online now."""
    return and_(
        AgentPresence.status == Presence.ONLINE.value, AgentPresence.last_seen_at > now - TIMEOUT
    )


def view_of(user: User, row: AgentPresence | None, now: datetime) -> PresenceView:
    """`user`'s presence as the desk sees it now, from their row (None: never set)."""
    return PresenceView(
        user=user,
        status=effective(row, now),
        last_seen_at=row.last_seen_at if row else None,
        max_chats=row.max_chats if row else DEFAULT_MAX_CHATS,
        max_tickets=row.max_tickets if row else DEFAULT_MAX_TICKETS,
    )


def set_presence(
    session: Session, user: User, status: Presence, *, at: datetime | None = None
) -> AgentPresence:
    """The agent chose a status (the console calls this on every heartbeat too)."""
    at = at_or_now(at)
    row = presence_of(session, user)
    if row.status != status.value:
        row.status = status.value
        row.changed_at = at
    row.last_seen_at = at
    session.flush()
    return row


def set_capacity(
    session: Session, user: User, *, max_chats: int | None, max_tickets: int | None
) -> AgentPresence:
    """A supervisor sets how many live chats and open tickets `user` takes at once."""
    for name, value in (("max_chats", max_chats), ("max_tickets", max_tickets)):
        if value is not None and not 1 <= value <= CAPACITY_MAX:
            raise InvalidInput(f"{name} must be from 1 to {CAPACITY_MAX}", field=name)
    row = presence_of(session, user)
    if max_chats is not None:
        row.max_chats = max_chats
    if max_tickets is not None:
        row.max_tickets = max_tickets
    session.flush()
    return row


def desk_presence(session: Session, viewer: User, now: datetime) -> Sequence[PresenceView]:
    """Who is on: a supervisor sees every active desk user, an agent their own team."""
    stmt = (
        select(User, AgentPresence)
        .outerjoin(AgentPresence, AgentPresence.user_id == User.id)
        .where(User.is_active.is_(True), User.role != Role.ADMIN)
    )
    if not is_supervisor(viewer):
        if viewer.team_id is None:
            raise NotFound("you are in no team")
        stmt = stmt.where(User.team_id == viewer.team_id)
    views = []
    for user, row in session.execute(stmt.order_by(User.display_name)):
        views.append(view_of(user, row, now))
    return views
