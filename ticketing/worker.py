"""The worker process: SLA warnings and breaches, follow-up and care visits, churn flags, the
reports' daily roll-up, the supervisors' weekly digests, the anonymising of chat transcripts
past their retention period (when one is set) and the deleting of old chat update ids.

Everything it acts on is a due time in an indexed column, so it can stop at any moment and a
restart (or a second worker next to it) neither loses nor repeats anything. It wakes at the
next due time it knows of, and at least every `interval` seconds (15 at most).
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import FrameType

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from ticketing import churn, digests, followups, heartbeat, personal_data
from ticketing.clock import utcnow
from ticketing.db import make_engine, make_session_factory
from ticketing.models import FollowUp, Ticket, Tier
from ticketing.reports import rollup
from ticketing.services import assignment
from ticketing.sla import escalations, recompute

log = logging.getLogger(__name__)

MAX_INTERVAL = 15.0
MIN_SLEEP = 0.05


@dataclass(frozen=True)
class WorkerOptions:
    interval: float = MAX_INTERVAL  # seconds between sweeps at most
    survey_timeout: timedelta = followups.DEFAULT_SURVEY_TIMEOUT
    churn_every: timedelta = timedelta(minutes=5)
    care_every: Mapping[Tier, timedelta] = field(
        default_factory=lambda: dict(followups.DEFAULT_CARE_EVERY)
    )
    # Chat messages older than this are anonymised (KEFU_RETENTION_DAYS); None keeps them.
    retention: timedelta | None = None
    # Chat update ids (the replay check) older than this are deleted
    # (KEFU_RECEIVED_UPDATE_RETENTION_DAYS): Telegram redelivers for 24 hours at most.
    update_retention: timedelta = timedelta(days=7)

    def __post_init__(self) -> None:
        if not 0 < self.interval <= MAX_INTERVAL:
            raise ValueError(f"interval must be more than 0 and at most {MAX_INTERVAL} seconds")
        if self.update_retention <= timedelta(days=1):
            raise ValueError("update ids must be kept longer than Telegram redelivers (1 day)")


@dataclass
class TickResult:
    sla: escalations.SweepResult
    follow_ups: followups.FollowUpResult
    churn_changed: int | None  # None when the churn flags were not due for a refresh
    retargeted: int = 0  # open tickets re-targeted after a policy or calendar change
    erased: int = 0  # chat messages anonymised for being past the retention period
    rolled_up: int = 0  # days of the reports' roll-up rebuilt after their verdicts changed
    digests: int = 0  # weekly digests written (Monday 09:00 in each supervisor's time zone)
    pruned_updates: int = 0  # chat update ids deleted for being past their retention


def tick(
    factory: sessionmaker[Session],
    now: datetime,
    options: WorkerOptions | None = None,
    *,
    refresh_churn: bool = True,
) -> TickResult:
    """One pass over everything due at `now` (tests call it with a frozen clock)."""
    options = options or WorkerOptions()
    # Deadlines moved by a settings change first, so this pass's sweep already sees them.
    retargeted = recompute.run(factory, now)
    sla = escalations.sweep(factory, now)
    assignment.sweep(factory, now)
    done = followups.process_due(factory, now, survey_timeout=options.survey_timeout)
    done.care_visits = followups.process_care_visits(factory, now, every=options.care_every)
    changed = None
    if refresh_churn:
        with factory.begin() as session:
            changed = churn.refresh(session, now)
    rolled_up = rollup.refresh(factory)
    erased = 0
    if options.retention is not None:
        erased = personal_data.erase_old_messages(factory, now, options.retention)
    pruned = personal_data.prune_received_updates(factory, now, options.update_retention)
    return TickResult(
        sla=sla,
        follow_ups=done,
        churn_changed=changed,
        retargeted=retargeted,
        erased=erased,
        rolled_up=rolled_up,
        digests=digests.generate_due(factory, now),
        pruned_updates=pruned,
    )


def next_due(session: Session, now: datetime) -> datetime | None:
    """The earliest checkpoint after `now`: two index lookups."""
    instants = [
        session.scalar(
            select(func.min(Ticket.next_sla_check_at)).where(Ticket.next_sla_check_at > now)
        ),
        session.scalar(
            select(func.min(FollowUp.next_action_at)).where(FollowUp.next_action_at > now)
        ),
    ]
    return min((i for i in instants if i is not None), default=None)


def run(
    factory: sessionmaker[Session],
    options: WorkerOptions,
    stop: threading.Event,
    *,
    clock: Callable[[], datetime] = utcnow,
) -> None:
    """Loop until `stop` is set; a failing pass is logged and retried on the next one."""
    last_churn: datetime | None = None
    me, started = heartbeat.worker_id(), clock()
    log.info("worker started: interval %s s", options.interval)
    while not stop.is_set():
        now = clock()
        wait = options.interval
        try:
            refresh = last_churn is None or now - last_churn >= options.churn_every
            result = tick(factory, now, options, refresh_churn=refresh)
            if refresh:
                last_churn = now
            if result.digests:
                log.info("wrote %s weekly digests", result.digests)
            if result.retargeted:
                log.info("re-targeted %s open tickets after a settings change", result.retargeted)
            with factory.begin() as session:
                heartbeat.beat(session, me, clock(), started)
            if result.sla.tickets or result.follow_ups.surveys or result.follow_ups.callbacks:
                log.info(
                    "swept: %s warnings, %s breaches, %s escalations; %s surveys, %s call-backs",
                    result.sla.warnings,
                    result.sla.breaches,
                    result.sla.escalations,
                    result.follow_ups.surveys,
                    result.follow_ups.callbacks,
                )
            with factory() as session:
                upcoming = next_due(session, now)
            if upcoming is not None:
                wait = min(wait, max((upcoming - clock()).total_seconds(), MIN_SLEEP))
        except Exception:
            log.exception("worker pass failed; retrying in %s s", wait)
        stop.wait(wait)
    log.info("worker stopped")


def main(options: WorkerOptions | None = None, database_url: str | None = None) -> None:
    """Run the worker until SIGINT or SIGTERM (`python -m ticketing worker`)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    engine = make_engine(database_url)
    stop = threading.Event()

    def _stop(signum: int, _frame: FrameType | None) -> None:
        log.info("signal %s: stopping", signum)
        stop.set()

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    try:
        run(make_session_factory(engine), options or WorkerOptions(), stop)
    finally:
        engine.dispose()


if __name__ == "__main__":
    main()
