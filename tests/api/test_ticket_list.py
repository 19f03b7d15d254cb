"""The ticket list: who sees what, filters, search and keyset pagination."""

from __future__ import annotations

import base64
import json
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from tests.api.helpers import Desk, auth, numbers, stored, ticket_in
from tests.factories import make_policy
from ticketing import services
from ticketing.clock import utcnow
from ticketing.models import Channel, Priority, Status, Ticket


def test_agent_cannot_see_other_teams_ticket(
    client: TestClient, desk: Desk, session_factory: sessionmaker[Session]
) -> None:
    mine = ticket_in(session_factory, desk.team_a, subject="A 组的单")
    theirs = ticket_in(session_factory, desk.team_b, subject="B 组的单")
    unteamed = ticket_in(session_factory, subject="还没分组")

    listed = client.get("/api/tickets", headers=auth(desk.alice)).json()
    detail = client.get(f"/api/tickets/{theirs.number}", headers=auth(desk.alice))

    assert set(numbers(listed)) == {mine.number, unteamed.number}
    assert listed["count"] == 2
    assert detail.status_code == 404
    assert detail.json() == client.get("/api/tickets/T-999999", headers=auth(desk.alice)).json() | {
        "detail": f"no ticket {theirs.number}"
    }


def test_supervisor_sees_every_ticket(
    client: TestClient, desk: Desk, session_factory: sessionmaker[Session]
) -> None:
    for team in (desk.team_a, desk.team_b, None):
        ticket_in(session_factory, team)

    listed = client.get("/api/tickets", headers=auth(desk.sue)).json()

    assert listed["count"] == 3


def test_list_shows_number_sla_due_times_and_flags(
    client: TestClient, desk: Desk, session_factory: sessionmaker[Session]
) -> None:
    stored(session_factory, lambda s: make_policy(s, first_response=60))
    started = utcnow() - timedelta(hours=2)
    ticket = ticket_in(session_factory, desk.team_a, at=started)

    [row] = client.get("/api/tickets", headers=auth(desk.alice)).json()["data"]

    assert row["number"] == ticket.number
    assert row["number"].startswith("T-0")
    assert row["first_response_due_at"].endswith("Z")
    assert row["first_response_due_at"] == (started + timedelta(hours=1)).isoformat().replace(
        "+00:00", "Z"
    )
    assert row["sla_breached"] == {
        "first_response": True,
        "next_response": False,
        "resolution": False,
    }
    assert row["team"] == {"id": desk.team_a.id, "name": "售后一组"}


def test_filters_by_repeated_status_and_priority(
    client: TestClient, desk: Desk, session_factory: sessionmaker[Session]
) -> None:
    urgent = ticket_in(session_factory, priority=Priority.URGENT)
    high = ticket_in(session_factory, priority=Priority.HIGH)
    ticket_in(session_factory, priority=Priority.LOW)
    stored(
        session_factory,
        lambda s: services.change_status(
            s, services.get_ticket(s, high.id), Status.PENDING, services.Actor.system()
        ),
    )

    by_priority = client.get(
        "/api/tickets?priority=urgent&priority=high", headers=auth(desk.alice)
    ).json()
    by_status = client.get(
        "/api/tickets", params={"status": ["new", "open"]}, headers=auth(desk.alice)
    ).json()

    assert set(numbers(by_priority)) == {urgent.number, high.number}
    assert high.number not in numbers(by_status)
    assert by_status["count"] == 2


def test_assignee_me_and_unassigned(
    client: TestClient, desk: Desk, session_factory: sessionmaker[Session]
) -> None:
    claimed = ticket_in(session_factory, desk.team_a)
    free = ticket_in(session_factory, desk.team_a)
    client.post(f"/api/tickets/{claimed.number}/claim", headers=auth(desk.alice))

    mine = client.get("/api/tickets?assignee=me", headers=auth(desk.alice)).json()
    unassigned = client.get("/api/tickets?unassigned=true", headers=auth(desk.alice)).json()
    by_id = client.get(f"/api/tickets?assignee_id={desk.alice.id}", headers=auth(desk.sue)).json()

    assert numbers(mine) == [claimed.number]
    assert numbers(unassigned) == [free.number]
    assert numbers(by_id) == [claimed.number]


def test_conversation_id_gives_the_tickets_of_one_conversation(
    client: TestClient, desk: Desk, session_factory: sessionmaker[Session]
) -> None:
    first = ticket_in(session_factory, conversation_id="web:abc")
    second = ticket_in(session_factory, conversation_id="web:abc")
    ticket_in(session_factory, conversation_id="telegram:42")

    listed = client.get(
        "/api/tickets",
        params={"conversation_id": "web:abc", "sort": "oldest"},
        headers=auth(desk.alice),
    ).json()

    assert numbers(listed) == [first.number, second.number]


@pytest.mark.parametrize("sort", ["newest", "oldest", "due"])
def test_keyset_pagination_walks_every_ticket_once(
    client: TestClient, desk: Desk, session_factory: sessionmaker[Session], sort: str
) -> None:
    stored(session_factory, lambda s: make_policy(s, priority=Priority.HIGH, first_response=30))
    start = utcnow() - timedelta(days=1)

    def build(session: Session) -> list[Ticket]:
        made = []
        for i in range(13):
            # Pairs share a creation time, and some have no deadline, to test the tie-breaks.
            made.append(
                services.create_ticket(
                    session,
                    subject=f"ticket {i}",
                    channel=Channel.WEB,
                    actor=services.Actor.customer(),
                    priority=Priority.HIGH if i % 3 else Priority.LOW,
                    at=start + timedelta(minutes=i // 2),
                )
            )
        return made

    made = stored(session_factory, build)
    seen: list[str] = []
    cursor: str | None = None
    pages = 0
    while True:
        params: dict[str, str | int] = {"sort": sort, "limit": 4}
        if cursor:
            params["cursor"] = cursor
        page = client.get("/api/tickets", params=params, headers=auth(desk.alice)).json()
        assert page["count"] == 13
        seen += numbers(page)
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break

    assert sorted(seen) == sorted(t.number for t in made)
    assert len(seen) == len(set(seen))
    assert pages == 4
    if sort == "oldest":
        assert seen == [t.number for t in made]
    if sort == "newest":
        assert seen == [
            t.number for t in sorted(made, key=lambda t: (t.created_at, t.id), reverse=True)
        ]


def test_search_finds_chinese_subject(
    client: TestClient, desk: Desk, session_factory: sessionmaker[Session]
) -> None:
    wanted = ticket_in(session_factory, subject="快递三天还没到", description="")
    ticket_in(session_factory, subject="发票开错了", description="")

    found = client.get("/api/tickets", params={"q": "快递"}, headers=auth(desk.alice)).json()

    assert numbers(found) == [wanted.number]


def test_search_finds_order_number_and_ticket_number(
    client: TestClient, desk: Desk, session_factory: sessionmaker[Session]
) -> None:
    by_order = ticket_in(session_factory, order_number="SO-2026-0042")
    other = ticket_in(session_factory, subject="Wrong size", description="")

    by_order_hits = client.get(
        "/api/tickets", params={"q": "so-2026-0042"}, headers=auth(desk.alice)
    ).json()
    by_number_hits = client.get(
        "/api/tickets", params={"q": other.number}, headers=auth(desk.alice)
    ).json()
    wildcard_hits = client.get("/api/tickets", params={"q": "%_"}, headers=auth(desk.alice)).json()
    huge_number = client.get(
        "/api/tickets", params={"q": "T-999999999999"}, headers=auth(desk.alice)
    )

    assert numbers(by_order_hits) == [by_order.number]
    assert numbers(by_number_hits) == [other.number]
    assert numbers(wildcard_hits) == []
    assert huge_number.status_code == 200
    assert numbers(huge_number.json()) == []


def test_breached_filter_agrees_with_the_flags(
    client: TestClient, desk: Desk, session_factory: sessionmaker[Session]
) -> None:
    stored(session_factory, lambda s: make_policy(s, first_response=60))
    now = utcnow()
    late = ticket_in(session_factory, at=now - timedelta(hours=3))
    on_time = ticket_in(session_factory, at=now - timedelta(minutes=5))
    paused_in_time = ticket_in(session_factory, at=now - timedelta(hours=3))
    # Set pending 30 minutes in, then left waiting: the stopped clock is not overdue.
    stored(
        session_factory,
        lambda s: services.change_status(
            s,
            services.get_ticket(s, paused_in_time.id),
            Status.PENDING,
            services.Actor.system(),
            at=now - timedelta(hours=2, minutes=30),
        ),
    )
    no_policy = stored(
        session_factory,
        lambda s: services.create_ticket(
            s,
            subject="没有 SLA",
            channel=Channel.PHONE,
            actor=services.Actor.customer(),
            priority=Priority.URGENT,
        ),
    )

    breached = client.get("/api/tickets?breached=true", headers=auth(desk.alice)).json()
    fine = client.get("/api/tickets?breached=false", headers=auth(desk.alice)).json()

    assert numbers(breached) == [late.number]
    assert set(numbers(fine)) == {on_time.number, paused_in_time.number, no_policy.number}
    assert all(t["sla_breached"]["first_response"] for t in breached["data"])
    assert not any(any(t["sla_breached"].values()) for t in fine["data"])


def _cursor(values: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        "not-a-cursor!",
        "e30",  # {}
        _cursor([1, 2, 3]),
        _cursor(["yesterday", 5]),
        _cursor(["2026-11-23T10:00:00", 5]),  # no time zone
        _cursor(["2026-11-23T10:00:00+00:00", "five"]),
        _cursor(["2026-11-23T10:00:00+00:00", 10**30]),
        _cursor(["0001-01-01T00:00:00+01:00", 1]),
        _cursor([None, 1]),
        _cursor([{"a": 1}, [2]]),
        "A" * 201,
    ],
)
def test_bad_cursor_is_422_naming_the_cursor(client: TestClient, desk: Desk, cursor: str) -> None:
    response = client.get("/api/tickets", params={"cursor": cursor}, headers=auth(desk.alice))

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "cursor"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"status": "bogus"}, "status"),
        ({"priority": "critical"}, "priority"),
        ({"limit": 0}, "limit"),
        ({"limit": 201}, "limit"),
        ({"limit": "many"}, "limit"),
        ({"sort": "random"}, "sort"),
        ({"team_id": 10**20}, "team_id"),
        ({"assignee": "you"}, "assignee"),
        ({"breached": "perhaps"}, "breached"),
        ({"q": "长" * 201}, "q"),
        ({"conversation_id": "web:\x00"}, "conversation_id"),
    ],
)
def test_bad_filter_is_422_naming_the_field(
    client: TestClient, desk: Desk, params: dict[str, object], field: str
) -> None:
    response = client.get("/api/tickets", params=params, headers=auth(desk.alice))

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][:2] == ["query", field]


def test_assignee_me_and_assignee_id_together_is_422(client: TestClient, desk: Desk) -> None:
    response = client.get(
        f"/api/tickets?assignee=me&assignee_id={desk.bob.id}", headers=auth(desk.alice)
    )

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "assignee"]
