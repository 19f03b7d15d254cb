"""Teams and users for the console's pickers, and the health check."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.helpers import Desk, auth


def test_agent_lists_teams(client: TestClient, desk: Desk) -> None:
    response = client.get("/api/teams", headers=auth(desk.alice))

    assert response.status_code == 200
    assert response.json()["count"] == 2
    assert {t["name"] for t in response.json()["data"]} == {"售后一组", "售后二组"}


def test_supervisor_lists_users(client: TestClient, desk: Desk) -> None:
    response = client.get("/api/users", headers=auth(desk.sue))

    assert response.status_code == 200
    assert [u["username"] for u in response.json()["data"]] == ["alice", "ann", "bob", "sue"]
    assert all("password_hash" not in u for u in response.json()["data"])


def test_agent_cannot_list_users_403(client: TestClient, desk: Desk) -> None:
    response = client.get("/api/users", headers=auth(desk.alice))

    assert response.status_code == 403


def test_healthz_answers_without_signing_in(client: TestClient) -> None:
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "up"}


def test_openapi_docs_are_served(client: TestClient) -> None:
    assert client.get("/docs").status_code == 200
    spec = client.get("/openapi.json").json()
    assert "/api/tickets/{number}/claim" in spec["paths"]
