"""A question the NLU was never trained on, answered from an article a supervisor just created
through the desk API, with the real Rasa and action servers and no retraining; "no" to "Did this
answer your question?" offers a person."""

from __future__ import annotations

import uuid
import warnings
from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session, sessionmaker

from tests.api.helpers import SETTINGS, auth
from tests.factories import make_user
from tests.servers import RasaServer
from ticketing.api.app import create_app
from ticketing.db import make_engine, make_session_factory, transaction
from ticketing.models import Role

with warnings.catch_warnings():
    from starlette.exceptions import StarletteDeprecationWarning

    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

pytestmark = pytest.mark.rasa

SUEDE = {
    "title": "麂皮鞋清洁 / Cleaning suede shoes",
    "answer_zh": "麂皮鞋请用麂皮专用软刷顺着绒毛方向轻刷，污渍用麂皮橡皮擦，切勿水洗。",
    "answer_en": "Brush suede gently with a soft suede brush along the nap, use a suede eraser "
    "on marks, and never wash it in water.",
    "examples_zh": ["麂皮鞋怎么清洗", "翻毛皮脏了怎么办"],
    "examples_en": ["how do I clean suede shoes", "my suede trainers are dirty"],
    "category": "care",
    "status": "published",
}


@pytest.fixture(scope="module")
def store(store_url: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(store_url)
    yield make_session_factory(engine)
    engine.dispose()


def test_a_question_is_answered_from_an_article_made_through_the_api(
    rasa_server: RasaServer, store: sessionmaker[Session]
) -> None:
    with transaction(store) as session:
        supervisor = make_user(session, Role.SUPERVISOR, username=f"sup{uuid.uuid4().hex[:8]}")
    with TestClient(create_app(SETTINGS, store)) as client:
        created = client.post("/api/knowledge", json=SUEDE, headers=auth(supervisor))
        assert created.status_code == 201, created.text

    sender = f"kb-{uuid.uuid4().hex}"
    replies = rasa_server.say(sender, "what's the best way to clean my suede trainers?")
    said = [reply.get("text") or "" for reply in replies]
    assert said[0] == SUEDE["answer_en"], replies
    assert said[1] == "Did this answer your question?"
    assert [b["payload"] for b in replies[1]["buttons"]] == ["/affirm", "/deny"]

    offer = rasa_server.say(sender, "/deny")
    assert any(reply.get("buttons") for reply in offer), offer
    assert "/request_human" in [b["payload"] for r in offer for b in r.get("buttons") or []]
