"""Issue 13, item 3: the console's customer panel showed surveys, comments and counts from
tickets the agent cannot open. Every figure comes from the tickets the caller may see."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from tests.api.helpers import Desk, auth, stored
from tests.factories import make_customer, make_ticket
from ticketing.models import SurveyResponse, Ticket


def test_the_panel_tells_nothing_of_tickets_the_agent_cannot_open(
    client: TestClient, desk: Desk, session_factory: sessionmaker[Session]
) -> None:
    def build(session: Session) -> Ticket:
        customer = make_customer(session)
        team_a, team_b = session.merge(desk.team_a), session.merge(desk.team_b)
        seen = make_ticket(session, customer=customer, team=team_a, subject="一组的")
        hidden = make_ticket(session, customer=customer, team=team_b, subject="二组的")
        for ticket, csat, nps, comment in ((seen, 5, 10, "很好"), (hidden, 1, 0, "二组的秘密")):
            session.add(
                SurveyResponse(
                    ticket_id=ticket.id,
                    customer_id=customer.id,
                    csat=csat,
                    nps=nps,
                    comment=comment,
                )
            )
        return seen

    ticket = stored(session_factory, build)
    path = f"/api/console/tickets/{ticket.number}/customer"

    alice = client.get(path, headers=auth(desk.alice)).json()
    sue = client.get(path, headers=auth(desk.sue)).json()

    assert "二组的秘密" not in str(alice)
    assert [s["comment"] for s in alice["surveys"]] == ["很好"]
    assert (alice["csat_average"], alice["nps"]) == (5.0, 100)
    assert (alice["tickets_count"], alice["complaints_30d"]) == (1, 1)
    # A supervisor sees every ticket, so every figure.
    assert sorted(s["comment"] for s in sue["surveys"]) == ["二组的秘密", "很好"]
    assert (sue["csat_average"], sue["nps"]) == (3.0, 0)
    assert (sue["tickets_count"], sue["complaints_30d"]) == (2, 2)
