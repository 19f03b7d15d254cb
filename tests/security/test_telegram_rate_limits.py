"""The web chat's per-session message limit (test_chat_rate_limits.py) did not cover Telegram:
one Telegram chat could flood the bot, and Rasa, with messages. Now a chat has the same limit
(KEFU_CHAT_MESSAGE_LIMIT, the same limiter). Telegram's updates cannot be held back the way a
web socket can (they are already fetched, and a held update would block the other chats), so a
message over the limit is kept in the conversation, for the agents and the transcript, but not
sent to the bot; the customer is told once, in their language, to wait and send it again."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.gateway.channels.telegram.adapter import TelegramAdapter
from bot.gateway.channels.telegram.lifecycle import build_application, running
from bot.gateway.channels.telegram.settings import make_bot
from bot.gateway.conversation import Gateway
from bot.gateway.outbox import OutboxDeliverer
from bot.gateway.rasa_client import RasaClient
from tests.bot.conftest import RASA_TOKEN, FakeRasa
from tests.bot.fake_telegram import FakeTelegram
from tests.bot.telegram_support import (
    CHAT,
    CONVERSATION,
    OTHER_CHAT,
    Bot,
    WallClock,
    hand_off,
    replies,
    settle,
    telegram_settings,
)
from ticketing.models import Channel, Message, MessageKind

pytestmark = pytest.mark.anyio

NOTICE_WORDS = {"zh": "速度有点快", "en": "a little quickly"}


@asynccontextmanager
async def limited_bot(
    session_factory: sessionmaker[Session],
    fake_rasa: FakeRasa,
    fake_telegram: FakeTelegram,
    limit: str,
) -> AsyncIterator[Bot]:
    """The `bot` fixture with another KEFU_CHAT_MESSAGE_LIMIT."""
    settings = telegram_settings(fake_telegram, chat_message_limit=limit)
    clock = WallClock()
    adapters = {Channel.TELEGRAM: TelegramAdapter(make_bot(settings), session_factory)}
    rasa = RasaClient(fake_rasa.url, token=RASA_TOKEN, timeout=5.0, connect_timeout=1.0)
    outbox = OutboxDeliverer(session_factory, adapters, rasa, clock=clock, send_timeout=5.0)
    gateway = Gateway(session_factory, rasa, adapters, outbox=outbox, clock=clock)
    application = build_application(settings, gateway)
    try:
        async with running(application, settings):
            yield Bot(gateway, outbox, application, clock)
    finally:
        await rasa.aclose()


def customer_messages(
    session_factory: sessionmaker[Session], conversation: str = CONVERSATION
) -> list[str]:
    with session_factory() as session:
        return list(
            session.scalars(
                select(Message.body)
                .where(Message.kind == MessageKind.CUSTOMER)
                .where(Message.conversation_id == conversation)
                .order_by(Message.id)
            ).all()
        )


def to_rasa(fake_rasa: FakeRasa, conversation: str = CONVERSATION) -> list[str]:
    calls = fake_rasa.webhook_calls()
    return [c.body["message"] for c in calls if c.body["sender"] == conversation]


@pytest.mark.parametrize(("language", "language_code"), [("zh", "zh-hans"), ("en", "en")])
async def test_a_flooding_chat_is_limited_told_once_and_loses_nothing(
    bot: Bot,
    fake_rasa: FakeRasa,
    fake_telegram: FakeTelegram,
    session_factory: sessionmaker[Session],
    language: str,
    language_code: str,
) -> None:
    """The default limit (5 per 10 seconds): 40 messages at once, 5 reach the bot."""
    sent = [f"第{n}条" if language == "zh" else f"message {n}" for n in range(40)]
    for text in sent:
        fake_telegram.send(CHAT, text, language_code=language_code)
    fake_telegram.send(OTHER_CHAT, "another customer")
    await settle(fake_telegram)
    await settle(fake_telegram, OTHER_CHAT)

    assert to_rasa(fake_rasa) == sent[:5]
    assert customer_messages(session_factory) == sent  # all kept, in order
    with session_factory() as session:
        flagged = session.scalars(
            select(Message.data)
            .where(Message.kind == MessageKind.CUSTOMER, Message.conversation_id == CONVERSATION)
            .order_by(Message.id)
        ).all()
    assert [bool(d and d.get("over_limit")) for d in flagged] == [False] * 5 + [True] * 35
    answers = replies(fake_telegram)
    notices = [t for t in answers if NOTICE_WORDS[language] in t]
    assert len(notices) == 1
    assert answers == [f"bot heard: {t}" for t in sent[:5]] + notices
    # Another customer is not held up or limited by it.
    assert to_rasa(fake_rasa, f"telegram:{OTHER_CHAT}") == ["another customer"]
    assert replies(fake_telegram, OTHER_CHAT) == ["bot heard: another customer"]


async def test_after_the_wait_the_chat_reaches_the_bot_again(
    fake_rasa: FakeRasa, fake_telegram: FakeTelegram, session_factory: sessionmaker[Session]
) -> None:
    async with limited_bot(session_factory, fake_rasa, fake_telegram, "2 per 2 seconds"):
        for n in range(4):
            fake_telegram.send(CHAT, f"第{n}条")
        await settle(fake_telegram)
        assert to_rasa(fake_rasa) == ["第0条", "第1条"]
        (notice,) = [t for t in replies(fake_telegram) if NOTICE_WORDS["zh"] in t]
        assert "2 秒" in notice or "1 秒" in notice

        await asyncio.sleep(2.1)
        fake_telegram.send(CHAT, "第4条")
        await settle(fake_telegram)

    assert to_rasa(fake_rasa) == ["第0条", "第1条", "第4条"]
    assert customer_messages(session_factory) == [f"第{n}条" for n in range(5)]
    assert len([t for t in replies(fake_telegram) if NOTICE_WORDS["zh"] in t]) == 1


async def test_a_chat_handed_to_the_agents_is_not_told_or_flagged(
    bot: Bot,
    fake_rasa: FakeRasa,
    fake_telegram: FakeTelegram,
    session_factory: sessionmaker[Session],
) -> None:
    """With an agent nothing is held back from anyone: every message reaches the desk as ever,
    so the customer is not told to wait (a person typing short lines quickly is normal)."""
    fake_telegram.send(CHAT, "你好")
    await settle(fake_telegram)
    hand_off(session_factory)
    sent = [f"第{n}句" for n in range(8)]
    for text in sent:
        fake_telegram.send(CHAT, text)
    await settle(fake_telegram)

    assert to_rasa(fake_rasa) == ["你好"]
    assert customer_messages(session_factory) == ["你好", *sent]
    with session_factory() as session:
        data = session.scalars(select(Message.data).where(Message.kind == MessageKind.CUSTOMER))
        assert not any(d and d.get("over_limit") for d in data)
    assert not [t for t in replies(fake_telegram) if NOTICE_WORDS["zh"] in t]
