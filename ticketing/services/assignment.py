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

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from ticketing.models import (
    OPEN_STATUSES,
    PRIORITY_ORDER,
    AgentPresence,
    Customer,
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
    max_chats: int
    max_tickets: int
    last_assigned_at: datetime | None
    chats: int
    tickets: int

    def has_room(self, chat: bool) -> bool:
        if self.tickets >= self.max_tickets:
            return False
        return not chat or self.chats < self.max_chats

    def order(self) -> tuple[float, float, int]:
        load = self.tickets / max(self.max_tickets, 1)
        last = self.last_assigned_at
        return (load, last.timestamp() if last else 0.0, self.user.id)


@dataclass(frozen=True)
class Assignment:
    ticket: Ticket
    agent: User
    reason: str


def _lock(session: Session, team_id: int) -> bool:
    """Lock the team's row if it auto-assigns, in one round trip: PostgreSQL locks only the
    rows a `FOR UPDATE` returns, so a team without auto-assignment is read, never locked."""
    locked = select(Team.id).where(Team.id == team_id, Team.auto_assign.is_(True))
    return session.scalar(locked.with_for_update()) is not None


def _seats(session: Session, team_id: int, now: datetime) -> list[Seat]:
    """The team's online agents, then all their loads in one grouped count over the index
    (assignee, status, handed_off), which holds every column the count reads."""
    agents = session.execute(
        select(
            User,
            AgentPresence.max_chats,
            AgentPresence.max_tickets,
            AgentPresence.last_assigned_at,
        )
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
    loads = {
        assignee: (chats, total)
        for assignee, chats, total in session.execute(
            select(
                Ticket.assignee_id,
                func.count().filter(Ticket.handed_off.is_(True)),
                func.count(),
            )
            .where(
                Ticket.assignee_id.in_([row[0].id for row in agents]),
                Ticket.status.in_(OPEN_STATUSES),
            )
            .group_by(Ticket.assignee_id)
        )
    }
    return [
        Seat(user, max_chats, max_tickets, last, *loads.get(user.id, (0, 0)))
        for user, max_chats, max_tickets, last in agents
    ]


def _queued(session: Session, team_id: int) -> list[tuple[Ticket, int | None]]:
    """The team's queue, each ticket with its key account's manager (one statement: no
    per-ticket read of the customer)."""
    manager = case((Customer.tier == Tier.KEY_ACCOUNT, Customer.account_manager_id), else_=None)
    rows = session.execute(
        select(Ticket, manager)
        .outerjoin(Customer, Customer.id == Ticket.customer_id)
        .where(
            Ticket.team_id == team_id,
            Ticket.assignee_id.is_(None),
            Ticket.status.in_([Status.NEW, Status.OPEN]),
        )
        .order_by(Ticket.handed_off.desc(), _PRIORITY_RANK.desc(), Ticket.created_at, Ticket.id)
        .limit(BATCH)
    ).all()
    return [(ticket, manager_id) for ticket, manager_id in rows]


def _pick(chat: bool, manager_id: int | None, seats: list[Seat]) -> tuple[Seat, str] | None:
    room = [s for s in seats if s.has_room(chat)]
    if not room:
        return None
    if manager_id is not None:
        for seat in room:
            if seat.user.id == manager_id:
                return seat, "account_manager"
    return min(room, key=Seat.order), "least_loaded"


def assign_queued(
    session: Session, team_id: int | None, *, at: datetime | None = None
) -> list[Assignment]:
    """One pass for one team, in the caller's transaction: every queued item an online agent
    has room for is assigned. Does nothing for a team without auto-assignment.

    Every ticket created or closed calls this, so a pass is a fixed handful of statements
    whatever the team's size: lock, seats with their loads, queue, then one flush (tickets,
    history rows) and one update of the round-robin times."""
    if team_id is None or not _lock(session, team_id):
        return []
    at = at_or_now(at)
    seats = _seats(session, team_id, at)
    if not seats:
        return []
    done: list[Assignment] = []
    for ticket, manager_id in _queued(session, team_id):
        picked = _pick(ticket.handed_off, manager_id, seats)
        if picked is None:
            continue
        seat, reason = picked
        ticket.assignee = seat.user
        ticket.updated_at = at
        seat.tickets += 1
        seat.chats += int(ticket.handed_off)
        seat.last_assigned_at = at
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
    if done:
        served = {a.agent.id for a in done}
        session.execute(
            update(AgentPresence)
            .where(AgentPresence.user_id.in_(served))
            .values(last_assigned_at=at)
        )
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
