"""`TelegramAdapter`: the outbox's rows for a Telegram chat, sent through the Bot API."""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from telegram import InlineKeyboardMarkup, MessageEntity
from telegram.constants import ChatAction
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    RetryAfter,
    TelegramError,
)
from telegram.ext import ExtBot

from bot.gateway.channels.base import DeliveryFailed, DeliveryRefused, Outbound
from bot.gateway.channels.telegram.messages import event_text, keyboard_for, split_text, utf16_len
from bot.gateway.channels.telegram.settings import describe
from ticketing.models import Channel, Conversation, OutboxKind


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
            raise DeliveryRefused(f"Telegram refused the chat: {describe(exc)}") from exc
        except BadRequest as exc:
            # A malformed request or a chat that does not exist: no retry will change that.
            raise DeliveryRefused(f"Telegram rejected the message: {describe(exc)}") from exc
        except RetryAfter as exc:
            raise DeliveryFailed(f"Telegram rate limit: {exc.message}") from exc
        except InvalidToken as exc:
            raise DeliveryFailed("Telegram rejected the bot token") from exc
        except TelegramError as exc:  # NetworkError, TimedOut, Conflict, a 5xx
            raise DeliveryFailed(f"Telegram unavailable: {describe(exc)}") from exc
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
