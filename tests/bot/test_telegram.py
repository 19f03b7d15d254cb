"""The Telegram channel: python-telegram-bot's real code paths against a fake Bot API server on
localhost (tests/bot/fake_telegram.py) and the fake Rasa of conftest.py."""

from __future__ import annotations

import logging
import time
import warnings
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from starlette.exceptions import StarletteDeprecationWarning

with warnings.catch_warnings():
    # Starlette's TestClient would rather have httpx2; it works on httpx 0.28 and only warns.
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

from bot.gateway.app import create_app
from bot.gateway.channels.telegram import lifecycle
from bot.gateway.channels.telegram.handlers import HUMAN_PAYLOAD
from bot.gateway.channels.telegram.messages import (
    EVENTS,
    GREETING,
    callback_data_for,
    utf16_len,
)
from bot.gateway.rasa_client import RasaClient
from tests.bot.conftest import FakeRasa
from tests.bot.fake_telegram import TOKEN, FakeTelegram
from tests.bot.telegram_support import (
    CHAT,
    CONVERSATION,
    LONG_PAYLOAD,
    OTHER_CHAT,
    Bot,
    conversation,
    hand_off,
    keyboard,
    replies,
    settle,
    telegram_settings,
    wait,
)
from tests.factories import make_user
from ticketing import services
from ticketing.db import transaction
from ticketing.models import (
    Conversation,
    ConversationState,
    Customer,
    Message,
    MessageKind,
    OutboxKind,
    OutboxMessage,
    OutboxStatus,
    Ticket,
)

pytestmark = pytest.mark.anyio


# --- long polling --------------------------------------------------------------------------------


async def test_a_message_reaches_the_bot_and_its_buttons_come_back_as_an_inline_keyboard(
    bot: Bot,
    fake_rasa: FakeRasa,
    fake_telegram: FakeTelegram,
    session_factory: sessionmaker[Session],
) -> None:
    fake_rasa.replier = lambda sender, message, _m: [
        {
            "text": "请选择问题类型",
            "buttons": [
                {"title": "物流", "payload": "/inform_delivery"},
                {"title": "质量", "payload": LONG_PAYLOAD},
            ],
        }
    ]

    fake_telegram.send(CHAT, "我要投诉", first_name="小明", language_code="zh-hans")
    (reply,) = await wait(fake_telegram, "sendMessage")
    await settle(fake_telegram)

    (call,) = fake_rasa.webhook_calls()
    assert call.body["sender"] == CONVERSATION
    assert call.body["message"] == "我要投诉"
    assert call.body["metadata"]["channel"] == "telegram"
    assert call.body["metadata"]["language"] == "zh"
    assert int(reply.params["chat_id"]) == CHAT
    assert reply.params["text"] == "请选择问题类型"
    assert keyboard(reply) == [
        [{"text": "物流", "callback_data": "/inform_delivery"}],
        [{"text": "质量", "callback_data": callback_data_for(LONG_PAYLOAD)}],
    ]
    assert [int(c.params["chat_id"]) for c in fake_telegram.requests("sendChatAction")] == [CHAT]
    with session_factory() as session:
        kinds = session.scalars(select(Message.kind).order_by(Message.id)).all()
        customer = session.scalars(select(Customer)).one()
        statuses = session.scalars(select(OutboxMessage.status)).all()
    assert kinds == [MessageKind.CUSTOMER, MessageKind.BOT]
    assert customer.name == "小明"
    assert statuses == [OutboxStatus.SENT]


@pytest.mark.parametrize(
    ("title", "payload"), [("物流", "/inform_delivery"), ("质量", LONG_PAYLOAD)]
)
async def test_pressing_a_button_sends_its_payload(
    title: str,
    payload: str,
    bot: Bot,
    fake_rasa: FakeRasa,
    fake_telegram: FakeTelegram,
    session_factory: sessionmaker[Session],
) -> None:
    fake_rasa.replier = lambda sender, message, _m: (
        [
            {
                "text": "请选择问题类型",
                "buttons": [
                    {"title": "物流", "payload": "/inform_delivery"},
                    {"title": "质量", "payload": LONG_PAYLOAD},
                ],
            }
        ]
        if message == "我要投诉"
        else [{"text": f"bot heard: {message}"}]
    )
    fake_telegram.send(CHAT, "我要投诉")
    await wait(fake_telegram, "sendMessage")

    fake_telegram.press(CHAT, title)
    await wait(fake_telegram, "sendMessage", 2)

    assert len(callback_data_for(LONG_PAYLOAD).encode()) <= 64 < len(LONG_PAYLOAD.encode())
    assert fake_rasa.webhook_calls()[-1].body["message"] == payload
    assert len(fake_telegram.requests("answerCallbackQuery")) == 1
    assert fake_telegram.texts(CHAT)[-1] == f"bot heard: {payload}"
    with session_factory() as session:
        pressed = session.scalars(
            select(Message).where(Message.kind == MessageKind.CUSTOMER).order_by(Message.id)
        ).all()[-1]
    assert (pressed.body, pressed.data) == (title, {"payload": payload})


async def test_human_hands_off_and_the_bot_then_stays_silent(
    bot: Bot,
    fake_rasa: FakeRasa,
    fake_telegram: FakeTelegram,
    session_factory: sessionmaker[Session],
) -> None:
    def action_server(sender: str, message: str, _meta: dict[str, Any]) -> list[dict[str, Any]]:
        if message == HUMAN_PAYLOAD:
            hand_off(session_factory)  # what the bot's handoff action does in the store
            return [{"text": "好的，正在为您转接人工客服。"}]
        return [{"text": f"bot heard: {message}"}]

    fake_rasa.replier = action_server
    fake_telegram.send(CHAT, "你好")
    await wait(fake_telegram, "sendMessage")

    fake_telegram.send(CHAT, "/human")
    await wait(fake_telegram, "sendMessage", 3)
    fake_telegram.send(CHAT, "你好，还在吗？")
    await settle(fake_telegram)

    assert [c.body["message"] for c in fake_rasa.webhook_calls()] == ["你好", HUMAN_PAYLOAD]
    assert conversation(session_factory).state is ConversationState.QUEUED
    assert replies(fake_telegram) == [
        "bot heard: 你好",
        EVENTS["queued"]["zh"],
        "好的，正在为您转接人工客服。",
    ]
    with session_factory() as session:
        ticket = session.scalars(select(Ticket)).one()
        bodies = session.scalars(
            select(Message.body).where(Message.kind == MessageKind.CUSTOMER).order_by(Message.id)
        ).all()
    assert ticket.handed_off and ticket.conversation_id == CONVERSATION
    # The customer's words are kept for the agent; the request in their language.
    assert bodies == ["你好", "转人工客服", "你好，还在吗？"]


@pytest.mark.parametrize(
    ("language_code", "language"), [("zh-hans", "zh"), ("zh-hant", "zh"), ("en", "en")]
)
async def test_start_greets_in_the_customers_language(
    language_code: str,
    language: str,
    bot: Bot,
    fake_rasa: FakeRasa,
    fake_telegram: FakeTelegram,
) -> None:
    fake_telegram.send(CHAT, "/start", language_code=language_code)

    (greeting,) = await wait(fake_telegram, "sendMessage")

    assert greeting.params["text"] == GREETING[language]
    assert fake_rasa.calls == []


async def test_a_slow_bot_turn_holds_up_no_other_customer_and_one_chat_keeps_its_order(
    bot: Bot, fake_rasa: FakeRasa, fake_telegram: FakeTelegram
) -> None:
    def slow_for_the_first_chat(sender: str, message: str, _m: Any) -> list[dict[str, Any]]:
        if message == "first":
            time.sleep(1.0)
        return [{"text": f"bot heard: {message}"}]

    fake_rasa.replier = slow_for_the_first_chat
    fake_telegram.send(CHAT, "first", language_code="en")
    fake_telegram.send(CHAT, "second", language_code="en")
    fake_telegram.send(OTHER_CHAT, "hello", language_code="en")

    await wait(fake_telegram, "sendMessage", 3)

    assert fake_telegram.texts() == ["bot heard: hello", "bot heard: first", "bot heard: second"]
    in_chat = [
        c.body["message"] for c in fake_rasa.webhook_calls() if c.body["sender"] == CONVERSATION
    ]
    assert in_chat == ["first", "second"]


async def test_a_photo_gets_a_text_only_notice_and_groups_are_ignored(
    bot: Bot, fake_rasa: FakeRasa, fake_telegram: FakeTelegram
) -> None:
    photo = fake_telegram.message_update(CHAT, "", language_code="en")
    del photo["message"]["text"]
    photo["message"]["photo"] = [{"file_id": "p", "file_unique_id": "u", "width": 1, "height": 1}]
    fake_telegram.queue(photo)
    fake_telegram.send(-100500, "hello bot", chat_type="group")
    await settle(fake_telegram)

    assert fake_rasa.calls == []
    assert fake_telegram.texts(CHAT)[0].startswith("Sorry, I can only read text")
    assert fake_telegram.sent(-100500) == []


async def test_a_button_nobody_sent_is_answered_as_expired(
    bot: Bot, fake_rasa: FakeRasa, fake_telegram: FakeTelegram
) -> None:
    fake_telegram.queue(
        {
            "update_id": 5000,
            "callback_query": {
                "id": "cq-old",
                "from": fake_telegram.user(CHAT, "en", "Sam"),
                "chat_instance": "ci",
                "data": callback_data_for(LONG_PAYLOAD),
                "message": {
                    "message_id": 1,
                    "date": int(time.time()),
                    "chat": {"id": CHAT, "type": "private", "first_name": "Sam"},
                    "text": "an old question",
                },
            },
        }
    )
    (answer,) = await wait(fake_telegram, "answerCallbackQuery")

    assert answer.params["text"] == "This button has expired: please type."
    assert fake_rasa.calls == []


async def test_logs_carry_neither_the_customers_words_nor_the_token(
    bot: Bot, fake_telegram: FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    fake_telegram.fail("sendMessage", 502)  # the greeting fails: the error handler logs it
    start = fake_telegram.send(CHAT, "/start")
    fake_telegram.send(CHAT, "我的手机号是13812345678，订单还没到")
    await wait(fake_telegram, "sendMessage")
    await settle(fake_telegram)

    assert "13812345678" not in caplog.text
    assert TOKEN not in caplog.text and TOKEN.split(":")[1] not in caplog.text
    assert "HTTP Request: POST" in caplog.text  # httpx did log the requests, token hidden
    failed = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert [r.getMessage() for r in failed] == [
        f"telegram: update {start['update_id']} of chat {CHAT} failed: NetworkError: Bad Gateway"
    ]


def test_telegram_down_at_start_up_keeps_neither_the_app_nor_the_channel_down(
    session_factory: sessionmaker[Session],
    fake_rasa: FakeRasa,
    fake_telegram: FakeTelegram,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(lifecycle, "START_RETRY", 0.05)
    fake_telegram.fail("getMe", 502, times=2)
    app = create_app(
        telegram_settings(fake_telegram),
        session_factory,
        rasa=RasaClient(fake_rasa.url),
        background=False,
    )
    with TestClient(app) as client:
        assert client.get("/shop").status_code == 200
        fake_telegram.send(CHAT, "你好")
        (reply,) = fake_telegram.wait("sendMessage")

    assert reply.params["text"] == "bot heard: 你好"
    assert [c.status for c in fake_telegram.requests("getMe")] == [502, 502, 200]


# --- delivering agent replies and events ---------------------------------------------------------


async def test_a_failed_delivery_stays_on_the_outbox_and_the_retry_sends_it_once(
    bot: Bot,
    fake_telegram: FakeTelegram,
    session_factory: sessionmaker[Session],
) -> None:
    fake_telegram.send(CHAT, "我要投诉")
    await settle(fake_telegram)
    hand_off(session_factory)
    with transaction(session_factory) as session:
        agent = make_user(session)
        agent.display_name = "王芳"
        ticket = session.scalars(select(Ticket)).one()
        services.reply_to_customer(session, ticket, services.Actor.of(agent), "您好，我是王芳")
    fake_telegram.fail("sendMessage", 502, times=1)

    assert await bot.outbox.run_once() == 1  # the queued notice failed; the rest waits behind it

    with session_factory() as session:
        rows = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        assert [(r.status, r.attempts) for r in rows] == [
            (OutboxStatus.SENT, 1),
            (OutboxStatus.PENDING, 1),
            (OutboxStatus.PENDING, 0),
            (OutboxStatus.PENDING, 0),
        ]
        assert rows[1].last_error is not None and "Bad Gateway" in rows[1].last_error
    assert len(replies(fake_telegram)) == 1

    assert await bot.outbox.run_once() == 0  # not due before its backoff
    bot.clock.advance(60)
    assert await bot.outbox.run_once() == 3
    assert await bot.outbox.run_once() == 0

    assert replies(fake_telegram)[1:] == [
        EVENTS["queued"]["zh"],
        EVENTS["agent_joined"]["zh"].format(name="王芳"),
        "王芳\n您好，我是王芳",
    ]
    reply = fake_telegram.sent(CHAT)[-1]
    assert reply.params["entities"] == [{"type": "bold", "offset": 0, "length": 2}]
    with session_factory() as session:
        statuses = set(session.scalars(select(OutboxMessage.status)))
    assert statuses == {OutboxStatus.SENT}


async def test_a_customer_who_blocked_the_bot_is_not_retried(
    bot: Bot, fake_telegram: FakeTelegram, session_factory: sessionmaker[Session]
) -> None:
    fake_telegram.send(CHAT, "hello", language_code="en")
    await settle(fake_telegram)
    hand_off(session_factory)
    fake_telegram.fail("sendMessage", 403, description="Forbidden: bot was blocked by the user")

    await bot.outbox.run_once()

    with session_factory() as session:
        queued = session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == OutboxKind.EVENT)
        ).one()
    assert queued.status is OutboxStatus.FAILED
    assert queued.last_error is not None and "blocked" in queued.last_error


async def test_telegrams_flood_control_is_retried_later(
    bot: Bot, fake_telegram: FakeTelegram, session_factory: sessionmaker[Session]
) -> None:
    fake_telegram.send(CHAT, "hello", language_code="en")
    await settle(fake_telegram)
    hand_off(session_factory)
    fake_telegram.fail(
        "sendMessage",
        429,
        description="Too Many Requests: retry after 3",
        parameters={"retry_after": 3},
    )

    await bot.outbox.run_once()

    with session_factory() as session:
        queued = session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == OutboxKind.EVENT)
        ).one()
    assert (queued.status, queued.attempts) == (OutboxStatus.PENDING, 1)
    assert queued.last_error == (
        "DeliveryFailed: Telegram rate limit: Flood control exceeded. Retry in 0:00:03"
    )


async def test_events_and_a_long_reply_in_english(
    bot: Bot, fake_telegram: FakeTelegram, session_factory: sessionmaker[Session]
) -> None:
    fake_telegram.send(CHAT, "my parcel is lost", language_code="en")
    await settle(fake_telegram)
    long_reply = ("Here is what happened with your parcel. " * 150).strip()
    with transaction(session_factory) as session:
        row = session.get(Conversation, CONVERSATION)
        assert row is not None
        agent = make_user(session)
        agent.display_name = "Amy"
        ticket = services.hand_off_conversation(session, row, services.Actor.bot(), reason="x")
        services.reply_to_customer(session, ticket, services.Actor.of(agent), long_reply)
        services.hand_back_conversation(session, row, services.Actor.of(agent))

    await bot.outbox.run_once()

    texts = replies(fake_telegram)[1:]
    assert texts[:2] == [
        EVENTS["queued"]["en"],
        EVENTS["agent_joined"]["en"].format(name="Amy"),
    ]
    parts = texts[2:-1]
    assert len(parts) == 2 and all(utf16_len(p) <= 4096 for p in parts)
    assert "".join(parts) == f"Amy\n{long_reply}"
    assert texts[-1] == EVENTS["handed_back"]["en"]
    assert conversation(session_factory).state is ConversationState.BOT
