"""Issue 13, item 13 (in part): statuses the API gives that its OpenAPI description did not
name, and valid requests it refused. Every operation documents its refusals (api/errors.py
`documented`), and a report over an empty period (end == start) is answered, not refused.
(`{"ids": [false]}` is in test_id_bounds.py.)"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.helpers import Desk, auth
from ticketing.reports import REPORTS


def operations(client: TestClient) -> list[tuple[str, str, dict[str, Any]]]:
    spec = client.get("/openapi.json").json()
    return [
        (method.upper(), path, operation)
        for path, methods in spec["paths"].items()
        for method, operation in methods.items()
    ]


def test_every_operation_documents_the_refusals_it_can_give(client: TestClient, desk: Desk) -> None:
    missing = []
    for method, path, operation in operations(client):
        codes = set(operation["responses"])
        expected = {"503"}
        if operation.get("security"):
            expected.add("401")
        if "requestBody" in operation:
            expected |= {"413", "422"}
        if operation.get("parameters"):
            expected.add("422")
        if "{" in path and path.startswith(("/api/tickets", "/api/console/tickets")):
            expected |= {"404"}
        if not expected <= codes:
            missing.append((method, path, sorted(expected - codes)))

    assert missing == []


@pytest.mark.parametrize("name", sorted(REPORTS))
def test_a_report_over_an_empty_period_is_answered(
    client: TestClient, desk: Desk, name: str
) -> None:
    at = "2026-11-02T00:00:00+08:00"

    response = client.get(
        f"/api/reports/{name}", params={"start": at, "end": at}, headers=auth(desk.sue)
    )

    assert response.status_code == 200, response.text
    assert response.json()["start"] == response.json()["end"]
