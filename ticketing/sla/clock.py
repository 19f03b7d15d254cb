"""A ticket's SLA clocks: targets, deadlines, and how replies, pauses and resolutions move them.

Pure functions over timezone-aware datetimes; `ticketing.sla.policy` reads and writes the state on
a ticket's columns.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from ticketing.sla.calendar import Calendar, add_business_time, as_utc, business_time_between
from ticketing.sla.metrics import METRICS


@dataclass(frozen=True)
class Targets:
    """How much business time a ticket's team has for each clock (None: that clock never runs)."""

    first_response: timedelta | None
    next_response: timedelta | None
    resolution: timedelta | None
    # Zammad's way: the next-response clock runs from creation and every customer message, also
    # before the first reply; by default it starts only once first response is met.
    next_response_before_first_reply: bool = False

    def __post_init__(self) -> None:
        for metric in METRICS:
            value = metric.target_of(self)
            if value is not None and value < timedelta(0):
                raise ValueError(f"{metric.target} target must not be negative, got {value}")


@dataclass(frozen=True)
class SlaState:
    """The deadlines of one ticket. Stored as columns on the ticket; always aware, in UTC."""

    first_response_due_at: datetime | None = None
    next_response_due_at: datetime | None = None
    resolution_due_at: datetime | None = None
    # Set while the ticket is pending (waiting on the customer) or resolved/closed.
    paused_at: datetime | None = None
    # When the running next-response clock started (None when none runs).
    next_response_started_at: datetime | None = None

    def __post_init__(self) -> None:
        for metric in METRICS:
            value = metric.due_at(self)
            if value is not None:
                object.__setattr__(self, metric.due, as_utc(value, metric.due))
        for name in ("paused_at", "next_response_started_at"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, as_utc(value, name))

    @property
    def due_times(self) -> tuple[datetime, ...]:
        return tuple(due for m in METRICS if (due := m.due_at(self)) is not None)

    @property
    def next_deadline_at(self) -> datetime | None:
        """The earliest due time still running; None while paused or when nothing is due."""
        if self.paused_at is not None:
            return None
        return min(self.due_times, default=None)


def start(targets: Targets, calendar: Calendar | None, at: datetime) -> SlaState:
    """A new ticket: the first-response and resolution clocks (those with a target) start at
    `at` (and next response too when it runs before the first reply)."""

    def due(target: timedelta | None) -> datetime | None:
        return None if target is None else add_business_time(calendar, at, target)

    state = SlaState(
        first_response_due_at=due(targets.first_response),
        resolution_due_at=due(targets.resolution),
    )
    if targets.next_response_before_first_reply:
        return _start_next_response(state, targets, calendar, at)
    return state


def _start_next_response(
    state: SlaState, targets: Targets, calendar: Calendar | None, at: datetime
) -> SlaState:
    if targets.next_response is None or state.next_response_due_at is not None:
        return state
    return replace(
        state,
        next_response_due_at=add_business_time(calendar, at, targets.next_response),
        next_response_started_at=at,
    )


def agent_replied(state: SlaState, at: datetime) -> SlaState:
    """A public reply to the customer meets the first- and next-response clocks."""
    as_utc(at, "at")
    return replace(
        state,
        first_response_due_at=None,
        next_response_due_at=None,
        next_response_started_at=None,
    )


def customer_wrote(
    state: SlaState, targets: Targets, calendar: Calendar | None, at: datetime
) -> SlaState:
    """A customer message: it ends a pause, and once first response is met (or before, when the
    policy says so) it starts the next-response clock unless one is already running."""
    state = resume(state, calendar, at)
    if state.first_response_due_at is not None and not targets.next_response_before_first_reply:
        return state
    return _start_next_response(state, targets, calendar, at)


def pause(state: SlaState, at: datetime) -> SlaState:
    """The ticket waits on the customer (or is resolved): every clock stops at `at`."""
    paused_at = as_utc(at, "at")
    if state.paused_at is not None:
        return state
    return replace(state, paused_at=paused_at)


def resume(state: SlaState, calendar: Calendar | None, at: datetime) -> SlaState:
    """The ticket is open again: each due time moves later by the business time of the pause.

    So the business time left on a clock is what it was when it paused, and a deadline already
    breached then stays breached by the same business time.
    """
    resumed_at = as_utc(at, "at")
    if state.paused_at is None:
        return state
    paused_for = business_time_between(calendar, state.paused_at, resumed_at)

    def moved(due: datetime | None) -> datetime | None:
        return None if due is None else add_business_time(calendar, due, paused_for)

    return replace(state, paused_at=None, **{m.due: moved(m.due_at(state)) for m in METRICS})


def resolved(state: SlaState, at: datetime) -> SlaState:
    """Resolved or closed: response clocks are done and the resolution clock pauses where it
    stopped (an earlier pending pause keeps its start)."""
    return pause(
        replace(
            state,
            first_response_due_at=None,
            next_response_due_at=None,
            next_response_started_at=None,
        ),
        at,
    )


def reopened(state: SlaState, calendar: Calendar | None, at: datetime) -> SlaState:
    """A resolved or closed ticket is open again. Its resolution deadline was decided when it
    was resolved (one verdict per deadline), so no clock runs until the customer writes."""
    return replace(resume(state, calendar, at), resolution_due_at=None)


def is_breached(due_at: datetime | None, done_at: datetime | None, now: datetime) -> bool:
    """Whether `due_at` passed without being met by then; meeting it exactly on time is in time."""
    current = as_utc(now, "now")
    if due_at is None:
        return False
    due = as_utc(due_at, "due_at")
    if done_at is not None:
        return as_utc(done_at, "done_at") > due
    return current > due
