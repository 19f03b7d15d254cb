"""Issue 13, item 4 (the login flood): the desk's busiest lists read without SQLite's write lock.

Every request used to open `BEGIN IMMEDIATE`, so an agent's ticket list queued behind each
sign-in's failure count, chat message and worker batch (and held them up in turn). The ticket
list and the console's queue and counts now read in a deferred transaction: while another
connection holds the write lock, they answer at once instead of waiting out busy_timeout."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.api.helpers import SETTINGS, auth, make_desk, ticket_in
from tests.conftest import empty_database
from ticketing.api.app import create_app
from ticketing.db import make_session_factory

READS = ("/api/tickets", "/api/console/tickets?queue=team", "/api/console/queues")


@pytest.fixture
def sqlite_desk(sqlite_engine: Engine) -> Iterator[tuple[TestClient, dict[str, str]]]:
    factory = make_session_factory(sqlite_engine)
    desk = make_desk(factory)
    ticket_in(factory, desk.team_a)
    with TestClient(create_app(SETTINGS, factory)) as client:
        yield client, auth(desk.alice)
    empty_database(sqlite_engine)


@pytest.mark.parametrize("path", READS)
def test_a_list_answers_while_a_writer_holds_the_lock(
    sqlite_desk: tuple[TestClient, dict[str, str]], sqlite_engine: Engine, path: str
) -> None:
    client, headers = sqlite_desk
    writer = sqlite_engine.raw_connection()
    cursor = writer.cursor()
    try:
        cursor.execute("BEGIN IMMEDIATE")  # as a sign-in's failure count does
        started = time.monotonic()
        response = client.get(path, headers=headers)
        waited = time.monotonic() - started
    finally:
        cursor.execute("ROLLBACK")
        writer.close()

    assert response.status_code == 200, response.text
    assert waited < 5  # busy_timeout is 10 s: a list that queued for the lock waits it out
