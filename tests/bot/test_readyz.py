"""`/readyz` through the whole web app: the assistant's parts next to the desk's."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from bot.gateway.rasa_client import RasaClient
from tests.bot.conftest import FakeRasa
from tests.bot.helpers import app_client
from ticketing import heartbeat
from ticketing.clock import utcnow
from ticketing.db import transaction


def test_everything_up_is_ready(
    session_factory: sessionmaker[Session], fake_rasa: FakeRasa
) -> None:
    with transaction(session_factory) as session:
        heartbeat.beat(session, "host:1", utcnow(), utcnow())
    rasa = RasaClient(fake_rasa.url, action_health_url=f"{fake_rasa.url}/health")
    with app_client(session_factory, rasa) as client:
        response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ready" and body["assistant"] == "online"
    assert set(body["parts"]) == {"database", "worker", "outbox", "rasa", "actions"}
    assert response.headers["cache-control"] == "no-store"


def test_a_dead_rasa_server_is_the_assistant_offline(
    session_factory: sessionmaker[Session], closed_port_url: str
) -> None:
    with app_client(session_factory, RasaClient(closed_port_url)) as client:
        body = client.get("/readyz").json()
    assert body["assistant"] == "offline"
    assert body["parts"]["rasa"] == {"up": False, "detail": "does not answer: chats go to agents"}
    assert body["status"] == "degraded"  # no worker heartbeat either; the web still serves


def test_a_dead_action_server_is_the_assistant_offline(
    session_factory: sessionmaker[Session], fake_rasa: FakeRasa, closed_port_url: str
) -> None:
    rasa = RasaClient(fake_rasa.url, action_health_url=f"{closed_port_url}/health")
    with app_client(session_factory, rasa) as client:
        body = client.get("/readyz").json()
    assert body["parts"]["rasa"]["up"] is True
    assert body["parts"]["actions"]["up"] is False
    assert body["assistant"] == "offline"
