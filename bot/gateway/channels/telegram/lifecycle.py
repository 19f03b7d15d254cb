"""Telegram inside the web app: the application wired with its handlers, started and stopped
(polling, or the webhook route), retried when it cannot start, and the channel's plug-in."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse, Response
from telegram import Update
from telegram.error import InvalidToken, TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ExtBot,
    JobQueue,
    MessageHandler,
    filters,
)

from bot.gateway.channels.base import ChannelContext
from bot.gateway.channels.telegram.adapter import TelegramAdapter
from bot.gateway.channels.telegram.handlers import (
    ChatOrderedProcessor,
    Context,
    OverLimit,
    button_pressed,
    human,
    log_error,
    not_text,
    start,
    text_message,
)
from bot.gateway.channels.telegram.settings import (
    POLL_TIMEOUT,
    WEBHOOK_PATH,
    describe,
    make_bot,
    misconfiguration,
    telegram_status,
)
from bot.gateway.chat_limits import ChatLimits
from ticketing.config import Settings
from ticketing.models import Channel

if TYPE_CHECKING:
    from bot.gateway.conversation import Gateway


log = logging.getLogger(__name__)

TelegramApplication = Application[
    ExtBot[None], Context, dict[Any, Any], dict[Any, Any], dict[Any, Any], JobQueue[Context]
]

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 (a header name)
ALLOWED_UPDATES = (Update.MESSAGE, Update.CALLBACK_QUERY)
MAX_CONCURRENT_UPDATES = 256
START_RETRY = 5.0  # seconds before starting again after a failed start; doubles up to 5 minutes


def build_application(settings: Settings, gateway: Gateway) -> TelegramApplication:
    """The python-telegram-bot application: handlers, the error handler, chats in parallel.

    It shares the Bot of the gateway's Telegram adapter when there is one (one HTTP client for
    updates and deliveries). In webhook mode it has no updater: the web app feeds its queue.
    """
    if not settings.telegram_token:
        raise RuntimeError("KEFU_TELEGRAM_TOKEN is not set")
    adapter = gateway.adapters.get(Channel.TELEGRAM)
    bot = adapter.bot if isinstance(adapter, TelegramAdapter) else make_bot(settings)
    builder = (
        Application.builder()
        .bot(bot)
        .concurrent_updates(ChatOrderedProcessor(MAX_CONCURRENT_UPDATES))
    )
    if settings.telegram_mode == "webhook":
        builder = builder.updater(None)
    application = builder.build()
    application.bot_data["gateway"] = gateway
    application.bot_data["over_limit"] = OverLimit(ChatLimits.from_settings(settings))
    # New messages in private chats: not edits, not groups.
    private = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
    application.add_handler(CommandHandler("start", start, filters=private))
    application.add_handler(CommandHandler("help", start, filters=private))
    application.add_handler(CommandHandler("human", human, filters=private))
    application.add_handler(MessageHandler(private & filters.TEXT & ~filters.COMMAND, text_message))
    application.add_handler(MessageHandler(private & filters.COMMAND, start))  # unknown: help
    application.add_handler(CallbackQueryHandler(button_pressed))
    application.add_handler(MessageHandler(private & ~filters.StatusUpdate.ALL, not_text))
    application.add_error_handler(log_error)
    return application


@asynccontextmanager
async def running(application: TelegramApplication, settings: Settings) -> AsyncIterator[None]:
    """Run the application: polling, or (webhook mode) registering the webhook if a URL is
    configured. On exit the updates already taken are finished first."""
    await application.initialize()
    try:
        if application.updater is not None:
            await application.updater.start_polling(
                timeout=POLL_TIMEOUT, allowed_updates=list(ALLOWED_UPDATES)
            )
        elif settings.telegram_webhook_url:
            await application.bot.set_webhook(
                settings.telegram_webhook_url,
                secret_token=settings.telegram_webhook_secret,
                allowed_updates=list(ALLOWED_UPDATES),
            )
        await application.start()
        log.info("%s", telegram_status(settings))
        yield
    finally:
        if application.updater is not None and application.updater.running:
            await application.updater.stop()
        if application.running:
            await application.stop()
        await application.shutdown()


async def serve(application: TelegramApplication, settings: Settings) -> None:
    """Run the application until cancelled. A failed start (Telegram unreachable, a rejected
    token) is logged and tried again with backoff: it must not keep the web app down."""
    delay = START_RETRY
    while True:
        try:
            async with running(application, settings):
                delay = START_RETRY
                await asyncio.Event().wait()  # until cancelled
        except asyncio.CancelledError:
            raise
        except InvalidToken:
            # Its message quotes the token.
            log.error("telegram: the bot token was rejected; trying again in %.0f s", delay)
        except Exception as exc:
            reason = describe(exc) if isinstance(exc, TelegramError) else type(exc).__name__
            log.error("telegram: could not start (%s); trying again in %.0f s", reason, delay)
        await asyncio.sleep(delay)
        delay = min(delay * 2, 300.0)


# --- the web app ---------------------------------------------------------------------------------


def webhook_router(application: TelegramApplication, secret: str) -> APIRouter:
    """`POST /telegram/webhook`: Telegram's updates, when it proves it knows the secret."""
    router = APIRouter(tags=["telegram"])

    @router.post(WEBHOOK_PATH, include_in_schema=False)
    async def telegram_webhook(request: Request) -> Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not secrets.compare_digest(given.encode(), secret.encode()):
            return JSONResponse({"detail": "wrong secret token"}, status_code=403)
        if not application.running:
            return JSONResponse({"detail": "not running"}, status_code=503)  # Telegram retries
        try:
            data = json.loads(await request.body())
            update = Update.de_json(data, application.bot) if isinstance(data, dict) else None
        except (ValueError, TypeError, KeyError):
            update = None
        if update is None:
            return JSONResponse({"detail": "not a Telegram update"}, status_code=400)
        await application.update_queue.put(update)
        return Response(status_code=200)

    return router


class TelegramPlugin:
    """Telegram inside the web app when a token is configured: the adapter, the webhook route in
    webhook mode, and the application started and stopped with the app's lifespan."""

    def __init__(self, context: ChannelContext) -> None:
        self.settings = context.settings
        self.application: TelegramApplication | None = None
        self._adapter: TelegramAdapter | None = None
        if not self.settings.telegram_token:
            return
        if problem := misconfiguration(self.settings):
            raise RuntimeError(f"Telegram: {problem}")
        self._adapter = TelegramAdapter(make_bot(self.settings), context.session_factory)

    @property
    def adapter(self) -> TelegramAdapter | None:
        return self._adapter

    def install(self, app: FastAPI, gateway: Gateway) -> None:
        """`app.state.telegram` and, in webhook mode, `POST /telegram/webhook`."""
        settings = self.settings
        if not settings.telegram_token:
            log.info("%s", telegram_status(settings))
            return
        self.application = app.state.telegram = build_application(settings, gateway)
        if settings.telegram_mode == "webhook":
            assert settings.telegram_webhook_secret is not None  # checked at start
            app.include_router(webhook_router(self.application, settings.telegram_webhook_secret))

    @asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """Serve Telegram while the app runs (see `serve`)."""
        if self.application is None:
            yield
            return
        task = asyncio.create_task(serve(self.application, self.settings), name="telegram")
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
