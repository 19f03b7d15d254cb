"""Issue 13, item 2: a reply on a teammate's chat ticket made the replier the chat's agent, the
way round the 403 that `/join` gives. One rule for both (services/access.py
`require_take_over`): the assignee of the conversation's own ticket, a supervisor or an admin."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.api.console_helpers import SESSION, chat, claimed_by
from tests.api.helpers import Desk, auth
from ticketing.models import Conversation, Message, MessageKind, OutboxKind, OutboxMessage


def chat_agent(session_factory: sessionmaker[Session]) -> int | None:
    with session_factory() as session:
        return session.get_one(Conversation, f"web:{SESSION}").agent_id


def sent_to_customer(session_factory: sessionmaker[Session]) -> list[str]:
    with session_factory() as session:
        rows = session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == OutboxKind.TEXT.value)
        ).all()
        return [r.payload["text"] for r in rows if r.payload.get("sender") == "agent"]


def test_a_teammate_cannot_reply_their_way_into_the_assignees_chat(
    client: TestClient, desk: Desk, session_factory: sessionmaker[Session]
) -> None:
    ticket = chat(session_factory, desk, "转人工")
    claimed_by(session_factory, ticket, desk.alice)
    path = f"/api/tickets/{ticket.number}"

    join = client.post(f"/api/console/tickets/{ticket.number}/join", headers=auth(desk.ann))
    reply = client.post(f"{path}/replies", json={"body": "我来接手"}, headers=auth(desk.ann))

    assert (join.status_code, reply.status_code) == (403, 403)
    assert chat_agent(session_factory) is None
    assert sent_to_customer(session_factory) == []
    with session_factory() as session:
        assert session.scalars(select(Message).where(Message.kind == MessageKind.AGENT)).all() == []
    # A note is still the teammate's to write; the assignee replies.
    note = client.post(f"{path}/notes", json={"body": "客户很急"}, headers=auth(desk.ann))
    own = client.post(f"{path}/replies", json={"body": "您好"}, headers=auth(desk.alice))
    assert (note.status_code, own.status_code) == (201, 201)
    assert chat_agent(session_factory) == desk.alice.id
    assert sent_to_customer(session_factory) == ["您好"]


def test_a_reply_on_a_chat_nobody_holds_asks_for_a_claim_as_join_does(
    client: TestClient, desk: Desk, session_factory: sessionmaker[Session]
) -> None:
    ticket = chat(session_factory, desk, "转人工")

    join = client.post(f"/api/console/tickets/{ticket.number}/join", headers=auth(desk.ann))
    reply = client.post(
        f"/api/tickets/{ticket.number}/replies", json={"body": "您好"}, headers=auth(desk.ann)
    )

    assert (join.status_code, reply.status_code) == (409, 409)
    assert chat_agent(session_factory) is None


def test_a_second_ticket_on_the_chat_gives_no_way_round(
    client: TestClient, desk: Desk, session_factory: sessionmaker[Session]
) -> None:
    ticket = chat(session_factory, desk, "转人工")
    claimed_by(session_factory, ticket, desk.alice)
    second = client.post(
        "/api/tickets",
        json={"subject": "跟进", "conversation_id": f"web:{SESSION}"},
        headers=auth(desk.ann),
    ).json()["number"]
    assert client.post(f"/api/tickets/{second}/claim", headers=auth(desk.ann)).status_code == 200

    join = client.post(f"/api/console/tickets/{second}/join", headers=auth(desk.ann))
    reply = client.post(
        f"/api/tickets/{second}/replies", json={"body": "我来"}, headers=auth(desk.ann)
    )
    detail = client.get(f"/api/console/tickets/{second}", headers=auth(desk.ann)).json()

    assert (join.status_code, reply.status_code) == (403, 403)
    assert detail["can_hand_back"] is False
    assert chat_agent(session_factory) is None
    # A supervisor may always take a chat over.
    sue = client.post(
        f"/api/tickets/{ticket.number}/replies", json={"body": "主管在此"}, headers=auth(desk.sue)
    )
    assert sue.status_code == 201
    assert chat_agent(session_factory) == desk.sue.id
