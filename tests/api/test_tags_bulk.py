"""Tags on tickets (and as a queue filter), and bulk actions with per-ticket refusals."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from tests.api.helpers import Desk, auth, numbers, ticket_in
from ticketing.models import EventKind, Status, TicketEvent


def test_tags_are_normalised_listed_and_filterable(
    client: TestClient, desk: Desk, session_factory: sessionmaker[Session]
) -> None:
    tagged = ticket_in(session_factory, desk.team_a)
    other = ticket_in(session_factory, desk.team_a)

    response = client.post(
        f"/api/tickets/{tagged.number}/tags",
        json={"add": ["  Refund ", "双11", "refund"]},
        headers=auth(desk.alice),
    )
    listed = client.get("/api/tickets", params={"tag": "REFUND"}, headers=auth(desk.alice))

    assert response.status_code == 200
    assert response.json() == {"tags": ["refund", "双11"]}
    assert numbers(listed.json()) == [tagged.number]
    assert listed.json()["data"][0]["tags"] == ["refund", "双11"]
    assert other.number not in numbers(listed.json())
    detail = client.get(f"/api/tickets/{tagged.number}", headers=auth(desk.alice)).json()
    tag_events = [e["data"] for e in detail["events"] if "tags" in e["data"]]
    assert tag_events == [{"tags": [[], ["refund", "双11"]]}]


def test_removing_a_tag_and_suggestions_from_my_team(
    client: TestClient, desk: Desk, session_factory: sessionmaker[Session]
) -> None:
    mine = [ticket_in(session_factory, desk.team_a) for _ in range(2)]
    theirs = ticket_in(session_factory, desk.team_b)
    for ticket in mine:
        client.post(
            f"/api/tickets/{ticket.number}/tags",
            json={"add": ["refund", "vip"]},
            headers=auth(desk.alice),
        )
    client.post(
        f"/api/tickets/{theirs.number}/tags", json={"add": ["secret-b"]}, headers=auth(desk.bob)
    )
    client.post(
        f"/api/tickets/{mine[1].number}/tags", json={"remove": ["VIP"]}, headers=auth(desk.alice)
    )

    suggestions = client.get("/api/tags", headers=auth(desk.alice)).json()["data"]
    prefixed = client.get("/api/tags", params={"prefix": "re"}, headers=auth(desk.alice))

    assert suggestions == [{"tag": "refund", "uses": 2}, {"tag": "vip", "uses": 1}]
    assert prefixed.json()["data"] == [{"tag": "refund", "uses": 2}]


def test_bad_tags_are_refused_naming_the_field(
    client: TestClient, desk: Desk, session_factory: sessionmaker[Session]
) -> None:
    ticket = ticket_in(session_factory, desk.team_a)
    url = f"/api/tickets/{ticket.number}/tags"

    for bad in ("x" * 500, "<b>hi</b>", "   ", "a\x07b"):
        response = client.post(url, json={"add": [bad]}, headers=auth(desk.alice))
        assert response.status_code == 422, bad
        assert "tags" in response.text or "add" in response.text

    assert client.get(url.removesuffix("/tags"), headers=auth(desk.alice)).json()["tags"] == []


def test_agent_cannot_tag_another_teams_ticket(
    client: TestClient, desk: Desk, session_factory: sessionmaker[Session]
) -> None:
    theirs = ticket_in(session_factory, desk.team_b)

    response = client.post(
        f"/api/tickets/{theirs.number}/tags", json={"add": ["mine"]}, headers=auth(desk.alice)
    )

    assert response.status_code == 404


def test_bulk_close_reports_each_refusal_and_does_the_rest(
    client: TestClient, desk: Desk, session_factory: sessionmaker[Session]
) -> None:
    mine = [ticket_in(session_factory, desk.team_a) for _ in range(5)]
    theirs = ticket_in(session_factory, desk.team_b)
    already = mine[4]
    client.post(
        f"/api/tickets/{already.number}/status", json={"status": "closed"}, headers=auth(desk.sue)
    )
    selected = [t.number for t in mine] + [theirs.number, "T-999999"]

    response = client.post(
        "/api/tickets/bulk",
        json={"numbers": selected, "action": "status", "status": "closed"},
        headers=auth(desk.alice),
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["done"], body["refused"]) == (4, 3)
    codes = {o["number"]: o["status_code"] for o in body["data"] if not o["ok"]}
    assert codes == {already.number: 409, theirs.number: 404, "T-999999": 404}
    with session_factory() as session:
        closings = session.scalar(
            select(func.count())
            .select_from(TicketEvent)
            .where(
                TicketEvent.kind == EventKind.STATUS_CHANGED,
                TicketEvent.ticket_id.in_([t.id for t in mine[:4]]),
            )
        )
        assert closings == 4
    theirs_now = client.get(f"/api/tickets/{theirs.number}", headers=auth(desk.bob)).json()
    assert theirs_now["status"] == Status.NEW.value


def test_bulk_assign_by_a_supervisor_and_refused_for_an_agent(
    client: TestClient, desk: Desk, session_factory: sessionmaker[Session]
) -> None:
    tickets = [ticket_in(session_factory, desk.team_a) for _ in range(3)]
    body = {"numbers": [t.number for t in tickets], "action": "assign", "assignee_id": desk.ann.id}

    by_agent = client.post("/api/tickets/bulk", json=body, headers=auth(desk.alice)).json()
    by_supervisor = client.post("/api/tickets/bulk", json=body, headers=auth(desk.sue)).json()

    assert by_agent["done"] == 0
    assert {o["status_code"] for o in by_agent["data"]} == {403}
    assert by_supervisor["done"] == 3
    listed = client.get(
        "/api/tickets", params={"assignee_id": desk.ann.id}, headers=auth(desk.sue)
    ).json()
    assert sorted(numbers(listed)) == sorted(t.number for t in tickets)


def test_bulk_tag_and_priority(
    client: TestClient, desk: Desk, session_factory: sessionmaker[Session]
) -> None:
    tickets = [ticket_in(session_factory, desk.team_a) for _ in range(2)]
    chosen = [t.number for t in tickets]

    tagged = client.post(
        "/api/tickets/bulk",
        json={"numbers": chosen, "action": "add_tag", "tag": "Recall-2026"},
        headers=auth(desk.alice),
    ).json()
    raised = client.post(
        "/api/tickets/bulk",
        json={"numbers": chosen, "action": "priority", "priority": "urgent"},
        headers=auth(desk.sue),
    ).json()

    assert (tagged["done"], raised["done"]) == (2, 2)
    listed = client.get(
        "/api/tickets", params={"tag": "recall-2026"}, headers=auth(desk.sue)
    ).json()
    assert sorted(numbers(listed)) == sorted(chosen)
    assert {t["priority"] for t in listed["data"]} == {"urgent"}


def test_bulk_refuses_a_request_missing_its_value_or_too_big(
    client: TestClient, desk: Desk, session_factory: sessionmaker[Session]
) -> None:
    ticket = ticket_in(session_factory, desk.team_a)

    no_status = client.post(
        "/api/tickets/bulk",
        json={"numbers": [ticket.number], "action": "status"},
        headers=auth(desk.alice),
    )
    too_many = client.post(
        "/api/tickets/bulk",
        json={"numbers": [f"T-{i}" for i in range(1, 102)], "action": "add_tag", "tag": "x"},
        headers=auth(desk.alice),
    )
    bad_tag = client.post(
        "/api/tickets/bulk",
        json={"numbers": [ticket.number], "action": "add_tag", "tag": "<script>"},
        headers=auth(desk.alice),
    )

    assert no_status.status_code == 422 and "status" in no_status.text
    assert too_many.status_code == 422 and "numbers" in too_many.text
    assert bad_tag.status_code == 422 and "tag" in bad_tag.text
