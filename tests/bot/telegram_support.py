"""What the Telegram tests share: the chat, settings for the fake Bot API, and helpers."""

from __future__ import annotations

import asyncio
import time
import warnings
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session, sessionmaker
from starlette.exceptions import StarletteDeprecationWarning

with warnings.catch_warnings():
    # Starlette's TestClient would rather have httpx2; it works on httpx 0.28 and only warns.
    warnings.simplefilter("ignore", StarletteDeprecationWarning)

from bot.gateway.channels.telegram.lifecycle import (
    TelegramApplication,
)
from bot.gateway.channels.telegram.messages import (
    GREETING,
)
from bot.gateway.conversation import Gateway
from bot.gateway.outbox import OutboxDeliverer
from tests.api.helpers import SETTINGS
from tests.bot.fake_telegram import TOKEN, FakeTelegram
from ticketing import services
from ticketing.clock import utcnow
from ticketing.config import Settings
from ticketing.db import transaction
from ticketing.models import (
    Conversation,
)

CHAT = 777001
OTHER_CHAT = 777002
CONVERSATION = f"telegram:{CHAT}"
SECRET = "webhook-secret-0123456789abcdef"
LONG_PAYLOAD = '/inform{"complaint_category": "delivery", "order_number": "A2024-1181-XYZ"}'


def telegram_settings(fake: FakeTelegram, **extra: Any) -> Settings:
    return SETTINGS.model_copy(
        update={"telegram_token": TOKEN, "telegram_base_url": fake.base_url, **extra}
    )


@dataclass
class Bot:
    """Kefu on Telegram, long polling the fake: the gateway, its outbox and the application."""

    gateway: Gateway
    outbox: OutboxDeliverer
    application: TelegramApplication
    clock: WallClock


class WallClock:
    """The wall clock, moved ahead by hand: rows the fake action server and the desk write are
    stamped with the wall clock, and a retry's backoff is skipped by moving ahead."""

    def __init__(self) -> None:
        self.ahead = timedelta()

    def __call__(self) -> datetime:
        return utcnow() + self.ahead

    def advance(self, seconds: float) -> None:
        self.ahead += timedelta(seconds=seconds)


async def wait(fake: FakeTelegram, method: str, count: int = 1) -> list[Any]:
    return await asyncio.to_thread(fake.wait, method, count)


async def settle(fake: FakeTelegram, chat: int = CHAT) -> None:
    """Wait until every update of the chat sent so far is handled: one chat's updates are
    handled in order, so once a later /start is answered, everything before it is done."""
    greetings = len([t for t in fake.texts(chat) if t in GREETING.values()])
    fake.send(chat, "/start")
    deadline = time.monotonic() + 10
    while len([t for t in fake.texts(chat) if t in GREETING.values()]) <= greetings:
        assert time.monotonic() < deadline, "the chat never settled"
        await asyncio.sleep(0.02)


def replies(fake: FakeTelegram, chat: int = CHAT) -> list[str]:
    """What the chat was sent, greetings left out."""
    return [t for t in fake.texts(chat) if t not in GREETING.values()]


def keyboard(call: Any) -> list[list[dict[str, str]]]:
    rows: list[list[dict[str, str]]] = call.params["reply_markup"]["inline_keyboard"]
    return rows


def conversation(factory: sessionmaker[Session]) -> Conversation:
    with factory() as session:
        row = session.get(Conversation, CONVERSATION)
        assert row is not None
        return row


def hand_off(factory: sessionmaker[Session]) -> None:
    with transaction(factory) as session:
        row = session.get(Conversation, CONVERSATION)
        assert row is not None
        services.hand_off_conversation(session, row, services.Actor.bot(), reason="request")
