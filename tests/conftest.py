"""Shared fixtures: a migrated database on SQLite and on PostgreSQL for every store test."""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator

import psycopg
import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from ticketing import migrate
from ticketing.db import make_engine, make_session_factory
from ticketing.models import Base

# The real Rasa and action servers, one pair for every test that asks for them.
pytest_plugins = ["tests.servers"]

POSTGRES_URL = os.environ.get(
    "KEFU_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def postgres_reachable() -> str | None:
    """None when the PostgreSQL test server answers, else why not."""
    url = make_url(POSTGRES_URL)
    try:
        psycopg.connect(
            host=url.host or "127.0.0.1",
            port=url.port or 5432,
            user=url.username or "postgres",
            dbname=url.database or "test",
            password=url.password or None,
            connect_timeout=3,
        ).close()
    except psycopg.OperationalError as exc:
        return str(exc).strip().splitlines()[0]
    return None


def require_postgres() -> None:
    """Skip when no PostgreSQL server is reachable; on CI that is a failure, not a skip."""
    reason = postgres_reachable()
    if reason is None:
        return
    if os.environ.get("CI"):
        pytest.fail(f"CI must reach PostgreSQL at {POSTGRES_URL}: {reason}")
    pytest.skip(f"no PostgreSQL server at {POSTGRES_URL}: {reason}")


def postgres_schema_engine(schema: str, **kwargs: object) -> Engine:
    """An engine whose connections live in their own schema, so test runs never collide."""
    return make_engine(POSTGRES_URL, connect_args={"options": f"-csearch_path={schema}"}, **kwargs)


@pytest.fixture(scope="session")
def sqlite_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    path = tmp_path_factory.mktemp("db") / "kefu.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate.upgrade(engine)
    yield engine
    engine.dispose()


@contextlib.contextmanager
def migrated_postgres_schema(prefix: str, **engine_kwargs: object) -> Iterator[tuple[str, Engine]]:
    """A new schema `<prefix>_<random>` on the PostgreSQL test server, migrated, and an engine
    whose connections live in it; the schema is dropped with all its rows afterwards."""
    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = make_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = postgres_schema_engine(schema, **engine_kwargs)
    try:
        migrate.upgrade(engine)
        yield schema, engine
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(scope="session")
def postgres_engine() -> Iterator[Engine]:
    require_postgres()
    with migrated_postgres_schema("kefu_test", pool_size=10) as (_, engine):
        yield engine


@pytest.fixture(
    params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)],
)
def engine(request: pytest.FixtureRequest) -> Iterator[Engine]:
    """A migrated, empty database: each test using it runs on SQLite and on PostgreSQL."""
    engine: Engine = request.getfixturevalue(f"{request.param}_engine")
    yield engine
    empty_database(engine)


def empty_database(engine: Engine) -> None:
    tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for name in tables:
                conn.execute(text(f"DELETE FROM {name}"))


@pytest.fixture
def session_factory(engine: Engine) -> sessionmaker[Session]:
    return make_session_factory(engine)


@pytest.fixture
def session(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session on the test database; the test commits what it wants to keep."""
    with session_factory() as session:
        yield session
        session.rollback()
