"""Rasa's Redis lock store, falling back to in-process locks while Redis is down.

With several Rasa servers behind the gateway, a conversation's turns must not run on two of them
at once: Rasa's `RedisLockStore` serialises them. If Redis stops answering, Rasa's own store
fails every turn; this one logs the failure once (and once again when Redis is back), keeps the
locks in this process meanwhile (the gateway then sends every turn to one Rasa server), and goes
back to Redis on the first call that works. This module runs in .venv-rasa.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import redis
from rasa.core.lock import TicketLock  # type: ignore[import-not-found]
from rasa.core.lock_store import InMemoryLockStore, RedisLockStore  # type: ignore[import-not-found]

log = logging.getLogger(__name__)

RETRY_AFTER = 5.0  # seconds in process before trying Redis again
REDIS_DOWN = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)


class FallbackRedisLockStore(RedisLockStore):  # type: ignore[misc]
    """`RedisLockStore` that keeps serving turns with in-process locks while Redis is down."""

    def __init__(self, endpoint_config: Any = None, **kwargs: Any) -> None:
        if endpoint_config is not None:  # Rasa builds a custom lock store from its endpoint
            kwargs = {"host": endpoint_config.url, **endpoint_config.kwargs, **kwargs}
        kwargs.setdefault("socket_timeout", 1.0)
        super().__init__(**kwargs)
        self._local = InMemoryLockStore()
        self._down_since: float | None = None

    def _redis_usable(self) -> bool:
        return self._down_since is None or time.monotonic() - self._down_since >= RETRY_AFTER

    def _failed(self, exc: Exception) -> None:
        if self._down_since is None:
            log.warning(
                "Redis lock store unreachable (%s): locking conversations in this process "
                "only until it answers again; the gateway must send every turn to one Rasa "
                "server meanwhile",
                type(exc).__name__,
            )
        self._down_since = time.monotonic()

    def _recovered(self) -> None:
        if self._down_since is not None:
            log.warning("Redis lock store answers again: conversations are locked in Redis")
            self._down_since = None

    def get_lock(self, conversation_id: str) -> TicketLock | None:
        if self._redis_usable():
            try:
                lock = super().get_lock(conversation_id)
            except REDIS_DOWN as exc:
                self._failed(exc)
            else:
                self._recovered()
                return lock
        return self._local.get_lock(conversation_id)

    def delete_lock(self, conversation_id: str) -> None:
        # Both: a lock may have been taken in one place and be released after a switch.
        self._local.delete_lock(conversation_id)
        if self._redis_usable():
            try:
                super().delete_lock(conversation_id)
            except REDIS_DOWN as exc:
                self._failed(exc)

    def save_lock(self, lock: TicketLock) -> None:
        if self._redis_usable():
            try:
                super().save_lock(lock)
            except REDIS_DOWN as exc:
                self._failed(exc)
            else:
                self._recovered()
                return
        self._local.save_lock(lock)
