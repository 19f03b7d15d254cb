"""How fast customers may write: messages per chat (a web chat session, a Telegram chat), new
web chats per client address. One limiter and one setting per rule for every channel.

The counting is the `limits` library's moving window, kept in memory (one gateway process) or in
Redis when KEFU_REDIS_URL is set (several processes share the counts). `ChatLimits.over` counts a
message and says how long its chat must wait, if it must. What a channel does then differs with
what it can hold back:

- the web chat reads one frame of a socket at a time, so it can hold a message: `ChatLimits.wait`
  tells the customer, politely and in their language (`wait_notice`), that it will go through in
  a few seconds, then waits that long, so nothing they wrote is lost;
- Telegram's updates are already fetched (and, polling, acknowledged) when they arrive, and a
  held update would keep a slot other chats need, so a message over the limit is kept in the
  conversation (for the agents and the transcript) but not sent to the bot, and the customer is
  told once, in their language, to wait and send it again (`skip_notice`).

If Redis cannot be reached the message goes through (logged): a chat that stops answering is worse
than a chat that is briefly unlimited.
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


# Telegram: the messages over the limit are kept but not answered (see the module doc).
SKIP_NOTICE = {
    "zh": (
        "您发送消息的速度有点快，请稍候：接下来约 {seconds} 秒内的消息已保存，"
        "但智能助手不会回复。请稍后再发送一次您的问题。"
    ),
    "en": (
        "You're sending messages a little quickly. Please wait a moment: for about {seconds} "
        "seconds your messages are saved but the assistant won't answer them. Then send your "
        "question again."
    ),
}


def wait_notice(language: str | None, seconds: float) -> str:
    """What a web chat customer over a limit is told, in their language (Chinese by default)."""
    return _notice(NOTICE, language, seconds)


def skip_notice(language: str | None, seconds: float) -> str:
    """What a Telegram customer over the limit is told, in their language (Chinese by default)."""
    return _notice(SKIP_NOTICE, language, seconds)


def _notice(templates: dict[str, str], language: str | None, seconds: float) -> str:
    template = templates.get(language or "zh", templates["zh"])
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
    """The chat channels' rate limits (see the module doc)."""

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

    async def over(self, rule: Rule, key: str) -> float:
        """`delay` off the event loop: 0 (counted) or the seconds to wait; 0 as well when the
        counts cannot be read (Redis away; logged), so the message goes through."""
        try:
            return await asyncio.to_thread(self.delay, rule, key)
        except Exception:
            log.warning("chat rate limits unavailable: a message goes through", exc_info=True)
            return 0.0

    async def wait(self, rule: Rule, key: str, on_wait: Callable[[float], Awaitable[None]]) -> None:
        """Return once `key` may go on under `rule`; the first time it must wait, `on_wait`
        gets the seconds (to tell the customer)."""
        told = False
        while True:
            seconds = await self.over(rule, key)
            if seconds <= 0:
                return
            if not told:
                told = True
                await on_wait(seconds)
            await asyncio.sleep(seconds)
