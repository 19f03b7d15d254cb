"""The console's customer panel, and joining and handing back a customer's chat."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.api.console_helpers import SESSION, chat, claimed_by
from tests.api.helpers import Desk, auth, stored, ticket_in
from tests.factories import make_customer, make_ticket
from ticketing import services
from ticketing.models import (
    Conversation,
    ConversationState,
    IdentityKind,
    Lifecycle,
    OutboxKind,
    OutboxMessage,
    Status,
    SurveyResponse,
    Ticket,
    Tier,
)

# --- customer panel -----------------------------------------------------------------------------


def test_customer_panel_has_tier_history_scores_and_churn(
    client: TestClient, desk: Desk, session_factory: sessionmaker[Session]
) -> None:
    def build(session: Session) -> Ticket:
        customer = services.create_customer(
            session,
            "陈先生",
            tier=Tier.KEY_ACCOUNT,
            lifecycle=Lifecycle.MATURE,
            identities={IdentityKind.PHONE: "13800138000", IdentityKind.WEB: "abc"},
        )
        customer.churn_risk = True
        customer.churn_reasons = "complaints,detractor"
        team_a, team_b = session.merge(desk.team_a), session.merge(desk.team_b)
        old = make_ticket(session, customer=customer, team=team_a, subject="旧的")
        make_ticket(session, customer=customer, team=team_b, subject="二组的")
        for csat, nps in ((2, 3), (5, 10)):
            session.add(
                SurveyResponse(ticket_id=old.id, customer_id=customer.id, csat=csat, nps=nps)
            )
        return make_ticket(session, customer=customer, team=team_a, subject="新的")

    ticket = stored(session_factory, build)

    panel = client.get(
        f"/api/console/tickets/{ticket.number}/customer", headers=auth(desk.alice)
    ).json()

    assert panel["name"] == "陈先生"
    assert panel["tier"] == "key_account"
    assert panel["lifecycle"] == "mature"
    assert panel["channels"] == ["phone", "web"]
    assert "13800138000" not in str(panel)
    assert panel["churn_risk"] is True
    assert panel["churn_reasons"] == ["complaints", "detractor"]
    # Alice does not see team B's ticket: no figure counts it (tests/security has more).
    assert [t["subject"] for t in panel["tickets"]] == ["新的", "旧的"]
    assert panel["tickets_count"] == 2
    assert panel["complaints_30d"] == 2
    assert sorted((s["csat"], s["nps"]) for s in panel["surveys"]) == [(2, 3), (5, 10)]
    assert panel["csat_average"] == 3.5
    assert panel["nps"] == 0  # one promoter, one detractor


def test_a_ticket_without_a_customer_has_an_empty_panel(
    client: TestClient, desk: Desk, session_factory: sessionmaker[Session]
) -> None:
    ticket = ticket_in(session_factory, desk.team_a)

    response = client.get(
        f"/api/console/tickets/{ticket.number}/customer", headers=auth(desk.alice)
    )

    assert response.status_code == 200
    assert response.json() is None


def test_a_new_customer_has_a_panel_without_scores_or_channels(
    client: TestClient, desk: Desk, session_factory: sessionmaker[Session]
) -> None:
    ticket = stored(
        session_factory,
        lambda s: make_ticket(s, customer=make_customer(s), team=s.merge(desk.team_a)),
    )

    panel = client.get(
        f"/api/console/tickets/{ticket.number}/customer", headers=auth(desk.alice)
    ).json()

    assert panel["channels"] == [] and panel["surveys"] == [] and panel["nps"] is None
    assert panel["tickets"][0]["status"] == Status.NEW.value


# --- join and hand back -------------------------------------------------------------------------


def outbox(session_factory: sessionmaker[Session]) -> list[tuple[str, dict[str, Any]]]:
    with session_factory() as session:
        rows = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        return [(r.kind, r.payload) for r in rows]


def test_the_assignee_joins_the_chat_and_the_customer_is_told_their_name(
    client: TestClient, desk: Desk, session_factory: sessionmaker[Session]
) -> None:
    ticket = chat(session_factory, desk, "转人工")
    claimed_by(session_factory, ticket, desk.alice)

    response = client.post(f"/api/console/tickets/{ticket.number}/join", headers=auth(desk.alice))

    assert response.status_code == 200
    assert response.json()["state"] == "agent"
    assert response.json()["agent_name"] == "alice"
    assert outbox(session_factory)[-1] == (
        OutboxKind.EVENT.value,
        {"event": "agent_joined", "agent_name": "alice"},
    )


def test_joining_needs_the_ticket_claimed_and_by_you(
    client: TestClient, desk: Desk, session_factory: sessionmaker[Session]
) -> None:
    ticket = chat(session_factory, desk, "转人工")
    url = f"/api/console/tickets/{ticket.number}/join"

    unclaimed = client.post(url, headers=auth(desk.alice))
    claimed_by(session_factory, ticket, desk.alice)
    someone_else = client.post(url, headers=auth(desk.ann))
    supervisor = client.post(url, headers=auth(desk.sue))

    assert unclaimed.status_code == 409
    assert unclaimed.json() == {"detail": f"claim {ticket.number} first"}
    assert someone_else.status_code == 403
    assert supervisor.status_code == 200


def test_a_ticket_without_a_chat_cannot_be_joined_or_handed_back(
    client: TestClient, desk: Desk, session_factory: sessionmaker[Session]
) -> None:
    ticket = ticket_in(session_factory, desk.team_a)
    claimed_by(session_factory, ticket, desk.alice)

    for action in ("join", "hand-back"):
        response = client.post(
            f"/api/console/tickets/{ticket.number}/{action}", headers=auth(desk.alice)
        )
        assert response.status_code == 409
        assert response.json() == {"detail": f"{ticket.number} has no chat conversation"}


def test_hand_back_resumes_the_bot_through_the_outbox(
    client: TestClient, desk: Desk, session_factory: sessionmaker[Session]
) -> None:
    ticket = chat(session_factory, desk, "转人工")
    claimed_by(session_factory, ticket, desk.alice)
    client.post(
        f"/api/tickets/{ticket.number}/replies", json={"body": "好的"}, headers=auth(desk.alice)
    )

    response = client.post(
        f"/api/console/tickets/{ticket.number}/hand-back", headers=auth(desk.alice)
    )
    again = client.post(f"/api/console/tickets/{ticket.number}/hand-back", headers=auth(desk.alice))

    assert response.status_code == 200
    assert response.json() == {"state": "agent", "pending": True}
    assert again.status_code == 200
    resumes = [k for k, _ in outbox(session_factory) if k == OutboxKind.RASA_RESUME.value]
    assert len(resumes) == 1  # asked twice, resumed once
    detail = client.get(f"/api/tickets/{ticket.number}", headers=auth(desk.alice)).json()
    assert detail["events"][-1]["data"] == {"handed_back": True}

    def resumed(session: Session) -> None:
        services.complete_hand_back(session, f"web:{SESSION}")

    stored(session_factory, resumed)
    bot_again = client.post(
        f"/api/console/tickets/{ticket.number}/hand-back", headers=auth(desk.alice)
    )
    assert bot_again.status_code == 409
    with session_factory() as session:
        assert session.get_one(Conversation, f"web:{SESSION}").state is ConversationState.BOT
