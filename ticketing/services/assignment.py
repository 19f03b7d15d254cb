"""Auto-assignment by capacity, per team (on when `Team.auto_assign` is set).

A team's queued items (its unassigned new and open tickets: queued chats first, then by
priority, oldest first) go to its online agents with room: a chat needs a free chat slot and a
free ticket slot, any other ticket a free ticket slot. A key account's ticket goes to the
customer's own account manager when they are online with room; otherwise the least loaded agent
takes it, and among equals the one assigned longest ago (round-robin). Every assignment writes a
history row with its reason.

Exactly once under concurrency: a pass locks the team's row first (`SELECT ... FOR UPDATE` on
PostgreSQL; SQLite's write lock serializes writers already), so two web processes and two
workers never hand out one item twice nor count the same free slot twice; an agent's own claim
racing with a pass finds the ticket taken (409), as a claim lost to a colleague does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, sessionmaker

from ticketing.models import (
    OPEN_STATUSES,
    PRIORITY_ORDER,
    AgentPresence,
    EventKind,
    Role,
    Status,
    Team,
    Ticket,
    Tier,
    User,
)
from ticketing.services.history import Actor, log_event
from ticketing.services.presence import online_condition
from ticketing.services.validation import at_or_now

BATCH = 500
_PRIORITY_RANK = case(
    {p.value: i for i, p in enumerate(PRIORITY_ORDER)}, value=Ticket.priority, else_=0
)


@dataclass
class Seat:
    """One online agent's room this pass."""

    user: User
    presence: AgentPresence
    chats: int
    tickets: int

    def has_room(self, chat: bool) -> bool:
        if self.tickets >= self.presence.max_tickets:
            return False
        return not chat or self.chats < self.presence.max_chats

    def order(self) -> tuple[float, float, int]:
        load = self.tickets / max(self.presence.max_tickets, 1)
        last = self.presence.last_assigned_at
        return (load, last.timestamp() if last else 0.0, self.user.id)


@dataclass(frozen=True)
class Assignment:
    ticket: Ticket
    agent: User
    reason: str


def _seats(session: Session, team_id: int, now: datetime) -> list[Seat]:
    agents = session.execute(
        select(User, AgentPresence)
        .join(AgentPresence, AgentPresence.user_id == User.id)
        .where(
            User.team_id == team_id,
            User.role == Role.AGENT,
            User.is_active.is_(True),
            online_condition(now),
        )
    ).all()
    if not agents:
        return []
    ids = [user.id for user, _ in agents]
    loads = {
        assignee: (chats or 0, total)
        for assignee, chats, total in session.execute(
            select(
                Ticket.assignee_id,
                func.sum(case((Ticket.handed_off.is_(True), 1), else_=0)),
                func.count(),
            )
            .where(Ticket.assignee_id.in_(ids), Ticket.status.in_(OPEN_STATUSES))
            .group_by(Ticket.assignee_id)
        )
    }
    return [Seat(user, presence, *loads.get(user.id, (0, 0))) for user, presence in agents]


def _queued(session: Session, team_id: int) -> Sequence[Ticket]:
    return session.scalars(
        select(Ticket)
        .where(
            Ticket.team_id == team_id,
            Ticket.assignee_id.is_(None),
            Ticket.status.in_([Status.NEW, Status.OPEN]),
        )
        .order_by(Ticket.handed_off.desc(), _PRIORITY_RANK.desc(), Ticket.created_at, Ticket.id)
        .limit(BATCH)
    ).all()


def _pick(ticket: Ticket, seats: list[Seat]) -> tuple[Seat, str] | None:
    room = [s for s in seats if s.has_room(ticket.handed_off)]
    if not room:
        return None
    customer = ticket.customer
    if customer is not None and customer.tier is Tier.KEY_ACCOUNT and customer.account_manager_id:
        for seat in room:
            if seat.user.id == customer.account_manager_id:
                return seat, "account_manager"
    return min(room, key=Seat.order), "least_loaded"


def assign_queued(
    session: Session, team_id: int | None, *, at: datetime | None = None
) -> list[Assignment]:
    """One pass for one team, in the caller's transaction: every queued item an online agent
    has room for is assigned. Does nothing for a team without auto-assignment."""
    if team_id is None:
        return []
    at = at_or_now(at)
    # Every ticket created or closed calls this: a team without auto-assignment costs one
    # primary-key read, and only an auto-assigning team's row is locked.
    known = session.get(Team, team_id)
    if known is None or not known.auto_assign:
        return []
    locked = select(Team).where(Team.id == team_id).with_for_update()
    team = session.scalars(locked.execution_options(populate_existing=True)).first()
    if team is None or not team.auto_assign:
        return []
    seats = _seats(session, team_id, at)
    if not seats:
        return []
    done: list[Assignment] = []
    for ticket in _queued(session, team_id):
        picked = _pick(ticket, seats)
        if picked is None:
            continue
        seat, reason = picked
        ticket.assignee = seat.user
        ticket.updated_at = at
        seat.tickets += 1
        seat.chats += int(ticket.handed_off)
        seat.presence.last_assigned_at = at
        log_event(
            session,
            ticket,
            EventKind.ASSIGNED,
            Actor.system(),
            at,
            assignee=[None, seat.user.username],
            reason=reason,
            load=[seat.chats, seat.tickets],
        )
        done.append(Assignment(ticket, seat.user, reason))
    session.flush()
    return done


def sweep(factory: sessionmaker[Session], now: datetime) -> int:
    """The worker's pass over every auto-assigning team (each in its own transaction): catches
    agents going offline by silence and anything a web process left queued."""
    with factory() as session:
        team_ids = session.scalars(select(Team.id).where(Team.auto_assign.is_(True))).all()
    assigned = 0
    for team_id in team_ids:
        with factory.begin() as session:
            assigned += len(assign_queued(session, team_id, at=now))
    return assigned
