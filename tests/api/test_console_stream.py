"""The console's live stream: what it sends, to whom, from which cursor, in what shape."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlalchemy.orm import Session, sessionmaker

from tests.api.helpers import Desk, auth, stored, ticket_in
from ticketing import notifications
from ticketing.api import events as stream_events
from ticketing.api.routes import console_stream
from ticketing.api.security import TokenSubject
from ticketing.clock import utcnow
from ticketing.models import CallbackReason, CallbackTask, NotificationKind, Team, Ticket, User


@pytest.fixture
def quick_stream(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(console_stream, "POLL_SECONDS", 0.01)
    monkeypatch.setattr(console_stream, "STREAM_SECONDS", 0.2)


def read_stream(client: TestClient, user: User, last_event_id: str | None = None) -> list[Any]:
    headers = auth(user)
    if last_event_id is not None:
        headers["Last-Event-ID"] = last_event_id
    events: list[Any] = []
    with client.stream("GET", "/api/console/stream", headers=headers) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        name = None
        for line in response.iter_lines():
            if line.startswith("event: "):
                name = line.removeprefix("event: ")
            elif line.startswith("data: "):
                events.append((name, json.loads(line.removeprefix("data: "))))
    return events


def warn_and_call_back(
    session_factory: sessionmaker[Session], ticket: Ticket, users: list[User], team: Team
) -> None:
    """An SLA warning about `ticket` for `users`, and a call-back task for `team`."""
    at = utcnow()
    stored(
        session_factory,
        lambda s: notifications.notify(
            s, [u.id for u in users], NotificationKind.SLA_WARNING, at=at, ticket_id=ticket.id
        ),
    )
    stored(
        session_factory,
        lambda s: s.add(
            CallbackTask(
                dedupe_key="cb", reason=CallbackReason.NO_ANSWER, team_id=team.id, due_at=at
            )
        ),
    )


def test_stream_sends_what_the_user_may_see_after_the_cursor(
    client: TestClient, desk: Desk, session_factory: sessionmaker[Session], quick_stream: None
) -> None:
    ours = ticket_in(session_factory, desk.team_a)
    ticket_in(session_factory, desk.team_b)
    warn_and_call_back(session_factory, ours, [desk.alice, desk.bob], desk.team_b)

    events = read_stream(client, desk.alice, "e0.n0.c0")

    kinds = [name for name, _ in events]
    assert kinds[0] == "ready" and kinds[-1] == "ready"
    tickets = [data["ticket"] for name, data in events if name == "ticket"]
    assert tickets == [ours.number]  # team B's ticket is not Alice's business
    (note,) = [data for name, data in events if name == "notification"]
    assert note["kind"] == "sla_warning" and note["ticket"] == ours.number
    assert "callback" not in kinds  # team B's call-back
    assert events[-1][1]["cursor"].startswith("e")


def test_stream_without_a_cursor_starts_from_now(
    client: TestClient, desk: Desk, session_factory: sessionmaker[Session], quick_stream: None
) -> None:
    ticket_in(session_factory, desk.team_a)

    events = read_stream(client, desk.alice)

    assert {name for name, _ in events} == {"ready"}


def test_stream_needs_a_valid_token(client: TestClient) -> None:
    response = client.get("/api/console/stream", headers={"Authorization": "Bearer nope"})

    assert response.status_code == 401


def test_poll_moves_the_cursor_past_rows_the_user_may_not_see(
    desk: Desk, session_factory: sessionmaker[Session]
) -> None:
    cursor = console_stream.StreamCursor()
    ticket_in(session_factory, desk.team_b)

    assert console_stream.poll(session_factory, TokenSubject(desk.alice.id, 0), cursor) == []
    assert cursor.event > 0
    ours = ticket_in(session_factory, desk.team_a)
    found = console_stream.poll(session_factory, TokenSubject(desk.alice.id, 0), cursor)
    assert found is not None
    assert [(name, data["ticket"]) for name, data in found] == [("ticket", ours.number)]
    assert (
        console_stream.poll(session_factory, TokenSubject(desk.alice.id, 0), cursor) == []
    )  # nothing twice


def test_poll_ends_for_a_deactivated_user(
    desk: Desk, session_factory: sessionmaker[Session]
) -> None:
    def deactivate(session: Session) -> None:
        session.get_one(User, desk.alice.id).is_active = False

    stored(session_factory, deactivate)

    assert (
        console_stream.poll(
            session_factory, TokenSubject(desk.alice.id, 0), console_stream.StreamCursor()
        )
        is None
    )


@pytest.mark.parametrize("text", ["", "e1.n2", "x1.n2.c3", "e1.n2.c-3", "e" + "9" * 70])
def test_a_cursor_that_is_not_ours_is_ignored(text: str) -> None:
    assert console_stream.StreamCursor.parse(text) is None


def test_a_cursor_round_trips() -> None:
    cursor = console_stream.StreamCursor.parse("e12.n3.c45")

    assert cursor is not None and str(cursor) == "e12.n3.c45"
    assert not cursor.fresh("e", 12) and cursor.fresh("e", 13) and not cursor.fresh("e", 13)


def test_each_pushed_event_matches_its_schema(
    client: TestClient,
    desk: Desk,
    session_factory: sessionmaker[Session],
    quick_stream: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ours = ticket_in(session_factory, desk.team_a)
    warn_and_call_back(session_factory, ours, [desk.alice], desk.team_a)

    events = read_stream(client, desk.alice, "e0.n0.c0")
    monkeypatch.setattr(console_stream, "poll", lambda *_: None)  # as for a deactivated user
    events += read_stream(client, desk.alice, "e0.n0.c0")

    assert {name for name, _ in events} == set(stream_events.SCHEMAS)
    for name, data in events:
        event = stream_events.SCHEMAS[name].model_validate(data)
        assert event.wire() == (name, data)  # the schema writes back exactly what was sent
    with pytest.raises(ValidationError):
        stream_events.EventReady.model_validate({"cursor": "e1.n2.c3", "more": 1})
