"""Signing in and the bearer token: who gets in, and who gets a 401."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from tests.api.helpers import SETTINGS, Desk, auth
from tests.factories import PASSWORD
from ticketing.api.security import create_access_token
from ticketing.clock import utcnow
from ticketing.models import User


def test_login_gives_a_bearer_token_that_says_who_i_am(client: TestClient, desk: Desk) -> None:
    response = client.post("/api/auth/token", data={"username": "alice", "password": PASSWORD})

    assert response.status_code == 200
    token = response.json()
    assert token["token_type"] == "bearer"
    me = client.get("/api/auth/me", headers={"Authorization": f"Bearer {token['access_token']}"})
    assert me.status_code == 200
    assert me.json()["username"] == "alice"
    assert me.json()["role"] == "agent"
    assert me.json()["team_id"] == desk.team_a.id
    assert "password_hash" not in me.json()


def test_wrong_password_is_refused_401(client: TestClient, desk: Desk) -> None:
    response = client.post("/api/auth/token", data={"username": "alice", "password": "nope-nope"})

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert "access_token" not in response.json()


def test_unknown_user_is_refused_like_a_wrong_password(client: TestClient) -> None:
    response = client.post("/api/auth/token", data={"username": "nobody", "password": PASSWORD})

    assert response.status_code == 401
    assert response.json()["detail"] == "wrong username or password"


def test_login_without_password_names_the_field(client: TestClient) -> None:
    response = client.post("/api/auth/token", data={"username": "alice"})

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "password"]


def test_request_without_token_is_401_with_www_authenticate(client: TestClient) -> None:
    response = client.get("/api/tickets")

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"


def test_expired_token_is_401(client: TestClient, desk: Desk) -> None:
    long_ago = utcnow() - timedelta(minutes=SETTINGS.access_token_minutes + 1)
    token = create_access_token(desk.alice.id, SETTINGS, now=long_ago)

    response = client.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"})

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == 'Bearer error="invalid_token"'


def test_forged_or_garbage_token_is_401(client: TestClient, desk: Desk) -> None:
    forged = SETTINGS.model_copy(update={"secret_key": "someone-elses-key-" + "x" * 40})
    for token in (
        create_access_token(desk.alice.id, forged),
        create_access_token(10**12, SETTINGS),
        "not-a-jwt",
        "a.b.c",
        "x" * 5000,
    ):
        response = client.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401, token[:40]


def test_deactivated_user_cannot_log_in_or_use_an_old_token(
    client: TestClient, desk: Desk, session_factory: sessionmaker[Session]
) -> None:
    old_token = auth(desk.alice)
    with session_factory.begin() as session:
        alice = session.get(User, desk.alice.id)
        assert alice is not None
        alice.is_active = False

    login = client.post("/api/auth/token", data={"username": "alice", "password": PASSWORD})
    me = client.get("/api/auth/me", headers=old_token)

    assert login.status_code == 401
    assert me.status_code == 401
