"""The web chat through the gateway to the real Rasa server and action server (marker `rasa`)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.gateway.conversation import APOLOGY
from bot.gateway.outbox import OutboxDeliverer
from bot.gateway.rasa_client import RasaClient
from tests.bot.helpers import (
    TestClient,
    WebSocketTestSession,
    app_client,
    hello,
    say,
    texts,
    web_conversation,
)
from tests.factories import make_user
from tests.servers import RasaServer
from ticketing import followups, services
from ticketing.clock import utcnow
from ticketing.db import make_engine, make_session_factory, transaction
from ticketing.models import (
    Channel,
    Conversation,
    ConversationState,
    Message,
    MessageKind,
    Status,
    SurveyResponse,
    Ticket,
)

pytestmark = pytest.mark.rasa

DOMAIN = Path(__file__).resolve().parents[2] / "bot" / "assistant" / "domain"


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


@pytest.fixture
def session_factory(store_url: str) -> Iterator[sessionmaker[Session]]:
    """The action server's store: what its actions write, the gateway must read."""
    engine = make_engine(store_url)
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
    conversation_id = web_conversation(session_id)
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


def test_asking_the_real_bot_for_a_human_hands_off_and_silences_it(
    live: TestClient, rasa_server: RasaServer, session_factory: sessionmaker[Session]
) -> None:
    """The assistant's own action_handoff (not a stand-in): the store hands the conversation to
    the agents, the ticket carries the complaint, and the bot answers nothing more."""
    session_id = new_session()
    conversation_id = web_conversation(session_id)
    with live.websocket_connect("/ws/chat") as ws:
        hello(ws, session_id)
        asked = bot_texts(say(ws, "我上周买的跑鞋鞋底开胶了"))
        handed_off = bot_texts(say(ws, "转人工"))
        user_turns = len(
            [e for e in rasa_server.tracker(conversation_id)["events"] if e["event"] == "user"]
        )
        silent = say(ws, "有人吗？我想换一双新的")

    assert asked and APOLOGY["zh"] not in asked
    assert len(handed_off) == 1 and "人工客服" in handed_off[0]
    assert bot_texts(silent) == []
    events = rasa_server.tracker(conversation_id)["events"]
    assert len([e for e in events if e["event"] == "user"]) == user_turns  # Rasa never asked
    with session_factory() as session:
        conversation = session.get(Conversation, conversation_id)
        assert conversation is not None
        assert conversation.state is ConversationState.QUEUED
        ticket = services.open_ticket_of(session, conversation_id)
        assert ticket is not None and ticket.handed_off
        assert ticket.number in handed_off[0]
        assert "鞋底开胶" in ticket.description
        bodies = session.scalars(
            select(Message.body)
            .where(Message.conversation_id == conversation_id)
            .where(Message.kind == MessageKind.CUSTOMER)
            .order_by(Message.id)
        ).all()
    # Every customer message is kept, the one the bot did not see included.
    assert list(bodies) == ["我上周买的跑鞋鞋底开胶了", "转人工", "有人吗？我想换一双新的"]


def until_buttons(ws: WebSocketTestSession) -> list[dict[str, Any]]:
    """Frames pushed to the widget (no message of ours to wait on) until a bot message with
    buttons: the survey's first question."""
    frames = []
    while True:
        frame = ws.receive_json()
        frames.append(frame)
        if frame["type"] == "message" and frame["message"]["buttons"]:
            return frames


def test_the_follow_up_survey_runs_through_the_real_bot_and_a_low_score_reopens(
    live: TestClient, session_factory: sessionmaker[Session]
) -> None:
    """The worker's follow-up reaches the customer's chat as Rasa's EXTERNAL_follow_up (sent by
    the outbox), the real survey form asks CSAT, NPS and a comment, and action_record_survey
    stores the answers: a CSAT of 2 reopens the case."""
    session_id = new_session()
    conversation_id = web_conversation(session_id)
    outbox: OutboxDeliverer = live.app.state.outbox  # type: ignore[attr-defined]
    resolved_at = utcnow() - timedelta(days=2)
    with live.websocket_connect("/ws/chat") as ws:
        hello(ws, session_id)
        assert bot_texts(say(ws, "你好"))
        with transaction(session_factory) as session:
            conversation = session.get_one(Conversation, conversation_id)
            ticket = services.create_ticket(
                session,
                subject="鞋底开胶",
                channel=Channel.WEB,
                actor=services.Actor.bot(),
                customer=conversation.customer,
                conversation_id=conversation_id,
                at=resolved_at - timedelta(hours=3),
            )
            services.resolve_ticket(session, ticket, services.Actor.bot(), at=resolved_at)
            ticket_id = ticket.id
        assert followups.process_due(session_factory, utcnow()).surveys == 1
        assert live.portal is not None
        live.portal.call(outbox.run_once)
        asked = bot_texts(until_buttons(ws))
        nps = bot_texts(say(ws, "2分"))
        comment = bot_texts(say(ws, "3"))
        thanks = bot_texts(say(ws, "鞋子换了还是开胶，很失望"))

    assert any("满意" in text for text in asked)
    assert nps and comment and thanks
    with session_factory() as session:
        response = session.scalars(
            select(SurveyResponse).where(SurveyResponse.ticket_id == ticket_id)
        ).one()
        assert (response.csat, response.nps) == (2, 3)
        assert "开胶" in response.comment
        assert session.get_one(Ticket, ticket_id).status is Status.OPEN
