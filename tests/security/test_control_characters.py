"""Issue 13, item 11: NUL and other control characters in chat text were stored while the API
refused NUL alone. One rule everywhere (services/validation.py): text may hold line feeds,
carriage returns and tabs but no other control character; the API answers 422 naming the
field, the chat channels keep nothing and tell the customer, in their language."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.gateway.channels.telegram.messages import NOT_ACCEPTED
from tests.api.helpers import Desk, auth, ticket_in
from tests.bot.fake_telegram import FakeTelegram
from tests.bot.telegram_support import CHAT, Bot, conversation, settle
from ticketing import services
from ticketing.errors import InvalidInput
from ticketing.models import Channel, Customer, Message

CONTROLS = ["\x00", "\x1b[2J", "\x07", "\x08", "\x7f", "\x85", "\ud800"]


@pytest.mark.parametrize("control", CONTROLS)
def test_the_api_refuses_control_characters_naming_the_field(
    client: TestClient, desk: Desk, session_factory: sessionmaker[Session], control: str
) -> None:
    def post(path: str, body: dict[str, Any]) -> Any:
        # Escaped JSON: a lone surrogate can be sent only as \ud800.
        headers = {**auth(desk.sue), "Content-Type": "application/json"}
        return client.post(path, content=json.dumps(body), headers=headers)

    created = post("/api/tickets", {"subject": f"bad{control}subject"})
    ticket = ticket_in(session_factory, desk.team_a)
    note = post(f"/api/tickets/{ticket.number}/notes", {"body": f"note{control}"})

    assert created.status_code == 422
    assert created.json()["detail"][0]["loc"] == ["body", "subject"]
    assert note.status_code == 422
    assert note.json()["detail"][0]["loc"] == ["body", "body"]


def test_line_breaks_and_tabs_are_text(client: TestClient, desk: Desk) -> None:
    response = client.post(
        "/api/tickets",
        json={"subject": "two\tparts", "description": "line one\r\nline two\n"},
        headers=auth(desk.sue),
    )

    assert response.status_code == 201, response.text
    assert response.json()["description"] == "line one\r\nline two"


@pytest.mark.parametrize("control", CONTROLS)
def test_chat_intake_refuses_control_characters_as_the_api_does(
    session: Session, control: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        services.record_inbound_message(session, Channel.WEB, "s" * 32, f"hello{control}world")

    assert refused.value.field == "body"
    assert session.scalars(select(Message)).all() == []


@pytest.mark.anyio
async def test_telegram_keeps_nothing_and_asks_the_customer_to_change_the_message(
    bot: Bot, fake_telegram: FakeTelegram, session_factory: sessionmaker[Session]
) -> None:
    fake_telegram.send(CHAT, "订单\x00A2024-1181\x1b[2J", language_code="zh-hans")
    await settle(fake_telegram)

    assert NOT_ACCEPTED["zh"] in fake_telegram.texts(CHAT)
    with session_factory() as session:
        assert session.scalars(select(Message.body)).all() == []


@pytest.mark.anyio
async def test_a_control_character_in_a_telegram_name_is_cleaned_not_refused(
    bot: Bot, fake_telegram: FakeTelegram, session_factory: sessionmaker[Session]
) -> None:
    fake_telegram.send(CHAT, "你好", first_name="小\x00明\x1b")
    await settle(fake_telegram)

    assert NOT_ACCEPTED["zh"] not in fake_telegram.texts(CHAT)
    customer_id = conversation(session_factory).customer_id
    with session_factory() as session:
        assert session.get_one(Customer, customer_id).name == "小明"
