"""The worker's heartbeat rows: written after each pass, read by the readiness check."""

from __future__ import annotations

import os
import socket
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from ticketing.models import WorkerHeartbeat

# The worker passes at least every 15 s; a heartbeat older than this means it is down or stuck.
STALE_AFTER = timedelta(seconds=60)
# Rows of workers gone this long are removed (each restart is a new host:pid).
FORGET_AFTER = timedelta(days=1)


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:128]


def beat(session: Session, worker: str, now: datetime, started_at: datetime) -> None:
    """Record that `worker` finished a pass at `now`."""
    row = session.get(WorkerHeartbeat, worker)
    if row is None:
        session.add(WorkerHeartbeat(worker=worker, started_at=started_at, beat_at=now))
        session.execute(delete(WorkerHeartbeat).where(WorkerHeartbeat.beat_at < now - FORGET_AFTER))
    else:
        row.beat_at = now


def last_beat(session: Session) -> datetime | None:
    """The newest heartbeat of any worker."""
    return session.scalar(select(func.max(WorkerHeartbeat.beat_at)))
