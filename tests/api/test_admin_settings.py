"""The admin settings API: teams, routes, calendars and SLA policies, audited, with 422s that
name the field and a 409 for the second of two admins editing one thing."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.api.helpers import Desk, auth, stored
from tests.factories import make_user
from ticketing.models import AuditEntry, Role, User

WEEKDAYS = {str(day): [["09:00", "12:00"], ["13:00", "18:00"]] for day in range(5)}
CALENDAR: dict[str, Any] = {
    "name": "上海办公时间",
    "timezone": "Asia/Shanghai",
    "periods": WEEKDAYS,
    "holidays": ["2026-10-01"],
    "overrides": {"2026-10-10": [["09:00", "18:00"]]},
}
POLICY: dict[str, Any] = {
    "name": "普通 · 一般",
    "priority": "normal",
    "tier": "regular",
    "first_response_minutes": 60,
    "next_response_minutes": None,
    "resolution_minutes": 480,
    "time_basis": "calendar",
}


@pytest.fixture
def admin(session_factory: sessionmaker[Session]) -> User:
    return stored(session_factory, lambda s: make_user(s, Role.ADMIN, username="root"))


@pytest.fixture
def as_admin(admin: User) -> dict[str, str]:
    return auth(admin)


def audit_rows(session_factory: sessionmaker[Session], action: str) -> list[AuditEntry]:
    with session_factory() as session:
        return list(
            session.scalars(
                select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
            )
        )


def loc_of(response: Any) -> list[Any]:
    assert response.status_code == 422, response.text
    return list(response.json()["detail"][0]["loc"])


# --- who may ------------------------------------------------------------------------------------


def test_only_admins_change_settings_and_supervisors_may_read_policies(
    client: TestClient, desk: Desk, as_admin: dict[str, str]
) -> None:
    for user in (desk.alice, desk.sue):
        assert (
            client.post("/api/admin/teams", json={"name": "x"}, headers=auth(user)).status_code
            == 403
        )
        assert (
            client.post("/api/admin/calendars", json=CALENDAR, headers=auth(user)).status_code
            == 403
        )
        assert (
            client.post("/api/admin/sla-policies", json=POLICY, headers=auth(user)).status_code
            == 403
        )
        assert client.get("/api/admin/calendars", headers=auth(user)).status_code == 403
    assert client.get("/api/admin/sla-policies", headers=auth(desk.sue)).status_code == 200
    assert client.get("/api/admin/sla-policies", headers=auth(desk.alice)).status_code == 403
    assert client.get("/api/admin/teams").status_code == 401
    paths = client.get("/openapi.json").json()["paths"]
    for path in (
        "/api/admin/teams",
        "/api/admin/routes/{category}",
        "/api/admin/calendars/{calendar_id}",
        "/api/admin/calendars/{calendar_id}/official-holidays",
        "/api/admin/sla-policies/{policy_id}",
    ):
        assert path in paths


# --- teams and routes ---------------------------------------------------------------------------


def test_teams_and_routes_as_the_command_line_sets_them(
    client: TestClient, session_factory: sessionmaker[Session], as_admin: dict[str, str]
) -> None:
    made = client.post(
        "/api/admin/teams", json={"name": "物流组", "description": "快递"}, headers=as_admin
    )
    assert made.status_code == 201
    team_id = made.json()["id"]
    again = client.post("/api/admin/teams", json={"name": "物流组"}, headers=as_admin)
    assert again.status_code == 409
    routed = client.put("/api/admin/routes/delivery", json={"team_id": team_id}, headers=as_admin)
    assert routed.json() == {"category": "delivery", "team_id": team_id}
    routes = client.get("/api/admin/routes", headers=as_admin).json()["data"]
    assert {"category": "delivery", "team_id": team_id} in routes
    assert loc_of(
        client.put("/api/admin/routes/delivery", json={"team_id": 9999}, headers=as_admin)
    ) == ["body", "team_id"]
    assert (
        client.put("/api/admin/routes/delivery", json={"team_id": None}, headers=as_admin).json()[
            "team_id"
        ]
        is None
    )
    [created] = audit_rows(session_factory, "team.create")
    assert created.actor_name == "root"
    assert created.after == {"name": "物流组", "description": "快递"}
    assert created.address == "testclient"
    changes = audit_rows(session_factory, "route.update")
    assert [(c.before, c.after) for c in changes] == [
        ({"team_id": None}, {"team_id": team_id}),
        ({"team_id": team_id}, {"team_id": None}),
    ]


# --- calendars ----------------------------------------------------------------------------------


def test_a_calendar_is_created_read_changed_and_deleted_with_audit(
    client: TestClient, session_factory: sessionmaker[Session], as_admin: dict[str, str]
) -> None:
    made = client.post("/api/admin/calendars", json=CALENDAR, headers=as_admin)
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["overrides"] == CALENDAR["overrides"]
    assert body["version"] == 1
    url = f"/api/admin/calendars/{body['id']}"
    read = client.get(url, headers=as_admin)
    assert read.headers["ETag"] == '"1"'
    changed = client.put(
        url,
        json={**CALENDAR, "periods": {"0": [["13:00", "18:00"], ["09:00", "12:00"]]}},
        headers={**as_admin, "If-Match": '"1"'},
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["periods"] == {"0": [["09:00", "12:00"], ["13:00", "18:00"]]}
    assert changed.json()["version"] == 2
    [update] = audit_rows(session_factory, "calendar.update")
    assert update.before is not None and update.after is not None
    assert update.before["periods"] == WEEKDAYS
    assert update.after["periods"] == {"0": [["09:00", "12:00"], ["13:00", "18:00"]]}
    assert client.delete(url, headers=as_admin).status_code == 204
    assert client.get(url, headers=as_admin).status_code == 404
    assert len(audit_rows(session_factory, "calendar.delete")) == 1


@pytest.mark.parametrize(
    ("change", "loc", "message"),
    [
        ({"periods": {"1": [["09:00", "12:00"], ["11:30", "18:00"]]}}, "periods.1", "overlap"),
        ({"periods": {"0": [["09:00", "25:00"]]}}, "periods.0", "not a time of day"),
        ({"timezone": "Asia/Beijing"}, "timezone", "unknown time zone"),
        (
            {"holidays": ["2026-10-10"]},
            "overrides.2026-10-10",
            "both a holiday and a working-day override",
        ),
        ({"overrides": {"2026-10-10": [["18:00", "09:00"]]}}, "overrides.2026-10-10", "ends"),
        ({"holidays": ["2026-02-30"]}, "holidays", "not a date"),
        ({"name": " "}, "name", "1 to 80"),
    ],
)
def test_a_bad_calendar_is_refused_naming_the_field(
    client: TestClient,
    as_admin: dict[str, str],
    change: dict[str, Any],
    loc: str,
    message: str,
) -> None:
    response = client.post("/api/admin/calendars", json={**CALENDAR, **change}, headers=as_admin)
    assert loc_of(response) == ["body", loc]
    assert message in response.json()["detail"][0]["msg"]


def test_a_calendar_with_a_missing_period_end_is_refused_by_shape(
    client: TestClient, as_admin: dict[str, str]
) -> None:
    response = client.post(
        "/api/admin/calendars", json={**CALENDAR, "periods": {"0": [["09:00"]]}}, headers=as_admin
    )
    assert loc_of(response)[:3] == ["body", "periods", "0"]


def test_importing_2026_adds_golden_week_and_make_up_days_and_refuses_unknown_years(
    client: TestClient, session_factory: sessionmaker[Session], as_admin: dict[str, str]
) -> None:
    years = client.get("/api/admin/calendars/official-years", headers=as_admin).json()
    assert years["source"].startswith("chinese-calendar ")
    assert years["first_year"] <= 2026 <= years["last_year"]
    calendar = client.post(
        "/api/admin/calendars", json={**CALENDAR, "overrides": {}}, headers=as_admin
    ).json()
    url = f"/api/admin/calendars/{calendar['id']}/official-holidays"
    imported = client.post(url, json={"year": 2026, "version": 1}, headers=as_admin)
    assert imported.status_code == 200, imported.text
    body = imported.json()
    assert {f"2026-10-0{d}" for d in range(1, 8)} <= set(body["holidays"])
    assert set(body["overrides"]) == {
        "2026-01-04",
        "2026-02-14",
        "2026-02-28",
        "2026-05-09",
        "2026-09-20",
        "2026-10-10",
    }
    assert body["overrides"]["2026-10-10"] == WEEKDAYS["0"]
    assert len(audit_rows(session_factory, "calendar.import_official")) == 1
    unknown = client.post(url, json={"year": years["last_year"] + 1}, headers=as_admin)
    assert loc_of(unknown) == ["body", "year"]
    assert f"{years['first_year']}-{years['last_year']}" in unknown.json()["detail"][0]["msg"]
    stale = client.post(url, json={"year": 2025, "version": 1}, headers=as_admin)
    assert stale.status_code == 409


# --- SLA policies -------------------------------------------------------------------------------


def test_a_policy_counts_in_business_time_of_a_calendar_or_in_calendar_time(
    client: TestClient, session_factory: sessionmaker[Session], as_admin: dict[str, str]
) -> None:
    calendar = client.post("/api/admin/calendars", json=CALENDAR, headers=as_admin).json()
    made = client.post(
        "/api/admin/sla-policies",
        json={**POLICY, "time_basis": "business", "calendar_id": calendar["id"]},
        headers=as_admin,
    )
    assert made.status_code == 201, made.text
    policy = made.json()
    assert policy["time_basis"] == "business"
    assert policy["calendar_id"] == calendar["id"]
    assert policy["next_response_minutes"] is None
    assert client.post("/api/admin/sla-policies", json=POLICY, headers=as_admin).status_code == 409
    in_use = client.delete(f"/api/admin/calendars/{calendar['id']}", headers=as_admin)
    assert in_use.status_code == 409
    [created] = audit_rows(session_factory, "sla_policy.create")
    assert created.after is not None and created.after["calendar_id"] == calendar["id"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"first_response_minutes": 0}, "first_response_minutes"),
        ({"resolution_minutes": -30}, "resolution_minutes"),
        ({"next_response_minutes": 0}, "next_response_minutes"),
        ({"time_basis": "business"}, "calendar_id"),
        ({"time_basis": "business", "calendar_id": 4242}, "calendar_id"),
        ({"priority": "whenever"}, "priority"),
    ],
)
def test_a_bad_policy_is_refused_naming_the_field(
    client: TestClient, as_admin: dict[str, str], change: dict[str, Any], field: str
) -> None:
    response = client.post("/api/admin/sla-policies", json={**POLICY, **change}, headers=as_admin)
    assert loc_of(response) == ["body", field]


def test_the_second_of_two_admins_editing_one_policy_gets_409_and_nothing_is_lost(
    client: TestClient,
    session_factory: sessionmaker[Session],
    as_admin: dict[str, str],
    desk: Desk,
) -> None:
    other = auth(stored(session_factory, lambda s: make_user(s, Role.ADMIN, username="root2")))
    policy = client.post("/api/admin/sla-policies", json=POLICY, headers=as_admin).json()
    url = f"/api/admin/sla-policies/{policy['id']}"
    first_load = client.get(url, headers=as_admin).json()
    second_load = client.get(url, headers=other)
    assert second_load.headers["ETag"] == '"1"'
    saved = client.put(
        url,
        json={**POLICY, "first_response_minutes": 30, "version": first_load["version"]},
        headers=as_admin,
    )
    assert saved.status_code == 200, saved.text
    assert saved.json()["version"] == 2
    lost = client.put(
        url,
        json={**POLICY, "resolution_minutes": 240},
        headers={**other, "If-Match": second_load.headers["ETag"]},
    )
    assert lost.status_code == 409
    assert "changed by someone else" in lost.json()["detail"]
    now = client.get(url, headers=auth(desk.sue)).json()  # a supervisor reads it
    assert (now["first_response_minutes"], now["resolution_minutes"]) == (30, 480)
    [update] = audit_rows(session_factory, "sla_policy.update")
    assert update.before is not None and update.after is not None
    assert (update.before["first_response_minutes"], update.after["first_response_minutes"]) == (
        60,
        30,
    )
    assert update.actor_name == "root"
    assert client.put(url, json=POLICY, headers=auth(desk.sue)).status_code == 403


def test_the_settings_page_is_served_under_the_consoles_strict_csp(client: TestClient) -> None:
    page = client.get("/console/settings")
    assert page.status_code == 200
    assert "unsafe-inline" not in page.headers["content-security-policy"]
    assert '<script type="module" src="/console/static/settings.js">' in page.text
    script = client.get("/console/static/settings.js")
    assert script.headers["content-type"].startswith("text/javascript")
    assert "innerHTML" not in script.text
    for module in ("users.js", "knowledge.js", "fielderrors.js"):  # its tabs, their refusals
        served = client.get(f"/console/static/{module}")
        assert served.status_code == 200 and "innerHTML" not in served.text
    assert client.get("/console/static/settings.css").status_code == 200
    assert client.get("/console/static/settings.html").status_code == 404


def test_a_team_gets_its_business_calendar(
    client: TestClient, session_factory: sessionmaker[Session], as_admin: dict[str, str]
) -> None:
    team_id = client.post("/api/admin/teams", json={"name": "伦敦组"}, headers=as_admin).json()[
        "id"
    ]
    calendar = client.post(
        "/api/admin/calendars", json={**CALENDAR, "timezone": "Europe/London"}, headers=as_admin
    )
    assert calendar.status_code == 201
    set_to = client.put(
        f"/api/admin/teams/{team_id}/calendar",
        json={"calendar_id": calendar.json()["id"]},
        headers=as_admin,
    )
    assert set_to.status_code == 200 and set_to.json()["calendar_id"] == calendar.json()["id"]
    missing = client.put(
        f"/api/admin/teams/{team_id}/calendar", json={"calendar_id": 9999}, headers=as_admin
    )
    assert loc_of(missing) == ["body", "calendar_id"]
    nobody = client.put(
        "/api/admin/teams/9999/calendar", json={"calendar_id": None}, headers=as_admin
    )
    assert nobody.status_code == 404
    [change] = audit_rows(session_factory, "team.update")
    assert change.after == {"calendar_id": calendar.json()["id"]}


# --- a taken name --------------------------------------------------------------------------------


def test_a_taken_name_is_a_409_that_names_its_field(
    client: TestClient, as_admin: dict[str, str]
) -> None:
    """The 409 keeps `detail` a string (clients show it) and adds the `loc` a 422 would carry,
    so a form can put the refusal beside the input it is about."""
    for path, body, field in [
        ("/api/admin/teams", {"name": "物流组"}, "name"),
        ("/api/admin/calendars", CALENDAR, "name"),
        ("/api/admin/sla-policies", POLICY, "priority"),
    ]:
        assert client.post(path, json=body, headers=as_admin).status_code == 201
        again = client.post(path, json=body, headers=as_admin)

        assert again.status_code == 409, again.text
        answer = again.json()
        assert isinstance(answer["detail"], str) and "exists already" in answer["detail"]
        assert answer["loc"] == ["body", field]


def test_a_conflict_without_a_field_keeps_its_old_body(
    client: TestClient, as_admin: dict[str, str]
) -> None:
    calendar = client.post("/api/admin/calendars", json=CALENDAR, headers=as_admin).json()
    policy = {**POLICY, "time_basis": "business", "calendar_id": calendar["id"]}
    assert client.post("/api/admin/sla-policies", json=policy, headers=as_admin).status_code == 201

    in_use = client.delete(f"/api/admin/calendars/{calendar['id']}", headers=as_admin)

    assert in_use.status_code == 409
    assert set(in_use.json()) == {"detail"}
