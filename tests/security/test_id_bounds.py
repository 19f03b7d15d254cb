"""Issue 13, item 12: ids past 64 bits gave 500 (OverflowError from SQLite). Every id a client
gives is validated as the others are: a number from 1 to 2**31 - 1, not a boolean."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.helpers import Desk, auth

HUGE = 9223372036854775808  # 2**63: past what SQLite's integers hold
BIG = 2**31  # past the database's 32-bit ids


@pytest.mark.parametrize("value", [HUGE, BIG, 0, -1])
@pytest.mark.parametrize(
    ("method", "path", "field"),
    [
        ("get", "/api/notifications?before_id={}", "before_id"),
        ("get", "/api/escalations?team_id={}", "team_id"),
        ("get", "/api/reports/sla?team_id={}", "team_id"),
        ("get", "/api/reports/sla?agent_id={}", "agent_id"),
        ("get", "/api/reports/sla.csv?agent_id={}", "agent_id"),
        ("post", "/api/callbacks/{}/outcome", "task_id"),
    ],
)
def test_an_id_out_of_range_is_refused_naming_it(
    client: TestClient, desk: Desk, method: str, path: str, field: str, value: int
) -> None:
    kwargs: dict[str, Any] = {"headers": auth(desk.sue)}
    if method == "post":
        kwargs["json"] = {"outcome": "reached"}
    response = client.request(method, path.format(value), **kwargs)

    assert response.status_code == 422, response.text
    assert field in {str(part) for e in response.json()["detail"] for part in e["loc"]}


@pytest.mark.parametrize("ids", [[HUGE], [BIG], [0], [False], [True], [1, HUGE]])
def test_notification_ids_out_of_range_or_booleans_are_refused(
    client: TestClient, desk: Desk, ids: list[Any]
) -> None:
    response = client.post("/api/notifications/read", json={"ids": ids}, headers=auth(desk.alice))

    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"][:2] == ["body", "ids"]


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/tickets", {"subject": "x", "team_id": False}),
        ("/api/tickets", {"subject": "x", "customer_id": True}),
    ],
)
def test_a_boolean_is_not_an_id(
    client: TestClient, desk: Desk, path: str, body: dict[str, Any]
) -> None:
    response = client.post(path, json=body, headers=auth(desk.sue))

    assert response.status_code == 422, response.text


def test_ids_in_range_still_work(client: TestClient, desk: Desk) -> None:
    sue = auth(desk.sue)
    assert client.get("/api/notifications?before_id=2147483647", headers=sue).status_code == 200
    read = client.post("/api/notifications/read", json={"ids": [1, 2147483647]}, headers=sue)
    assert read.status_code == 200
    assert client.get(f"/api/escalations?team_id={desk.team_a.id}", headers=sue).status_code == 200
    assert client.get(f"/api/reports/sla?agent_id={desk.alice.id}", headers=sue).status_code == 200
