"""Fixtures for the desk API: a TestClient whose sessions use the test database."""

from __future__ import annotations

import warnings
from collections.abc import Iterator

import pytest
from argon2 import PasswordHasher
from sqlalchemy.orm import Session, sessionmaker
from starlette.exceptions import StarletteDeprecationWarning

with warnings.catch_warnings():
    # Starlette's TestClient would rather have httpx2, which the app lock does not carry yet;
    # it works on httpx 0.28 and only warns, once, at import.
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

from tests.api.helpers import SETTINGS, Desk, make_desk
from ticketing import passwords
from ticketing.api.app import create_app


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    # Production argon2 costs ~0.25 s a hash; these tests make hundreds of users.
    monkeypatch.setattr(
        passwords, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    )


@pytest.fixture
def client(session_factory: sessionmaker[Session]) -> Iterator[TestClient]:
    with TestClient(create_app(SETTINGS, session_factory)) as client:
        yield client


@pytest.fixture
def desk(session_factory: sessionmaker[Session]) -> Desk:
    return make_desk(session_factory)
