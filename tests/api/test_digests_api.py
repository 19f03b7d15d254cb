"""The weekly digests over HTTP: a supervisor reads and downloads only their own."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from tests.api.helpers import Desk, auth
from tests.factories import make_user
from tests.ticketing.test_digests import LONG_AGO, MONDAY_9
from ticketing import digests
from ticketing.models import AuditEntry, Customer, Role, User, WeeklyDigest


def write_digests(session_factory: sessionmaker[Session]) -> None:
    with session_factory.begin() as session:
        session.add(
            Customer(
                name="<b>王</b>",
                churn_risk=True,
                churn_reasons="low_csat",
                churn_flagged_at=MONDAY_9,
            )
        )
        session.execute(update(User).values(created_at=LONG_AGO))
    digests.generate_due(session_factory, MONDAY_9)


def test_a_supervisor_lists_and_downloads_their_digest(
    client: TestClient, desk: Desk, session_factory: sessionmaker[Session]
) -> None:
    write_digests(session_factory)
    listed = client.get("/api/digests", headers=auth(desk.sue))
    assert listed.status_code == 200
    [digest] = listed.json()["data"]
    assert digest["week_start"] == "2026-11-09" and digest["timezone"] == "Asia/Shanghai"
    assert set(digest["figures"]) == {"sla", "sla_by_team", "satisfaction", "churn_risk", "bot"}
    for lang, word in (("zh", "客服周报"), ("en", "Weekly digest")):
        page = client.get(
            f"/api/digests/{digest['id']}.html", params={"lang": lang}, headers=auth(desk.sue)
        )
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
        assert f"kefu-digest-20261109-{lang}.html" in page.headers["content-disposition"]
        assert word in page.text and "&lt;b&gt;王&lt;/b&gt;" in page.text
    with session_factory() as session:
        actions = session.scalars(select(AuditEntry.action)).all()
    assert actions.count("digest.download") == 2


def test_digests_are_their_supervisors_own(
    client: TestClient, desk: Desk, session_factory: sessionmaker[Session]
) -> None:
    with session_factory.begin() as session:
        other = make_user(session, Role.SUPERVISOR, username="zhou")
    write_digests(session_factory)
    with session_factory() as session:
        theirs = session.scalars(
            select(WeeklyDigest.id).where(WeeklyDigest.user_id == other.id)
        ).one()
    assert client.get(f"/api/digests/{theirs}.html", headers=auth(desk.sue)).status_code == 404
    assert len(client.get("/api/digests", headers=auth(desk.sue)).json()["data"]) == 1
    assert client.get("/api/digests", headers=auth(desk.alice)).status_code == 403
    assert client.get("/api/digests").status_code == 401
    bad = client.get(f"/api/digests/{theirs}.html", params={"lang": "fr"}, headers=auth(other))
    assert bad.status_code == 422 and "lang" in bad.text
