"""Helpers for web chat tests: the composed app on a test database, and the widget's side of
the WebSocket protocol."""

from __future__ import annotations

import warnings
from typing import Any

from sqlalchemy.orm import Session, sessionmaker
from starlette.exceptions import StarletteDeprecationWarning

with warnings.catch_warnings():
    # Starlette's TestClient would rather have httpx2; it works on httpx 0.28 and only warns.
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient
    from starlette.testclient import WebSocketTestSession

from bot.gateway.app import create_app
from bot.gateway.rasa_client import RasaClient
from tests.api.helpers import SETTINGS
from tests.factories import make_user
from ticketing import services
from ticketing.config import Settings
from ticketing.db import transaction
from ticketing.models import Conversation, Ticket
from ticketing.pseudonyms import web_session_key

__all__ = ["TestClient", "WebSocketTestSession"]

SESSION = "0123456789abcdef0123456789abcdef"
# What the widget's page is served from: the test client's own origin.
ORIGIN = "http://testserver"


def web_conversation(session_id: str) -> str:
    """The conversation id the web chat keeps for a browser session id (never the id itself)."""
    assert SETTINGS.secret_key is not None
    return f"web:{web_session_key(SETTINGS.secret_key, session_id)}"


CONVERSATION = web_conversation(SESSION)


def app_client(
    factory: sessionmaker[Session], rasa: RasaClient, settings: Settings = SETTINGS
) -> TestClient:
    """The whole web application on `factory`, its background loops off (tests drive them);
    its requests come from a page on the app's own origin."""
    app = create_app(settings, factory, rasa=rasa, background=False)
    return TestClient(app, headers={"Origin": ORIGIN})


def hello(ws: WebSocketTestSession, session_id: str = SESSION, **extra: Any) -> dict[str, Any]:
    ws.send_json({"type": "hello", "session_id": session_id, "language": "zh", **extra})
    frame: dict[str, Any] = ws.receive_json()
    assert frame["type"] == "history"
    return frame


def say(ws: WebSocketTestSession, text: str) -> list[dict[str, Any]]:
    """Send a message and collect frames until the typing indicator goes off."""
    ws.send_json({"type": "message", "text": text})
    return until_typing_stops(ws)


def until_typing_stops(ws: WebSocketTestSession) -> list[dict[str, Any]]:
    frames = []
    while True:
        frame = ws.receive_json()
        frames.append(frame)
        if frame == {"type": "typing", "on": False}:
            return frames


def texts(frames: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """(sender, text) of the message frames."""
    return [
        (f["message"]["sender"], f["message"]["text"]) for f in frames if f["type"] == "message"
    ]


def bot_hands_off(session: Session, conversation_id: str) -> Ticket:
    """The bot hands the conversation to the desk (the customer asked for a person); its
    ticket."""
    conversation = session.get(Conversation, conversation_id)
    assert conversation is not None
    return services.hand_off_conversation(
        session, conversation, services.Actor.bot(), reason="request"
    )


def agent_replies(
    factory: sessionmaker[Session],
    conversation_id: str,
    text: str,
    *,
    agent_name: str = "",
    note: str = "",
) -> None:
    """The bot hands the conversation off and a new agent replies (after writing `note` on the
    ticket, an internal note, when given): committed, on the outbox."""
    with transaction(factory) as session:
        ticket = bot_hands_off(session, conversation_id)
        agent = make_user(session)
        if agent_name:
            agent.display_name = agent_name
        if note:
            services.add_note(session, ticket, services.Actor.of(agent), note)
        services.reply_to_customer(session, ticket, services.Actor.of(agent), text)
