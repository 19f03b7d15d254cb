"""Issue 13, finding 9: one session sent 300 messages in 5 s, and 100 new sessions from one
address opened 100 chats (and customers) in 9 s. Messages per session and new chats per address
are limited; a customer over a limit is told to wait, in their language, and their message goes
through after the wait (nothing lost)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.gateway.chat_limits import ChatLimits, Rule
from bot.gateway.rasa_client import RasaClient
from tests.api.helpers import SETTINGS
from tests.bot.conftest import FakeRasa
from tests.bot.helpers import WebSocketTestSession, app_client, hello, say, texts
from ticketing.config import Settings
from ticketing.models import Conversation, Customer, Ticket


def limited(**limits: str) -> Settings:
    return SETTINGS.model_copy(update=limits)


def until_reply(ws: WebSocketTestSession) -> list[dict[str, Any]]:
    """Frames until the bot's reply to the message just sent."""
    frames: list[dict[str, Any]] = []
    while not any(f["type"] == "message" and f["message"]["sender"] == "bot" for f in frames):
        frames.append(ws.receive_json())
    return frames


@pytest.mark.parametrize(
    ("language", "text", "words"), [("zh", "还在吗", "稍候"), ("en", "still there?", "wait")]
)
def test_a_session_over_its_message_limit_waits_politely_and_loses_nothing(
    session_factory: sessionmaker[Session],
    fake_rasa: FakeRasa,
    language: str,
    text: str,
    words: str,
) -> None:
    settings = limited(chat_message_limit="3 per 2 seconds")
    with (
        app_client(session_factory, RasaClient(fake_rasa.url), settings) as client,
        client.websocket_connect("/ws/chat") as ws,
    ):
        hello(ws, language=language)
        for n in range(3):
            assert texts(say(ws, f"{text} {n}"))[0] == ("customer", f"{text} {n}")
        ws.send_json({"type": "message", "text": f"{text} 3"})
        frames = until_reply(ws)

    wait = frames[0]
    assert wait["type"] == "wait"
    assert 1 <= wait["retry_after"] <= 2
    assert words in wait["text"]
    assert texts(frames) == [("customer", f"{text} 3"), ("bot", f"bot heard: {text} 3")]
    assert len(fake_rasa.webhook_calls()) == 4


def test_an_address_over_its_new_chat_limit_waits_but_known_chats_do_not(
    session_factory: sessionmaker[Session], fake_rasa: FakeRasa
) -> None:
    settings = limited(chat_new_session_limit="3 per 2 seconds")
    with app_client(session_factory, RasaClient(fake_rasa.url), settings) as client:
        sessions = [uuid.uuid4().hex for _ in range(4)]
        for session_id in sessions[:3]:
            with client.websocket_connect("/ws/chat") as ws:
                hello(ws, session_id)
                say(ws, "你好")
        with session_factory() as session:
            assert session.scalar(select(func.count()).select_from(Customer)) == 3
        # A chat the address already has is not new: no wait.
        with client.websocket_connect("/ws/chat") as ws:
            hello(ws, sessions[0])
            assert [f["type"] for f in say(ws, "还在吗")] == [
                "message",
                "typing",
                "message",
                "typing",
            ]
        with client.websocket_connect("/ws/chat") as ws:
            hello(ws, sessions[3])
            ws.send_json({"type": "message", "text": "你好"})
            frames = until_reply(ws)

    assert frames[0]["type"] == "wait"
    assert "稍候" in frames[0]["text"]
    assert texts(frames) == [("customer", "你好"), ("bot", "bot heard: 你好")]
    with session_factory() as session:
        assert session.scalar(select(func.count()).select_from(Conversation)) == 4


def test_the_default_limits_stop_a_flood_from_one_session(
    session_factory: sessionmaker[Session], fake_rasa: FakeRasa
) -> None:
    """The probe's 300 messages in 5 s: by default the sixth within 10 s already waits."""
    with (
        app_client(session_factory, RasaClient(fake_rasa.url)) as client,
        client.websocket_connect("/ws/chat") as ws,
    ):
        hello(ws)
        for n in range(5):
            say(ws, f"第{n}条")
        ws.send_json({"type": "message", "text": "第5条"})
        wait = ws.receive_json()

    assert wait["type"] == "wait"
    assert wait["retry_after"] > 1
    assert len(fake_rasa.webhook_calls()) == 5


def test_chatting_new_sessions_open_no_tickets(
    session_factory: sessionmaker[Session], fake_rasa: FakeRasa
) -> None:
    """A guard: an anonymous chat gets a ticket only when a complaint is confirmed or a person
    is asked for (the actions, or the gateway when the bot is down), never for chatting."""
    with app_client(session_factory, RasaClient(fake_rasa.url)) as client:
        for _ in range(5):
            with client.websocket_connect("/ws/chat") as ws:
                hello(ws, uuid.uuid4().hex)
                say(ws, "你好")
    with session_factory() as session:
        assert session.scalar(select(func.count()).select_from(Ticket)) == 0


def test_the_counts_can_live_in_redis() -> None:
    settings = limited(redis_url="redis://127.0.0.1:6379/0", chat_message_limit="2 per 10 seconds")
    limits = ChatLimits.from_settings(settings)
    try:
        limits.storage.check() or pytest.skip("no Redis at 127.0.0.1:6379")
    except Exception:
        pytest.skip("no Redis at 127.0.0.1:6379")
    key = f"test-{uuid.uuid4().hex}"
    other = ChatLimits.from_settings(settings)  # another gateway process, the same counts
    assert limits.delay(limits.messages, key) == 0
    assert other.delay(other.messages, key) == 0
    assert 0 < limits.delay(limits.messages, key) <= 10
    assert Rule.parse("x", "1 per second").items[0].amount == 1
