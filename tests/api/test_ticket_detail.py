"""One ticket's page: its history with who did what, and every message including notes."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from tests.api.helpers import Desk, auth, stored
from tests.factories import make_customer, make_ticket
from ticketing import services
from ticketing.models import Category, Channel, Ticket


def test_detail_shows_history_with_actor_names_and_all_messages(
    client: TestClient, desk: Desk, session_factory: sessionmaker[Session]
) -> None:
    def build(session: Session) -> Ticket:
        customer = make_customer(session)
        customer.name = "王女士"
        ticket = make_ticket(session, customer=customer, team=session.merge(desk.team_a))
        services.add_customer_message(session, ticket, "请尽快处理")
        return ticket

    ticket = stored(session_factory, build)
    base = f"/api/tickets/{ticket.number}"
    client.post(f"{base}/claim", headers=auth(desk.alice))
    client.post(f"{base}/notes", json={"body": "先核实订单"}, headers=auth(desk.alice))
    client.post(f"{base}/replies", json={"body": "已为您补发"}, headers=auth(desk.alice))

    detail = client.get(base, headers=auth(desk.ann)).json()

    assert [(m["kind"], m["author_name"], m["body"]) for m in detail["messages"]] == [
        ("customer", None, "请尽快处理"),
        ("note", "alice", "先核实订单"),
        ("agent", "alice", "已为您补发"),
    ]
    events = [(e["kind"], e["actor_kind"], e["actor_name"]) for e in detail["events"]]
    assert events[0] == ("created", "customer", "王女士")
    assert ("claimed", "agent", "alice") in events
    assert ("note", "agent", "alice") in events
    assert all(e["created_at"].endswith("Z") for e in detail["events"])


def test_missing_ticket_is_404(client: TestClient, desk: Desk) -> None:
    response = client.get("/api/tickets/T-000777", headers=auth(desk.alice))

    assert response.status_code == 404
    assert response.json() == {"detail": "no ticket T-000777"}


def test_detail_shows_what_triage_thought_of_the_category(
    client: TestClient, desk: Desk, session_factory: sessionmaker[Session]
) -> None:
    def build(session: Session) -> Ticket:
        return services.create_ticket(
            session,
            subject="鞋底开胶了",
            description="鞋底开胶了，客服也不回",
            channel=Channel.WEB,
            actor=services.Actor.bot(),
            category=Category.PRODUCT_QUALITY,
            team=session.merge(desk.team_a),
            triage_confidence=0.43,
            triage_runner_up=Category.SERVICE,
            secondary_categories=(Category.SERVICE, Category.PRODUCT_QUALITY),
        )

    ticket = stored(session_factory, build)
    unknown = stored(session_factory, lambda s: make_ticket(s, team=s.merge(desk.team_a)))

    detail = client.get(f"/api/tickets/{ticket.number}", headers=auth(desk.ann)).json()
    plain = client.get(f"/api/tickets/{unknown.number}", headers=auth(desk.ann)).json()

    assert detail["triage_confidence"] == 0.43
    assert detail["triage_runner_up"] == "service"
    assert detail["secondary_categories"] == ["service"]  # never the category itself
    assert (plain["triage_confidence"], plain["triage_runner_up"]) == (None, None)
    assert plain["secondary_categories"] == []
