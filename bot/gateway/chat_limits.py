"""How fast customers may write: messages per chat session, new chats per client address.

The counting is the `limits` library's moving window, kept in memory (one gateway process) or in
Redis when KEFU_REDIS_URL is set (several processes share the counts). A customer past a limit
is not refused: `ChatLimits.wait` tells them, politely and in their language, that their message
will go through in a few seconds, then waits that long, so nothing they wrote is lost. If Redis
cannot be reached the message goes through (logged): a chat that stops answering is worse than a
chat that is briefly unlimited.
"""

from __future__ import annotations

import asyncio
import logging
import math
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import limits
from limits.storage import Storage, storage_from_string
from limits.strategies import MovingWindowRateLimiter

from ticketing.config import Settings

log = logging.getLogger(__name__)

NAMESPACE = "kefu-chat"
MAX_WAIT = 3600.0  # seconds: a bound on one sleep, whatever the configured window

NOTICE = {
    "zh": "您发送消息的速度有点快，请稍候：这条消息约 {seconds} 秒后会为您处理，无需重复发送。",
    "en": (
        "You're sending messages a little quickly. Please wait a moment: we'll handle this one "
        "in about {seconds} seconds, no need to send it again."
    ),
}


def wait_notice(language: str | None, seconds: float) -> str:
    """What a customer over a limit is told, in their language (Chinese by default)."""
    template = NOTICE.get(language or "zh", NOTICE["zh"])
    return template.format(seconds=max(1, math.ceil(seconds)))


@dataclass(frozen=True)
class Rule:
    """A named set of limits, e.g. messages: 5 per 10 seconds and 30 per minute."""

    name: str
    items: tuple[limits.RateLimitItem, ...]

    @classmethod
    def parse(cls, name: str, spec: str) -> Rule:
        return cls(name, tuple(limits.parse_many(spec)))


class ChatLimits:
    """The web chat's rate limits (see the module doc)."""

    def __init__(self, messages: Rule, new_sessions: Rule, storage: Storage) -> None:
        self.messages = messages
        self.new_sessions = new_sessions
        self.storage = storage
        self.limiter = MovingWindowRateLimiter(storage)
        self._lock = threading.Lock()  # test-then-hit as one step within this process

    @classmethod
    def from_settings(cls, settings: Settings) -> ChatLimits:
        storage = storage_from_string(settings.redis_url or "memory://")
        if not isinstance(storage, Storage):
            raise ValueError("KEFU_REDIS_URL must be a redis:// URL, not an async+ one")
        return cls(
            Rule.parse("message", settings.chat_message_limit),
            Rule.parse("new_session", settings.chat_new_session_limit),
            storage,
        )

    def delay(self, rule: Rule, key: str) -> float:
        """Count one hit of `rule` for `key` and return 0, or, when a limit is reached, count
        nothing and return how many seconds until it allows one more."""
        with self._lock:
            return self._delay(rule, key)

    def _delay(self, rule: Rule, key: str) -> float:
        waits = []
        for item in rule.items:
            if not self.limiter.test(item, NAMESPACE, rule.name, key):
                stats = self.limiter.get_window_stats(item, NAMESPACE, rule.name, key)
                waits.append(max(stats.reset_time - time.time(), 0.05))
        if waits:
            return min(max(waits), MAX_WAIT)
        for item in rule.items:
            self.limiter.hit(item, NAMESPACE, rule.name, key)
        return 0.0

    async def wait(self, rule: Rule, key: str, on_wait: Callable[[float], Awaitable[None]]) -> None:
        """Return once `key` may go on under `rule`; the first time it must wait, `on_wait`
        gets the seconds (to tell the customer)."""
        told = False
        while True:
            try:
                seconds = await asyncio.to_thread(self.delay, rule, key)
            except Exception:
                log.warning("chat rate limits unavailable: a message goes through", exc_info=True)
                return
            if seconds <= 0:
                return
            if not told:
                told = True
                await on_wait(seconds)
            await asyncio.sleep(seconds)
