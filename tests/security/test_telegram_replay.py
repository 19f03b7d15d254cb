"""Issue 13, item 10: a Telegram update delivered again (the same `update_id`: a retried
webhook, a replay, polling after a crash) was stored twice and answered twice. The update's id
is kept with its message, so a second delivery is ignored, after a restart too."""

from __future__ import annotations

import time
import warnings
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from starlette.exceptions import StarletteDeprecationWarning

with warnings.catch_warnings():
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

from bot.gateway.app import create_app
from bot.gateway.channels.telegram.lifecycle import SECRET_HEADER
from bot.gateway.channels.telegram.settings import WEBHOOK_PATH
from bot.gateway.rasa_client import RasaClient
from tests.bot.conftest import FakeRasa
from tests.bot.fake_telegram import FakeTelegram
from tests.bot.telegram_support import CHAT, SECRET, telegram_settings
from ticketing.models import Message, MessageKind


def webhook_app(
    session_factory: sessionmaker[Session], fake_rasa: FakeRasa, fake_telegram: FakeTelegram
) -> TestClient:
    settings = telegram_settings(
        fake_telegram, telegram_mode="webhook", telegram_webhook_secret=SECRET
    )
    app = create_app(settings, session_factory, rasa=RasaClient(fake_rasa.url), background=False)
    return TestClient(app)


def deliver(client: TestClient, update: dict[str, Any]) -> None:
    deadline = time.monotonic() + 10
    while not client.app.state.telegram.running:  # type: ignore[attr-defined]
        assert time.monotonic() < deadline, "Telegram did not start"
        time.sleep(0.02)
    response = client.post(WEBHOOK_PATH, json=update, headers={SECRET_HEADER: SECRET})
    assert response.status_code == 200


def customer_messages(session_factory: sessionmaker[Session]) -> list[str]:
    with session_factory() as session:
        return list(
            session.scalars(select(Message.body).where(Message.kind == MessageKind.CUSTOMER)).all()
        )


def settled(fake_telegram: FakeTelegram, count: int) -> None:
    """Wait for `count` answers to the chat, then a moment for any more."""
    fake_telegram.wait("sendMessage", count)
    time.sleep(0.5)


@pytest.mark.parametrize("restart", [False, True], ids=["same process", "after a restart"])
def test_an_update_delivered_twice_is_stored_and_answered_once(
    session_factory: sessionmaker[Session],
    fake_rasa: FakeRasa,
    fake_telegram: FakeTelegram,
    restart: bool,
) -> None:
    update = fake_telegram.message_update(CHAT, "我的订单还没到")
    other = fake_telegram.message_update(CHAT, "还在吗")

    with webhook_app(session_factory, fake_rasa, fake_telegram) as client:
        deliver(client, update)
        settled(fake_telegram, 1)
        if not restart:
            deliver(client, update)
            deliver(client, other)
            settled(fake_telegram, 2)
    if restart:
        with webhook_app(session_factory, fake_rasa, fake_telegram) as client:
            deliver(client, update)
            deliver(client, other)
            settled(fake_telegram, 2)

    assert customer_messages(session_factory) == ["我的订单还没到", "还在吗"]
    assert [c.body["message"] for c in fake_rasa.webhook_calls()] == ["我的订单还没到", "还在吗"]
    assert len(fake_telegram.requests("sendMessage")) == 2
