"""Telegram in webhook mode inside the web app, and the channel's small parts (callback data,
splitting long texts, status)."""

from __future__ import annotations

import time
import warnings
from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session, sessionmaker
from starlette.exceptions import StarletteDeprecationWarning

with warnings.catch_warnings():
    # Starlette's TestClient would rather have httpx2; it works on httpx 0.28 and only warns.
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

from bot.gateway.app import create_app
from bot.gateway.channels.base import Outbound
from bot.gateway.channels.telegram.adapter import TelegramAdapter
from bot.gateway.channels.telegram.lifecycle import (
    SECRET_HEADER,
)
from bot.gateway.channels.telegram.messages import (
    callback_data_for,
    split_text,
    utf16_len,
)
from bot.gateway.channels.telegram.settings import WEBHOOK_PATH, make_bot, telegram_status
from bot.gateway.rasa_client import RasaClient
from tests.api.helpers import SETTINGS
from tests.bot.conftest import FakeRasa
from tests.bot.fake_telegram import TOKEN, FakeTelegram
from tests.bot.telegram_support import (
    CHAT,
    CONVERSATION,
    SECRET,
    telegram_settings,
)
from ticketing.models import (
    Channel,
    OutboxKind,
)

pytestmark = pytest.mark.anyio


# --- webhook mode, inside the web app ------------------------------------------------------------


@pytest.fixture
def webhook_app(
    session_factory: sessionmaker[Session], fake_rasa: FakeRasa, fake_telegram: FakeTelegram
) -> Iterator[TestClient]:
    settings = telegram_settings(
        fake_telegram,
        telegram_mode="webhook",
        telegram_webhook_secret=SECRET,
        telegram_webhook_url="https://kefu.example.com/telegram/webhook",
    )
    app = create_app(settings, session_factory, rasa=RasaClient(fake_rasa.url), background=False)
    with TestClient(app) as client:
        deadline = time.monotonic() + 10
        while not app.state.telegram.running:
            assert time.monotonic() < deadline, "Telegram did not start"
            time.sleep(0.02)
        yield client


def test_the_webhook_refuses_a_wrong_secret_and_takes_the_right_one(
    webhook_app: TestClient, fake_rasa: FakeRasa, fake_telegram: FakeTelegram
) -> None:
    update = fake_telegram.message_update(CHAT, "你好")

    wrong = webhook_app.post(WEBHOOK_PATH, json=update, headers={SECRET_HEADER: "guess" * 6})
    missing = webhook_app.post(WEBHOOK_PATH, json=update)
    assert (wrong.status_code, missing.status_code) == (403, 403)
    assert fake_rasa.webhook_calls() == []

    right = webhook_app.post(WEBHOOK_PATH, json=update, headers={SECRET_HEADER: SECRET})
    assert right.status_code == 200
    (reply,) = fake_telegram.wait("sendMessage")

    assert reply.params["text"] == "bot heard: 你好"
    assert [c.body["sender"] for c in fake_rasa.webhook_calls()] == [CONVERSATION]
    (registered,) = fake_telegram.requests("setWebhook")
    assert registered.params["url"] == "https://kefu.example.com/telegram/webhook"
    assert registered.params["secret_token"] == SECRET
    assert registered.params["allowed_updates"] == ["message", "callback_query"]
    assert fake_telegram.requests("getUpdates") == []  # no polling in webhook mode


def test_the_webhook_refuses_what_is_not_an_update(webhook_app: TestClient) -> None:
    headers = {SECRET_HEADER: SECRET, "Content-Type": "application/json"}
    assert webhook_app.post(WEBHOOK_PATH, content=b"[1, 2]", headers=headers).status_code == 400
    assert webhook_app.post(WEBHOOK_PATH, content=b"{not json", headers=headers).status_code == 400


def test_without_a_token_telegram_is_off(
    session_factory: sessionmaker[Session], fake_rasa: FakeRasa
) -> None:
    app = create_app(SETTINGS, session_factory, rasa=RasaClient(fake_rasa.url), background=False)
    with TestClient(app) as client:
        assert client.post(WEBHOOK_PATH, json={}).status_code == 404
    assert Channel.TELEGRAM not in app.state.gateway.adapters
    assert telegram_status(SETTINGS).startswith("Telegram: off")


def test_webhook_mode_without_a_secret_does_not_start(
    session_factory: sessionmaker[Session], fake_rasa: FakeRasa
) -> None:
    settings = SETTINGS.model_copy(update={"telegram_token": TOKEN, "telegram_mode": "webhook"})
    assert "KEFU_TELEGRAM_WEBHOOK_SECRET" in telegram_status(settings)
    with pytest.raises(RuntimeError, match="KEFU_TELEGRAM_WEBHOOK_SECRET"):
        create_app(settings, session_factory, rasa=RasaClient(fake_rasa.url), background=False)


# --- small parts ---------------------------------------------------------------------------------


def test_callback_data_keeps_short_payloads_and_hashes_long_ones() -> None:
    assert callback_data_for("/affirm") == "/affirm"
    assert callback_data_for("x" * 64) == "x" * 64
    for payload in ["x" * 65, "#looks-hashed", "", "/inform" + "退货" * 20]:
        data = callback_data_for(payload)
        assert data.startswith("#") and len(data.encode()) <= 64
        assert data == callback_data_for(payload)  # the same in every process


def test_split_text_counts_as_telegram_does() -> None:
    emoji = "😀" * 3000  # two UTF-16 units each
    parts = split_text(emoji)
    assert "".join(parts) == emoji
    assert [utf16_len(p) for p in parts] == [4096, 1904]
    lines = "字" * 3000 + "\n" + "字" * 2000
    assert split_text(lines) == ["字" * 3000 + "\n", "字" * 2000]
    assert split_text("短") == ["短"]


def test_status_says_how_telegram_runs() -> None:
    polling = SETTINGS.model_copy(update={"telegram_token": TOKEN})
    assert telegram_status(polling) == "Telegram: on, long polling (one process only)"
    webhook = polling.model_copy(
        update={"telegram_mode": "webhook", "telegram_webhook_secret": SECRET}
    )
    assert "/telegram/webhook" in telegram_status(webhook)


async def test_an_unknown_event_sends_nothing(
    fake_telegram: FakeTelegram, session_factory: sessionmaker[Session]
) -> None:
    adapter = TelegramAdapter(make_bot(telegram_settings(fake_telegram)), session_factory)
    item = Outbound(
        outbox_id=1,
        conversation_id=CONVERSATION,
        channel=Channel.TELEGRAM,
        kind=OutboxKind.EVENT,
        payload={"event": "typing_stopped"},
        attempt=1,
    )
    await adapter.deliver(item)
    assert fake_telegram.calls == []
