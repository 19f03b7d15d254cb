"""The knowledge-base API: who reads and writes articles, the 422s naming fields, the 409 of a
stale edit, HTML kept as text, the audit trail, and unanswered questions turned into drafts."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.api.helpers import Desk, auth
from tests.knowledge.helpers import fresh_knowledge
from ticketing.db import transaction
from ticketing.knowledge.unanswered import record_unanswered
from ticketing.models import AuditEntry

GIFT_CARD = {
    "title": "礼品卡 / Gift cards",
    "answer_zh": "礼品卡可在任意门店和线上使用，有效期三年。",
    "answer_en": "Gift cards work in any store and online, and are valid for three years.",
    "examples_zh": ["礼品卡能在网上用吗", "礼品卡有效期多久"],
    "examples_en": ["can I use a gift card online", "how long is a gift card valid"],
    "category": "payment",
    "status": "published",
}


@pytest.fixture(autouse=True)
def _empty(session_factory: sessionmaker[Session]) -> None:
    fresh_knowledge(session_factory)


def _create(client: TestClient, desk: Desk, **fields: Any) -> dict[str, Any]:
    response = client.post("/api/knowledge", json={**GIFT_CARD, **fields}, headers=auth(desk.sue))
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def _field(response: Any) -> str:
    assert response.status_code == 422, response.text
    return str(response.json()["detail"][0]["loc"][-1])


def test_supervisor_creates_and_agent_reads_published(client: TestClient, desk: Desk) -> None:
    article = _create(client, desk)
    assert article["version"] == 1 and article["updated_by"] == "sue"
    assert article["status"] == "published" and article["faq_key"] is None
    listed = client.get("/api/knowledge", headers=auth(desk.alice)).json()["items"]
    assert [a["id"] for a in listed] == [article["id"]]
    one = client.get(f"/api/knowledge/{article['id']}", headers=auth(desk.alice))
    assert one.json()["examples_en"] == GIFT_CARD["examples_en"]


def test_agents_neither_write_nor_see_drafts(client: TestClient, desk: Desk) -> None:
    draft = _create(client, desk, status="draft")
    alice = auth(desk.alice)
    assert client.post("/api/knowledge", json=GIFT_CARD, headers=alice).status_code == 403
    assert client.get(f"/api/knowledge/{draft['id']}", headers=alice).status_code == 404
    assert client.get("/api/knowledge?status=draft", headers=alice).json()["items"] == []
    patch = {"version": 1, "title": "mine now"}
    assert client.patch(f"/api/knowledge/{draft['id']}", json=patch, headers=alice).status_code in (
        403,
    )
    assert client.delete(f"/api/knowledge/{draft['id']}", headers=alice).status_code == 403
    assert client.get("/api/knowledge/unanswered", headers=alice).status_code == 403
    assert client.get("/api/knowledge").status_code == 401


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "t" * 201}, "title"),
        ({"answer_zh": "", "answer_en": ""}, "answer_zh"),
        ({"answer_en": "x" * 4_001}, "answer_en"),
        ({"examples_zh": ["问"] * 21}, "examples_zh"),
        ({"examples_en": ["q" * 301]}, "examples_en"),
        ({"category": "c" * 51}, "category"),
        ({"status": "archived"}, "status"),
        ({"title": "bell\x07"}, "title"),
    ],
)
def test_bad_article_names_the_field(
    client: TestClient, desk: Desk, change: dict[str, Any], field: str
) -> None:
    response = client.post("/api/knowledge", json={**GIFT_CARD, **change}, headers=auth(desk.sue))
    assert _field(response) == field


def test_a_100_kb_answer_is_refused(client: TestClient, desk: Desk) -> None:
    response = client.post(
        "/api/knowledge", json={**GIFT_CARD, "answer_zh": "长" * 100_000}, headers=auth(desk.sue)
    )
    assert response.status_code in (413, 422)


def test_html_is_kept_as_text(client: TestClient, desk: Desk) -> None:
    html = "<script>alert(1)</script><b>粗体</b> & more"
    article = _create(client, desk, answer_en=html, title="<i>Gift</i> cards")
    stored = client.get(f"/api/knowledge/{article['id']}", headers=auth(desk.alice)).json()
    assert stored["answer_en"] == html and stored["title"] == "<i>Gift</i> cards"


def test_stale_edit_gets_409_and_loses_nothing(client: TestClient, desk: Desk) -> None:
    article = _create(client, desk)
    url, sue = f"/api/knowledge/{article['id']}", auth(desk.sue)
    first = client.patch(url, json={"version": 1, "category": "gifts"}, headers=sue)
    assert first.status_code == 200 and first.json()["version"] == 2
    stale = client.patch(url, json={"version": 1, "title": "Other"}, headers=sue)
    assert stale.status_code == 409
    kept = client.get(url, headers=sue).json()
    assert kept["category"] == "gifts" and kept["title"] == GIFT_CARD["title"]


def test_publishing_needs_an_answer(client: TestClient, desk: Desk) -> None:
    article = _create(client, desk, status="draft")
    url, sue = f"/api/knowledge/{article['id']}", auth(desk.sue)
    emptied = client.patch(url, json={"version": 1, "answer_zh": "", "answer_en": ""}, headers=sue)
    assert emptied.status_code == 200  # a draft may be without an answer while it is written
    published = client.patch(url, json={"version": 2, "status": "published"}, headers=sue)
    assert _field(published) == "answer_zh"


def test_changes_are_audited(
    client: TestClient, desk: Desk, session_factory: sessionmaker[Session]
) -> None:
    article = _create(client, desk)
    url, sue = f"/api/knowledge/{article['id']}", auth(desk.sue)
    client.patch(url, json={"version": 1, "status": "draft"}, headers=sue)
    assert client.delete(url, headers=sue).status_code == 204
    with session_factory() as session:
        rows = session.scalars(
            select(AuditEntry).where(AuditEntry.target_type == "knowledge_article")
        ).all()
    assert [r.action for r in rows] == ["knowledge.create", "knowledge.update", "knowledge.delete"]
    assert rows[1].before is not None and rows[1].before["status"] == "published"
    assert rows[1].after is not None and rows[1].after["status"] == "draft"
    assert all(r.actor_name == "sue" for r in rows)


def test_search_ranks_by_retrieval_with_scores(client: TestClient, desk: Desk) -> None:
    gift = _create(client, desk)
    _create(client, desk, title="保修 / Warranty", answer_en="One year on soles.", examples_en=[])
    found = client.get("/api/knowledge?q=gift card valid", headers=auth(desk.alice)).json()
    assert found["items"][0]["id"] == gift["id"] and found["items"][0]["score"] > 0
    zh = client.get("/api/knowledge?q=礼品卡有效期", headers=auth(desk.alice)).json()
    assert zh["items"][0]["id"] == gift["id"]


def test_unanswered_groups_become_drafts_or_are_dismissed(
    client: TestClient, desk: Desk, session_factory: sessionmaker[Session]
) -> None:
    with transaction(session_factory) as session:
        for question in ("can I bring my dog into the store", "can I bring my dog to the store"):
            record_unanswered(session, question, "en")
        record_unanswered(session, "你们招聘店员吗", "zh")
    sue = auth(desk.sue)
    groups = client.get("/api/knowledge/unanswered", headers=sue).json()["groups"]
    assert [(g["count"], g["language"]) for g in groups] == [(2, "en"), (1, "zh")]
    assert groups[0]["question"] == "can I bring my dog into the store"
    dog, jobs = groups[0]["id"], groups[1]["id"]
    draft = client.post(f"/api/knowledge/unanswered/{dog}/article", headers=sue)
    assert draft.status_code == 201, draft.text
    body = draft.json()
    assert body["status"] == "draft" and body["answer_en"] == "" and body["answer_zh"] == ""
    assert body["title"] == "can I bring my dog into the store" and len(body["examples_en"]) == 2
    assert client.post(f"/api/knowledge/unanswered/{jobs}/dismiss", headers=sue).status_code == 204
    assert client.get("/api/knowledge/unanswered", headers=sue).json()["groups"] == []
    again = client.post(f"/api/knowledge/unanswered/{dog}/article", headers=sue)
    assert again.status_code == 409
    assert client.post("/api/knowledge/unanswered/999/dismiss", headers=sue).status_code == 404
