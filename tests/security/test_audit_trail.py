"""Issue 13, finding 7: the audit trail says who did what, when and from where for sign-ins,
failed sign-ins, lockouts, user and role changes, CSV exports and reads of a customer's full
profile; supervisors read it at /api/audit."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from tests.api.helpers import SETTINGS, Desk, auth, stored
from tests.factories import PASSWORD, make_customer, make_ticket, make_user
from ticketing import cli
from ticketing.config import get_settings
from ticketing.db import make_engine, make_session_factory
from ticketing.models import AuditEntry, Role, Ticket

ADDRESS = "testclient"  # the address Starlette's TestClient connects from


def _trail(client: TestClient, desk: Desk, **params: Any) -> list[dict[str, Any]]:
    response = client.get("/api/audit", params=params, headers=auth(desk.sue))
    assert response.status_code == 200
    entries: list[dict[str, Any]] = response.json()["data"]
    return entries


def test_sign_ins_failures_and_lockouts_are_in_the_trail(client: TestClient, desk: Desk) -> None:
    assert client.post("/api/auth/token", data={"username": "ann", "password": PASSWORD}).is_success
    for _ in range(SETTINGS.login_lockout_failures):
        client.post("/api/auth/token", data={"username": "alice", "password": "wrong-one-123"})

    login = _trail(client, desk, action="auth.login")
    failed = _trail(client, desk, action="auth.login_failed")
    locked = _trail(client, desk, action="auth.lockout")

    assert [(e["actor_name"], e["actor_user_id"], e["address"]) for e in login] == [
        ("ann", desk.ann.id, ADDRESS)
    ]
    assert len(failed) == SETTINGS.login_lockout_failures
    assert {(e["actor_name"], e["target_id"], e["address"]) for e in failed} == {
        ("alice", str(desk.alice.id), ADDRESS)
    }
    assert [(e["target_type"], e["target_id"]) for e in locked] == [("user", str(desk.alice.id))]
    assert locked[0]["after"]["locked_until"]
    # Nothing secret is kept: no password was typed into any row.
    assert "wrong-one-123" not in str(failed + locked)


def test_user_and_role_changes_have_before_and_after(
    client: TestClient, desk: Desk, session_factory: sessionmaker[Session]
) -> None:
    admin = stored(session_factory, lambda s: make_user(s, Role.ADMIN, username="root.admin"))
    headers = auth(admin)

    created = client.post(
        "/api/admin/users",
        json={"username": "li.lei", "password": "plum-kettle-orbit-49", "role": "agent"},
        headers=headers,
    ).json()
    client.patch(f"/api/admin/users/{created['id']}", json={"role": "supervisor"}, headers=headers)

    create, update = (_trail(client, desk, action=a)[0] for a in ("user.create", "user.update"))
    assert (create["actor_name"], create["target_id"]) == ("root.admin", str(created["id"]))
    assert create["after"]["role"] == "agent" and "password" not in str(create)
    assert update["before"] == {"role": "agent"}
    assert update["after"] == {"role": "supervisor"}
    assert update["address"] == ADDRESS


def test_the_command_line_user_add_is_in_the_trail(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'kefu.db'}"
    monkeypatch.setenv("KEFU_DATABASE_URL", url)
    get_settings.cache_clear()
    try:
        runner = CliRunner()
        runner.invoke(cli.app, ["db", "upgrade"])
        added = runner.invoke(
            cli.app, ["user", "add", "li.na", "--password-stdin"], input="plum-kettle-orbit-49\n"
        )
        assert added.exit_code == 0, added.stderr
    finally:
        get_settings.cache_clear()
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        rows = session.scalars(select(AuditEntry).where(AuditEntry.action == "user.create")).all()
    engine.dispose()
    assert [(r.actor_name, r.address, r.after and r.after["role"]) for r in rows] == [
        ("cli", None, "agent")
    ]


def test_csv_exports_are_in_the_trail(client: TestClient, desk: Desk) -> None:
    response = client.get(
        "/api/reports/sla.csv",
        params={"start": "2026-11-01T00:00:00+08:00", "end": "2026-12-01T00:00:00+08:00"},
        headers=auth(desk.sue),
    )

    assert response.status_code == 200
    [entry] = _trail(client, desk, action="report.export")
    assert (entry["actor_name"], entry["target_id"], entry["address"]) == ("sue", "sla", ADDRESS)
    assert entry["after"]["start"].startswith("2026-1")


def test_reading_a_customers_full_profile_is_in_the_trail(
    client: TestClient, desk: Desk, session_factory: sessionmaker[Session]
) -> None:
    def build(session: Session) -> Ticket:
        return make_ticket(
            session, customer=make_customer(session), team=session.merge(desk.team_a)
        )

    ticket = stored(session_factory, build)

    panel = client.get(f"/api/console/tickets/{ticket.number}/customer", headers=auth(desk.alice))

    assert panel.status_code == 200
    [entry] = _trail(client, desk, action="customer.view")
    assert (entry["actor_user_id"], entry["target_type"]) == (desk.alice.id, "customer")
    assert entry["target_id"] == str(panel.json()["id"])
    assert entry["address"] == ADDRESS


def test_agents_cannot_read_the_trail(client: TestClient, desk: Desk) -> None:
    assert client.get("/api/audit", headers=auth(desk.alice)).status_code == 403
