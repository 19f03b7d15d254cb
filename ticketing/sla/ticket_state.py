"""A ticket's SLA state on its columns: read it, write it (with the worker's next checkpoint),
start it, and re-target it from its own history when its policy changes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ticketing.models import (
    EventKind,
    MessageKind,
    Priority,
    SlaPolicy,
    Status,
    Ticket,
    TicketEvent,
    Tier,
)
from ticketing.sla.calendar import Calendar
from ticketing.sla.checkpoints import DEFAULT_WARNING_PERCENT, next_check_at
from ticketing.sla.clock import (
    SlaState,
    Targets,
    agent_replied,
    customer_wrote,
    pause,
    reopened,
    resolved,
    resume,
    start,
)
from ticketing.sla.metrics import METRICS
from ticketing.sla.policy import calendar_of, find_policy, targets_of


def state_of(ticket: Ticket) -> SlaState:
    return SlaState(
        **{m.due: m.due_at(ticket) for m in METRICS},
        paused_at=ticket.sla_paused_at,
        next_response_started_at=ticket.next_response_started_at,
    )


def set_state(ticket: Ticket, state: SlaState) -> None:
    for metric in METRICS:
        setattr(ticket, metric.due, metric.due_at(state))
    ticket.sla_paused_at = state.paused_at
    ticket.next_response_started_at = state.next_response_started_at
    ticket.next_deadline_at = state.next_deadline_at
    # The worker's checkpoint: the earliest warning or deadline of the running clocks.
    policy = ticket.sla_policy
    ticket.next_sla_check_at = next_check_at(
        state,
        targets_of(policy) if policy else None,
        calendar_of(policy.calendar) if policy else None,
        policy.warning_percent if policy else DEFAULT_WARNING_PERCENT,
    )


def calendar_of_ticket(ticket: Ticket) -> Calendar | None:
    return calendar_of(ticket.sla_policy.calendar) if ticket.sla_policy else None


def targets_of_ticket(ticket: Ticket) -> Targets | None:
    return targets_of(ticket.sla_policy) if ticket.sla_policy else None


def start_clocks(ticket: Ticket, policy: SlaPolicy, at: datetime) -> None:
    """A new ticket under `policy`: its first-response and resolution clocks start at `at`."""
    set_state(ticket, start(targets_of(policy), calendar_of(policy.calendar), at))


def retarget(session: Session, ticket: Ticket, priority: Priority) -> None:
    """Give the ticket a priority and the policy its priority and its customer's tier call for
    now, and re-target its clocks from its own history: as if it had had that policy from the
    start, so time already spent and pauses count as they did. Verdicts already decided stay;
    a ticket left without a policy has no running deadline (the worker ignores it).

    Also the call after a policy's targets or calendar change, or a customer's tier."""
    ticket.priority = priority
    tier = ticket.customer.tier if ticket.customer else Tier.REGULAR
    policy = find_policy(session, priority, tier)
    ticket.sla_policy = policy
    if policy is None:
        set_state(ticket, SlaState())
        return
    set_state(ticket, replayed(session, ticket, targets_of(policy), calendar_of(policy.calendar)))


def replayed(
    session: Session, ticket: Ticket, targets: Targets, calendar: Calendar | None
) -> SlaState:
    """The ticket's SLA state under `targets` and `calendar`, replayed from its history: its
    creation, then its replies, customer messages and status changes in the order recorded."""
    state = start(targets, calendar, ticket.created_at)
    rows = session.execute(
        select(TicketEvent.kind, TicketEvent.data, TicketEvent.created_at)
        .where(
            TicketEvent.ticket_id == ticket.id,
            TicketEvent.kind.in_([EventKind.MESSAGE, EventKind.STATUS_CHANGED]),
        )
        .order_by(TicketEvent.id)
    )
    for kind, data, at in rows:
        state = replay_event(state, kind, data, targets, calendar, at)
    return state


def replay_event(
    state: SlaState,
    kind: EventKind,
    data: dict[str, Any],
    targets: Targets,
    calendar: Calendar | None,
    at: datetime,
) -> SlaState:
    """What one event of a ticket's history (a message, a status change) did to its clocks."""
    if kind is EventKind.MESSAGE:
        return _message(state, data.get("message_kind"), targets, calendar, at)
    if kind is EventKind.STATUS_CHANGED:
        return _status(state, data["status"], calendar, at)
    return state


def _message(
    state: SlaState, kind: str | None, targets: Targets, calendar: Calendar | None, at: datetime
) -> SlaState:
    if kind == MessageKind.AGENT.value:
        return agent_replied(state, at)
    if kind == MessageKind.CUSTOMER.value:
        return customer_wrote(state, targets, calendar, at)
    return state  # the bot's words and notes meet no target


_DONE = (Status.RESOLVED.value, Status.CLOSED.value)


def _status(
    state: SlaState, change: list[str], calendar: Calendar | None, at: datetime
) -> SlaState:
    previous, status = change
    if status == Status.PENDING.value:
        return pause(state, at)
    if status in _DONE:
        return resolved(state, at)
    if previous in _DONE:
        return reopened(state, calendar, at)
    return resume(state, calendar, at)
