"""/api/admin/users (issue 11): admins list, add, change, deactivate and reactivate users and
reset their passwords; everyone else gets 403; every field is checked with a 422 naming it."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from tests.api.helpers import Desk, auth, stored
from tests.factories import PASSWORD, make_user
from ticketing.models import Role, User

URL = "/api/admin/users"
STRONG = "plum-kettle-orbit-49"


@pytest.fixture
def admin(session_factory: sessionmaker[Session], desk: Desk) -> dict[str, str]:
    user = stored(session_factory, lambda s: make_user(s, Role.ADMIN, username="root.admin"))
    return auth(user)


def _login(client: TestClient, username: str, password: str = PASSWORD) -> int:
    response = client.post("/api/auth/token", data={"username": username, "password": password})
    return int(response.status_code)


def _field(response: Any) -> list[str]:
    assert response.status_code == 422, response.text
    loc: list[str] = response.json()["detail"][0]["loc"]
    return loc


def test_only_admins_may_use_it(client: TestClient, desk: Desk) -> None:
    for user in (desk.alice, desk.sue):
        assert client.get(URL, headers=auth(user)).status_code == 403
        created = client.post(URL, json={"username": "x.y", "password": STRONG}, headers=auth(user))
        assert created.status_code == 403
    assert client.get(URL).status_code == 401


def test_admin_lists_every_user_with_sign_in_state(
    client: TestClient, desk: Desk, admin: dict[str, str]
) -> None:
    response = client.get(URL, headers=admin)

    assert response.status_code == 200
    users = {u["username"]: u for u in response.json()["data"]}
    assert set(users) == {"alice", "ann", "bob", "sue", "root.admin"}
    assert users["alice"]["team_id"] == desk.team_a.id
    assert users["alice"]["failed_logins"] == 0 and users["alice"]["locked_until"] is None
    assert "password_hash" not in users["alice"]


def test_admin_adds_a_user_with_team_and_role_who_can_sign_in(
    client: TestClient, desk: Desk, admin: dict[str, str]
) -> None:
    body = {
        "username": "li.lei",
        "password": STRONG,
        "display_name": "李雷",
        "role": "supervisor",
        "team_id": desk.team_b.id,
    }

    response = client.post(URL, json=body, headers=admin)

    assert response.status_code == 201, response.text
    user = response.json()
    assert (user["role"], user["team_id"], user["display_name"]) == (
        "supervisor",
        desk.team_b.id,
        "李雷",
    )
    assert client.get(f"{URL}/{user['id']}", headers=admin).json()["username"] == "li.lei"
    assert _login(client, "li.lei", STRONG) == 200


def test_a_taken_username_is_409(client: TestClient, desk: Desk, admin: dict[str, str]) -> None:
    response = client.post(URL, json={"username": "alice", "password": STRONG}, headers=admin)

    assert response.status_code == 409
    assert "alice" in response.json()["detail"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"username": "a b", "password": STRONG}, "username"),
        ({"username": "li.lei", "password": "short"}, "password"),
        ({"username": "li.lei", "password": STRONG, "role": "boss"}, "role"),
        ({"username": "li.lei", "password": STRONG, "team_id": 999}, "team_id"),
        ({"username": "li.lei", "password": STRONG, "team_id": 2**31}, "team_id"),
        ({"username": "li.lei", "password": STRONG, "display_name": ""}, "display_name"),
        ({"username": "li.lei", "password": STRONG, "colour": "red"}, "colour"),
    ],
)
def test_bad_fields_are_422_naming_the_field(
    client: TestClient, admin: dict[str, str], body: dict[str, Any], field: str
) -> None:
    assert _field(client.post(URL, json=body, headers=admin))[-1] == field


def test_admin_changes_role_team_and_name(
    client: TestClient, desk: Desk, admin: dict[str, str]
) -> None:
    url = f"{URL}/{desk.alice.id}"

    moved = client.patch(
        url, json={"team_id": desk.team_b.id, "display_name": "Alice W"}, headers=admin
    )
    promoted = client.patch(url, json={"role": "supervisor"}, headers=admin)
    teamless = client.patch(url, json={"team_id": None}, headers=admin)

    assert moved.json()["team_id"] == desk.team_b.id and moved.json()["display_name"] == "Alice W"
    assert promoted.json()["role"] == "supervisor" and promoted.json()["team_id"] == desk.team_b.id
    assert teamless.json()["team_id"] is None and teamless.json()["role"] == "supervisor"
    assert _field(client.patch(url, json={"team_id": 999}, headers=admin)) == ["body", "team_id"]
    assert client.patch(f"{URL}/999", json={}, headers=admin).status_code == 404
    assert client.patch(f"{URL}/{2**31}", json={}, headers=admin).status_code == 422


def test_deactivated_users_cannot_sign_in_until_reactivated(
    client: TestClient, desk: Desk, admin: dict[str, str]
) -> None:
    off = client.post(f"{URL}/{desk.bob.id}/deactivate", headers=admin)
    refused = _login(client, "bob")
    on = client.post(f"{URL}/{desk.bob.id}/reactivate", headers=admin)

    assert off.json()["is_active"] is False and refused == 401
    assert on.json()["is_active"] is True and _login(client, "bob") == 200


def test_a_password_reset_works_and_lifts_a_lockout(
    client: TestClient, desk: Desk, admin: dict[str, str], session_factory: sessionmaker[Session]
) -> None:
    with session_factory.begin() as session:
        alice = session.get(User, desk.alice.id)
        assert alice is not None
        alice.failed_logins = 9
        alice.locked_until = alice.created_at.replace(year=2100)

    reset = client.post(f"{URL}/{desk.alice.id}/password", json={"password": STRONG}, headers=admin)

    assert reset.status_code == 204
    assert _login(client, "alice", PASSWORD) == 401
    assert _login(client, "alice", STRONG) == 200


def test_the_last_active_admin_cannot_be_demoted_or_deactivated(
    client: TestClient, admin: dict[str, str]
) -> None:
    me = client.get("/api/auth/me", headers=admin).json()

    demote = client.patch(f"{URL}/{me['id']}", json={"role": "agent"}, headers=admin)
    deactivate = client.post(f"{URL}/{me['id']}/deactivate", headers=admin)

    assert (demote.status_code, deactivate.status_code) == (409, 409)
    assert "last active admin" in demote.json()["detail"]


def test_the_routes_are_documented(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]

    assert {"get", "post"} <= set(paths[URL])
    assert set(paths[URL + "/{user_id}"]) == {"get", "patch"}
    for action in ("deactivate", "reactivate", "password"):
        assert "post" in paths[f"{URL}/{{user_id}}/{action}"]
    assert "409" in paths[URL]["post"]["responses"]
    assert "422" in paths[URL]["post"]["responses"]
