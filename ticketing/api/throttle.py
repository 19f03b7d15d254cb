"""Sign-in rate limits per client address and per username, with the `limits` library.

`limits` is the rate-limiting core that slowapi and Flask-Limiter are built on, maintained and
typed; its moving window counts exactly, in memory by default and in Redis when KEFU_REDIS_URL
is set, so several web processes share one count. A refusal says how long to wait.
"""

from __future__ import annotations

import logging
import math
import time

import limits
from limits.errors import StorageError
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from ticketing.config import Settings

logger = logging.getLogger(__name__)


class ThrottleUnavailable(Exception):
    """The shared counter (Redis) cannot be reached: sign-in is refused, not let through."""


class LoginThrottle:
    """Counts every sign-in attempt before its password is hashed."""

    def __init__(self, settings: Settings, *, key_prefix: str = "kefu-login") -> None:
        options: dict[str, str] = {"key_prefix": key_prefix} if settings.redis_url else {}
        storage = storage_from_string(
            settings.redis_url or "memory://", wrap_exceptions=True, **options
        )
        self._limiter = MovingWindowRateLimiter(storage)
        self._per_address = limits.parse(settings.login_limit_per_address)
        self._per_user = limits.parse(settings.login_limit_per_user)

    def hit(self, username: str, address: str) -> int | None:
        """Count one attempt; None when allowed, else the seconds to wait (at least 1)."""
        checks = (
            (self._per_address, ("address", address)),
            (self._per_user, ("user", username.lower()[:64])),
        )
        try:
            for item, keys in checks:
                if not self._limiter.hit(item, *keys):
                    reset = self._limiter.get_window_stats(item, *keys).reset_time
                    return max(1, math.ceil(reset - time.time()))
        except StorageError as exc:
            logger.error("sign-in rate limit storage unavailable: %s", type(exc.storage_error))
            raise ThrottleUnavailable from exc
        return None

    def reset(self) -> None:
        """Forget every count (tests, and an operator clearing a false alarm)."""
        self._limiter.storage.reset()
