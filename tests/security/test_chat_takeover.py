"""Issue 13, item 1: `POST /api/tickets` took any `conversation_id`, and the console's
transcript, replies and the customer's next messages followed it. A ticket may name a
conversation only when the caller may see its tickets, and the customer's messages go to the
conversation's own ticket, not to the newest naming it."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from tests.api.console_helpers import SESSION, chat, claimed_by
from tests.api.helpers import Desk, auth, stored
from ticketing import services
from ticketing.models import Channel, Conversation, Ticket, parse_ticket_number

CONVERSATION = f"web:{SESSION}"


def customer_writes(session_factory: sessionmaker[Session], text: str) -> int | None:
    """The customer's next message; the ticket it was added to."""
    record = stored(
        session_factory,
        lambda s: services.record_inbound_message(s, Channel.WEB, SESSION, text),
    )
    return record.message.ticket_id


def tickets_count(session_factory: sessionmaker[Session]) -> int:
    with session_factory() as session:
        return session.scalar(select(func.count()).select_from(Ticket)) or 0


def test_an_agent_cannot_open_a_ticket_on_another_teams_chat(
    client: TestClient, desk: Desk, session_factory: sessionmaker[Session]
) -> None:
    team_a_chat = chat(session_factory, desk, "我的订单A2024-1181还没到，电话13800138000")
    before = tickets_count(session_factory)

    response = client.post(
        "/api/tickets",
        json={"subject": "接手", "conversation_id": CONVERSATION},
        headers=auth(desk.bob),
    )

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "conversation_id"]
    assert "13800138000" not in response.text
    assert tickets_count(session_factory) == before
    assert customer_writes(session_factory, "还在吗") == team_a_chat.id


def test_a_conversation_nobody_has_seen_cannot_be_named_in_advance(
    client: TestClient, desk: Desk
) -> None:
    # A Telegram chat id is the customer's user id: a ticket waiting on it would read their
    # first chat and take their messages.
    response = client.post(
        "/api/tickets",
        json={"subject": "等着", "conversation_id": "telegram:123456789"},
        headers=auth(desk.alice),
    )

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "conversation_id"]


def test_a_later_ticket_on_the_chat_does_not_take_the_customers_messages(
    client: TestClient, desk: Desk, session_factory: sessionmaker[Session]
) -> None:
    own = chat(session_factory, desk, "鞋底开胶了")
    claimed_by(session_factory, own, desk.alice)

    later = [
        client.post(
            "/api/tickets",
            json={"subject": "跟进", "conversation_id": CONVERSATION},
            headers=auth(user),
        )
        for user in (desk.ann, desk.sue)  # a teammate may; a supervisor may
    ]

    assert [r.status_code for r in later] == [201, 201]
    assert customer_writes(session_factory, "还在吗") == own.id
    with session_factory() as session:
        assert session.get_one(Conversation, CONVERSATION).ticket_id == own.id


def test_once_the_chats_ticket_is_closed_a_new_one_takes_it(
    client: TestClient, desk: Desk, session_factory: sessionmaker[Session]
) -> None:
    own = chat(session_factory, desk, "鞋底开胶了")
    stored(
        session_factory,
        lambda s: services.close_ticket(s, s.get_one(Ticket, own.id), services.Actor.system()),
    )

    response = client.post(
        "/api/tickets",
        json={"subject": "新问题", "conversation_id": CONVERSATION},
        headers=auth(desk.alice),
    )

    assert response.status_code == 201
    assert customer_writes(session_factory, "又坏了") == parse_ticket_number(
        response.json()["number"]
    )
