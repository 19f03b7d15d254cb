"""Routing: a new ticket goes to its category's team; triage moves an unassigned, routed ticket
with its category; a team someone chose stays."""

from __future__ import annotations

from sqlalchemy.orm import Session

from tests.factories import MONDAY_10_SHANGHAI, make_team, make_user
from ticketing import accounts, services
from ticketing.models import Category, Channel, Role, Team, Ticket

T0 = MONDAY_10_SHANGHAI


def new_ticket(session: Session, category: Category, team: Team | None = None) -> Ticket:
    return services.create_ticket(
        session,
        subject="包裹一周了还没到",
        channel=Channel.WEB,
        actor=services.Actor.bot(),
        category=category,
        team=team,
        at=T0,
    )


def test_a_new_ticket_goes_to_its_categorys_team(session: Session) -> None:
    after_sales, logistics = make_team(session, "售后"), make_team(session, "物流")
    accounts.route_category(session, Category.PRODUCT_QUALITY, after_sales)
    accounts.route_category(session, Category.DELIVERY, logistics)

    parcel = new_ticket(session, Category.DELIVERY)
    sole = new_ticket(session, Category.PRODUCT_QUALITY)
    unrouted = new_ticket(session, Category.CONTRACT)
    session.commit()

    assert (parcel.team, sole.team, unrouted.team) == (logistics, after_sales, None)
    assert parcel.events[0].data["team"] == "物流"


def test_a_team_given_at_creation_wins_over_the_route(session: Session) -> None:
    after_sales, key_accounts = make_team(session), make_team(session)
    accounts.route_category(session, Category.PRICE, after_sales)

    assert new_ticket(session, Category.PRICE, team=key_accounts).team == key_accounts


def test_triage_moves_an_unassigned_routed_ticket_with_its_category(session: Session) -> None:
    after_sales, logistics = make_team(session), make_team(session)
    accounts.route_category(session, Category.OTHER, after_sales)
    accounts.route_category(session, Category.DELIVERY, logistics)
    supervisor = make_user(session, Role.SUPERVISOR)
    ticket = new_ticket(session, Category.OTHER)

    services.triage_ticket(
        session, ticket, services.Actor.of(supervisor), category=Category.DELIVERY, at=T0
    )

    assert ticket.team == logistics
    assert ticket.events[-1].data["team"] == [after_sales.name, logistics.name]


def test_triage_keeps_a_team_someone_chose_or_an_assigned_ticket(session: Session) -> None:
    after_sales, logistics, key_accounts = (
        make_team(session),
        make_team(session),
        make_team(session),
    )
    accounts.route_category(session, Category.OTHER, after_sales)
    accounts.route_category(session, Category.DELIVERY, logistics)
    supervisor = services.Actor.of(make_user(session, Role.SUPERVISOR))
    chosen = new_ticket(session, Category.OTHER, team=key_accounts)
    claimed = new_ticket(session, Category.OTHER)
    services.assign_ticket(session, claimed, make_user(session, team=after_sales), supervisor)

    services.triage_ticket(session, chosen, supervisor, category=Category.DELIVERY, at=T0)
    services.triage_ticket(session, claimed, supervisor, category=Category.DELIVERY, at=T0)

    assert (chosen.team, claimed.team) == (key_accounts, after_sales)


def test_a_route_can_be_changed_and_removed(session: Session) -> None:
    first, second = make_team(session), make_team(session)
    accounts.route_category(session, Category.SERVICE, first)
    accounts.route_category(session, Category.SERVICE, second)
    assert accounts.routes(session) == {Category.SERVICE: second}

    accounts.route_category(session, Category.SERVICE, None)

    assert accounts.routes(session) == {}
    assert new_ticket(session, Category.SERVICE).team is None
