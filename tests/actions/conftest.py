"""Fixtures for the action tests: a real, migrated SQLite store that the actions reach through
KEFU_DATABASE_URL, emptied after each test. No Rasa server is involved."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session, sessionmaker

from actions import db as actions_db
from tests.conftest import empty_database
from ticketing import migrate, triage
from ticketing.config import get_settings
from ticketing.db import make_engine


@pytest.fixture(scope="session")
def actions_database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('actions-db') / 'kefu.db'}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    return url


@pytest.fixture
def store(
    actions_database_url: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[sessionmaker[Session]]:
    """The session factory the actions use, on the test database."""
    monkeypatch.setenv("KEFU_DATABASE_URL", actions_database_url)
    get_settings.cache_clear()
    actions_db.reset()
    factory = actions_db.session_factory()
    try:
        yield factory
    finally:
        empty_database(factory.kw["bind"])
        actions_db.reset()
        get_settings.cache_clear()


@pytest.fixture
def store_down(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The actions' database does not answer (nothing listens on the port)."""
    monkeypatch.setenv("KEFU_DATABASE_URL", "postgresql+psycopg://kefu@127.0.0.1:9/kefu")
    monkeypatch.setenv("PGCONNECT_TIMEOUT", "2")
    get_settings.cache_clear()
    actions_db.reset()
    try:
        yield
    finally:
        actions_db.reset()
        get_settings.cache_clear()


@pytest.fixture
def triage_model() -> None:
    """Skips the test when the triage model has not been built (`make triage`)."""
    try:
        triage.pipeline()
    except triage.TriageModelMissing as exc:
        pytest.skip(f"{exc}")
