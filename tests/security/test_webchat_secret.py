"""Issue 13, finding 8: the web chat session id is the customer's only credential. It must not
reach anything the desk sees or logs (the conversation id, the customer's identity, the API,
the logs), and only pages on an allowed origin may open the chat's WebSocket."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session, sessionmaker
from starlette.websockets import WebSocketDisconnect

from bot.gateway.rasa_client import RasaClient
from tests.api.helpers import SETTINGS, auth
from tests.bot.conftest import FakeRasa
from tests.bot.helpers import (
    ORIGIN,
    SESSION,
    TestClient,
    app_client,
    hello,
    say,
    web_conversation,
)
from tests.factories import make_user
from ticketing import migrate
from ticketing.config import get_settings
from ticketing.db import make_engine, make_session_factory, transaction
from ticketing.models import Conversation, CustomerIdentity, Role, Ticket


def everything_stored(session: Session) -> str:
    """Every row of the tables a desk user can reach, as text."""
    tables = ("conversations", "customers", "customer_identities", "tickets", "messages", "outbox")
    rows = [
        repr(tuple(row))
        for table in tables
        for row in session.execute(text(f"SELECT * FROM {table}"))
    ]
    return "\n".join(rows)


def test_the_session_id_reaches_neither_the_store_nor_the_desk_nor_the_logs(
    session_factory: sessionmaker[Session],
    closed_port_url: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    # Rasa is down: the gateway logs a warning naming the conversation and opens a ticket.
    with (
        app_client(session_factory, RasaClient(closed_port_url, connect_timeout=0.5)) as client,
        client.websocket_connect("/ws/chat") as ws,
    ):
        hello(ws)
        say(ws, "鞋底开胶了")
        with transaction(session_factory) as session:
            supervisor = make_user(session, Role.SUPERVISOR)
            ticket = session.scalars(select(Ticket)).one()
            number = ticket.number
        seen = [
            client.get(f"/api/tickets/{number}", headers=auth(supervisor)),
            client.get(f"/api/console/tickets/{number}", headers=auth(supervisor)),
            client.get(f"/api/console/tickets/{number}/customer", headers=auth(supervisor)),
            client.get(f"/api/console/tickets/{number}/transcript", headers=auth(supervisor)),
        ]

    assert [r.status_code for r in seen] == [200, 200, 200, 200]
    for response in seen:
        assert SESSION not in response.text
    assert any("bot unavailable" in r.getMessage() for r in caplog.records)
    for record in caplog.records:
        assert SESSION not in record.getMessage()
        assert SESSION not in (record.exc_text or "")
    with session_factory() as session:
        assert SESSION not in everything_stored(session)
        conversation = session.scalars(select(Conversation)).one()
        identity = session.scalars(select(CustomerIdentity)).one()
    # The same browser keeps finding its own conversation and customer.
    assert conversation.id == web_conversation(SESSION)
    assert identity.value == conversation.id.removeprefix("web:")
    assert conversation.customer_id == identity.customer_id


def test_a_desk_user_cannot_open_a_chat_with_the_id_they_see(
    session_factory: sessionmaker[Session], fake_rasa: FakeRasa
) -> None:
    with app_client(session_factory, RasaClient(fake_rasa.url)) as client:
        with client.websocket_connect("/ws/chat") as ws:
            hello(ws)
            say(ws, "我的订单号是A2024-1181")
        with session_factory() as session:
            seen_by_desk = session.scalars(select(Conversation.id)).one().split(":", 1)[1]
        with client.websocket_connect("/ws/chat") as ws:
            history = hello(ws, seen_by_desk)

    assert history["messages"] == []


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://evil.example"},
        {"Origin": "http://testserver.evil.example"},
        {"Origin": "null"},
        {"Origin": ""},
    ],
)
def test_a_page_on_another_origin_cannot_open_the_chat(
    session_factory: sessionmaker[Session], fake_rasa: FakeRasa, headers: dict[str, str]
) -> None:
    with app_client(session_factory, RasaClient(fake_rasa.url)) as client:
        with (
            pytest.raises(WebSocketDisconnect) as refused,
            client.websocket_connect("/ws/chat", headers=headers) as ws,
        ):
            hello(ws)
        # The app's own page still can.
        with client.websocket_connect("/ws/chat") as ws:
            hello(ws)

    assert refused.value.code == 1008


def test_without_an_origin_the_socket_is_refused(
    session_factory: sessionmaker[Session], fake_rasa: FakeRasa
) -> None:
    app = app_client(session_factory, RasaClient(fake_rasa.url)).app
    with (
        TestClient(app) as bare,  # no Origin header at all (not a browser)
        pytest.raises(WebSocketDisconnect),
        bare.websocket_connect("/ws/chat") as ws,
    ):
        hello(ws)


def test_configured_origins_open_beside_the_apps_own_and_no_other(
    session_factory: sessionmaker[Session], fake_rasa: FakeRasa
) -> None:
    shop = "https://shop.example.com"
    settings = SETTINGS.model_copy(update={"allowed_origins": [shop]})
    with app_client(session_factory, RasaClient(fake_rasa.url), settings) as client:
        for allowed in (shop, ORIGIN):
            with client.websocket_connect("/ws/chat", headers={"Origin": allowed}) as ws:
                hello(ws)
        with (
            pytest.raises(WebSocketDisconnect),
            client.websocket_connect("/ws/chat", headers={"Origin": "https://evil.example"}) as ws,
        ):
            hello(ws)


@pytest.fixture
def old_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """A database at the revision before web chat ids were derived, the app's secret set."""
    assert SETTINGS.secret_key is not None
    monkeypatch.setenv("KEFU_SECRET_KEY", SETTINGS.secret_key)
    get_settings.cache_clear()
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    migrate.upgrade(engine, "0006")
    yield engine
    engine.dispose()
    get_settings.cache_clear()


def test_the_migration_rewrites_existing_web_chats_the_same_way(
    old_database: Engine, fake_rasa: FakeRasa
) -> None:
    old = f"web:{SESSION}"
    at = "2026-12-01 10:00:00"
    with old_database.begin() as conn:
        statements = [
            "INSERT INTO customers (id, name, tier, lifecycle, language, created_at, churn_risk,"
            " churn_reasons) VALUES (1, 'web customer', 'regular', 'potential', 'zh', :at, 0, '')",
            "INSERT INTO customer_identities (id, customer_id, kind, value)"
            " VALUES (1, 1, 'web', :session)",
            "INSERT INTO customer_identities (id, customer_id, kind, value)"
            " VALUES (2, 1, 'telegram', '123456789')",
            "INSERT INTO conversations (id, channel, customer_id, state, language, created_at,"
            " last_message_at) VALUES (:old, 'web', 1, 'queued', 'zh', :at, :at)",
            "INSERT INTO conversations (id, channel, customer_id, state, language, created_at,"
            " last_message_at) VALUES ('telegram:123456789', 'telegram', 1, 'bot', 'zh', :at, :at)",
            "INSERT INTO tickets (id, subject, description, category, severity, priority, status,"
            " channel, language, customer_id, conversation_id, handed_off, team_routed,"
            " reopen_count, created_at, updated_at, version) VALUES (1, 's', 'd', 'other',"
            " 'general', 'normal', 'new', 'web', 'zh', 1, :old, 1, 0, 0, :at, :at, 1)",
            "INSERT INTO messages (id, ticket_id, conversation_id, kind, body, created_at)"
            " VALUES (1, 1, :old, 'customer', '鞋底开胶了', :at)",
            "INSERT INTO outbox (id, conversation_id, channel, kind, payload, status, attempts,"
            " next_attempt_at, created_at) VALUES (1, :old, 'web', 'event', '{}', 'sent', 1,"
            " :at, :at)",
            "INSERT INTO follow_ups (id, ticket_id, customer_id, round, sequence, status, due_at,"
            " conversation_id, created_at) VALUES (1, 1, 1, 0, 1, 'scheduled', :at, :old, :at)",
        ]
        for statement in statements:
            conn.execute(text(statement), {"at": at, "old": old, "session": SESSION})

    migrate.upgrade(old_database)

    new = web_conversation(SESSION)
    with old_database.connect() as conn:
        dump = json.dumps(
            [
                [list(map(str, row)) for row in conn.execute(text(f"SELECT * FROM {table}"))]
                for table in (
                    "conversations",
                    "customer_identities",
                    "tickets",
                    "messages",
                    "outbox",
                    "follow_ups",
                )
            ],
            ensure_ascii=False,
        )
        assert SESSION not in dump
        for table in ("tickets", "messages", "outbox", "follow_ups"):
            column = conn.execute(text(f"SELECT conversation_id FROM {table}")).scalar_one()
            assert column == new, table
        ids = set(conn.execute(text("SELECT id FROM conversations")).scalars())
        identities: dict[str, str] = dict(
            conn.execute(text("SELECT kind, value FROM customer_identities")).all()
        )
    assert ids == {new, "telegram:123456789"}
    assert identities == {"web": new.removeprefix("web:"), "telegram": "123456789"}
    # The customer's browser, with the same session id, finds the conversation it had.
    factory = make_session_factory(old_database)
    with (
        app_client(factory, RasaClient(fake_rasa.url)) as client,
        client.websocket_connect("/ws/chat") as ws,
    ):
        history = hello(ws)
    assert [m["text"] for m in history["messages"]] == ["鞋底开胶了"]
    assert history["state"]["state"] == "queued"
