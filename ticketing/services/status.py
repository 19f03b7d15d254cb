"""A ticket's status: the allowed transitions and what each does to the SLA clocks."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from ticketing import followups, sla
from ticketing.errors import Conflict, InvalidInput
from ticketing.models import (
    EventKind,
    Status,
    Ticket,
)
from ticketing.services.assignment import assign_queued
from ticketing.services.history import Actor, log_event
from ticketing.services.validation import at_or_now

ALLOWED_TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.NEW: frozenset({Status.OPEN, Status.PENDING, Status.RESOLVED, Status.CLOSED}),
    Status.OPEN: frozenset({Status.PENDING, Status.RESOLVED, Status.CLOSED}),
    Status.PENDING: frozenset({Status.OPEN, Status.RESOLVED, Status.CLOSED}),
    Status.RESOLVED: frozenset({Status.OPEN, Status.CLOSED}),
    Status.CLOSED: frozenset({Status.OPEN}),
}


def change_status(
    session: Session, ticket: Ticket, status: Status, actor: Actor, *, at: datetime | None = None
) -> Ticket:
    """Move a ticket to `status`, pausing or resuming its SLA clock as the status requires."""
    at = at_or_now(at)
    if status == ticket.status:
        raise Conflict(f"{ticket.number} is already {status.value}", field="status")
    if status not in ALLOWED_TRANSITIONS[ticket.status]:
        raise Conflict(
            f"{ticket.number} cannot go from {ticket.status.value} to {status.value}",
            field="status",
        )
    if status is Status.NEW:
        raise InvalidInput("a ticket cannot go back to new", field="status")
    set_status(session, ticket, status, actor, at)
    return ticket


def set_status(
    session: Session, ticket: Ticket, status: Status, actor: Actor, at: datetime
) -> None:
    previous = ticket.status
    _move_clocks(session, ticket, previous, status, at)
    if status is Status.RESOLVED:
        ticket.resolved_at = at
    elif status is Status.CLOSED:
        ticket.closed_at = at
        ticket.resolved_at = ticket.resolved_at or at
    elif status is Status.OPEN and previous in (Status.RESOLVED, Status.CLOSED):
        ticket.reopen_count += 1
        ticket.resolved_at = None
        ticket.closed_at = None
    ticket.status = status
    ticket.updated_at = at
    log_event(
        session,
        ticket,
        EventKind.STATUS_CHANGED,
        actor,
        at,
        status=[previous.value, status.value],
    )
    followups.status_changed(session, ticket, previous, status, at)
    if status in (Status.RESOLVED, Status.CLOSED) and ticket.assignee_id is not None:
        # Its agent has room again: the team's queue moves up.
        assign_queued(session, ticket.team_id, at=at)


def _move_clocks(
    session: Session, ticket: Ticket, previous: Status, status: Status, at: datetime
) -> None:
    """What the new status does to the SLA clocks; a resolution decides the verdicts of the
    clocks it stops (before the reopen count moves, which keys next-response clocks)."""
    state = sla.state_of(ticket)
    calendar = sla.calendar_of_ticket(ticket)
    if status is Status.PENDING:
        state = sla.pause(state, at)
    elif status in (Status.RESOLVED, Status.CLOSED):
        after = sla.resolved(state, at)
        sla.clocks_stopped(session, ticket, state, after, at, sla.Stop.RESOLUTION)
        state = after
    elif previous in (Status.RESOLVED, Status.CLOSED):
        state = sla.reopened(state, calendar, at)
    else:
        state = sla.resume(state, calendar, at)
    sla.set_state(ticket, state)


def resolve_ticket(
    session: Session, ticket: Ticket, actor: Actor, *, at: datetime | None = None
) -> Ticket:
    return change_status(session, ticket, Status.RESOLVED, actor, at=at)


def close_ticket(
    session: Session, ticket: Ticket, actor: Actor, *, at: datetime | None = None
) -> Ticket:
    return change_status(session, ticket, Status.CLOSED, actor, at=at)


def reopen_ticket(
    session: Session, ticket: Ticket, actor: Actor, *, at: datetime | None = None
) -> Ticket:
    """Reopen a resolved or closed ticket: its resolution clock resumes where it stopped."""
    if ticket.status not in (Status.RESOLVED, Status.CLOSED):
        raise Conflict(f"{ticket.number} is {ticket.status.value}, not resolved or closed")
    return change_status(session, ticket, Status.OPEN, actor, at=at)
