"""One verdict per SLA deadline, decided once: met or missed, with the time it took.

A deadline is decided by whichever comes first: the reply or the resolution that stops its clock
(met when the clock stopped in time; a clock paused in time is in time however late the
resolution), or the worker's sweep breaching it. The verdict never changes after that; the clock
stopping later only fills in the times. The worker, the ticket view and every report read these
rows, so they cannot disagree.
"""

from __future__ import annotations

import enum
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ticketing.models import Message, MessageKind, SlaMetric, SlaVerdict, Ticket
from ticketing.sla.calendar import Calendar, business_time_between
from ticketing.sla.clock import SlaState
from ticketing.sla.metrics import METRICS, Metric
from ticketing.sla.ticket_state import calendar_of_ticket, targets_of_ticket


class Stop(enum.StrEnum):
    """What stopped a clock."""

    REPLY = "reply"
    RESOLUTION = "resolution"


def clock_key(
    metric: SlaMetric, ticket: Ticket, agent_replies: int, reopens: int | None = None
) -> str:
    """Which instance of a clock this is. A next-response clock ends with an agent reply or a
    resolution (a later one needs a reopen), so replies and reopens count its instances
    (`reopens`: the ticket's reopen count then, when not now)."""
    if metric is SlaMetric.NEXT_RESPONSE:
        return f"{agent_replies}.{ticket.reopen_count if reopens is None else reopens}"
    return "1"


def agent_replies(session: Session, ticket: Ticket) -> int:
    return (
        session.scalar(
            select(func.count(Message.id)).where(
                Message.ticket_id == ticket.id, Message.kind == MessageKind.AGENT
            )
        )
        or 0
    )


def started_at(metric: Metric, ticket: Ticket, state: SlaState) -> datetime:
    """When the clock started: the ticket's creation, or the customer message that started
    a next-response clock."""
    if metric.metric is SlaMetric.NEXT_RESPONSE and state.next_response_started_at is not None:
        return state.next_response_started_at
    return ticket.created_at


def business_time_used(
    calendar: Calendar | None, target: timedelta, due: datetime, stopped: datetime
) -> timedelta:
    """The business time a clock counted (pauses left out): its target less what was left, or
    plus how far it ran past its due time."""
    if stopped <= due:
        return max(target - business_time_between(calendar, stopped, due), timedelta(0))
    return target + business_time_between(calendar, due, stopped)


def _find(session: Session, ticket_id: int, metric: SlaMetric, clock: str) -> SlaVerdict | None:
    for pending in session.new:  # decided earlier in this transaction, not yet flushed
        if isinstance(pending, SlaVerdict) and (
            pending.ticket_id,
            pending.metric,
            pending.clock,
        ) == (ticket_id, metric, clock):
            return pending
    return session.scalar(
        select(SlaVerdict).where(
            SlaVerdict.ticket_id == ticket_id,
            SlaVerdict.metric == metric,
            SlaVerdict.clock == clock,
        )
    )


def clocks_stopped(
    session: Session,
    ticket: Ticket,
    before: SlaState,
    after: SlaState,
    at: datetime,
    by: Stop,
    *,
    replies_before: int | None = None,
    reopens: int | None = None,
) -> None:
    """Decide (or complete) the verdict of every clock that ran in `before` and stops at `at`:
    the response clocks a reply or resolution clears, and the resolution clock at resolution.
    `replies_before`: the agent replies before this one (counted when not given); `reopens`:
    the ticket's reopen count then (its count now when not given)."""
    targets = targets_of_ticket(ticket)
    if targets is None:
        return
    calendar = calendar_of_ticket(ticket)
    # A paused clock stopped counting when it paused.
    clock_at = before.paused_at or at
    for metric in METRICS:
        due = metric.due_at(before)
        ends = metric.due_at(after) is None or (
            by is Stop.RESOLUTION and metric.metric is SlaMetric.RESOLUTION
        )
        if due is None or not ends:
            continue
        if replies_before is None:
            replies_before = agent_replies(session, ticket)
        key = clock_key(metric.metric, ticket, replies_before, reopens)
        verdict = _find(session, ticket.id, metric.metric, key)
        started = started_at(metric, ticket, before)
        if verdict is None:
            verdict = _new(ticket, metric.metric, key, due, at, started, breached=clock_at > due)
            session.add(verdict)
        elif verdict.stopped_at is not None:
            continue
        target = metric.target_of(targets)
        verdict.stopped_at = at
        verdict.stopped_by = by.value
        verdict.elapsed_seconds = round((at - started).total_seconds())
        if target is not None:
            used = business_time_used(calendar, target, due, clock_at)
            verdict.business_seconds = round(used.total_seconds())


def breached(
    session: Session,
    ticket: Ticket,
    metric: SlaMetric,
    clock: str,
    due: datetime,
    at: datetime,
    state: SlaState,
) -> None:
    """The worker found the deadline passed: it is missed (the clock runs on until stopped)."""
    entry = next(m for m in METRICS if m.metric is metric)
    session.add(
        _new(ticket, metric, clock, due, at, started_at(entry, ticket, state), breached=True)
    )


def _new(
    ticket: Ticket,
    metric: SlaMetric,
    clock: str,
    due: datetime,
    at: datetime,
    started: datetime,
    *,
    breached: bool,
) -> SlaVerdict:
    return SlaVerdict(
        ticket_id=ticket.id,
        metric=metric,
        clock=clock,
        breached=breached,
        due_at=due,
        decided_at=at,
        priority=ticket.priority,
        assignee_id=ticket.assignee_id,
        started_at=started,
    )


def decided(session: Session, ticket_ids: list[int]) -> dict[int, set[tuple[SlaMetric, str]]]:
    """The deadlines already decided, per ticket: (metric, clock)."""
    found: dict[int, set[tuple[SlaMetric, str]]] = {i: set() for i in ticket_ids}
    for ticket_id, metric, clock in session.execute(
        select(SlaVerdict.ticket_id, SlaVerdict.metric, SlaVerdict.clock).where(
            SlaVerdict.ticket_id.in_(ticket_ids)
        )
    ):
        found[ticket_id].add((metric, clock))
    return found
