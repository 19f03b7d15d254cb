"""The web chat: the widget's WebSocket through the composed app, and the files it serves."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.gateway.app import action_health_url
from bot.gateway.channels.webchat import WEB_DIR, WebChat
from bot.gateway.conversation import APOLOGY
from bot.gateway.outbox import OutboxDeliverer
from bot.gateway.rasa_client import RasaClient
from tests.bot.conftest import FakeRasa
from tests.bot.helpers import (
    CONVERSATION,
    TestClient,
    agent_replies,
    app_client,
    bot_hands_off,
    hello,
    say,
    texts,
    until_typing_stops,
)
from tests.factories import make_user
from ticketing import services
from ticketing.db import transaction
from ticketing.models import Conversation, Message, MessageKind, OutboxMessage, OutboxStatus, Ticket


@pytest.fixture
def client(session_factory: sessionmaker[Session], fake_rasa: FakeRasa) -> Iterator[TestClient]:
    with app_client(session_factory, RasaClient(fake_rasa.url, timeout=5)) as client:
        yield client


def test_a_turn_shows_the_echo_the_typing_indicator_and_the_reply(client: TestClient) -> None:
    with client.websocket_connect("/ws/chat") as ws:
        history = hello(ws)
        assert history["messages"] == []
        assert history["state"] == {
            "type": "state",
            "state": "bot",
            "agent_name": None,
            "notice": None,
        }

        frames = say(ws, "你好")

    assert [f["type"] for f in frames] == ["message", "typing", "message", "typing"]
    assert texts(frames) == [("customer", "你好"), ("bot", "bot heard: 你好")]
    assert frames[1] == {"type": "typing", "on": True}
    assert all(isinstance(f["message"]["id"], int) for f in frames if f["type"] == "message")


def test_history_after_reconnect_shows_the_conversation_but_never_internal_notes(
    client: TestClient, session_factory: sessionmaker[Session]
) -> None:
    with client.websocket_connect("/ws/chat") as ws:
        hello(ws)
        say(ws, "<script>alert('x')</script> 鞋底开胶了")
    agent_replies(
        session_factory,
        CONVERSATION,
        "您好，我是李娜",
        agent_name="李娜",
        note="VIP: offer a refund",
    )

    with client.websocket_connect("/ws/chat") as ws:
        history = hello(ws)

    assert [(m["sender"], m["text"]) for m in history["messages"]] == [
        ("customer", "<script>alert('x')</script> 鞋底开胶了"),
        ("bot", "bot heard: <script>alert('x')</script> 鞋底开胶了"),
        ("agent", "您好，我是李娜"),
    ]
    assert history["messages"][-1]["author_name"] == "李娜"
    assert history["state"]["state"] == "agent"
    assert history["state"]["agent_name"] == "李娜"
    # The note is in the store, just not for the customer.
    with session_factory() as session:
        kinds = session.scalars(select(Message.kind).order_by(Message.id)).all()
    assert MessageKind.NOTE in kinds


def test_an_agent_joining_and_replying_reaches_the_open_widget(
    client: TestClient, session_factory: sessionmaker[Session]
) -> None:
    outbox: OutboxDeliverer = client.app.state.outbox  # type: ignore[attr-defined]
    with client.websocket_connect("/ws/chat") as ws:
        hello(ws)
        say(ws, "我要找人工")
        agent_replies(session_factory, CONVERSATION, "您好，我是王芳", agent_name="王芳")
        assert client.portal is not None
        assert client.portal.call(outbox.run_once) == 3

        queued, joined, reply = ws.receive_json(), ws.receive_json(), ws.receive_json()

    assert queued == {"type": "state", "state": "queued", "agent_name": None, "notice": "queued"}
    assert joined == {
        "type": "state",
        "state": "agent",
        "agent_name": "王芳",
        "notice": "agent_joined",
    }
    assert reply["type"] == "message"
    assert (reply["message"]["sender"], reply["message"]["text"]) == ("agent", "您好，我是王芳")
    assert reply["message"]["author_name"] == "王芳"


def test_while_handed_off_the_widget_gets_no_bot_answer(
    client: TestClient, session_factory: sessionmaker[Session], fake_rasa: FakeRasa
) -> None:
    with client.websocket_connect("/ws/chat") as ws:
        hello(ws)
        say(ws, "我要投诉")
        with transaction(session_factory) as session:
            bot_hands_off(session, CONVERSATION)

        frames = say(ws, "你好")

    assert texts(frames) == [("customer", "你好")]
    assert len(fake_rasa.webhook_calls()) == 1


def test_rasa_down_the_widget_shows_the_apology_and_the_queue(
    session_factory: sessionmaker[Session], closed_port_url: str
) -> None:
    with (
        app_client(session_factory, RasaClient(closed_port_url)) as client,
        client.websocket_connect("/ws/chat") as ws,
    ):
        hello(ws, language="en")
        frames = say(ws, "my shoes fell apart after a week")

    assert texts(frames) == [
        ("customer", "my shoes fell apart after a week"),
        ("bot", APOLOGY["en"]),
    ]
    states = [f for f in frames if f["type"] == "state"]
    assert [s["state"] for s in states] == ["queued"]


def test_another_process_delivered_message_reaches_the_socket_by_catching_up(
    client: TestClient, session_factory: sessionmaker[Session]
) -> None:
    webchat: WebChat = client.app.state.webchat  # type: ignore[attr-defined]
    with client.websocket_connect("/ws/chat") as ws:
        hello(ws)
        say(ws, "我要投诉")
        with transaction(session_factory) as session:
            ticket = bot_hands_off(session, CONVERSATION)
            agent = make_user(session)
            agent.display_name = "王芳"
            services.reply_to_customer(session, ticket, services.Actor.of(agent), "稍等，我查一下")
            # Another gateway process delivered these rows: to its own sockets, not to ours.
            for row in session.scalars(select(OutboxMessage)):
                row.status = OutboxStatus.SENT
        assert client.portal is not None
        client.portal.call(webchat.sync_once)

        message, state = ws.receive_json(), ws.receive_json()
        client.portal.call(webchat.sync_once)  # nothing new: nothing sent twice
        say(ws, "好的")  # the next frames are this turn's, not repeats

    assert (message["message"]["sender"], message["message"]["text"]) == ("agent", "稍等，我查一下")
    assert (state["state"], state["agent_name"]) == ("agent", "王芳")


def test_a_reload_while_the_bot_thinks_loses_no_reply(
    client: TestClient, fake_rasa: FakeRasa
) -> None:
    webchat: WebChat = client.app.state.webchat  # type: ignore[attr-defined]
    fake_rasa.delay = 0.5
    with client.websocket_connect("/ws/chat") as ws:
        hello(ws)
        ws.send_json({"type": "message", "text": "我的快递到哪了"})
        assert ws.receive_json()["message"]["sender"] == "customer"
    # The page reloaded before the answer came; the turn still ends and is kept.
    assert client.portal is not None
    client.portal.call(webchat.finish_turns)
    with client.websocket_connect("/ws/chat") as ws:
        history = hello(ws)

    assert [(m["sender"], m["text"]) for m in history["messages"]] == [
        ("customer", "我的快递到哪了"),
        ("bot", "bot heard: 我的快递到哪了"),
    ]


def test_a_button_press_sends_its_payload(
    client: TestClient, fake_rasa: FakeRasa, session_factory: sessionmaker[Session]
) -> None:
    fake_rasa.replier = lambda *_: [
        {"text": "是否确认提交？", "buttons": [{"title": "确认", "payload": "/affirm"}]}
    ]
    with client.websocket_connect("/ws/chat") as ws:
        hello(ws)
        first = say(ws, "我要投诉")
        ws.send_json({"type": "button", "title": "确认", "payload": "/affirm"})
        echo = until_typing_stops(ws)[0]

    assert first[2]["message"]["buttons"] == [{"title": "确认", "payload": "/affirm"}]
    assert (echo["message"]["sender"], echo["message"]["text"]) == ("customer", "确认")
    assert fake_rasa.webhook_calls()[-1].body["message"] == "/affirm"


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ({"type": "message", "text": "长" * 2001}, "too_long"),
        ({"type": "message", "text": "   "}, "invalid"),
        ({"type": "message"}, "invalid"),
        ({"type": "dance"}, "invalid"),
    ],
)
def test_bad_messages_get_an_error_frame_and_the_socket_stays_open(
    client: TestClient, frame: dict[str, Any], code: str, fake_rasa: FakeRasa
) -> None:
    with client.websocket_connect("/ws/chat") as ws:
        hello(ws)
        ws.send_json(frame)
        assert ws.receive_json() == {"type": "error", "code": code}
        ws.send_text("not json")
        assert ws.receive_json() == {"type": "error", "code": "invalid"}
        assert texts(say(ws, "还在吗")) == [("customer", "还在吗"), ("bot", "bot heard: 还在吗")]


@pytest.mark.parametrize(
    "first",
    [
        {"type": "hello", "session_id": "short"},
        {"type": "hello", "session_id": "../../etc/passwd-xxxxxxxxxxxxx"},
        {"type": "message", "text": "hi"},
    ],
)
def test_a_bad_hello_closes_the_socket(client: TestClient, first: dict[str, Any]) -> None:
    from starlette.websockets import WebSocketDisconnect

    with client.websocket_connect("/ws/chat") as ws:
        ws.send_json(first)
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
    assert closed.value.code == 1008


def test_the_widget_the_shop_and_the_desk_api_are_served(client: TestClient) -> None:
    js = client.get("/widget.js")
    assert js.status_code == 200
    assert js.headers["content-type"].startswith("text/javascript")
    assert client.get("/widget.css").headers["content-type"].startswith("text/css")
    shop = client.get("/shop")
    assert shop.status_code == 200
    assert '<script src="/widget.js"></script>' in shop.text
    assert client.get("/healthz").json() == {"status": "ok", "database": "up"}
    assert client.get("/api/tickets").status_code == 401  # the desk API, signed out


def test_the_widget_never_puts_text_in_the_page_as_html() -> None:
    source = (WEB_DIR / "widget.js").read_text()
    for risky in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert risky not in source
    assert "textContent" in source
    for test_id in ("kefu-launcher", "kefu-messages", "kefu-input", "kefu-send", "kefu-typing"):
        assert f'"{test_id}"' in source


def test_no_ticket_is_opened_by_chatting_with_the_bot(
    client: TestClient, session_factory: sessionmaker[Session]
) -> None:
    with client.websocket_connect("/ws/chat") as ws:
        hello(ws)
        say(ws, "你们几点关门")
    with session_factory() as session:
        assert session.scalars(select(Ticket)).all() == []
        conversation = session.get(Conversation, CONVERSATION)
        assert conversation is not None and conversation.customer_id is not None


def test_the_action_servers_health_url_comes_from_the_endpoints_file(tmp_path: Path) -> None:
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text('action_endpoint:\n  url: "http://127.0.0.1:5055/webhook"\n')
    assert action_health_url(endpoints) == "http://127.0.0.1:5055/health"
    endpoints.write_text("tracker_store:\n  type: sql\n")
    assert action_health_url(endpoints) is None
    assert action_health_url(tmp_path / "missing.yml") is None


@pytest.mark.parametrize(
    ("origin", "opens"),
    [
        ("https://shop.example.com", True),
        ("https://shop.example.com/", True),
        ("http://testserver", True),  # the app's own /shop page
        ("https://evil.example", False),
        ("http://shop.example.com", False),
    ],
)
def test_only_allowed_sites_open_the_chat_socket(
    session_factory: sessionmaker[Session], fake_rasa: FakeRasa, origin: str, opens: bool
) -> None:
    from fastapi.testclient import TestClient
    from starlette.websockets import WebSocketDisconnect

    from bot.gateway.app import create_app
    from tests.api.helpers import SETTINGS

    settings = SETTINGS.model_copy(update={"allowed_origins": ["https://shop.example.com"]})
    app = create_app(settings, session_factory, rasa=RasaClient(fake_rasa.url), background=False)
    with TestClient(app) as client:
        if opens:
            with client.websocket_connect("/ws/chat", headers={"Origin": origin}) as ws:
                assert hello(ws)["type"] == "history"
        else:
            with (
                pytest.raises(WebSocketDisconnect) as refused,
                client.websocket_connect("/ws/chat", headers={"Origin": origin}),
            ):
                pass
            assert refused.value.code == 1008


def test_allowed_origins_are_read_comma_separated(monkeypatch: pytest.MonkeyPatch) -> None:
    from ticketing.config import Settings

    monkeypatch.setenv("KEFU_ALLOWED_ORIGINS", "https://a.example, https://b.example:8443/")
    assert Settings().allowed_origins == ["https://a.example", "https://b.example:8443"]
