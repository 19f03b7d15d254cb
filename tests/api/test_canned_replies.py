"""Canned replies: personal and team sets, who manages which, placeholders filled in the
customer's language, and the bad input each refuses."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from tests.api.helpers import Desk, auth, stored, ticket_in
from tests.factories import make_customer, make_ticket
from ticketing.models import Ticket

GREETING_ZH = (
    "{customer_name}您好，工单 {ticket_number}（订单 {order_number}）由我{agent_name}跟进。"
)
GREETING_EN = "Hi {customer_name}, {agent_name} here about {ticket_number} ({order_number})."


def _team_reply(client: TestClient, desk: Desk, **fields: object) -> dict[str, object]:
    body = {"title": "问候", "body_zh": GREETING_ZH, "body_en": GREETING_EN, **fields}
    response = client.post(
        "/api/canned-replies", json={"team_id": desk.team_a.id, **body}, headers=auth(desk.sue)
    )
    assert response.status_code == 201, response.text
    result: dict[str, object] = response.json()
    return result


def _ticket(session_factory: sessionmaker[Session], desk: Desk, language: str, name: str) -> Ticket:
    def build(session: Session) -> Ticket:
        customer = make_customer(session)
        customer.name = name
        team = session.merge(desk.team_a)
        ticket = make_ticket(session, team=team, customer=customer, order_number="A2026-0110")
        ticket.language = language
        return ticket

    return stored(session_factory, build)


@pytest.mark.parametrize(
    ("language", "name", "expected"),
    [
        ("zh", "张女士", "张女士您好，工单 {n}（订单 A2026-0110）由我alice跟进。"),
        ("en", "Ms Zhang", "Hi Ms Zhang, alice here about {n} (A2026-0110)."),
    ],
)
def test_a_team_reply_is_filled_in_the_customers_language(
    client: TestClient,
    desk: Desk,
    session_factory: sessionmaker[Session],
    language: str,
    name: str,
    expected: str,
) -> None:
    _team_reply(client, desk)
    ticket = _ticket(session_factory, desk, language, name)

    response = client.get(f"/api/tickets/{ticket.number}/canned-replies", headers=auth(desk.alice))

    assert response.status_code == 200
    assert [r["text"] for r in response.json()["data"]] == [expected.format(n=ticket.number)]


def test_promised_time_is_the_next_deadline_in_shanghai_time(
    client: TestClient, desk: Desk, session_factory: sessionmaker[Session]
) -> None:
    _team_reply(
        client, desk, title="承诺", body_zh="我们会在 {promised_time} 前回复您。", body_en=""
    )
    ticket = _ticket(session_factory, desk, "zh", "张女士")
    due = datetime.fromisoformat("2026-12-04T06:30:00+00:00")

    def set_due(session: Session) -> None:
        row = session.get(Ticket, ticket.id)
        assert row is not None
        row.next_deadline_at = due

    stored(session_factory, set_due)
    response = client.get(f"/api/tickets/{ticket.number}/canned-replies", headers=auth(desk.alice))

    assert response.json()["data"][0]["text"] == "我们会在 12月4日 14:30 前回复您。"
    assert due + timedelta(hours=8) == datetime.fromisoformat("2026-12-04T14:30:00+00:00")


def test_other_teams_and_others_personal_replies_stay_out(
    client: TestClient, desk: Desk, session_factory: sessionmaker[Session]
) -> None:
    _team_reply(client, desk)
    client.post(
        "/api/canned-replies",
        json={"team_id": desk.team_b.id, "title": "B 组", "body_zh": "B 组专用"},
        headers=auth(desk.sue),
    )
    mine = client.post(
        "/api/canned-replies", json={"title": "我的", "body_zh": "稍等"}, headers=auth(desk.ann)
    )

    alice = client.get("/api/canned-replies", headers=auth(desk.alice)).json()["data"]
    ann = client.get("/api/canned-replies", params={"q": "稍"}, headers=auth(desk.ann)).json()

    assert mine.status_code == 201
    assert [r["title"] for r in alice] == ["问候"]
    assert [r["title"] for r in ann["data"]] == ["我的"]
    assert "promised_time" in ann["placeholders"]


def test_agents_manage_only_their_own(
    client: TestClient, desk: Desk, session_factory: sessionmaker[Session]
) -> None:
    team_reply = _team_reply(client, desk)
    as_agent = client.post(
        "/api/canned-replies",
        json={"team_id": desk.team_a.id, "title": "x", "body_zh": "y"},
        headers=auth(desk.alice),
    )
    edit = client.put(
        f"/api/canned-replies/{team_reply['id']}",
        json={"title": "改", "body_zh": "改了", "version": team_reply["version"]},
        headers=auth(desk.alice),
    )
    delete = client.delete(f"/api/canned-replies/{team_reply['id']}", headers=auth(desk.alice))

    assert (as_agent.status_code, edit.status_code, delete.status_code) == (403, 403, 403)


def test_two_editors_the_second_gets_409(
    client: TestClient, desk: Desk, session_factory: sessionmaker[Session]
) -> None:
    reply = _team_reply(client, desk)
    url = f"/api/canned-replies/{reply['id']}"
    first = client.put(
        url,
        json={"title": "一", "body_zh": "一", "version": reply["version"]},
        headers=auth(desk.sue),
    )
    second = client.put(
        url,
        json={"title": "二", "body_zh": "二", "version": reply["version"]},
        headers=auth(desk.sue),
    )

    assert first.status_code == 200
    assert second.status_code == 409
    assert (
        client.get("/api/canned-replies", headers=auth(desk.sue)).json()["data"][0]["title"] == "一"
    )


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"body_zh": "您好 {name}"}, "body_zh"),
        ({"body_en": "Hi {customer_name!r}"}, "body_en"),
        ({"body_en": "Hi {customer_name:>99999}"}, "body_en"),
        ({"body_zh": "单个 { 括号"}, "body_zh"),
        ({"body_zh": "", "body_en": "  "}, "body_zh"),
        ({"body_zh": "x" * 4001}, "body_zh"),
        ({"title": ""}, "title"),
    ],
)
def test_bad_replies_are_refused_naming_the_field(
    client: TestClient, desk: Desk, fields: dict[str, str], field: str
) -> None:
    body = {"title": "t", "body_zh": "好的", **fields}

    response = client.post("/api/canned-replies", json=body, headers=auth(desk.alice))

    assert response.status_code == 422
    assert field in response.text
    assert client.get("/api/canned-replies", headers=auth(desk.alice)).json()["data"] == []


def test_fill_needs_a_ticket_i_may_see(
    client: TestClient, desk: Desk, session_factory: sessionmaker[Session]
) -> None:
    theirs = ticket_in(session_factory, desk.team_b)

    response = client.get(f"/api/tickets/{theirs.number}/canned-replies", headers=auth(desk.alice))

    assert response.status_code == 404
