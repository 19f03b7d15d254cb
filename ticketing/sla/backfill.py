"""Verdicts for the tickets resolved or closed before verdicts were stored (migration 0020
added them without any for older tickets, so the reports left those out): each such ticket's
SLA history is replayed through the clock, and every deadline decided as the application
decides it now (`python -m ticketing reports backfill-verdicts`).

The replay walks the ticket's messages, status changes and assignments in the order recorded,
under the ticket's policy as it is now (as a re-targeting does): a reply or a resolution stops
clocks and decides them (`verdicts.clocks_stopped`), and a running deadline that passed before
the next event is missed, decided at its due time (the earliest the worker could have). Each
verdict gets the agent who held the ticket then, from the assignment history (the ticket's
assignee now when there is none). Import it as `ticketing.sla.backfill`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import Session, sessionmaker

from ticketing.models import (
    EventKind,
    MessageKind,
    Priority,
    SlaVerdict,
    Status,
    Ticket,
    TicketEvent,
    User,
)
from ticketing.sla.clock import SlaState, start
from ticketing.sla.metrics import METRICS
from ticketing.sla.ticket_state import calendar_of_ticket, replay_event, targets_of_ticket
from ticketing.sla.verdicts import Stop, breached, clock_key, clocks_stopped

BATCH = 200
_DONE = (Status.RESOLVED.value, Status.CLOSED.value)


@dataclass
class _Replay:
    """Where the replay of one ticket is: its clocks, the agent replies and reopens so far (they
    key next-response clocks), who held it and its priority, and the verdicts given them."""

    state: SlaState
    replies: int = 0
    reopens: int = 0
    holder: int | None = None
    priority: Priority | None = None
    held: set[tuple[Any, str]] = field(default_factory=set)


def _unverdicted() -> Any:
    return select(Ticket).where(
        Ticket.status.in_([Status.RESOLVED, Status.CLOSED]),
        Ticket.sla_policy_id.is_not(None),
        ~exists().where(SlaVerdict.ticket_id == Ticket.id),
    )


def backfill(factory: sessionmaker[Session], *, batch: int = BATCH) -> tuple[int, int]:
    """Replay every resolved or closed ticket with a policy and no verdict, a batch of tickets
    per transaction; returns (tickets replayed, verdicts written). Running it again finds
    nothing to do (a ticket with any verdict is left alone)."""
    after, tickets, written = 0, 0, 0
    while True:
        with factory.begin() as session:
            found = list(
                session.scalars(
                    _unverdicted().where(Ticket.id > after).order_by(Ticket.id).limit(batch)
                )
            )
            if not found:
                return tickets, written
            users = dict(session.execute(select(User.username, User.id)).all())
            for ticket in found:
                written += replay(session, ticket, users)
            tickets += len(found)
            after = found[-1].id


_CHANGES = (EventKind.ASSIGNED, EventKind.TRIAGED, EventKind.PRIORITY_CHANGED)


def _at_first(events: Sequence[Any], name: str) -> tuple[bool, Any]:
    """Whether the history changes `name` ([before, after] in an event's data), and its value
    before the first change."""
    for kind, data, _ in events:
        if kind in _CHANGES and name in data:
            return True, data[name][0]
    return False, None


def _follow(run: _Replay, data: dict[str, Any], users: dict[str, int]) -> None:
    """An assignment or a priority change: the holder and priority of verdicts from here on."""
    if "assignee" in data:
        run.holder = users.get(data["assignee"][1]) if data["assignee"][1] else None
    if "priority" in data:
        run.priority = Priority(data["priority"][1])


def replay(session: Session, ticket: Ticket, users: dict[str, int]) -> int:
    """Decide one ticket's deadlines from its history; returns the verdicts written."""
    targets, calendar = targets_of_ticket(ticket), calendar_of_ticket(ticket)
    if targets is None:
        return 0
    events = session.execute(
        select(TicketEvent.kind, TicketEvent.data, TicketEvent.created_at)
        .where(
            TicketEvent.ticket_id == ticket.id,
            TicketEvent.kind.in_([EventKind.MESSAGE, EventKind.STATUS_CHANGED, *_CHANGES]),
        )
        .order_by(TicketEvent.id)
    ).all()
    run = _Replay(start(targets, calendar, ticket.created_at))
    # Before the first change: what it changed from; with no change in the history, now.
    assigned, username = _at_first(events, "assignee")
    run.holder = (users.get(username) if username else None) if assigned else ticket.assignee_id
    changed, priority = _at_first(events, "priority")
    run.priority = Priority(priority) if changed else ticket.priority
    for kind, data, at in events:
        _missed(session, ticket, run, at)
        if kind in _CHANGES:
            _follow(run, data, users)
            continue
        after = replay_event(run.state, kind, data, targets, calendar, at)
        if _stopped(session, ticket, run, (kind, data, at), after):
            _give_holder(session, ticket, run)
        run.state = after
    return len(run.held)


def _missed(session: Session, ticket: Ticket, run: _Replay, at: datetime) -> None:
    """The running deadlines that passed before `at`: the worker would have missed them."""
    if run.state.paused_at is not None:
        return
    for metric in METRICS:
        due = metric.due_at(run.state)
        if due is None or due >= at:
            continue
        key = clock_key(metric.metric, ticket, run.replies, run.reopens)
        if (metric.metric, key) not in run.held:
            breached(session, ticket, metric.metric, key, due, due, run.state)
            _give_holder(session, ticket, run)


def _stopped(
    session: Session,
    ticket: Ticket,
    run: _Replay,
    event: tuple[EventKind, dict[str, Any], datetime],
    after: SlaState,
) -> bool:
    """A reply or a resolution: the clocks it stops are decided (or completed). Whether it was
    one (only then can a verdict have been written)."""
    kind, data, at = event
    by: Stop | None = None
    if kind is EventKind.MESSAGE and data.get("message_kind") == MessageKind.AGENT.value:
        by = Stop.REPLY
    elif kind is EventKind.STATUS_CHANGED:
        previous, status = data["status"]
        if status in _DONE:  # as the service layer: resolved then closed decides nothing new
            by = Stop.RESOLUTION
        elif previous in _DONE and status == Status.OPEN.value:  # as set_status counts them
            run.reopens += 1
    if by is None:
        return False
    clocks_stopped(
        session,
        ticket,
        run.state,
        after,
        at,
        by,
        replies_before=run.replies,
        reopens=run.reopens,
    )
    if by is Stop.REPLY:
        run.replies += 1
    return True


def _give_holder(session: Session, ticket: Ticket, run: _Replay) -> None:
    """The verdicts decided since the last look: the current holder's, at the priority then.
    `run.held` is then every verdict of the ticket (it had none before the replay)."""
    session.flush()
    for verdict in session.scalars(select(SlaVerdict).where(SlaVerdict.ticket_id == ticket.id)):
        key = (verdict.metric, verdict.clock)
        if key not in run.held:
            verdict.assignee_id = run.holder
            verdict.priority = run.priority or ticket.priority
            run.held.add(key)
