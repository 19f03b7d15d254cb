"""The Telegram channel: python-telegram-bot 22 turns chats into `Inbound` for the gateway, and
`TelegramAdapter` delivers the outbox's rows to them.

Off without `KEFU_TELEGRAM_TOKEN`. Long polling by default (no public URL needed, but exactly one
process may poll); in webhook mode the app serves `POST /telegram/webhook`, checks Telegram's
`X-Telegram-Bot-Api-Secret-Token` header against `KEFU_TELEGRAM_WEBHOOK_SECRET` and puts the
update on the application's queue (`updater(None)`). Private chats only; the conversation is
`telegram:<chat id>`.

Configuration (ticketing/config.py): KEFU_TELEGRAM_TOKEN, KEFU_TELEGRAM_MODE (polling | webhook),
KEFU_TELEGRAM_WEBHOOK_SECRET, KEFU_TELEGRAM_WEBHOOK_URL (registered with setWebhook at start-up
when given), KEFU_TELEGRAM_BASE_URL (a fake Bot API in tests).

Everything of the conversation goes out through the outbox. The greeting (/start) and the short
notices (only text is understood, a message not received, a button expired) answer the update
itself and are sent at once: they are no part of the conversation, and a customer whose notice
was lost just writes again.

Buttons are inline keyboards. Telegram's `callback_data` holds at most 64 bytes: a payload that
fits is sent as it is; a longer one (Rasa's `/inform{"complaint_category": ...}`) is sent as
`#` + a hash of it, and a press is resolved against the buttons of the conversation's recent bot
messages, which the store keeps anyway. Nothing new to store, nothing to expire, and a hash is
the same in every process.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import json
import logging
import os
import secrets
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    MessageEntity,
    Update,
)
from telegram.constants import ChatAction, ChatType
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    RetryAfter,
    TelegramError,
)
from telegram.ext import (
    Application,
    BaseUpdateProcessor,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    ExtBot,
    JobQueue,
    MessageHandler,
    filters,
)
from telegram.request import HTTPXRequest

from bot.gateway.channels.base import (
    Button,
    ChannelContext,
    DeliveryFailed,
    DeliveryRefused,
    Inbound,
    Outbound,
)
from ticketing.config import Settings
from ticketing.errors import InvalidInput
from ticketing.models import Channel, Conversation, Message, MessageKind, OutboxKind

if TYPE_CHECKING:
    from bot.gateway.conversation import Gateway

log = logging.getLogger(__name__)

# Time periods as `timedelta`, as PTB 23 will have them. Without this opt-in PTB warns of the
# change while it builds a `RetryAfter` (Telegram's flood control), inside its own request code.
os.environ.setdefault("PTB_TIMEDELTA", "true")

Context = ContextTypes.DEFAULT_TYPE
TelegramApplication = Application[
    ExtBot[None], Context, dict[Any, Any], dict[Any, Any], dict[Any, Any], JobQueue[Context]
]

WEBHOOK_PATH = "/telegram/webhook"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 (a header name)
ALLOWED_UPDATES = (Update.MESSAGE, Update.CALLBACK_QUERY)
POLL_TIMEOUT = 30  # seconds Telegram holds a getUpdates open when nothing happens
MAX_CONCURRENT_UPDATES = 256
MAX_TEXT = 4096  # Telegram's limit for one message, in UTF-16 code units
CALLBACK_DATA_MAX = 64  # bytes
HASHED = "#"
RECENT_BOT_MESSAGES = 50  # where a hashed button press is looked for
HUMAN_PAYLOAD = "/request_human"
START_RETRY = 5.0  # seconds before starting again after a failed start; doubles up to 5 minutes

GREETING = {
    "zh": "您好！我是客服助手，可以帮您查询订单、处理退换货和投诉。请直接输入您的问题；"
    "需要人工客服时发送 /human 。",
    "en": "Hello! I'm the customer-service assistant: I can help with orders, returns and "
    "complaints. Just type your question; send /human to talk to a member of our team.",
}
# What /human stores as the customer's words (the payload goes to the bot).
HUMAN_REQUEST = {"zh": "转人工客服", "en": "I'd like to talk to a human"}
TEXT_ONLY = {
    "zh": "抱歉，目前只能处理文字消息，请用文字描述您的问题。",
    "en": "Sorry, I can only read text messages for now. Please describe your question in words.",
}
NOT_RECEIVED = {
    "zh": "抱歉，您的消息暂时无法接收，请稍后再发一次。",
    "en": "Sorry, we couldn't take your message just now. Please send it again in a moment.",
}
BUTTON_EXPIRED = {
    "zh": "这个按钮已失效，请直接输入。",
    "en": "This button has expired: please type.",
}
EVENTS = {
    "queued": {
        "zh": "⏳ 正在为您转接人工客服，请稍候，客服会在这里回复您。",
        "en": "⏳ You're in the queue for a member of our team; they'll reply here shortly.",
    },
    "agent_joined": {
        "zh": "👤 客服{name}已加入对话。",
        "en": "👤 {name} from our team has joined the conversation.",
    },
    "agent_joined_unnamed": {
        "zh": "👤 人工客服已加入对话。",
        "en": "👤 A member of our team has joined the conversation.",
    },
    "handed_back": {
        "zh": "🤖 人工服务已结束，智能助手继续为您服务。",
        "en": "🤖 You're back with the assistant. How else can I help?",
    },
}


# --- settings ------------------------------------------------------------------------------------


def telegram_status(settings: Settings) -> str:
    """One line for start-up output: whether Telegram is on, and how."""
    if not settings.telegram_token:
        return "Telegram: off (set KEFU_TELEGRAM_TOKEN to turn it on)"
    if problem := _misconfiguration(settings):
        return f"Telegram: not started: {problem}"
    if settings.telegram_mode == "polling":
        return "Telegram: on, long polling (one process only)"
    if settings.telegram_webhook_url:
        return f"Telegram: on, webhook {settings.telegram_webhook_url}"
    return f"Telegram: on, webhook at {WEBHOOK_PATH} (register its public URL with Telegram)"


def _misconfiguration(settings: Settings) -> str | None:
    if settings.telegram_mode == "webhook" and not settings.telegram_webhook_secret:
        return "webhook mode needs KEFU_TELEGRAM_WEBHOOK_SECRET"
    return None


def language_of(language_code: str | None) -> str | None:
    """The customer's language from Telegram's `language_code`: "zh" for any Chinese, "en" for
    any other language (English is the better guess for them), None when Telegram did not say."""
    if not language_code:
        return None
    return "zh" if language_code.lower().startswith("zh") else "en"


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


# --- buttons -------------------------------------------------------------------------------------


def callback_data_for(payload: str) -> str:
    """What a button carries to Telegram and back: the payload itself when it fits in 64 bytes,
    else `#` and a hash of it (see the module doc)."""
    size = len(payload.encode())
    if 0 < size <= CALLBACK_DATA_MAX and not payload.startswith(HASHED):
        return payload
    digest = hashlib.sha256(payload.encode()).digest()[:24]
    return HASHED + base64.urlsafe_b64encode(digest).decode()


def keyboard_for(buttons: Sequence[Button]) -> InlineKeyboardMarkup | None:
    """One button a row: titles are whole phrases, in Chinese or English."""
    if not buttons:
        return None
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    b["title"] or b["payload"], callback_data=callback_data_for(b["payload"])
                )
            ]
            for b in buttons
        ]
    )


def find_payload(
    factory: sessionmaker[Session], conversation_id: str, callback_data: str
) -> str | None:
    """The payload behind a hashed button, from the conversation's recent bot messages."""
    with factory() as session:
        rows = session.scalars(
            select(Message.data)
            .where(Message.conversation_id == conversation_id, Message.kind == MessageKind.BOT)
            .order_by(Message.id.desc())
            .limit(RECENT_BOT_MESSAGES)
        )
        for data in rows:
            for button in (data or {}).get("buttons") or []:
                payload = str(button.get("payload", ""))
                if callback_data_for(payload) == callback_data:
                    return payload
    return None


# --- text ----------------------------------------------------------------------------------------


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Pieces of at most `limit` UTF-16 code units (how Telegram counts), cut at a line break
    when there is one in the second half of a piece."""
    parts: list[str] = []
    while utf16_len(text) > limit:
        size, cut = 0, 0
        for index, char in enumerate(text):
            size += 2 if ord(char) > 0xFFFF else 1
            if size > limit:
                cut = index
                break
        newline = text.rfind("\n", cut // 2, cut)
        if newline > 0:
            cut = newline + 1
        parts.append(text[:cut])
        text = text[cut:]
    if text or not parts:
        parts.append(text)
    return parts


def event_text(event: str | None, language: str, agent_name: str | None) -> str | None:
    """A conversation event as the customer reads it; None for one they need not see."""
    if event == "agent_joined" and not agent_name:
        event = "agent_joined_unnamed"
    texts = EVENTS.get(event or "")
    if texts is None:
        return None
    return texts.get(language, texts["zh"]).format(name=agent_name or "")


# --- delivering ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Send:
    """One Bot API call of a delivery."""

    text: str | None = None
    photo: str | None = None
    entities: tuple[MessageEntity, ...] = ()
    keyboard: InlineKeyboardMarkup | None = None


class TelegramAdapter:
    """The Telegram channel as the outbox sees it (`ChannelAdapter`)."""

    channel = Channel.TELEGRAM

    def __init__(self, bot: ExtBot[None], session_factory: sessionmaker[Session]) -> None:
        self.bot = bot
        self.factory = session_factory
        # A long message goes out in pieces: after a failure the retry skips the pieces this
        # process already sent (a retry in another process may repeat them).
        self._progress: OrderedDict[int, int] = OrderedDict()

    async def deliver(self, item: Outbound) -> None:
        """Send one outbox row to the chat; raise so the outbox retries (`DeliveryRefused` when
        Telegram will never take it: the customer blocked the bot, the chat is gone)."""
        try:
            chat_id = int(item.external_id)
        except ValueError:
            raise DeliveryRefused("not a Telegram chat id") from None
        sends = await self._sends(item)
        done = self._progress.get(item.outbox_id, 0)
        try:
            for index, send in enumerate(sends):
                if index < done:
                    continue
                await self._send(chat_id, send)
                self._progress[item.outbox_id] = index + 1
                while len(self._progress) > 1000:
                    self._progress.popitem(last=False)
        except (Forbidden, ChatMigrated) as exc:
            raise DeliveryRefused(f"Telegram refused the chat: {_describe(exc)}") from exc
        except BadRequest as exc:
            # A malformed request or a chat that does not exist: no retry will change that.
            raise DeliveryRefused(f"Telegram rejected the message: {_describe(exc)}") from exc
        except RetryAfter as exc:
            raise DeliveryFailed(f"Telegram rate limit: {exc.message}") from exc
        except InvalidToken as exc:
            raise DeliveryFailed("Telegram rejected the bot token") from exc
        except TelegramError as exc:  # NetworkError, TimedOut, Conflict, a 5xx
            raise DeliveryFailed(f"Telegram unavailable: {_describe(exc)}") from exc
        self._progress.pop(item.outbox_id, None)

    async def typing(self, external_id: str) -> None:
        """Show "typing…" in the chat while the bot thinks."""
        await self.bot.send_chat_action(int(external_id), ChatAction.TYPING)

    async def _sends(self, item: Outbound) -> list[_Send]:
        if item.kind is OutboxKind.EVENT:
            language = await asyncio.to_thread(self._language_of, item.conversation_id)
            name = item.payload.get("agent_name")
            text = event_text(item.event, language, str(name) if name else None)
            return [_Send(text=text)] if text else []
        text = item.text
        entities: tuple[MessageEntity, ...] = ()
        if item.sender == "agent" and item.author_name:
            # The agent's name, in bold, above what they wrote.
            name = item.author_name
            text = f"{name}\n{text}"
            entities = (MessageEntity(MessageEntity.BOLD, 0, utf16_len(name)),)
        sends: list[_Send] = []
        if text and text != item.image:  # an image alone is kept with its URL as the body
            parts = split_text(text)
            sends = [_Send(text=part) for part in parts]
            sends[0] = _Send(text=parts[0], entities=entities)
        if item.image:
            sends.append(_Send(photo=item.image))
        if not sends:
            return []
        last = sends[-1]
        sends[-1] = _Send(last.text, last.photo, last.entities, keyboard_for(item.buttons))
        return sends

    async def _send(self, chat_id: int, send: _Send) -> None:
        if send.photo is not None:
            await self.bot.send_photo(chat_id, send.photo, reply_markup=send.keyboard)
        else:
            await self.bot.send_message(
                chat_id,
                send.text or "…",
                entities=send.entities or None,
                reply_markup=send.keyboard,
            )

    def _language_of(self, conversation_id: str) -> str:
        return conversation_language(self.factory, conversation_id)


def conversation_language(factory: sessionmaker[Session], conversation_id: str) -> str:
    """The language the store keeps for the conversation; Chinese for a new one."""
    with factory() as session:
        language = session.scalar(
            select(Conversation.language).where(Conversation.id == conversation_id)
        )
    return language if language in ("zh", "en") else "zh"


def _describe(exc: TelegramError) -> str:
    return f"{type(exc).__name__}: {exc.message}"


# --- updates -------------------------------------------------------------------------------------


class ChatOrderedProcessor(BaseUpdateProcessor):
    """Chats side by side, each chat's updates one at a time in the order they came: a slow bot
    turn holds up no other customer, and a customer's two quick messages reach the gateway (and
    Rasa) in the order they were sent."""

    def __init__(self, max_concurrent_updates: int) -> None:
        super().__init__(max_concurrent_updates)
        self._chats: dict[int, tuple[asyncio.Lock, int]] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is None:
            await coroutine
            return
        # PTB starts each update's task in arrival order and nothing before this line waits, so
        # the lock's queue is in arrival order too.
        lock, users = self._chats.get(chat.id) or (asyncio.Lock(), 0)
        self._chats[chat.id] = (lock, users + 1)
        try:
            async with lock:
                await coroutine
        finally:
            lock, users = self._chats[chat.id]
            if users == 1:
                del self._chats[chat.id]
            else:
                self._chats[chat.id] = (lock, users - 1)

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""


def _gateway(context: Context) -> Gateway:
    gateway: Gateway = context.bot_data["gateway"]
    return gateway


def _customer(update: Update) -> tuple[str, str | None, str | None] | None:
    """The chat id, display name and language of a private chat's update."""
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None or chat.type != ChatType.PRIVATE:
        return None
    return str(chat.id), user.full_name or None, language_of(user.language_code)


async def _receive(update: Update, context: Context, inbound: Inbound) -> None:
    """Hand the message to the gateway; when it could not even be stored, say so."""
    try:
        await _gateway(context).receive(inbound)
    except Exception as exc:
        if not isinstance(exc, InvalidInput):
            log.exception("telegram: a message of chat %s could not be stored", inbound.external_id)
        message = update.effective_message
        if message is not None:
            language = inbound.language_hint or "zh"
            with contextlib.suppress(TelegramError):
                await message.reply_text(NOT_RECEIVED[language])


async def start(update: Update, context: Context) -> None:
    """Greet the customer in their language."""
    customer = _customer(update)
    if customer is None or update.effective_message is None:
        return
    language = customer[2] or "zh"
    await update.effective_message.reply_text(GREETING[language])


async def human(update: Update, context: Context) -> None:
    """Ask for a human: the bot's handoff hands the conversation to the agents' queue."""
    customer = _customer(update)
    if customer is None:
        return
    chat_id, name, language = customer
    # The words stored set the conversation's language: without Telegram's hint, keep the
    # conversation's own rather than guess.
    conversation_id = f"{Channel.TELEGRAM.value}:{chat_id}"
    factory = _gateway(context).factory
    if language is None:
        language = await asyncio.to_thread(conversation_language, factory, conversation_id)
    inbound = Inbound(
        channel=Channel.TELEGRAM,
        external_id=chat_id,
        text=HUMAN_REQUEST[language],
        payload=HUMAN_PAYLOAD,
        display_name=name,
        language_hint=language,
    )
    await _receive(update, context, inbound)


async def text_message(update: Update, context: Context) -> None:
    """Pass what the customer wrote to the gateway."""
    customer = _customer(update)
    message = update.effective_message
    if customer is None or message is None or not message.text:
        return
    chat_id, name, language = customer
    inbound = Inbound(
        channel=Channel.TELEGRAM,
        external_id=chat_id,
        text=message.text,
        display_name=name,
        language_hint=language,
    )
    await _receive(update, context, inbound)


async def button_pressed(update: Update, context: Context) -> None:
    """Send the pressed button's payload to the gateway, its title as the customer's words."""
    query = update.callback_query
    customer = _customer(update)
    if query is None or customer is None or not query.data:
        return
    chat_id, name, language = customer
    payload: str | None = query.data
    if query.data.startswith(HASHED):
        conversation_id = f"{Channel.TELEGRAM.value}:{chat_id}"
        payload = await asyncio.to_thread(
            find_payload, _gateway(context).factory, conversation_id, query.data
        )
    if payload is None:
        with contextlib.suppress(TelegramError):
            await query.answer(BUTTON_EXPIRED[language or "zh"])
        return
    # Stops the button's spinner; the press counts even if this does not get through.
    try:
        await query.answer()
    except TelegramError as exc:
        log.warning("telegram: answering a button press failed: %s", _describe(exc))
    inbound = Inbound(
        channel=Channel.TELEGRAM,
        external_id=chat_id,
        text=_button_title(update, query.data) or payload,
        payload=payload,
        display_name=name,
        language_hint=language,
    )
    await _receive(update, context, inbound)


def _button_title(update: Update, callback_data: str) -> str | None:
    query = update.callback_query
    message = query.message if query else None
    markup = getattr(message, "reply_markup", None)
    if not isinstance(markup, InlineKeyboardMarkup):
        return None
    for row in markup.inline_keyboard:
        for button in row:
            if button.callback_data == callback_data:
                return button.text
    return None


async def not_text(update: Update, context: Context) -> None:
    """Say that only text is understood (photos, stickers, voice)."""
    customer = _customer(update)
    if customer is None or update.effective_message is None:
        return
    await update.effective_message.reply_text(TEXT_ONLY[customer[2] or "zh"])


async def log_error(update: object, context: Context) -> None:
    """Log a failure by the update's id and chat: never the customer's words, name or phone."""
    error = context.error
    if isinstance(update, Update):
        chat = update.effective_chat
        log.error(
            "telegram: update %s of chat %s failed: %s",
            update.update_id,
            chat.id if chat else "-",
            _describe(error) if isinstance(error, TelegramError) else type(error).__name__,
            exc_info=None if isinstance(error, TelegramError) else error,
        )
    elif isinstance(error, TelegramError):
        # Polling errors (network, 5xx, a second poller's 409 Conflict): PTB retries them.
        log.warning("telegram: %s", _describe(error))
    else:
        log.error("telegram: %s", type(error).__name__, exc_info=error)


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
            reason = _describe(exc) if isinstance(exc, TelegramError) else type(exc).__name__
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
        if problem := _misconfiguration(self.settings):
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
