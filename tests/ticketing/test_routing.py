"""Routing: a new ticket goes to its category's team; triage moves an unassigned, routed ticket
with its category; a team someone chose stays."""

from __future__ import annotations

from sqlalchemy.orm import Session

from tests.factories import MONDAY_10_SHANGHAI, make_team, make_ticket, make_user
from ticketing import accounts, services
from ticketing.models import Category, Channel, Role, Team, Ticket

T0 = MONDAY_10_SHANGHAI
PARCEL = "包裹一周了还没到"


def new_ticket(session: Session, category: Category, team: Team | None = None) -> Ticket:
    bot = services.Actor.bot()
    return make_ticket(session, subject=PARCEL, actor=bot, category=category, team=team, at=T0)


def after_sales_and_logistics(session: Session) -> tuple[Team, Team]:
    """Two teams: OTHER tickets are routed to the first, DELIVERY tickets to the second."""
    after_sales, logistics = make_team(session), make_team(session)
    accounts.route_category(session, Category.OTHER, after_sales)
    accounts.route_category(session, Category.DELIVERY, logistics)
    return after_sales, logistics


def a_supervisor(session: Session) -> services.Actor:
    return services.Actor.of(make_user(session, Role.SUPERVISOR))


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
    after_sales, logistics = after_sales_and_logistics(session)
    supervisor = a_supervisor(session)
    ticket = new_ticket(session, Category.OTHER)

    services.triage_ticket(session, ticket, supervisor, category=Category.DELIVERY, at=T0)

    assert ticket.team == logistics
    assert ticket.events[-1].data["team"] == [after_sales.name, logistics.name]


def test_triage_keeps_a_team_someone_chose_or_an_assigned_ticket(session: Session) -> None:
    after_sales, _ = after_sales_and_logistics(session)
    key_accounts = make_team(session)
    supervisor = a_supervisor(session)
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


def test_a_chosen_team_that_matches_the_route_stays_when_the_category_changes(
    session: Session,
) -> None:
    after_sales, _ = after_sales_and_logistics(session)
    supervisor = a_supervisor(session)
    chosen_at_creation = new_ticket(session, Category.OTHER, team=after_sales)
    chosen_at_triage = new_ticket(session, Category.OTHER)
    services.triage_ticket(session, chosen_at_triage, supervisor, team=after_sales, at=T0)

    for ticket in (chosen_at_creation, chosen_at_triage):
        services.triage_ticket(session, ticket, supervisor, category=Category.DELIVERY, at=T0)

    assert (chosen_at_creation.team, chosen_at_triage.team) == (after_sales, after_sales)
    # Confirming the routed team is a choice the history shows.
    assert chosen_at_triage.events[1].data == {"team": [after_sales.name, after_sales.name]}


def test_a_routed_ticket_follows_its_category_after_the_route_changed(session: Session) -> None:
    first, second, logistics = make_team(session), make_team(session), make_team(session)
    accounts.route_category(session, Category.OTHER, first)
    accounts.route_category(session, Category.DELIVERY, logistics)
    ticket = new_ticket(session, Category.OTHER)
    accounts.route_category(session, Category.OTHER, second)

    supervisor = a_supervisor(session)
    services.triage_ticket(session, ticket, supervisor, category=Category.DELIVERY, at=T0)

    assert ticket.team == logistics


def test_triage_routes_a_ticket_in_no_team_and_keeps_one_whose_new_category_has_no_route(
    session: Session,
) -> None:
    after_sales, logistics = after_sales_and_logistics(session)
    supervisor = a_supervisor(session)
    teamless = new_ticket(session, Category.CONTRACT)
    routed = new_ticket(session, Category.OTHER)

    services.triage_ticket(session, teamless, supervisor, category=Category.DELIVERY, at=T0)
    services.triage_ticket(session, routed, supervisor, category=Category.CONTRACT, at=T0)

    assert (teamless.team, routed.team) == (logistics, after_sales)
    assert teamless.events[-1].data["team"] == [None, logistics.name]
    assert "team" not in routed.events[-1].data


def test_a_chat_handed_off_to_a_person_lands_in_a_team_queue(session: Session) -> None:
    after_sales = make_team(session)
    accounts.route_category(session, Category.OTHER, after_sales)
    record = services.record_inbound_message(session, Channel.WEB, "s-routing", "转人工")

    ticket = services.hand_off_conversation(
        session, record.conversation, services.Actor.bot(), reason="request", at=T0
    )
    session.commit()

    agent = make_user(session, team=after_sales)
    team_queue = services.list_tickets(
        session, agent, services.TicketFilters(team_id=after_sales.id), now=T0
    )
    assert team_queue.tickets == [ticket]


def test_a_ticket_in_no_team_takes_its_assignees_team_and_the_history_says_so(
    session: Session,
) -> None:
    team = make_team(session)
    agent, supervisor = make_user(session, team=team), make_user(session, Role.SUPERVISOR)
    teamless_agent = make_user(session)
    assigned, claimed = (
        new_ticket(session, Category.CONTRACT),
        new_ticket(session, Category.CONTRACT),
    )
    stays_teamless = new_ticket(session, Category.CONTRACT)

    services.assign_ticket(session, assigned, agent, services.Actor.of(supervisor), at=T0)
    services.claim_ticket(session, claimed, agent, at=T0)
    services.claim_ticket(session, stays_teamless, teamless_agent, at=T0)
    session.commit()

    assert (assigned.team, claimed.team, stays_teamless.team) == (team, team, None)
    # A team chosen by giving the ticket to someone: later category changes leave it.
    assert not assigned.team_routed and not claimed.team_routed
    assert assigned.events[-1].data == {
        "assignee": [None, agent.username],
        "team": [None, team.name],
    }
    assert claimed.events[-1].data == {"assignee": agent.username, "team": [None, team.name]}
    assert stays_teamless.events[-1].data == {"assignee": teamless_agent.username}
