"""The audit trail's API: supervisors read it, newest first, filtered and paged; agents cannot."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from tests.api.helpers import Desk, auth, stored
from ticketing import audit


def _three_entries(session_factory: sessionmaker[Session], desk: Desk) -> None:
    def build(session: Session) -> None:
        audit.record(session, "auth.login", actor=desk.alice, address="10.0.0.7")
        audit.record(session, "auth.login_failed", actor="mallory", address="10.0.0.9")
        audit.record(
            session,
            "user.update",
            actor=desk.sue,
            target_type="user",
            target_id=desk.alice.id,
            before={"role": "agent"},
            after={"role": "supervisor"},
        )

    stored(session_factory, build)


def test_supervisor_reads_the_trail_newest_first(
    client: TestClient, desk: Desk, session_factory: sessionmaker[Session]
) -> None:
    _three_entries(session_factory, desk)

    response = client.get("/api/audit", headers=auth(desk.sue))

    assert response.status_code == 200
    entries = response.json()["data"]
    assert [e["action"] for e in entries] == ["user.update", "auth.login_failed", "auth.login"]
    assert entries[0]["actor_name"] == "sue"
    assert entries[0]["target_id"] == str(desk.alice.id)
    assert entries[0]["before"] == {"role": "agent"}
    assert entries[1]["actor_user_id"] is None
    assert entries[1]["address"] == "10.0.0.9"


def test_trail_filters_and_pages(
    client: TestClient, desk: Desk, session_factory: sessionmaker[Session]
) -> None:
    _three_entries(session_factory, desk)
    headers = auth(desk.sue)

    failed = client.get("/api/audit", params={"action": "auth.login_failed"}, headers=headers)
    first = client.get("/api/audit", params={"limit": 1}, headers=headers).json()["data"]
    rest = client.get("/api/audit", params={"before_id": first[0]["id"]}, headers=headers).json()[
        "data"
    ]

    assert [e["actor_name"] for e in failed.json()["data"]] == ["mallory"]
    assert [e["action"] for e in rest] == ["auth.login_failed", "auth.login"]


def test_agent_cannot_read_the_trail(client: TestClient, desk: Desk) -> None:
    assert client.get("/api/audit", headers=auth(desk.alice)).status_code == 403


def test_out_of_range_id_is_a_422(client: TestClient, desk: Desk) -> None:
    response = client.get("/api/audit", params={"before_id": 2**63}, headers=auth(desk.sue))

    assert response.status_code == 422
    assert "before_id" in response.text
