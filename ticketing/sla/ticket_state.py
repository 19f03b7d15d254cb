"""A ticket's SLA state on its columns: read it, write it (with the worker's next checkpoint),
start it, and re-target it when the priority changes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from ticketing.models import Priority, SlaPolicy, Ticket, Tier
from ticketing.sla.calendar import Calendar
from ticketing.sla.checkpoints import DEFAULT_WARNING_PERCENT, next_check_at
from ticketing.sla.clock import SlaState, Targets, start
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
    """Give the ticket a new priority and that priority's policy. Deadlines of the new priority
    count from the ticket's creation, as if it had had that priority from the start; clocks
    already met stay met."""
    ticket.priority = priority
    tier = ticket.customer.tier if ticket.customer else Tier.REGULAR
    policy = find_policy(session, priority, tier)
    ticket.sla_policy = policy
    if policy is None:
        return
    fresh = start(targets_of(policy), calendar_of(policy.calendar), ticket.created_at)
    state = state_of(ticket)
    set_state(
        ticket,
        SlaState(
            first_response_due_at=fresh.first_response_due_at
            if state.first_response_due_at
            else None,
            next_response_due_at=state.next_response_due_at,
            resolution_due_at=fresh.resolution_due_at if state.resolution_due_at else None,
            paused_at=state.paused_at,
        ),
    )
