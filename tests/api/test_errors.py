"""What a client sees when things go wrong: 413, 409 on a version clash, a bare 500."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from fastapi import APIRouter, FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, update
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from tests.api.helpers import SETTINGS, Desk, auth, ticket_in
from ticketing import services
from ticketing.api.app import create_app
from ticketing.api.deps import CurrentUser, SessionDep
from ticketing.api.schemas import TicketPublic
from ticketing.clock import utcnow
from ticketing.models import Ticket

TOO_BIG = SETTINGS.max_body_bytes + 1


def test_oversized_body_is_refused_413(client: TestClient, desk: Desk) -> None:
    response = client.post(
        "/api/tickets",
        json={"subject": "big", "description": "x" * TOO_BIG},
        headers=auth(desk.alice),
    )

    assert response.status_code == 413
    assert "larger than" in response.json()["detail"]
    assert client.get("/api/tickets", headers=auth(desk.alice)).json()["count"] == 0


def test_oversized_streamed_body_without_length_is_refused_413(
    client: TestClient, desk: Desk
) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"subject": "big", "description": "'
        for _ in range(TOO_BIG // 1024 + 1):
            yield b"x" * 1024
        yield b'"}'

    response = client.post(
        "/api/tickets",
        content=chunks(),
        headers={**auth(desk.alice), "Content-Type": "application/json"},
    )

    assert response.status_code == 413
    assert client.get("/api/tickets", headers=auth(desk.alice)).json()["count"] == 0


def test_body_longer_than_its_content_length_is_refused_413(client: TestClient, desk: Desk) -> None:
    response = client.post(
        "/api/tickets",
        content=b'{"subject": "' + b"x" * TOO_BIG + b'"}',
        headers={**auth(desk.alice), "Content-Type": "application/json", "Content-Length": "20"},
    )

    assert response.status_code == 413


def test_oversized_login_form_is_refused_413(client: TestClient) -> None:
    response = client.post("/api/auth/token", data={"username": "alice", "password": "p" * TOO_BIG})

    assert response.status_code == 413


def test_content_length_that_is_not_a_number_is_400(client: TestClient, desk: Desk) -> None:
    response = client.post(
        "/api/tickets",
        content=b'{"subject": "hi"}',
        headers={**auth(desk.alice), "Content-Type": "application/json", "Content-Length": "ten"},
    )

    assert response.status_code == 400


def test_login_name_with_nul_is_refused_like_a_wrong_password(client: TestClient) -> None:
    response = client.post("/api/auth/token", data={"username": "ali\x00ce", "password": "x" * 9})

    assert response.status_code == 401


@pytest.fixture
def fragile_app(session_factory: sessionmaker[Session]) -> FastAPI:
    """The API plus routes that fail the ways real code can."""
    app = create_app(SETTINGS, session_factory)
    router = APIRouter()

    @router.post("/test/boom/{number}")
    def boom(session: SessionDep, user: CurrentUser, number: str) -> None:
        services.add_note(
            session, services.access_ticket(session, user, number), services.Actor.of(user), "x"
        )
        raise RuntimeError("secret internals: /srv/kefu/db password=hunter2")

    @router.post("/test/stale")
    def stale(_user: CurrentUser) -> None:
        raise StaleDataError("UPDATE statement on table 'tickets' expected to update 1 row(s)")

    @router.post("/test/clash/{number}")
    def clash(session: SessionDep, user: CurrentUser, number: str) -> TicketPublic:
        ticket = services.access_ticket(session, user, number)
        # Another agent's change commits between our read and our write.
        engine = session.get_bind()
        assert isinstance(engine, Engine)
        with engine.begin() as other:
            other.execute(
                update(Ticket).where(Ticket.id == ticket.id).values(version=Ticket.version + 1)
            )
        services.add_note(session, ticket, services.Actor.of(user), "我来处理")
        session.flush()
        return TicketPublic.of(ticket, utcnow())

    app.include_router(router)
    return app


def test_unexpected_error_is_500_without_internals_and_rolls_back(
    fragile_app: FastAPI,
    desk: Desk,
    session_factory: sessionmaker[Session],
    caplog: pytest.LogCaptureFixture,
) -> None:
    ticket = ticket_in(session_factory, desk.team_a)
    with TestClient(fragile_app, raise_server_exceptions=False) as client:
        with caplog.at_level(logging.ERROR, logger="ticketing.api"):
            response = client.post(f"/test/boom/{ticket.number}", headers=auth(desk.alice))
        detail = client.get(f"/api/tickets/{ticket.number}", headers=auth(desk.alice)).json()

    assert response.status_code == 500
    assert response.json() == {"detail": "internal error"}
    assert "hunter2" not in response.text
    assert "Traceback" not in response.text
    assert "unhandled error on POST" in caplog.text
    assert detail["messages"] == []  # the note made before the error was rolled back


def test_version_clash_is_409(fragile_app: FastAPI, desk: Desk) -> None:
    with TestClient(fragile_app) as client:
        response = client.post("/test/stale", headers=auth(desk.alice))

    assert response.status_code == 409
    assert "reload" in response.json()["detail"]


# PostgreSQL only: SQLite takes its write lock at BEGIN, so no second writer can slip in.
@pytest.mark.postgres
@pytest.mark.parametrize("engine", ["postgres"], indirect=True)
def test_concurrent_change_is_409_and_stores_nothing(
    fragile_app: FastAPI, desk: Desk, session_factory: sessionmaker[Session]
) -> None:
    ticket = ticket_in(session_factory, desk.team_a)
    with TestClient(fragile_app) as client:
        response = client.post(f"/test/clash/{ticket.number}", headers=auth(desk.alice))
        detail = client.get(f"/api/tickets/{ticket.number}", headers=auth(desk.alice)).json()

    assert response.status_code == 409
    assert detail["messages"] == []
