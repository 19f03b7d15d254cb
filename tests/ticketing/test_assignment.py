"""Auto-assignment by capacity: who gets what, and why; room freed and agents coming online;
key accounts to their account manager; exactly once with concurrent passes on real sessions."""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import empty_database
from tests.factories import make_customer, make_team, make_ticket, make_user
from ticketing import services
from ticketing.clock import utcnow
from ticketing.db import make_session_factory, transaction
from ticketing.models import EventKind, Status, Team, Ticket, TicketEvent, Tier, User
from ticketing.services import assignment, presence
from ticketing.services.presence import Presence


def _team(session: Session, auto: bool = True) -> Team:
    team = make_team(session)
    team.auto_assign = auto
    return team


def _online(session: Session, team: Team, *, tickets: int = 20, chats: int = 3) -> User:
    agent = make_user(session, team=team)
    presence.set_capacity(session, agent, max_chats=chats, max_tickets=tickets)
    presence.set_presence(session, agent, Presence.ONLINE)
    return agent


def _assigned_events(session: Session, ticket: Ticket) -> list[dict[str, object]]:
    return [e.data for e in ticket.events if e.kind is EventKind.ASSIGNED and "reason" in e.data]


def test_a_new_ticket_goes_to_the_least_loaded_online_agent(session: Session) -> None:
    team = _team(session)
    busy, free = _online(session, team), _online(session, team)
    make_ticket(session, team=team)  # one agent has it now
    first = session.scalars(select(Ticket)).one()
    assert first.assignee is not None
    other = busy if first.assignee.id == free.id else free

    second = make_ticket(session, team=team)

    assert second.assignee_id == other.id
    session.refresh(second)
    events = _assigned_events(session, second)
    assert events == [
        {"assignee": [None, other.username], "reason": "least_loaded", "load": [0, 1]}
    ]


def test_nothing_moves_in_a_team_without_auto_assignment(session: Session) -> None:
    team = _team(session, auto=False)
    _online(session, team)

    ticket = make_ticket(session, team=team)

    assert ticket.assignee_id is None


def test_full_agents_leave_items_queued_until_room_frees_up(session: Session) -> None:
    team = _team(session)
    agent = _online(session, team, tickets=1)
    first, second = make_ticket(session, team=team), make_ticket(session, team=team)
    assert (first.assignee_id, second.assignee_id) == (agent.id, None)

    services.resolve_ticket(session, first, services.Actor.of(agent))

    assert second.assignee_id == agent.id


def test_an_agent_coming_online_takes_the_queue_and_silence_means_offline(
    session: Session,
) -> None:
    team = _team(session)
    agent = make_user(session, team=team)
    queued = [make_ticket(session, team=team) for _ in range(3)]
    stale = make_user(session, team=team)
    presence.set_presence(session, stale, Presence.ONLINE, at=utcnow() - timedelta(minutes=10))

    presence.set_presence(session, agent, Presence.ONLINE)
    done = assignment.assign_queued(session, team.id)

    assert {a.agent.id for a in done} == {agent.id}
    assert all(t.assignee_id == agent.id for t in queued)


def test_chats_first_and_chat_capacity(session: Session) -> None:
    team = _team(session, auto=False)
    agent = _online(session, team, chats=1)
    ticket = make_ticket(session, team=team)
    chats = [make_ticket(session, team=team) for _ in range(2)]
    for chat in chats:
        services.hand_off_ticket(session, chat, services.Actor.bot())
    team.auto_assign = True

    assignment.assign_queued(session, team.id)

    assert [c.assignee_id for c in chats] == [agent.id, None]
    assert ticket.assignee_id == agent.id


def test_a_key_accounts_ticket_goes_to_its_account_manager(session: Session) -> None:
    team = _team(session)
    _online(session, team)
    manager = _online(session, team)
    make_ticket(session, team=team)  # the manager may be busier than the other agent
    make_ticket(session, team=team)
    customer = make_customer(session, Tier.KEY_ACCOUNT)
    customer.account_manager_id = manager.id

    ticket = make_ticket(session, team=team, customer=customer)

    assert ticket.assignee_id == manager.id
    session.refresh(ticket)
    assert _assigned_events(session, ticket)[0]["reason"] == "account_manager"


def test_concurrent_passes_never_assign_twice_nor_overfill(engine: Engine) -> None:
    factory = make_session_factory(engine)
    with transaction(factory) as session:
        team = _team(session, auto=False)
        agents = [_online(session, team, tickets=5).id for _ in range(3)]
        for _ in range(30):
            make_ticket(session, team=team)
        team.auto_assign = True
        team_id = team.id
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait()
            for _ in range(3):
                with transaction(factory) as session:
                    assignment.assign_queued(session, team_id)
        except BaseException as exc:
            errors.append(exc)

    try:
        threads = [threading.Thread(target=run) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert errors == []
        with factory() as session:
            loads = dict(
                session.execute(
                    select(Ticket.assignee_id, func.count())
                    .where(Ticket.assignee_id.is_not(None))
                    .group_by(Ticket.assignee_id)
                ).all()
            )
            events = session.scalar(
                select(func.count())
                .select_from(TicketEvent)
                .where(TicketEvent.kind == EventKind.ASSIGNED)
            )
            queued = session.scalar(
                select(func.count()).select_from(Ticket).where(Ticket.assignee_id.is_(None))
            )
        assert loads == {agent: 5 for agent in agents}
        assert events == 15
        assert queued == 15
    finally:
        empty_database(engine)


def test_status_other_than_open_keeps_its_place(
    session_factory: sessionmaker[Session],
) -> None:
    with transaction(session_factory) as session:
        team = _team(session, auto=False)
        ticket = make_ticket(session, team=team)
        services.change_status(session, ticket, Status.PENDING, services.Actor.system())
        _online(session, team)
        team.auto_assign = True
        assert assignment.assign_queued(session, team.id) == []
