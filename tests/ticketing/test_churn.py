"""The churn warning flag (流失预警), computed in SQL on both databases."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from tests.factories import MONDAY_10_SHANGHAI, make_customer, make_policy, make_ticket
from ticketing import churn, services
from ticketing.models import Customer, Priority, Tier
from ticketing.sla import escalations

T0 = MONDAY_10_SHANGHAI
DAY = timedelta(days=1)


def refreshed(session: Session, customer: Customer, at: datetime = T0) -> Customer:
    churn.refresh(session, at)
    session.expire_all()
    return session.get_one(Customer, customer.id)


def test_two_complaints_in_30_days_flag_a_customer(session: Session) -> None:
    twice, once, long_ago = make_customer(session), make_customer(session), make_customer(session)
    for at in (T0 - 20 * DAY, T0 - DAY):
        make_ticket(session, customer=twice, at=at)
    make_ticket(session, customer=once, at=T0 - DAY)
    for at in (T0 - 60 * DAY, T0 - 31 * DAY):
        make_ticket(session, customer=long_ago, at=at)
    session.flush()

    assert churn.refresh(session, T0) == 1
    session.expire_all()
    assert (twice.churn_risk, twice.churn_reasons, twice.churn_flagged_at) == (
        True,
        "complaints",
        T0,
    )
    assert not once.churn_risk and not long_ago.churn_risk
    assert [c.id for c in churn.at_risk(session)] == [twice.id]
    # Still at risk a day later: flagged when it was first flagged; cleared once it is past.
    assert refreshed(session, twice, T0 + DAY).churn_flagged_at == T0
    cleared = refreshed(session, twice, T0 + 20 * DAY)
    assert (cleared.churn_risk, cleared.churn_reasons, cleared.churn_flagged_at) == (
        False,
        "",
        None,
    )


def test_a_detractor_score_flags_a_customer(session: Session) -> None:
    detractor, promoter = make_customer(session), make_customer(session)
    for customer, nps in ((detractor, 5), (promoter, 9)):
        ticket = make_ticket(session, customer=customer, at=T0 - 40 * DAY)
        services.resolve_ticket(session, ticket, services.Actor.system(), at=T0 - 39 * DAY)
        services.record_survey(session, ticket, None, nps, at=T0 - 38 * DAY)
    session.flush()
    assert refreshed(session, detractor).churn_reasons == "detractor"
    assert not refreshed(session, promoter).churn_risk


def test_an_sla_breach_flags_a_key_account_only(
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory.begin() as session:
        for priority in (Priority.NORMAL, Priority.HIGH):  # key accounts start at high
            make_policy(session, priority, first_response=30)
        key, regular = make_customer(session, Tier.KEY_ACCOUNT), make_customer(session)
        for customer in (key, regular):
            make_ticket(session, customer=customer, at=T0)
        key_id, regular_id = key.id, regular.id
    escalations.sweep(session_factory, T0 + timedelta(minutes=31))
    with session_factory.begin() as session:
        churn.refresh(session, T0 + DAY)
    with session_factory() as session:
        assert session.get_one(Customer, key_id).churn_reasons == "key_account_breach"
        assert not session.get_one(Customer, regular_id).churn_risk
