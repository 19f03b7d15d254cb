"""Reports, the dashboard page, notifications, call-backs and escalations over HTTP."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.api.helpers import Desk, auth, stored
from tests.factories import make_policy, make_ticket
from tests.ticketing.test_reports import END, START, build
from ticketing import services, worker
from ticketing.api.routes.reports import STATIC
from ticketing.clock import utcnow
from ticketing.models import CallbackTask, Channel, IdentityKind, Role, Ticket, User
from ticketing.services import tags
from ticketing.sla import escalations

PERIOD = {"start": START.isoformat(), "end": END.isoformat()}


def supervisor(session_factory: sessionmaker[Session]) -> User:
    with session_factory() as session:
        return session.scalars(select(User).where(User.role == Role.SUPERVISOR)).one()


def test_reports_are_for_supervisors_only(client: TestClient, desk: Desk) -> None:
    assert client.get("/api/reports").status_code == 401
    assert client.get("/api/reports/sla", headers=auth(desk.alice)).status_code == 403
    listed = client.get("/api/reports", headers=auth(desk.sue))
    assert listed.status_code == 200
    assert "sla" in listed.json()["data"] and "churn_risk" in listed.json()["data"]


def test_report_figures_over_http(
    client: TestClient, session_factory: sessionmaker[Session]
) -> None:
    data = build(session_factory)
    headers = auth(supervisor(session_factory))
    sla = client.get("/api/reports/sla", params=PERIOD, headers=headers).json()
    assert sla["columns"] == ["metric", "met", "breached", "pct_met"]
    assert sla["rows"] == [
        ["first_response", 3, 2, 60.0],
        ["next_response", 1, 0, 100.0],
        ["resolution", 3, 2, 60.0],
    ]
    team_b = client.get(
        "/api/reports/complaints_by_category",
        params={**PERIOD, "team_id": data.team_b},
        headers=headers,
    ).json()
    assert team_b["rows"] == [["delivery", 2, 100.0]]


def test_the_tag_filter_over_http_takes_the_tag_as_typed(
    client: TestClient, session_factory: sessionmaker[Session]
) -> None:
    data = build(session_factory)
    with session_factory.begin() as session:
        ticket = session.get_one(Ticket, data.tickets["t3"])
        tags.change_tags(session, ticket, services.Actor.system(), add=["Refund"])
    headers = auth(supervisor(session_factory))

    tagged = client.get(
        "/api/reports/complaints_by_category",
        params={**PERIOD, "tag": "  REFUND "},
        headers=headers,
    )

    assert tagged.status_code == 200
    assert tagged.json()["rows"] == [["delivery", 1, 100.0]]


def test_csv_export_opens_in_excel_with_chinese(
    client: TestClient, session_factory: sessionmaker[Session]
) -> None:
    build(session_factory)
    response = client.get(
        "/api/reports/churn_risk.csv", params=PERIOD, headers=auth(supervisor(session_factory))
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert 'filename="kefu-churn_risk-' in response.headers["content-disposition"]
    assert response.content.startswith(b"\xef\xbb\xbf")
    assert "王小明" in response.content.decode("utf-8-sig")


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"tz": "Mars/Olympus"}, "tz"),
        ({"start": "2026-11-01T00:00:00"}, "start"),
        ({"category": "shoes"}, "category"),
        ({"days": "0"}, "days"),
        ({"start": END.isoformat(), "end": START.isoformat()}, "end"),
        ({"tag": "x" * 41}, "tag"),
        ({"tag": "x" * 500}, "tag"),
        ({"tag": "<b>vip</b>"}, "tag"),
    ],
)
def test_bad_filters_name_the_field(
    client: TestClient, desk: Desk, params: dict[str, str], field: str
) -> None:
    response = client.get("/api/reports/sla", params=params, headers=auth(desk.sue))
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == field


def test_unknown_report_is_404(client: TestClient, desk: Desk) -> None:
    assert client.get("/api/reports/salaries", headers=auth(desk.sue)).status_code == 404
    assert client.get("/api/reports/salaries.csv", headers=auth(desk.sue)).status_code == 404


def test_dashboard_page_and_its_files(client: TestClient) -> None:
    page = client.get("/reports")
    assert page.status_code == 200
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert '<option value="product_quality">' in page.text
    assert "/reports/static/chart.js" in page.text
    script = client.get("/reports/static/app.js")
    assert script.status_code == 200 and "sessionStorage" in script.text
    assert "innerHTML" not in script.text  # customer text only ever goes in as text
    assert client.get("/reports/static/../../config.py").status_code == 404
    assert client.get("/reports/static/package.json").status_code == 404
    if STATIC["chart.js"].is_file():  # installed by `make` (npm ci)
        assert client.get("/reports/static/chart.js").status_code == 200


def test_notifications_list_and_mark_read(
    client: TestClient, desk: Desk, session_factory: sessionmaker[Session]
) -> None:
    now = utcnow()

    def overdue(session: Session) -> None:
        make_policy(session, first_response=30)
        make_ticket(session, team=session.merge(desk.team_a), at=now - timedelta(hours=1))

    stored(session_factory, overdue)
    escalations.sweep(session_factory, now)
    mine = client.get("/api/notifications", headers=auth(desk.sue)).json()
    assert [n["kind"] for n in mine["data"]] == ["sla_breach"]
    assert mine["data"][0]["data"]["escalated"] is True
    assert client.get("/api/notifications", headers=auth(desk.alice)).json()["count"] == 0
    ids = [n["id"] for n in mine["data"]]
    # Nobody marks another user's notifications read.
    assert client.post(
        "/api/notifications/read", json={"ids": ids}, headers=auth(desk.alice)
    ).json() == {"updated": 0}
    assert client.post(
        "/api/notifications/read", json={"ids": ids}, headers=auth(desk.sue)
    ).json() == {"updated": 1}
    unread = client.get("/api/notifications", params={"unread": "true"}, headers=auth(desk.sue))
    assert unread.json()["count"] == 0

    queue = client.get("/api/escalations", headers=auth(desk.alice)).json()
    assert queue["count"] == 1 and queue["data"][0]["team_id"] == desk.team_a.id
    assert client.get("/api/escalations", headers=auth(desk.bob)).json()["count"] == 0
    other = client.get(
        "/api/escalations", params={"team_id": desk.team_a.id}, headers=auth(desk.bob)
    )
    assert other.status_code == 403


def test_call_back_list_and_outcome(
    client: TestClient, desk: Desk, session_factory: sessionmaker[Session]
) -> None:
    resolved_at = utcnow() - timedelta(days=2)

    def resolved(session: Session) -> None:
        customer = services.create_customer(
            session, "李女士", identities={IdentityKind.PHONE: "13900000000"}
        )
        ticket = make_ticket(
            session,
            subject="快递丢件",
            channel=Channel.PHONE,
            customer=customer,
            team=session.merge(desk.team_a),
            at=resolved_at - timedelta(hours=1),
        )
        services.resolve_ticket(session, ticket, services.Actor.system(), at=resolved_at)

    stored(session_factory, resolved)
    worker.tick(session_factory, utcnow())
    listed = client.get("/api/callbacks", headers=auth(desk.alice)).json()
    assert listed["count"] == 1
    task = listed["data"][0]
    assert (task["phone"], task["reason"], task["customer_name"]) == (
        "13900000000",
        "unreachable",
        "李女士",
    )
    assert client.get("/api/callbacks", headers=auth(desk.bob)).json()["count"] == 0

    url = f"/api/callbacks/{task['id']}/outcome"
    bad = client.post(url, json={"outcome": "reached", "csat": 9}, headers=auth(desk.alice))
    assert bad.status_code == 422
    assert client.post(url, json={"outcome": "reached"}, headers=auth(desk.bob)).status_code == 404
    done = client.post(
        url,
        json={"outcome": "reached", "csat": 2, "note": "鞋子还是开胶"},
        headers=auth(desk.alice),
    )
    assert done.status_code == 200
    assert (done.json()["status"], done.json()["outcome"]) == ("done", "reached")
    again = client.post(url, json={"outcome": "reached"}, headers=auth(desk.alice))
    assert again.status_code == 409
    with session_factory() as session:
        task_row = session.scalars(select(CallbackTask)).one()
        assert task_row.ticket is not None and task_row.ticket.status.value == "open"  # low CSAT
