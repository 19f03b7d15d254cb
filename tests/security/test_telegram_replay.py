"""Issue 13, item 10: a Telegram update delivered again (the same `update_id`: a retried
webhook, a replay, polling after a crash) was stored twice and answered twice. The update's id
is kept with its message, so a second delivery is ignored, after a restart too. The ids are
kept a week (Telegram redelivers for 24 hours), then the worker deletes them."""

from __future__ import annotations

import time
import warnings
from datetime import UTC, datetime, timedelta
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
from ticketing import personal_data, services, worker
from ticketing.config import Settings
from ticketing.db import transaction
from ticketing.errors import AlreadyReceived
from ticketing.models import Channel, Message, MessageKind, ReceivedUpdate


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


def test_the_worker_prunes_old_update_ids_and_a_recent_replay_is_still_ignored(
    session_factory: sessionmaker[Session],
) -> None:
    """The update ids were kept for ever. Telegram redelivers an update for 24 hours at most;
    the worker deletes ids older than KEFU_RECEIVED_UPDATE_RETENTION_DAYS (7), in batches."""
    now = datetime(2027, 12, 1, 2, 0, tzinfo=UTC)
    ages = {"9001": 30, "9002": 8, "9003": 7.5, "9004": 6, "9005": 1, "9006": 0.01}
    with transaction(session_factory) as session:
        for update_id, days in ages.items():
            services.record_inbound_message(
                session,
                Channel.TELEGRAM,
                str(CHAT),
                f"消息 {update_id}",
                update_id=update_id,
                at=now - timedelta(days=days),
            )

    first = worker.tick(session_factory, now, worker.WorkerOptions(), refresh_churn=False)
    again = worker.tick(session_factory, now, worker.WorkerOptions(), refresh_churn=False)

    assert (first.pruned_updates, again.pruned_updates) == (3, 0)
    with session_factory() as session:
        kept = session.scalars(select(ReceivedUpdate.update_id).order_by(ReceivedUpdate.update_id))
        assert list(kept) == ["9004", "9005", "9006"]
    # The messages themselves stay (KEFU_RETENTION_DAYS is another matter).
    assert len(customer_messages(session_factory)) == 6
    with pytest.raises(AlreadyReceived), transaction(session_factory) as session:
        services.record_inbound_message(
            session, Channel.TELEGRAM, str(CHAT), "消息 9005", update_id="9005", at=now
        )


def test_pruning_goes_in_batches_and_keeps_other_channels_recent_ids(
    session_factory: sessionmaker[Session],
) -> None:
    now = datetime(2027, 12, 1, 2, 0, tzinfo=UTC)
    with transaction(session_factory) as session:
        for n in range(7):
            session.add(
                ReceivedUpdate(
                    channel=Channel.TELEGRAM, update_id=str(n), received_at=now - timedelta(days=9)
                )
            )
        session.add(ReceivedUpdate(channel=Channel.WEB, update_id="0", received_at=now))

    pruned = personal_data.prune_received_updates(session_factory, now, timedelta(days=7), batch=3)

    assert pruned == 7
    with session_factory() as session:
        assert [(r.channel, r.update_id) for r in session.scalars(select(ReceivedUpdate))] == [
            (Channel.WEB, "0")
        ]


def test_the_update_retention_is_longer_than_telegrams_redelivery() -> None:
    assert Settings().received_update_retention_days == 7
    with pytest.raises(ValueError):
        Settings(received_update_retention_days=1)
