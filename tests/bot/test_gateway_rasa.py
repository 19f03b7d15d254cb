"""The web chat through the gateway to the real Rasa server and action server (marker `rasa`)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy.orm import Session, sessionmaker

from bot.gateway import APOLOGY
from bot.outbox import OutboxDeliverer
from bot.rasa_client import RasaClient
from tests.bot.helpers import TestClient, app_client, hello, say, texts
from tests.factories import make_user
from tests.rasa.conftest import RasaServer
from ticketing import migrate, services
from ticketing.db import make_engine, make_session_factory, transaction
from ticketing.models import Conversation

pytestmark = pytest.mark.rasa

DOMAIN = Path(__file__).resolve().parents[2] / "bot" / "domain"


def greetings(language: str) -> set[str]:
    """The Chinese or English variations of the bot's greeting, read from the domain."""
    texts: set[str] = set()
    for path in sorted(DOMAIN.glob("*.yml")):
        responses = yaml.safe_load(path.read_text("utf-8")).get("responses") or {}
        for variation in responses.get("utter_greet", []):
            if {"type": "slot", "name": "language", "value": language} in variation.get(
                "condition", []
            ):
                texts.add(variation["text"])
    return texts


@pytest.fixture(scope="module")
def store(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """The action server's ticket store when it has one (what its actions write, the gateway
    must read), else a store of our own."""
    try:
        url: str = request.getfixturevalue("store_url")
    except pytest.FixtureLookupError:
        url = f"sqlite:///{tmp_path_factory.mktemp('gateway-store') / 'kefu.db'}"
        engine = make_engine(url)
        migrate.upgrade(engine)
        engine.dispose()
    yield url


@pytest.fixture
def session_factory(store: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(store)
    yield make_session_factory(engine)
    engine.dispose()


@pytest.fixture
def live(session_factory: sessionmaker[Session], rasa_server: RasaServer) -> Iterator[TestClient]:
    rasa = RasaClient(
        rasa_server.url,
        token=rasa_server.token,
        timeout=30,
        action_health_url=f"{rasa_server.actions.url}/health",
    )
    with app_client(session_factory, rasa) as client:
        yield client


def new_session() -> str:
    return uuid.uuid4().hex


def bot_texts(frames: list[dict[str, Any]]) -> list[str]:
    return [text for sender, text in texts(frames) if sender == "bot"]


def test_the_real_bot_answers_each_customer_in_their_language(live: TestClient) -> None:
    with live.websocket_connect("/ws/chat") as ws:
        hello(ws, new_session())
        chinese = bot_texts(say(ws, "你好"))
    with live.websocket_connect("/ws/chat") as ws:
        hello(ws, new_session(), language="en")
        english = bot_texts(say(ws, "hello there"))

    assert chinese and set(chinese) <= greetings("zh")
    assert english and set(english) <= greetings("en")
    assert APOLOGY["zh"] not in chinese


def test_hand_back_resumes_a_paused_real_bot(
    live: TestClient, rasa_server: RasaServer, session_factory: sessionmaker[Session]
) -> None:
    session_id = new_session()
    conversation_id = f"web:{session_id}"
    outbox: OutboxDeliverer = live.app.state.outbox  # type: ignore[attr-defined]
    with live.websocket_connect("/ws/chat") as ws:
        hello(ws, session_id)
        assert bot_texts(say(ws, "你好"))
        # What a hand-off action does in Rasa (ConversationPaused), and in the store.
        rasa_server.http.post(
            f"{rasa_server.url}/conversations/{conversation_id}/tracker/events",
            params={"token": rasa_server.token},
            json=[{"event": "pause"}],
        ).raise_for_status()
        with transaction(session_factory) as session:
            conversation = session.get(Conversation, conversation_id)
            assert conversation is not None
            services.hand_off_conversation(
                session, conversation, services.Actor.bot(), reason="request"
            )
        user_turns = len(
            [e for e in rasa_server.tracker(conversation_id)["events"] if e["event"] == "user"]
        )

        assert bot_texts(say(ws, "你好")) == []  # handed off: the bot is not asked

        with transaction(session_factory) as session:
            conversation = session.get(Conversation, conversation_id)
            assert conversation is not None
            agent = make_user(session)
            services.hand_back_conversation(session, conversation, services.Actor.of(agent))
        assert live.portal is not None
        live.portal.call(outbox.run_once)
        after_hand_back = say(ws, "你好")

    events = rasa_server.tracker(conversation_id)["events"]
    assert len([e for e in events if e["event"] == "user"]) == user_turns + 1
    # The widget saw the hand-off and then the hand-back (delivered by the outbox just now).
    assert [f["state"] for f in after_hand_back if f["type"] == "state"] == ["queued", "bot"]
    answer = bot_texts(after_hand_back)
    assert answer and set(answer) <= greetings("zh")
