"""The tickets behind a dashboard figure: the drill-down filters of the ticket list and the
console's `all` queue find what the reports counted, within what the caller may see."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from tests.api.helpers import auth
from tests.api.test_reports_api import PERIOD, supervisor
from tests.ticketing.test_reports import END, START, build
from ticketing.models import User, format_ticket_number

DRILL = {"created_from": START.isoformat(), "created_to": END.isoformat()}


def numbers(body: dict[str, object]) -> set[str]:
    rows = body["data"]
    assert isinstance(rows, list)
    return {row["number"] for row in rows}


def test_a_breach_figure_lists_the_tickets_it_counted(
    client: TestClient, session_factory: sessionmaker[Session]
) -> None:
    data = build(session_factory)
    headers = auth(supervisor(session_factory))
    sla = client.get("/api/reports/sla", params=PERIOD, headers=headers).json()
    missed = {row[0]: row[2] for row in sla["rows"]}
    expected = {format_ticket_number(data.tickets[n]) for n in ("t2", "t4")}
    for path in ("/api/tickets", "/api/console/tickets"):
        params = {**DRILL, "sla_breached": "first_response", "queue": "all"}
        body = client.get(path, params=params, headers=headers).json()
        assert numbers(body) == expected
        assert body["count"] == missed["first_response"] == 2
    team_b = client.get(
        "/api/console/tickets",
        params={**DRILL, "sla_breached": "first_response", "queue": "all", "team_id": data.team_b},
        headers=headers,
    ).json()
    assert numbers(team_b) == {format_ticket_number(data.tickets["t4"])}
    met = client.get(
        "/api/console/tickets",
        params={**DRILL, "sla_met": "resolution", "queue": "all"},
        headers=headers,
    ).json()
    assert met["count"] == {row[0]: row[1] for row in sla["rows"]}["resolution"]
    rated = client.get("/api/tickets", params={**DRILL, "rated": "true"}, headers=headers).json()
    assert numbers(rated) == {
        format_ticket_number(data.tickets[n]) for n in ("t1", "t3", "t4", "t6")
    }


def test_an_agent_drilling_down_sees_only_their_tickets(
    client: TestClient, session_factory: sessionmaker[Session]
) -> None:
    data = build(session_factory)
    with session_factory() as session:
        agent = session.get_one(User, data.agent)
    body = client.get(
        "/api/console/tickets",
        params={**DRILL, "sla_breached": "first_response", "queue": "all"},
        headers=auth(agent),
    ).json()
    # t4 is the other team's and nobody's: the agent of team A does not see it.
    assert numbers(body) == {format_ticket_number(data.tickets["t2"])}


def test_bad_drilldown_input_names_the_field(
    client: TestClient, session_factory: sessionmaker[Session]
) -> None:
    build(session_factory)
    headers = auth(supervisor(session_factory))
    naive = client.get(
        "/api/console/tickets",
        params={"queue": "all", "created_from": "2026-11-01T00:00:00"},
        headers=headers,
    )
    assert naive.status_code == 422
    assert "created_from" in naive.text
    metric = client.get("/api/tickets", params={"sla_breached": "lunch"}, headers=headers)
    assert metric.status_code == 422
    assert "sla_breached" in metric.text
    backwards = client.get(
        "/api/tickets",
        params={"created_from": END.isoformat(), "created_to": START.isoformat()},
        headers=headers,
    )
    assert backwards.status_code == 422
    assert "created_to" in backwards.text
