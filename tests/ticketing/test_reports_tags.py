"""The tag slice of the supervisor reports: every ticket report counts only the tickets that
carry the tag, on the hand-checked data set of test_reports (SQLite and PostgreSQL)."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from tests.ticketing.test_reports import Data, data, report
from ticketing import services
from ticketing.models import Ticket
from ticketing.services import tags

__all__ = ["data"]  # the fixture, shared with test_reports


def tag(factory: sessionmaker[Session], word: str, *ticket_ids: int) -> None:
    with factory.begin() as session:
        for ticket_id in ticket_ids:
            ticket = session.get_one(Ticket, ticket_id)
            tags.change_tags(session, ticket, services.Actor.system(), add=[word])


def test_a_tag_slices_every_ticket_report(
    session_factory: sessionmaker[Session], data: Data
) -> None:
    t = data.tickets
    tag(session_factory, "双11", t["t2"], t["t4"])  # the two late first responses
    tag(session_factory, "refund", t["t1"])

    sla = {
        r["metric"]: (r["met"], r["breached"]) for r in report(session_factory, "sla", tag="双11")
    }
    by_category = report(session_factory, "complaints_by_category", tag="双11")
    breached = {r["ticket"] for r in report(session_factory, "breaches", tag="双11")}
    refund = report(session_factory, "complaints_by_category", tag="refund")

    assert sla["first_response"] == (0, 2)
    assert [(r["category"], r["tickets"]) for r in by_category] == [("delivery", 1), ("service", 1)]
    assert breached == {f"T-{t['t2']:06d}", f"T-{t['t4']:06d}"}
    assert [(r["category"], r["tickets"]) for r in refund] == [("product_quality", 1)]
    assert report(session_factory, "sla", tag="nobody-uses-this") == []


def test_a_tag_combines_with_the_other_slices(
    session_factory: sessionmaker[Session], data: Data
) -> None:
    t = data.tickets
    tag(session_factory, "双11", t["t2"], t["t4"])

    team_b = report(session_factory, "complaints_by_category", tag="双11", team_id=data.team_b)

    assert [(r["category"], r["tickets"]) for r in team_b] == [("delivery", 1)]
