"""The python-telegram-bot handlers: each private chat's updates, in order, handed to the gateway
as `Inbound` (Gateway.receive), and the short notices answered at once.

A chat has the web chat's message limit (KEFU_CHAT_MESSAGE_LIMIT, bot/gateway/chat_limits.py):
a message over it is kept but not sent to the bot, and the customer is told once per wait (a
chat handed off to the agents is not told: its messages reach them as ever)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable
from typing import TYPE_CHECKING, Any

from telegram import InlineKeyboardMarkup, Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import BaseUpdateProcessor, ContextTypes

from bot.gateway.channels.base import Inbound
from bot.gateway.channels.telegram.adapter import conversation_language
from bot.gateway.channels.telegram.messages import (
    BUTTON_EXPIRED,
    GREETING,
    HASHED,
    HUMAN_REQUEST,
    NOT_ACCEPTED,
    NOT_RECEIVED,
    TEXT_ONLY,
    find_payload,
)
from bot.gateway.channels.telegram.settings import describe
from bot.gateway.chat_limits import ChatLimits, skip_notice
from ticketing.errors import AlreadyReceived, InvalidInput
from ticketing.language import detect_language
from ticketing.models import Channel, ConversationState

if TYPE_CHECKING:
    from bot.gateway.conversation import Gateway


log = logging.getLogger(__name__)

Context = ContextTypes.DEFAULT_TYPE

HUMAN_PAYLOAD = "/request_human"


def language_of(language_code: str | None) -> str | None:
    """The customer's language from Telegram's `language_code`: "zh" for any Chinese, "en" for
    any other language (English is the better guess for them), None when Telegram did not say."""
    if not language_code:
        return None
    return "zh" if language_code.lower().startswith("zh") else "en"


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


class OverLimit:
    """The chats' message limit on Telegram, and when each chat over it was last told so: once
    per wait, not once per message (a flood would otherwise be answered by a flood)."""

    MAX_CHATS = 10_000  # chats remembered as told; past this the ones whose wait is over go

    def __init__(self, limits: ChatLimits) -> None:
        self.limits = limits
        self._told_until: dict[str, float] = {}

    async def wait(self, chat_id: str) -> float:
        """Count a message of the chat: 0, or the seconds it is over the limit for."""
        return await self.limits.over(self.limits.messages, f"{Channel.TELEGRAM.value}:{chat_id}")

    def first_told(self, chat_id: str, seconds: float) -> bool:
        """Whether the chat, over the limit for `seconds`, is to be told now."""
        now = time.monotonic()
        if self._told_until.get(chat_id, 0.0) > now:
            return False
        if len(self._told_until) >= self.MAX_CHATS:
            self._told_until = {c: t for c, t in self._told_until.items() if t > now}
        self._told_until[chat_id] = now + seconds
        return True


def _over_limit(context: Context) -> OverLimit | None:
    over: OverLimit | None = context.bot_data.get("over_limit")
    return over


async def _receive(update: Update, context: Context, inbound: Inbound) -> None:
    """Hand the message to the gateway; when it could not even be stored, say so (and, for a
    message the store refuses, that it must change). A message over the chat's limit is kept
    but not sent to the bot; the customer is told once per wait."""
    over = _over_limit(context)
    seconds = await over.wait(inbound.external_id) if over is not None else 0.0
    try:
        stored = await _gateway(context).receive(inbound, to_bot=seconds <= 0)
    except AlreadyReceived:
        # Telegram delivered it again (a retried webhook, a replay): handled the first time.
        log.info(
            "telegram: update %s of chat %s was received before",
            inbound.update_id,
            inbound.external_id,
        )
        return
    except Exception as exc:
        refused = isinstance(exc, InvalidInput)
        if not refused:
            log.exception("telegram: a message of chat %s could not be stored", inbound.external_id)
        message = update.effective_message
        if message is not None:
            language = inbound.language_hint or "zh"
            with contextlib.suppress(TelegramError):
                await message.reply_text((NOT_ACCEPTED if refused else NOT_RECEIVED)[language])
        return
    if stored.state is not ConversationState.BOT:
        return  # handed off: the agents read it as any other, nothing was held back
    if seconds > 0 and over is not None and over.first_told(inbound.external_id, seconds):
        # The words' language, as the gateway keeps it for the conversation; else Telegram's.
        said = detect_language(inbound.text) or inbound.language_hint
        try:
            await context.bot.send_message(int(inbound.external_id), skip_notice(said, seconds))
        except TelegramError as exc:
            log.warning("telegram: the message limit notice failed: %s", describe(exc))


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
        update_id=str(update.update_id),
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
        update_id=str(update.update_id),
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
        log.warning("telegram: answering a button press failed: %s", describe(exc))
    inbound = Inbound(
        channel=Channel.TELEGRAM,
        external_id=chat_id,
        text=_button_title(update, query.data) or payload,
        payload=payload,
        display_name=name,
        language_hint=language,
        update_id=str(update.update_id),
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
            describe(error) if isinstance(error, TelegramError) else type(error).__name__,
            exc_info=None if isinstance(error, TelegramError) else error,
        )
    elif isinstance(error, TelegramError):
        # Polling errors (network, 5xx, a second poller's 409 Conflict): PTB retries them.
        log.warning("telegram: %s", describe(error))
    else:
        log.error("telegram: %s", type(error).__name__, exc_info=error)
