"""The action server's way into the ticket store: one engine and session factory per process."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.orm import Session, sessionmaker

from ticketing.config import get_settings
from ticketing.db import make_engine, make_session_factory, transaction

T = TypeVar("T")

_lock = threading.Lock()
_factory: sessionmaker[Session] | None = None


def session_factory() -> sessionmaker[Session]:
    """The factory for KEFU_DATABASE_URL, made on first use and kept for the life of the process."""
    global _factory
    if _factory is None:
        with _lock:
            if _factory is None:
                _factory = make_session_factory(make_engine(get_settings().database_url))
    return _factory


def reset() -> None:
    """Forget the engine (tests point the action server at another database with this)."""
    global _factory
    with _lock:
        if _factory is not None and _factory.kw.get("bind") is not None:
            _factory.kw["bind"].dispose()
        _factory = None


async def in_transaction(work: Callable[[Session], T]) -> T:
    """Run `work` in one transaction, in a worker thread so the action server's event loop keeps
    serving other conversations; it commits when `work` returns and rolls back if it raises.

    `work` should return plain values: the session is closed by the time the caller sees them.
    """

    def job() -> T:
        with transaction(session_factory()) as session:
            return work(session)

    return await asyncio.to_thread(job)
