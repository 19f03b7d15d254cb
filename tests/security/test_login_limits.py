"""Issue 13, finding 4: a flood of sign-ins must not stall the desk. Attempts are limited per
client address and per username (429 with Retry-After), an account locks after repeated wrong
passwords (rows, audited), and no password is hashed inside a write transaction."""

from __future__ import annotations

import os
import sqlite3
import uuid
from collections.abc import Iterator
from datetime import timedelta

import limits
import pytest
import redis
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from tests.api.helpers import SETTINGS, Desk, make_desk
from tests.conftest import empty_database
from tests.factories import PASSWORD
from ticketing.api.app import create_app
from ticketing.api.throttle import LoginThrottle
from ticketing.clock import utcnow
from ticketing.db import make_session_factory
from ticketing.models import AuditEntry, User

TOKEN = "/api/auth/token"
REDIS_URL = os.environ.get("KEFU_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _login(client: TestClient, username: str, password: str = "wrong-password-1") -> int:
    response = client.post(TOKEN, data={"username": username, "password": password})
    return int(response.status_code)


def _client_from(app: object, address: str) -> TestClient:
    return TestClient(app, client=(address, 50000))  # type: ignore[arg-type]


def test_a_flood_from_one_address_is_refused_429_with_retry_after(
    client: TestClient, desk: Desk
) -> None:
    allowed = limits.parse(SETTINGS.login_limit_per_address).amount
    statuses = [_login(client, f"guess{i}") for i in range(allowed + 5)]

    assert statuses == [401] * allowed + [429] * 5
    refused = client.post(TOKEN, data={"username": "alice", "password": PASSWORD})
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert "access_token" not in refused.json()


def test_one_username_is_limited_whatever_the_address(
    session_factory: sessionmaker[Session], desk: Desk
) -> None:
    app = create_app(SETTINGS, session_factory)
    statuses = []
    for i in range(15):
        with _client_from(app, f"10.0.0.{i + 1}") as client:
            statuses.append(_login(client, "no-such-user"))

    allowed = limits.parse(SETTINGS.login_limit_per_user).amount
    assert statuses == [401] * allowed + [429] * (15 - allowed)


def test_repeated_wrong_passwords_lock_the_account_in_rows_and_the_trail(
    session_factory: sessionmaker[Session], desk: Desk
) -> None:
    app = create_app(SETTINGS, session_factory)
    for i in range(SETTINGS.login_lockout_failures):
        with _client_from(app, f"10.1.0.{i + 1}") as client:
            assert _login(client, "alice") == 401

    # The right password from a new address, after a restart (a new app): still locked.
    with _client_from(create_app(SETTINGS, session_factory), "10.2.0.1") as client:
        locked = client.post(TOKEN, data={"username": "alice", "password": PASSWORD})

    assert locked.status_code == 429
    wait = int(locked.headers["Retry-After"])
    assert 60 < wait <= SETTINGS.login_lockout_minutes * 60
    with session_factory() as session:
        alice = session.get(User, desk.alice.id)
        assert alice is not None and alice.locked_until is not None
        assert alice.failed_logins == SETTINGS.login_lockout_failures
        actions = session.scalars(
            select(AuditEntry.action).where(AuditEntry.target_id == str(desk.alice.id))
        ).all()
    assert actions.count("auth.lockout") == 1
    assert actions.count("auth.login_failed") == SETTINGS.login_lockout_failures


def test_the_lock_lifts_after_a_while_and_a_good_sign_in_clears_the_count(
    session_factory: sessionmaker[Session], client: TestClient, desk: Desk
) -> None:
    with session_factory.begin() as session:
        alice = session.get(User, desk.alice.id)
        assert alice is not None
        alice.failed_logins = SETTINGS.login_lockout_failures
        alice.locked_until = utcnow() - timedelta(seconds=1)

    assert _login(client, "alice", PASSWORD) == 200

    with session_factory() as session:
        alice = session.get(User, desk.alice.id)
        assert alice is not None
        assert (alice.failed_logins, alice.locked_until) == (0, None)


@pytest.fixture
def sqlite_factory(sqlite_engine: Engine) -> Iterator[sessionmaker[Session]]:
    yield make_session_factory(sqlite_engine)
    empty_database(sqlite_engine)


def test_no_password_is_hashed_inside_a_write_transaction(
    sqlite_engine: Engine,
    sqlite_factory: sessionmaker[Session],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    make_desk(sqlite_factory)
    database = sqlite_engine.url.database
    assert database is not None
    writable_while_hashing: list[bool] = []
    real_verify = PasswordHasher.verify

    def probing_verify(self: PasswordHasher, hash: str | bytes, password: str | bytes) -> bool:
        # While the password is checked, another writer must get the SQLite write lock at once.
        probe = sqlite3.connect(database, timeout=0, isolation_level=None)
        try:
            probe.execute("BEGIN IMMEDIATE")
            probe.execute("ROLLBACK")
            writable_while_hashing.append(True)
        except sqlite3.OperationalError:
            writable_while_hashing.append(False)
        finally:
            probe.close()
        return real_verify(self, hash, password)

    monkeypatch.setattr(PasswordHasher, "verify", probing_verify)
    with TestClient(create_app(SETTINGS, sqlite_factory)) as client:
        assert _login(client, "alice") == 401
        assert _login(client, "alice", PASSWORD) == 200

    assert writable_while_hashing == [True, True]


def test_the_limits_are_shared_through_redis_when_configured() -> None:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        pytest.skip(f"no Redis at {REDIS_URL}: {exc}")
    settings = SETTINGS.model_copy(
        update={"redis_url": REDIS_URL, "login_limit_per_user": "3/minute"}
    )
    prefix = f"kefu-test-{uuid.uuid4().hex}"
    # Two web processes: two throttles on one Redis count the same attempts.
    first, second = (LoginThrottle(settings, key_prefix=prefix) for _ in range(2))
    try:
        waits = [first.hit("alice", "10.9.0.1"), second.hit("alice", "10.9.0.2")]
        waits += [first.hit("alice", "10.9.0.3"), second.hit("alice", "10.9.0.4")]
    finally:
        first.reset()

    assert waits[:3] == [None, None, None]
    assert waits[3] is not None and 1 <= waits[3] <= 60
