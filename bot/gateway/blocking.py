"""Blocking work (database transactions) run off the event loop, in threads sized for the store."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import ParamSpec, TypeVar

from sqlalchemy.orm import Session, sessionmaker

P = ParamSpec("P")
T = TypeVar("T")


class BlockingRunner:
    """Runs blocking calls (database work) off the event loop, in `executor` (default: asyncio's).

    For SQLite, `for_database` gives one thread: the gateway's writers then queue here, in order,
    instead of in SQLite's busy handler, whose sleeps (up to 100 ms each) made the slowest turns
    several times slower than the median with 50 customers at once.
    """

    def __init__(self, executor: ThreadPoolExecutor | None = None) -> None:
        self.executor = executor

    @classmethod
    def for_database(cls, session_factory: sessionmaker[Session]) -> BlockingRunner:
        bind = session_factory.kw.get("bind")
        sqlite = bind is not None and bind.dialect.name == "sqlite"
        return cls(ThreadPoolExecutor(1 if sqlite else 16, thread_name_prefix="kefu-store"))

    async def __call__(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.executor, functools.partial(fn, *args, **kwargs))

    def shutdown(self) -> None:
        if self.executor is not None:
            self.executor.shutdown(wait=True)
