"""Readiness: which parts of Kefu are up, in plain words.

The desk knows its own parts (the database, the worker's heartbeat row, the outbox backlog);
whatever runs the desk may add probes for the parts it brings (the gateway adds the Rasa server
and the action server) on `app.state.readiness_probes`. Only the database is essential: without
the others the web process still serves (chats go straight to agents), so it stays ready but
"degraded".
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from ticketing import heartbeat
from ticketing.models import OutboxMessage, OutboxStatus

# An outbox row this long past its delivery time means nothing is delivering.
OUTBOX_OVERDUE = timedelta(minutes=2)
# The parts whose absence means the assistant cannot answer: chats go to agents.
ASSISTANT_PARTS = frozenset({"rasa", "actions"})


@dataclass(frozen=True)
class Part:
    name: str
    up: bool
    detail: str


Probe = Callable[[], Awaitable[Sequence[Part]]]


def _ago(now: datetime, then: datetime) -> str:
    seconds = max(int((now - then).total_seconds()), 0)
    return f"{seconds} s ago" if seconds < 120 else f"{seconds // 60} min ago"


def database_parts(factory: sessionmaker[Session], now: datetime) -> list[Part]:
    """The database, the worker's heartbeat and the outbox backlog (one query each)."""
    try:
        with factory() as session:
            session.execute(text("SELECT 1"))
            return [Part("database", True, "answers"), worker(session, now), outbox(session, now)]
    except SQLAlchemyError as exc:
        reason = type(getattr(exc, "orig", None) or exc).__name__
        return [
            Part("database", False, f"does not answer ({reason})"),
            Part("worker", False, "unknown: the database does not answer"),
            Part("outbox", False, "unknown: the database does not answer"),
        ]


def worker(session: Session, now: datetime) -> Part:
    last = heartbeat.last_beat(session)
    if last is None:
        return Part("worker", False, "no heartbeat yet: is `python -m ticketing worker` running?")
    if now - last > heartbeat.STALE_AFTER:
        return Part("worker", False, f"last heartbeat {_ago(now, last)}: down or stuck")
    return Part("worker", True, f"last heartbeat {_ago(now, last)}")


def outbox(session: Session, now: datetime) -> Part:
    waiting = OutboxMessage.status.in_([OutboxStatus.PENDING, OutboxStatus.SENDING])
    count = session.scalar(select(func.count(OutboxMessage.id)).where(waiting)) or 0
    oldest = session.scalar(select(func.min(OutboxMessage.next_attempt_at)).where(waiting))
    if oldest is not None and now - oldest > OUTBOX_OVERDUE:
        return Part("outbox", False, f"{count} waiting, the oldest due {_ago(now, oldest)}")
    return Part("outbox", True, f"{count} waiting")


def report(parts: Sequence[Part]) -> tuple[int, dict[str, Any]]:
    """The HTTP status and body of `/readyz`."""
    by_name = {p.name: p for p in parts}
    database = by_name.get("database")
    if database is None or not database.up:
        status, code = "unavailable", 503
    elif all(p.up for p in parts):
        status, code = "ready", 200
    else:
        status, code = "degraded", 200
    offline = any(not p.up for p in parts if p.name in ASSISTANT_PARTS)
    body = {
        "status": status,
        "assistant": "offline" if offline else "online",
        "parts": {p.name: {k: v for k, v in asdict(p).items() if k != "name"} for p in parts},
    }
    return code, body
