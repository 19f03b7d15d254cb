"""Re-targeting the open tickets of a changed SLA policy or calendar, in the worker.

An admin's change calls `enqueue` (one `SlaRecompute` row in the change's transaction); the
worker's `run` walks the governed open tickets in id order, one locked batch per transaction,
re-targets each with `ticket_state.retarget` (which keeps the time already spent and the pauses
of the ticket's own SLA history) and writes an SLA line in its history. Import it as
`ticketing.sla.recompute`: it uses the service layer, so the package does not load it.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, select
from sqlalchemy.orm import Session, sessionmaker

from ticketing.db import locked_batch
from ticketing.models import (
    OPEN_STATUSES,
    EventKind,
    Priority,
    SlaPolicy,
    SlaRecompute,
    Ticket,
)
from ticketing.services.history import Actor, log_event
from ticketing.sla.metrics import METRICS
from ticketing.sla.ticket_state import retarget

log = logging.getLogger(__name__)
BATCH = 200


def enqueue(
    session: Session,
    *,
    reason: str,
    policy_id: int | None = None,
    calendar_id: int | None = None,
    priority: Priority | None = None,
) -> None:
    """Ask the worker to re-target the open tickets under a policy, a calendar, or of a
    priority (a new policy); a request for the same that has not started yet is enough."""
    waiting = session.scalar(
        select(SlaRecompute.id).where(
            SlaRecompute.done_at.is_(None),
            SlaRecompute.after_ticket_id == 0,
            _same(SlaRecompute.policy_id, policy_id),
            _same(SlaRecompute.calendar_id, calendar_id),
            _same(SlaRecompute.priority, priority),
        )
    )
    if waiting is None:
        session.add(
            SlaRecompute(
                reason=reason, policy_id=policy_id, calendar_id=calendar_id, priority=priority
            )
        )
        session.flush()


def _same(column: Any, value: object) -> ColumnElement[bool]:
    condition: ColumnElement[bool] = column.is_(None) if value is None else column == value
    return condition


def governed(job: SlaRecompute) -> ColumnElement[bool]:
    """The open tickets the job is about."""
    condition: ColumnElement[bool] = Ticket.status.in_(OPEN_STATUSES)
    if job.policy_id is not None:
        condition = and_(condition, Ticket.sla_policy_id == job.policy_id)
    if job.calendar_id is not None:
        condition = and_(
            condition,
            Ticket.sla_policy_id.in_(
                select(SlaPolicy.id).where(SlaPolicy.calendar_id == job.calendar_id)
            ),
        )
    if job.priority is not None:
        condition = and_(condition, Ticket.priority == job.priority)
    return condition


def run(factory: sessionmaker[Session], now: datetime, *, batch: int = BATCH) -> int:
    """Work through the queue, a batch per transaction, until it is empty or stuck on tickets
    another transaction holds; the number of tickets re-targeted."""
    total = 0
    while True:
        with factory.begin() as session:
            progressed, done = run_batch(session, now, batch=batch)
        total += done
        if not progressed:
            return total


def run_batch(session: Session, now: datetime, *, batch: int = BATCH) -> tuple[bool, int]:
    """One batch of the oldest unfinished job: (whether it moved on, tickets re-targeted)."""
    jobs = locked_batch(
        session,
        select(SlaRecompute).where(SlaRecompute.done_at.is_(None)).order_by(SlaRecompute.id),
        1,
    )
    if not jobs:
        return False, 0
    job = jobs[0]
    ids = list(
        session.scalars(
            select(Ticket.id)
            .where(governed(job), Ticket.id > job.after_ticket_id)
            .order_by(Ticket.id)
            .limit(batch)
        )
    )
    locked = locked_batch(
        session, select(Ticket).where(Ticket.id.in_(ids)).order_by(Ticket.id), batch
    )
    # A ticket another transaction holds is retried on the next pass: stop just before it.
    held = sorted(set(ids) - {t.id for t in locked})
    upto = held[0] - 1 if held else (ids[-1] if ids else job.after_ticket_id)
    done = [t for t in locked if t.id <= upto]
    for ticket in done:
        _retarget(session, ticket, job, now)
    job.after_ticket_id = upto
    job.tickets += len(done)
    if not held and len(ids) < batch:
        job.done_at = now
        log.info("SLA recompute %s (%s) done: %s tickets", job.id, job.reason, job.tickets)
    return bool(done) or job.done_at is not None, len(done)


def _retarget(session: Session, ticket: Ticket, job: SlaRecompute, now: datetime) -> None:
    before = {m.due: m.due_at(ticket) for m in METRICS}
    retarget(session, ticket, ticket.priority)
    after = {m.due: m.due_at(ticket) for m in METRICS}
    log_event(
        session,
        ticket,
        EventKind.SLA,
        Actor.system(),
        now,
        sla="retargeted",
        reason=job.reason,
        policy_id=ticket.sla_policy_id,
        **{due: value.isoformat() if value else None for due, value in after.items()},
        **{f"was_{due}": value.isoformat() if value else None for due, value in before.items()},
    )
