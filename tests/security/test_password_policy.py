"""Issue 13, finding 6: weak passwords are refused wherever a password is set (the command
line, the admin API, a reset), and production refuses a short signing key."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from tests.api.helpers import SETTINGS, Desk, auth, stored
from tests.factories import make_user
from ticketing import accounts, cli, demo
from ticketing.api.app import create_app
from ticketing.config import Settings, get_settings
from ticketing.errors import InvalidInput
from ticketing.models import Role, User

WEAK = ["password", "12345678", "passwordpassword", "qwertyuiop123", "kefukefukefu"]


def _admin(session_factory: sessionmaker[Session]) -> User:
    return stored(session_factory, lambda s: make_user(s, Role.ADMIN, username="root.admin"))


@pytest.mark.parametrize("password", [*WEAK, "alice.wong2026"])  # the last: the username
def test_weak_passwords_are_refused_in_the_store(session: Session, password: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        accounts.create_user(session, "alice.wong", password)

    assert refused.value.field == "password"


def test_admin_api_refuses_a_weak_password_naming_the_field(
    client: TestClient, desk: Desk, session_factory: sessionmaker[Session]
) -> None:
    admin = auth(_admin(session_factory))
    for password in WEAK:
        created = client.post(
            "/api/admin/users", json={"username": "li.lei", "password": password}, headers=admin
        )
        reset = client.post(
            f"/api/admin/users/{desk.alice.id}/password",
            json={"password": password},
            headers=admin,
        )
        for response in (created, reset):
            assert response.status_code == 422, (password, response.text)
            assert response.json()["detail"][0]["loc"] == ["body", "password"]


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("KEFU_DATABASE_URL", f"sqlite:///{tmp_path / 'kefu.db'}")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_the_command_line_refuses_a_weak_password(database: None) -> None:
    runner = CliRunner()
    assert runner.invoke(cli.app, ["db", "upgrade"]).exit_code == 0

    result = runner.invoke(
        cli.app, ["user", "add", "li.na", "--password-stdin"], input="12345678\n"
    )

    assert result.exit_code == 1
    assert "password" in result.stderr and "Traceback" not in result.stderr


def test_the_demo_password_meets_the_policy_for_every_demo_user(session: Session) -> None:
    for spec in demo.DEMO_USERS:
        user = accounts.create_user(
            session, spec.username, demo.DEMO_PASSWORD, display_name=spec.display_name
        )
        assert user.id is not None


@pytest.mark.parametrize("key", ["x", "k" * 31, "密钥" * 5])
def test_production_refuses_a_signing_key_under_32_bytes(key: str) -> None:
    settings = Settings(environment="production", secret_key=key, _env_file=None)

    with pytest.raises(RuntimeError, match="32 bytes"):
        settings.secret()
    with pytest.raises(RuntimeError, match="32 bytes"):
        create_app(settings.model_copy(update={"database_url": SETTINGS.database_url}))


def test_production_takes_a_32_byte_key() -> None:
    key = "0123456789abcdef" * 2
    assert Settings(environment="production", secret_key=key, _env_file=None).secret() == key
