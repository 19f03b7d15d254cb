"""Presence and auto-assignment through the API: coming online takes the queue, supervisors see
who is on and set capacity and the team switch, and bad values are refused."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from tests.api.helpers import Desk, auth, ticket_in


def test_agent_comes_online_and_receives_the_queue(
    client: TestClient, desk: Desk, session_factory: sessionmaker[Session]
) -> None:
    queued = [ticket_in(session_factory, desk.team_a) for _ in range(2)]
    switched = client.put(
        f"/api/teams/{desk.team_a.id}/auto-assign", json={"enabled": True}, headers=auth(desk.sue)
    )

    online = client.post("/api/presence", json={"status": "online"}, headers=auth(desk.alice))

    assert switched.json() == {"team_id": desk.team_a.id, "auto_assign": True, "assigned": 0}
    assert online.status_code == 200 and online.json()["status"] == "online"
    for ticket in queued:
        detail = client.get(f"/api/tickets/{ticket.number}", headers=auth(desk.alice)).json()
        assert detail["assignee"]["id"] == desk.alice.id
        reasons = [e["data"].get("reason") for e in detail["events"] if e["kind"] == "assigned"]
        assert reasons == ["least_loaded"]


def test_supervisor_sees_who_is_on_and_agents_see_their_team(
    client: TestClient, desk: Desk
) -> None:
    client.post("/api/presence", json={"status": "away"}, headers=auth(desk.alice))
    client.post("/api/presence", json={"status": "online"}, headers=auth(desk.bob))

    everyone = client.get("/api/presence", headers=auth(desk.sue)).json()["data"]
    team_a = client.get("/api/presence", headers=auth(desk.ann)).json()["data"]

    status = {p["display_name"]: p["status"] for p in everyone}
    assert (status["alice"], status["bob"], status["ann"]) == ("away", "online", "offline")
    assert {p["display_name"] for p in team_a} == {"alice", "ann"}


def test_capacity_and_switch_are_for_supervisors_with_sane_values(
    client: TestClient, desk: Desk
) -> None:
    url = f"/api/users/{desk.alice.id}/capacity"

    by_agent = client.put(url, json={"max_tickets": 5}, headers=auth(desk.alice))
    zero = client.put(url, json={"max_chats": 0}, headers=auth(desk.sue))
    negative = client.put(url, json={"max_tickets": -3}, headers=auth(desk.sue))
    fine = client.put(url, json={"max_chats": 2, "max_tickets": 8}, headers=auth(desk.sue))
    switch = client.put(
        f"/api/teams/{desk.team_a.id}/auto-assign", json={"enabled": True}, headers=auth(desk.ann)
    )
    bad_status = client.post("/api/presence", json={"status": "busy"}, headers=auth(desk.alice))

    assert by_agent.status_code == 403
    assert zero.status_code == 422 and "max_chats" in zero.text
    assert negative.status_code == 422 and "max_tickets" in negative.text
    assert fine.json()["max_chats"] == 2 and fine.json()["max_tickets"] == 8
    assert switch.status_code == 403
    assert bad_status.status_code == 422 and "status" in bad_status.text


def test_the_teams_list_shows_each_teams_switch(client: TestClient, desk: Desk) -> None:
    client.put(
        f"/api/teams/{desk.team_a.id}/auto-assign", json={"enabled": True}, headers=auth(desk.sue)
    )

    teams = client.get("/api/teams", headers=auth(desk.alice)).json()["data"]

    assert {t["id"]: t["auto_assign"] for t in teams} == {
        desk.team_a.id: True,
        desk.team_b.id: False,
    }
