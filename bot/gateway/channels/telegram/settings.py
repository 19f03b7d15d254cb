"""Telegram's configuration and its Bot API client: whether it is on, the start-up status line,
the client shared by deliveries and updates, and errors and logs shown without the token."""

from __future__ import annotations

import logging
import os

from telegram.error import TelegramError
from telegram.ext import ExtBot
from telegram.request import HTTPXRequest

from ticketing.config import Settings

# Time periods as `timedelta`, as PTB 23 will have them. Without this opt-in PTB warns of the
# change while it builds a `RetryAfter` (Telegram's flood control), inside its own request code.
os.environ.setdefault("PTB_TIMEDELTA", "true")

WEBHOOK_PATH = "/telegram/webhook"
POLL_TIMEOUT = 30  # seconds Telegram holds a getUpdates open when nothing happens


def telegram_status(settings: Settings) -> str:
    """One line for start-up output: whether Telegram is on, and how."""
    if not settings.telegram_token:
        return "Telegram: off (set KEFU_TELEGRAM_TOKEN to turn it on)"
    if problem := misconfiguration(settings):
        return f"Telegram: not started: {problem}"
    if settings.telegram_mode == "polling":
        return "Telegram: on, long polling (one process only)"
    if settings.telegram_webhook_url:
        return f"Telegram: on, webhook {settings.telegram_webhook_url}"
    return f"Telegram: on, webhook at {WEBHOOK_PATH} (register its public URL with Telegram)"


def misconfiguration(settings: Settings) -> str | None:
    """Why Telegram cannot start with these settings, if it cannot."""
    if settings.telegram_mode == "webhook" and not settings.telegram_webhook_secret:
        return "webhook mode needs KEFU_TELEGRAM_WEBHOOK_SECRET"
    return None


def make_bot(settings: Settings) -> ExtBot[None]:
    """The Bot API client, shared by the adapter (deliveries) and the application (updates)."""
    if not settings.telegram_token:
        raise RuntimeError("KEFU_TELEGRAM_TOKEN is not set")
    _hide_token_in_http_logs(settings.telegram_token)
    return ExtBot(
        settings.telegram_token,
        base_url=settings.telegram_base_url,
        request=HTTPXRequest(connection_pool_size=64, read_timeout=10.0),
        # A getUpdates is held open POLL_TIMEOUT seconds; PTB adds that to this read timeout.
        get_updates_request=HTTPXRequest(connection_pool_size=1, read_timeout=10.0),
    )


class _HideToken(logging.Filter):
    """httpx logs every request's URL at INFO, and a Bot API URL carries the bot's token."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if self.token in message:
            record.msg = message.replace(self.token, "<token>")
            record.args = None
        return True


def _hide_token_in_http_logs(token: str) -> None:
    logger = logging.getLogger("httpx")
    if not any(isinstance(f, _HideToken) and f.token == token for f in logger.filters):
        logger.addFilter(_HideToken(token))


def describe(exc: TelegramError) -> str:
    return f"{type(exc).__name__}: {exc.message}"
