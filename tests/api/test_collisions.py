"""Collision warnings: who else has a ticket open or is typing on it, and a reply after a
colleague's is a 409 naming them unless sent anyway."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from tests.api.helpers import Desk, auth, ticket_in


def test_each_sees_the_other_viewing_and_typing(
    client: TestClient, desk: Desk, session_factory: sessionmaker[Session]
) -> None:
    ticket = ticket_in(session_factory, desk.team_a)
    url = f"/api/tickets/{ticket.number}/viewing"

    alone = client.post(url, json={}, headers=auth(desk.alice))
    ann_sees = client.post(url, json={"typing": True}, headers=auth(desk.ann))
    alice_sees = client.post(url, json={}, headers=auth(desk.alice))
    client.delete(url, headers=auth(desk.ann))
    after_ann_left = client.post(url, json={}, headers=auth(desk.alice))

    assert alone.json() == {"data": []}
    assert ann_sees.json()["data"] == [
        {"user_id": desk.alice.id, "display_name": "alice", "typing": False}
    ]
    assert alice_sees.json()["data"] == [
        {"user_id": desk.ann.id, "display_name": "ann", "typing": True}
    ]
    assert after_ann_left.json() == {"data": []}


def test_viewing_needs_a_ticket_i_may_see(
    client: TestClient, desk: Desk, session_factory: sessionmaker[Session]
) -> None:
    theirs = ticket_in(session_factory, desk.team_b)

    response = client.post(
        f"/api/tickets/{theirs.number}/viewing", json={}, headers=auth(desk.alice)
    )

    assert response.status_code == 404


def test_a_reply_after_a_colleagues_asks_first(
    client: TestClient, desk: Desk, session_factory: sessionmaker[Session]
) -> None:
    ticket = ticket_in(session_factory, desk.team_a)
    replies = f"/api/tickets/{ticket.number}/replies"
    first = client.post(replies, json={"body": "您好，我来处理"}, headers=auth(desk.sue))
    assert first.status_code == 201, first.text
    seen_before = first.json()["id"] - 1

    stale = client.post(
        replies, json={"body": "我也来", "seen_message_id": seen_before}, headers=auth(desk.ann)
    )
    fresh = client.post(
        replies,
        json={"body": "补充一句", "seen_message_id": first.json()["id"]},
        headers=auth(desk.sue),
    )
    anyway = client.post(
        replies,
        json={"body": "我也来", "seen_message_id": seen_before, "send_anyway": True},
        headers=auth(desk.ann),
    )

    assert stale.status_code == 409
    assert stale.json()["detail"].startswith("sue replied ")
    assert fresh.status_code == 201
    assert anyway.status_code == 201
