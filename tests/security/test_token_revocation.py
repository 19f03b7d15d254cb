"""Issue 13, finding 5: a token must stop working at sign-out and when its user's password,
role or active state changes; tokens are not issued for longer than a working shift."""

from __future__ import annotations

from datetime import timedelta

import jwt
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from tests.api.helpers import SETTINGS, Desk, stored
from tests.factories import PASSWORD, make_user
from ticketing.clock import utcnow
from ticketing.config import Settings
from ticketing.models import Role, User

NEW_PASSWORD = "plum-kettle-orbit-49"


def _sign_in(client: TestClient, username: str, password: str = PASSWORD) -> dict[str, str]:
    response = client.post("/api/auth/token", data={"username": username, "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def _admin(session_factory: sessionmaker[Session]) -> User:
    return stored(session_factory, lambda s: make_user(s, Role.ADMIN, username="root.admin"))


def test_logout_ends_the_token(client: TestClient, desk: Desk) -> None:
    token = _sign_in(client, "alice")

    response = client.post("/api/auth/logout", headers=token)

    assert response.status_code == 204
    assert client.get("/api/auth/me", headers=token).status_code == 401
    assert client.get("/api/tickets", headers=token).status_code == 401
    assert client.get("/api/auth/me", headers=_sign_in(client, "alice")).status_code == 200


def test_a_password_reset_ends_the_old_tokens(
    client: TestClient, desk: Desk, session_factory: sessionmaker[Session]
) -> None:
    old = _sign_in(client, "alice")
    admin = _sign_in(client, _admin(session_factory).username)

    reset = client.post(
        f"/api/admin/users/{desk.alice.id}/password",
        json={"password": NEW_PASSWORD},
        headers=admin,
    )

    assert reset.status_code == 204, reset.text
    assert client.get("/api/auth/me", headers=old).status_code == 401
    assert client.get("/api/auth/me", headers=_sign_in(client, "alice", NEW_PASSWORD)).is_success


def test_a_role_change_ends_the_old_tokens(
    client: TestClient, desk: Desk, session_factory: sessionmaker[Session]
) -> None:
    old = _sign_in(client, "sue")
    admin = _sign_in(client, _admin(session_factory).username)

    change = client.patch(f"/api/admin/users/{desk.sue.id}", json={"role": "agent"}, headers=admin)

    assert change.status_code == 200, change.text
    assert client.get("/api/reports", headers=old).status_code == 401
    assert client.get("/api/auth/me", headers=old).status_code == 401


def test_deactivation_ends_the_tokens_at_once(
    client: TestClient, desk: Desk, session_factory: sessionmaker[Session]
) -> None:
    old = _sign_in(client, "bob")
    admin = _sign_in(client, _admin(session_factory).username)

    off = client.post(f"/api/admin/users/{desk.bob.id}/deactivate", headers=admin)
    on = client.post(f"/api/admin/users/{desk.bob.id}/reactivate", headers=admin)

    assert (off.status_code, on.status_code) == (200, 200)
    # Reactivation lets bob sign in again, but the token from before stays dead.
    assert client.get("/api/auth/me", headers=old).status_code == 401
    assert client.get("/api/auth/me", headers=_sign_in(client, "bob")).status_code == 200


def test_a_token_without_a_version_is_refused(client: TestClient, desk: Desk) -> None:
    now = utcnow()
    unversioned = jwt.encode(
        {"sub": str(desk.alice.id), "iat": now, "exp": now + timedelta(minutes=5)},
        SETTINGS.secret(),
        algorithm="HS256",
    )

    response = client.get("/api/auth/me", headers={"Authorization": f"Bearer {unversioned}"})

    assert response.status_code == 401


def test_tokens_last_one_working_shift_at_most_by_default() -> None:
    assert Settings(_env_file=None).access_token_minutes <= 8 * 60
