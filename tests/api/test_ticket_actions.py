"""Working a ticket: claim, assign, reply, note, status, reopen, triage, and who may do each."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from tests.api.helpers import Desk, auth, stored, ticket_in
from tests.factories import make_policy
from ticketing.clock import utcnow
from ticketing.models import Priority


def test_claim_gives_me_the_ticket_and_opens_it(
    client: TestClient, desk: Desk, session_factory: sessionmaker[Session]
) -> None:
    ticket = ticket_in(session_factory)

    response = client.post(f"/api/tickets/{ticket.number}/claim", headers=auth(desk.alice))

    assert response.status_code == 200
    assert response.json()["assignee"] == {"id": desk.alice.id, "display_name": "alice"}
    assert response.json()["status"] == "open"
    # An unteamed ticket joins the claimer's team, and the history says so.
    assert response.json()["team"] == {"id": desk.team_a.id, "name": "售后一组"}
    history = client.get(f"/api/tickets/{ticket.number}", headers=auth(desk.alice)).json()
    claimed = [e["data"] for e in history["events"] if e["kind"] == "claimed"]
    assert claimed == [{"assignee": "alice", "team": [None, "售后一组"]}]


def test_second_claim_loses_with_409(
    client: TestClient, desk: Desk, session_factory: sessionmaker[Session]
) -> None:
    ticket = ticket_in(session_factory, desk.team_a)
    client.post(f"/api/tickets/{ticket.number}/claim", headers=auth(desk.alice))

    response = client.post(f"/api/tickets/{ticket.number}/claim", headers=auth(desk.ann))

    assert response.status_code == 409
    assert "alice" in response.json()["detail"]
    detail = client.get(f"/api/tickets/{ticket.number}", headers=auth(desk.ann)).json()
    assert detail["assignee"]["id"] == desk.alice.id


def test_agent_cannot_claim_or_touch_other_teams_ticket(
    client: TestClient, desk: Desk, session_factory: sessionmaker[Session]
) -> None:
    ticket = ticket_in(session_factory, desk.team_b)
    base = f"/api/tickets/{ticket.number}"

    responses = [
        client.post(f"{base}/claim", headers=auth(desk.alice)),
        client.post(f"{base}/replies", json={"body": "hi"}, headers=auth(desk.alice)),
        client.post(f"{base}/notes", json={"body": "hi"}, headers=auth(desk.alice)),
        client.post(f"{base}/status", json={"status": "resolved"}, headers=auth(desk.alice)),
        client.post(f"{base}/reopen", headers=auth(desk.alice)),
        client.post(f"{base}/triage", json={"priority": "low"}, headers=auth(desk.alice)),
    ]

    assert [r.status_code for r in responses] == [404] * 6
    untouched = client.get(base, headers=auth(desk.bob)).json()
    assert untouched["assignee"] is None
    assert untouched["status"] == "new"
    assert untouched["messages"] == []


def test_supervisor_assigns_and_unassigns(
    client: TestClient, desk: Desk, session_factory: sessionmaker[Session]
) -> None:
    ticket = ticket_in(session_factory, desk.team_b)
    url = f"/api/tickets/{ticket.number}/assign"

    assigned = client.post(url, json={"assignee_id": desk.bob.id}, headers=auth(desk.sue))
    unassigned = client.post(url, json={"assignee_id": None}, headers=auth(desk.sue))

    assert assigned.status_code == 200
    assert assigned.json()["assignee"]["id"] == desk.bob.id
    assert unassigned.json()["assignee"] is None
    history = client.get(f"/api/tickets/{ticket.number}", headers=auth(desk.sue)).json()
    assert [e["data"].get("assignee") for e in history["events"] if e["kind"] == "assigned"] == [
        [None, "bob"],
        ["bob", None],
    ]
    assert {e["actor_name"] for e in history["events"] if e["kind"] == "assigned"} == {"sue"}
    # The ticket had a team: assigning it records no team change.
    assert all("team" not in e["data"] for e in history["events"] if e["kind"] == "assigned")


def test_assigning_a_ticket_in_no_team_moves_it_to_the_assignees_team_on_the_record(
    client: TestClient, desk: Desk, session_factory: sessionmaker[Session]
) -> None:
    ticket = ticket_in(session_factory)

    assigned = client.post(
        f"/api/tickets/{ticket.number}/assign",
        json={"assignee_id": desk.bob.id},
        headers=auth(desk.sue),
    )

    assert assigned.json()["team"] == {"id": desk.team_b.id, "name": "售后二组"}
    history = client.get(f"/api/tickets/{ticket.number}", headers=auth(desk.sue)).json()
    assert [e["data"] for e in history["events"] if e["kind"] == "assigned"] == [
        {"assignee": [None, "bob"], "team": [None, "售后二组"]}
    ]


def test_agent_cannot_assign_403(
    client: TestClient, desk: Desk, session_factory: sessionmaker[Session]
) -> None:
    ticket = ticket_in(session_factory, desk.team_a)

    response = client.post(
        f"/api/tickets/{ticket.number}/assign",
        json={"assignee_id": desk.alice.id},
        headers=auth(desk.alice),
    )

    assert response.status_code == 403


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"assignee_id": 999_999}, "assignee_id"),
        ({"assignee_id": "bob"}, "assignee_id"),
        ({}, "assignee_id"),
    ],
)
def test_assign_to_unknown_user_names_the_field(
    client: TestClient,
    desk: Desk,
    session_factory: sessionmaker[Session],
    body: dict[str, object],
    field: str,
) -> None:
    ticket = ticket_in(session_factory)

    response = client.post(
        f"/api/tickets/{ticket.number}/assign", json=body, headers=auth(desk.sue)
    )

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", field]


def test_reply_meets_first_response_and_shows_in_the_history(
    client: TestClient, desk: Desk, session_factory: sessionmaker[Session]
) -> None:
    stored(session_factory, lambda s: make_policy(s, first_response=60))
    ticket = ticket_in(session_factory, desk.team_a, at=utcnow() - timedelta(hours=2))

    reply = client.post(
        f"/api/tickets/{ticket.number}/replies",
        json={"body": "您好，给您补发一个新杯子"},
        headers=auth(desk.alice),
    )

    assert reply.status_code == 201
    assert reply.json()["kind"] == "agent"
    assert reply.json()["author_name"] == "alice"
    detail = client.get(f"/api/tickets/{ticket.number}", headers=auth(desk.alice)).json()
    assert detail["status"] == "open"
    assert detail["first_responded_at"] is not None
    assert detail["sla_breached"]["first_response"] is False
    assert [m["body"] for m in detail["messages"]] == ["您好，给您补发一个新杯子"]
    assert "message" in [e["kind"] for e in detail["events"]]


def test_internal_note_shows_to_the_desk_as_a_note(
    client: TestClient, desk: Desk, session_factory: sessionmaker[Session]
) -> None:
    ticket = ticket_in(session_factory, desk.team_a)

    note = client.post(
        f"/api/tickets/{ticket.number}/notes",
        json={"body": "客户是老顾客，优先处理"},
        headers=auth(desk.alice),
    )

    assert note.status_code == 201
    detail = client.get(f"/api/tickets/{ticket.number}", headers=auth(desk.ann)).json()
    assert [(m["kind"], m["author_name"]) for m in detail["messages"]] == [("note", "alice")]
    assert detail["status"] == "new"  # a note is not a response to the customer
    assert detail["first_responded_at"] is None


@pytest.mark.parametrize("body", [{"body": ""}, {"body": "  "}, {"body": "x" * 10_001}, {}])
def test_empty_or_huge_reply_is_422(
    client: TestClient, desk: Desk, session_factory: sessionmaker[Session], body: dict[str, str]
) -> None:
    ticket = ticket_in(session_factory)

    response = client.post(
        f"/api/tickets/{ticket.number}/replies", json=body, headers=auth(desk.alice)
    )

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "body"]


def test_status_change_and_a_transition_not_allowed_is_409(
    client: TestClient, desk: Desk, session_factory: sessionmaker[Session]
) -> None:
    ticket = ticket_in(session_factory, desk.team_a)
    url = f"/api/tickets/{ticket.number}/status"

    pending = client.post(url, json={"status": "pending"}, headers=auth(desk.alice))
    closed = client.post(url, json={"status": "closed"}, headers=auth(desk.alice))
    to_pending = client.post(url, json={"status": "pending"}, headers=auth(desk.alice))
    again = client.post(url, json={"status": "closed"}, headers=auth(desk.alice))

    assert pending.status_code == 200
    assert pending.json()["sla_paused_at"] is not None
    assert closed.json()["status"] == "closed"
    assert to_pending.status_code == 409
    assert "cannot go from closed to pending" in to_pending.json()["detail"]
    assert again.status_code == 409


def test_reopen_a_resolved_ticket_but_not_an_open_one(
    client: TestClient, desk: Desk, session_factory: sessionmaker[Session]
) -> None:
    ticket = ticket_in(session_factory, desk.team_a)
    base = f"/api/tickets/{ticket.number}"

    not_yet = client.post(f"{base}/reopen", headers=auth(desk.alice))
    client.post(f"{base}/status", json={"status": "resolved"}, headers=auth(desk.alice))
    reopened = client.post(f"{base}/reopen", headers=auth(desk.alice))

    assert not_yet.status_code == 409
    assert reopened.status_code == 200
    assert reopened.json()["status"] == "open"
    assert reopened.json()["reopen_count"] == 1
    assert reopened.json()["resolved_at"] is None


def test_reply_to_a_closed_ticket_is_409(
    client: TestClient, desk: Desk, session_factory: sessionmaker[Session]
) -> None:
    ticket = ticket_in(session_factory, desk.team_a)
    client.post(
        f"/api/tickets/{ticket.number}/status", json={"status": "closed"}, headers=auth(desk.alice)
    )

    response = client.post(
        f"/api/tickets/{ticket.number}/replies", json={"body": "还在吗"}, headers=auth(desk.alice)
    )

    assert response.status_code == 409
    assert "reopen" in response.json()["detail"]


def test_triage_by_the_assignee_moves_the_due_times(
    client: TestClient, desk: Desk, session_factory: sessionmaker[Session]
) -> None:
    stored(session_factory, lambda s: make_policy(s, Priority.NORMAL, first_response=240))
    stored(session_factory, lambda s: make_policy(s, Priority.URGENT, first_response=15))
    ticket = ticket_in(session_factory, desk.team_a)
    before = client.post(f"/api/tickets/{ticket.number}/claim", headers=auth(desk.alice)).json()

    response = client.post(
        f"/api/tickets/{ticket.number}/triage",
        json={"priority": "urgent", "category": "product_quality", "severity": "major"},
        headers=auth(desk.alice),
    )

    assert response.status_code == 200
    after = response.json()
    assert (after["priority"], after["category"], after["severity"]) == (
        "urgent",
        "product_quality",
        "major",
    )
    assert after["first_response_due_at"] < before["first_response_due_at"]


def test_triage_by_an_agent_who_is_not_the_assignee_is_403(
    client: TestClient, desk: Desk, session_factory: sessionmaker[Session]
) -> None:
    ticket = ticket_in(session_factory, desk.team_a)
    client.post(f"/api/tickets/{ticket.number}/claim", headers=auth(desk.alice))

    by_ann = client.post(
        f"/api/tickets/{ticket.number}/triage", json={"priority": "low"}, headers=auth(desk.ann)
    )
    by_sue = client.post(
        f"/api/tickets/{ticket.number}/triage",
        json={"team_id": desk.team_b.id},
        headers=auth(desk.sue),
    )

    assert by_ann.status_code == 403
    assert by_sue.status_code == 200
    assert by_sue.json()["team"]["name"] == "售后二组"
    assert by_sue.json()["priority"] == "normal"


def test_triage_to_unknown_team_names_the_field(
    client: TestClient, desk: Desk, session_factory: sessionmaker[Session]
) -> None:
    ticket = ticket_in(session_factory)

    response = client.post(
        f"/api/tickets/{ticket.number}/triage", json={"team_id": 4242}, headers=auth(desk.sue)
    )

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "team_id"]


@pytest.mark.parametrize(
    "number",
    ["abc", "T-", "T-12a", "T-0", "0", "T-9999999999999999", "T-999999999999", "%00", "ticket 1"],
)
def test_bad_ticket_numbers_are_404(client: TestClient, desk: Desk, number: str) -> None:
    read = client.get(f"/api/tickets/{number}", headers=auth(desk.sue))
    claim = client.post(f"/api/tickets/{number}/claim", headers=auth(desk.sue))

    assert read.status_code == 404
    assert claim.status_code == 404


def test_ticket_number_longer_than_any_is_422(client: TestClient, desk: Desk) -> None:
    response = client.get("/api/tickets/T-" + "1" * 100, headers=auth(desk.sue))

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["path", "number"]
