"""The SLA worker's sweep: warn before a deadline; on a breach record it, raise the priority,
alert the team's supervisors and queue an unassigned ticket for escalation. Each exactly once.

Tickets are found from the `next_sla_check_at` index and locked with `FOR UPDATE SKIP LOCKED`, so
several workers share the due tickets without waiting on one another; the unique key of
`sla_events` is the last guard against doing anything twice, across restarts too.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, func, select
from sqlalchemy.orm import Session, selectinload, sessionmaker
from sqlalchemy.orm.attributes import set_committed_value

from ticketing import notifications
from ticketing.counts import Counts
from ticketing.db import locked_batch
from ticketing.models import (
    EventKind,
    Message,
    MessageKind,
    NotificationKind,
    SlaEvent,
    SlaEventKind,
    SlaMetric,
    SlaPolicy,
    Ticket,
)
from ticketing.services.history import Actor, log_event
from ticketing.services.tickets import raise_priority
from ticketing.sla import verdicts
from ticketing.sla.calendar import Calendar
from ticketing.sla.checkpoints import DEFAULT_WARNING_PERCENT, Checkpoint, checkpoints
from ticketing.sla.clock import Targets
from ticketing.sla.policy import calendar_of, targets_of
from ticketing.sla.ticket_state import state_of
from ticketing.sla.verdicts import clock_key, decided

log = logging.getLogger(__name__)
BATCH = 200
SYSTEM = Actor.system()


@dataclass
class SweepResult(Counts):
    tickets: int = 0
    warnings: int = 0
    breaches: int = 0
    escalations: int = 0


def sweep(factory: sessionmaker[Session], now: datetime, *, batch: int = BATCH) -> SweepResult:
    """Handle every ticket with an SLA checkpoint at or before `now`, one batch per transaction."""
    total = SweepResult()
    while True:
        with factory.begin() as session:
            done = sweep_batch(session, now, batch=batch)
        total += done
        if done.tickets < batch:
            return total


def sweep_batch(session: Session, now: datetime, *, batch: int = BATCH) -> SweepResult:
    tickets = locked_batch(
        session,
        select(Ticket)
        .where(Ticket.next_sla_check_at <= now)
        .order_by(Ticket.next_sla_check_at)
        .options(selectinload(Ticket.sla_policy).selectinload(SlaPolicy.calendar)),
        batch,
    )
    result = SweepResult(tickets=len(tickets))
    if not tickets:
        return result
    ids = [t.id for t in tickets]
    recorded: dict[int, set[tuple[SlaMetric, SlaEventKind, str]]] = defaultdict(set)
    for ticket_id, metric, kind, clock in session.execute(
        select(SlaEvent.ticket_id, SlaEvent.metric, SlaEvent.kind, SlaEvent.clock).where(
            SlaEvent.ticket_id.in_(ids)
        )
    ):
        recorded[ticket_id].add((metric, kind, clock))
    replies: dict[int, int] = dict(
        session.execute(  # type: ignore[arg-type]
            select(Message.ticket_id, func.count(Message.id))
            .where(Message.ticket_id.in_(ids), Message.kind == MessageKind.AGENT)
            .group_by(Message.ticket_id)
        ).all()
    )
    batch_state = _Batch(session)
    batch_state.decided = decided(session, ids)
    following: list[dict[str, Any]] = []
    for ticket in tickets:
        done, upcoming = _check(
            batch_state, ticket, now, recorded[ticket.id], replies.get(ticket.id, 0)
        )
        result += done
        following.append({"b_id": ticket.id, "b_next": upcoming})
        set_committed_value(ticket, "next_sla_check_at", upcoming)
    # The checkpoint is the worker's bookkeeping, not a change to the ticket: written in one
    # round trip and without bumping the ticket's version, so an agent editing the ticket
    # meanwhile gets no conflict from it.
    session.execute(_SET_NEXT_CHECK, following)
    return result


_TICKETS = cast(Table, Ticket.__table__)
_SET_NEXT_CHECK = (
    _TICKETS.update()
    .where(_TICKETS.c.id == bindparam("b_id"))
    .values(next_sla_check_at=bindparam("b_next"))
)


class _Batch:
    """What one batch looks up once: calendars and targets per policy, supervisors per team."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._clocks: dict[int, tuple[Targets, Calendar | None]] = {}
        self._supervisors: dict[int | None, list[int]] = {}
        # The deadlines with a verdict, per ticket: (metric, clock).
        self.decided: dict[int, set[tuple[SlaMetric, str]]] = {}

    def clock(self, policy: SlaPolicy) -> tuple[Targets, Calendar | None]:
        if policy.id not in self._clocks:
            self._clocks[policy.id] = (
                targets_of(policy),
                calendar_of(policy.calendar),
            )
        return self._clocks[policy.id]

    def supervisors(self, team_id: int | None) -> list[int]:
        if team_id not in self._supervisors:
            self._supervisors[team_id] = [
                u.id for u in notifications.supervisors_of(self.session, team_id)
            ]
        return self._supervisors[team_id]


def _check(
    batch: _Batch,
    ticket: Ticket,
    now: datetime,
    recorded: set[tuple[SlaMetric, SlaEventKind, str]],
    agent_replies: int,
) -> tuple[SweepResult, datetime | None]:
    policy = ticket.sla_policy
    targets, calendar = batch.clock(policy) if policy else (None, None)
    points = checkpoints(
        state_of(ticket),
        targets,
        calendar,
        policy.warning_percent if policy else DEFAULT_WARNING_PERCENT,
    )
    breached_now = {p.metric for p in points if p.kind is SlaEventKind.BREACH and p.at <= now}
    result = SweepResult()
    for point in points:
        if point.at > now:
            break
        if point.kind is SlaEventKind.WARNING and point.metric in breached_now:
            continue  # a warning after the fact helps nobody: the breach says it all
        key = (point.metric, point.kind, clock_key(point.metric, ticket, agent_replies))
        if key in recorded or (point.metric, key[2]) in batch.decided[ticket.id]:
            continue  # warned or breached already, or decided: nothing more to say
        recorded.add(key)
        if point.kind is SlaEventKind.WARNING:
            _warn(batch, ticket, point, key[2], now)
            result.warnings += 1
        else:
            escalated = _breach(batch, ticket, point, key[2], now)
            result.breaches += 1
            result.escalations += int(escalated)
    return result, next((p.at for p in points if p.at > now), None)


def _history(session: Session, ticket: Ticket, now: datetime, **data: Any) -> None:
    """The SLA line in the ticket's history, written by the system."""
    log_event(session, ticket, EventKind.SLA, SYSTEM, now, **data)


def _record(
    session: Session,
    ticket: Ticket,
    point: Checkpoint,
    clock: str,
    now: datetime,
    *,
    escalated: bool = False,
) -> None:
    session.add(
        SlaEvent(
            ticket_id=ticket.id,
            metric=point.metric,
            kind=point.kind,
            clock=clock,
            due_at=point.due_at,
            at=now,
            priority=ticket.priority,
            escalated=escalated,
        )
    )
    _history(
        session,
        ticket,
        now,
        sla=point.kind.value,
        metric=point.metric.value,
        due_at=point.due_at.isoformat(),
    )


_NOTICE = {
    SlaEventKind.WARNING: NotificationKind.SLA_WARNING,
    SlaEventKind.BREACH: NotificationKind.SLA_BREACH,
}


def _notify(
    session: Session,
    users: list[int],
    ticket: Ticket,
    point: Checkpoint,
    clock: str,
    now: datetime,
    **extra: Any,
) -> None:
    # The event's unique key makes this warning or breach new, so its notifications are too.
    notifications.notify(
        session,
        users,
        _NOTICE[point.kind],
        check_told=False,
        at=now,
        ticket_id=ticket.id,
        dedupe_key=f"sla:{ticket.id}:{point.metric.value}:{point.kind.value}:{clock}",
        ticket_number=ticket.number,
        metric=point.metric.value,
        due_at=point.due_at.isoformat(),
        **extra,
    )


def _warn(batch: _Batch, ticket: Ticket, point: Checkpoint, clock: str, now: datetime) -> None:
    _record(batch.session, ticket, point, clock, now)
    # The assignee is warned; an unassigned ticket's warning goes to those who dispatch it.
    users = (
        [ticket.assignee_id]
        if ticket.assignee_id is not None
        else batch.supervisors(ticket.team_id)
    )
    _notify(batch.session, users, ticket, point, clock, now)
    log.info("%s: %s warning, due %s", ticket.number, point.metric.value, point.due_at)


def _breach(batch: _Batch, ticket: Ticket, point: Checkpoint, clock: str, now: datetime) -> bool:
    session = batch.session
    escalate = ticket.assignee_id is None and ticket.escalated_at is None
    _record(session, ticket, point, clock, now, escalated=escalate)
    verdicts.breached(session, ticket, point.metric, clock, point.due_at, now, state_of(ticket))
    batch.decided[ticket.id].add((point.metric, clock))
    raise_priority(session, ticket, SYSTEM, at=now, reason="sla_breach", metric=point.metric.value)
    if escalate:
        ticket.escalated_at = now
        _history(
            session,
            ticket,
            now,
            sla="escalated",
            metric=point.metric.value,
            team=ticket.team.name if ticket.team else None,
        )
    _notify(
        session,
        batch.supervisors(ticket.team_id),
        ticket,
        point,
        clock,
        now,
        escalated=escalate,
        priority=ticket.priority.value,
    )
    log.info("%s: %s breached (due %s)", ticket.number, point.metric.value, point.due_at)
    return escalate


def escalation_queue(session: Session, team_id: int | None, *, limit: int = 100) -> list[Ticket]:
    """A team's escalation queue: breached tickets still waiting for someone, oldest first."""
    stmt = select(Ticket).where(Ticket.escalated_at.is_not(None), Ticket.assignee_id.is_(None))
    stmt = stmt.where(
        Ticket.team_id == team_id if team_id is not None else Ticket.team_id.is_(None)
    )
    return list(session.scalars(stmt.order_by(Ticket.escalated_at).limit(limit)))
