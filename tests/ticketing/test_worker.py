"""The SLA worker on a frozen clock: warnings, breaches and escalations, each exactly once."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from tests.factories import (
    MONDAY_10_SHANGHAI,
    make_office_calendar,
    make_policy,
    make_team,
    make_ticket,
    make_user,
)
from ticketing import services, sla, worker
from ticketing.db import make_session_factory
from ticketing.models import (
    EventKind,
    Notification,
    NotificationKind,
    Priority,
    Role,
    SlaEvent,
    SlaEventKind,
    SlaMetric,
    Status,
    Ticket,
    TicketEvent,
)
from ticketing.sla import escalations

T0 = MONDAY_10_SHANGHAI  # Monday 10:00 in Shanghai
SECOND = timedelta(seconds=1)
OFFICE = sla.Calendar.from_config(
    "Asia/Shanghai", {str(d): [["09:00", "12:00"], ["13:30", "18:00"]] for d in range(5)}
)


def shanghai(day: int, hour: int, minute: int = 0) -> datetime:
    """An instant given as Shanghai wall time in the week of 2026-11-23 (Monday = 23)."""
    return datetime(2026, 11, day, hour - 8, minute, tzinfo=UTC)


def events(session: Session, ticket_id: int) -> list[tuple[SlaMetric, SlaEventKind]]:
    rows = session.execute(
        select(SlaEvent.metric, SlaEvent.kind)
        .where(SlaEvent.ticket_id == ticket_id)
        .order_by(SlaEvent.id)
    )
    return [(m, k) for m, k in rows]


def notified(session: Session, kind: NotificationKind) -> list[int]:
    return list(
        session.scalars(
            select(Notification.user_id).where(Notification.kind == kind).order_by(Notification.id)
        )
    )


def sweep(factory: sessionmaker[Session], at: datetime) -> escalations.SweepResult:
    return escalations.sweep(factory, at)


def test_warning_then_breach_at_business_time_instants(
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory.begin() as session:
        team = make_team(session)
        supervisor = make_user(session, Role.SUPERVISOR, team=team)
        agent = make_user(session, team=team)
        make_policy(
            session, calendar=make_office_calendar(session), first_response=60, resolution=8 * 60
        )
        ticket = make_ticket(session, team=team, at=T0)
        services.assign_ticket(session, ticket, agent, services.Actor.of(supervisor), at=T0)
        ticket_id, agent_id, supervisor_id = ticket.id, agent.id, supervisor.id
        # 75% of the 60-minute first-response target has passed at 10:45.
        assert ticket.next_sla_check_at == shanghai(23, 10, 45)

    assert sweep(session_factory, shanghai(23, 10, 45) - SECOND).warnings == 0
    assert sweep(session_factory, shanghai(23, 10, 45)).warnings == 1
    assert sweep(session_factory, shanghai(23, 10, 59)).tickets == 0  # next look: 11:00
    done = sweep(session_factory, shanghai(23, 11, 0))
    assert (done.breaches, done.escalations) == (1, 0)  # assigned: no escalation queue

    # 6 of 8 business hours: 10:00-12:00 and 13:30-17:30 -> the resolution warning at 17:30;
    # the deadline is Tuesday 10:30 (4.5 h on Monday afternoon, 1.5 h on Tuesday morning).
    assert sweep(session_factory, shanghai(23, 17, 29)).warnings == 0
    assert sweep(session_factory, shanghai(23, 17, 30)).warnings == 1
    assert sweep(session_factory, shanghai(24, 10, 29)).breaches == 0
    assert sweep(session_factory, shanghai(24, 10, 30)).breaches == 1
    # A restart re-running the same instants changes nothing.
    again = worker.tick(session_factory, shanghai(24, 10, 30))
    assert again.sla.tickets == 0

    with session_factory() as session:
        assert events(session, ticket_id) == [
            (SlaMetric.FIRST_RESPONSE, SlaEventKind.WARNING),
            (SlaMetric.FIRST_RESPONSE, SlaEventKind.BREACH),
            (SlaMetric.RESOLUTION, SlaEventKind.WARNING),
            (SlaMetric.RESOLUTION, SlaEventKind.BREACH),
        ]
        ticket = session.get_one(Ticket, ticket_id)
        assert ticket.priority is Priority.URGENT  # normal -> high -> urgent
        assert ticket.next_sla_check_at is None
        assert ticket.escalated_at is None
        assert notified(session, NotificationKind.SLA_WARNING) == [agent_id, agent_id]
        assert notified(session, NotificationKind.SLA_BREACH) == [supervisor_id, supervisor_id]
        history = session.scalars(
            select(TicketEvent.data).where(
                TicketEvent.ticket_id == ticket_id, TicketEvent.kind == EventKind.SLA
            )
        ).all()
        assert [h["sla"] for h in history] == ["warning", "breach", "warning", "breach"]


def test_pause_moves_the_deadline(session_factory: sessionmaker[Session]) -> None:
    with session_factory.begin() as session:
        make_policy(session, calendar=make_office_calendar(session), first_response=60)
        agent = make_user(session)
        ticket = make_ticket(session, at=T0)
        ticket_id = ticket.id
        # Waiting on the customer from 10:30, with 30 business minutes left.
        services.change_status(
            session, ticket, Status.PENDING, services.Actor.of(agent), at=shanghai(23, 10, 30)
        )
        assert ticket.next_sla_check_at is None

    assert sweep(session_factory, shanghai(23, 16, 0)).tickets == 0  # paused: nothing due

    with session_factory.begin() as session:
        ticket = session.get_one(Ticket, ticket_id)
        services.add_customer_message(session, ticket, "照片发给你们了", at=shanghai(24, 9, 0))
        # 30 minutes left from Tuesday 09:00: due 09:30, warned at 09:15.
        assert ticket.first_response_due_at == shanghai(24, 9, 30)
        assert ticket.next_sla_check_at == shanghai(24, 9, 15)

    assert sweep(session_factory, shanghai(24, 9, 14)).warnings == 0
    assert sweep(session_factory, shanghai(24, 9, 15)).warnings == 1
    assert sweep(session_factory, shanghai(24, 9, 29)).breaches == 0
    assert sweep(session_factory, shanghai(24, 9, 30)).breaches == 1


def test_clock_warned_or_breached_before_a_pause_is_not_again_after_it(
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory.begin() as session:
        make_policy(session, calendar=make_office_calendar(session), first_response=60)
        agent = make_user(session)
        ticket_id = make_ticket(session, at=T0).id
    sweep(session_factory, shanghai(23, 11, 5))  # breached at 11:00 (the warning is skipped)
    with session_factory.begin() as session:
        ticket = session.get_one(Ticket, ticket_id)
        actor = services.Actor.of(agent)
        services.change_status(session, ticket, Status.PENDING, actor, at=shanghai(23, 11, 10))
        services.change_status(session, ticket, Status.OPEN, actor, at=shanghai(24, 9, 0))
        # Moved by the 5 h 20 min of business time paused, so still 10 business minutes late.
        assert ticket.first_response_due_at == shanghai(23, 17, 50)
    done = sweep(session_factory, shanghai(24, 9, 1))
    assert (done.warnings, done.breaches) == (0, 0)
    with session_factory() as session:
        assert events(session, ticket_id) == [(SlaMetric.FIRST_RESPONSE, SlaEventKind.BREACH)]
        assert session.get_one(Ticket, ticket_id).priority is Priority.HIGH


def test_each_customer_turn_has_its_own_next_response_clock(
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory.begin() as session:
        make_policy(session, first_response=60, next_response=30, resolution=7 * 24 * 60)
        agent = make_user(session)
        ticket = make_ticket(session, at=T0)
        ticket_id = ticket.id
        services.reply_to_customer(session, ticket, services.Actor.of(agent), "收到", at=T0)
        services.add_customer_message(session, ticket, "还没好", at=T0 + timedelta(minutes=10))
    sweep(session_factory, T0 + timedelta(minutes=41))  # 30 minutes after the customer wrote
    with session_factory.begin() as session:
        ticket = session.get_one(Ticket, ticket_id)
        services.reply_to_customer(session, ticket, services.Actor.of(agent), "在查", at=T0)
        services.add_customer_message(session, ticket, "快点", at=T0 + timedelta(minutes=50))
    sweep(session_factory, T0 + timedelta(minutes=81))
    sweep(session_factory, T0 + timedelta(minutes=90))
    with session_factory() as session:
        breaches = session.scalars(
            select(SlaEvent.clock).where(
                SlaEvent.ticket_id == ticket_id,
                SlaEvent.metric == SlaMetric.NEXT_RESPONSE,
                SlaEvent.kind == SlaEventKind.BREACH,
            )
        ).all()
        assert breaches == ["1.0", "2.0"]


def test_unassigned_breach_goes_to_the_team_escalation_queue(
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory.begin() as session:
        team, other = make_team(session), make_team(session)
        supervisor = make_user(session, Role.SUPERVISOR, team=team)
        make_user(session, Role.SUPERVISOR, team=other)
        make_policy(session, first_response=30)
        ticket = make_ticket(session, team=team, at=T0)
        ticket_id, team_id, supervisor_id = ticket.id, team.id, supervisor.id

    first = sweep(session_factory, T0 + timedelta(minutes=31))
    second = sweep(session_factory, T0 + timedelta(minutes=32))
    assert (first.breaches, first.escalations) == (1, 1)
    assert (second.breaches, second.escalations) == (0, 0)
    with session_factory() as session:
        queue = escalations.escalation_queue(session, team_id)
        assert [t.id for t in queue] == [ticket_id]
        assert queue[0].escalated_at == T0 + timedelta(minutes=31)
        # The unassigned ticket's warning and breach go to its own team's supervisor only.
        assert notified(session, NotificationKind.SLA_BREACH) == [supervisor_id]


@pytest.mark.postgres
def test_two_workers_on_postgres_do_each_escalation_once(postgres_engine: Engine) -> None:
    """Two workers with their own connections sweep the same 300 overdue tickets at once."""
    from tests.conftest import empty_database

    factory = make_session_factory(postgres_engine)
    with factory.begin() as session:
        team = make_team(session)
        make_user(session, Role.SUPERVISOR, team=team)
        make_user(session, Role.SUPERVISOR, team=team)
        make_policy(session, first_response=10, resolution=60)
        for i in range(300):
            make_ticket(session, team=team, at=T0 + timedelta(seconds=i))
    now = T0 + timedelta(hours=2)  # every first response and resolution deadline has passed
    barrier = threading.Barrier(2)
    results: list[escalations.SweepResult] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait()
            for _ in range(3):  # a restart, or a pass that found nothing left, changes nothing
                results.append(escalations.sweep(factory, now, batch=25))
        except BaseException as exc:
            errors.append(exc)

    try:
        threads = [threading.Thread(target=run) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert not errors
        assert sum(r.breaches for r in results) == 600  # two clocks per ticket
        assert sum(r.escalations for r in results) == 300
        with factory() as session:
            assert session.scalar(select(func.count(SlaEvent.id))) == 600
            priorities = session.execute(
                select(Ticket.priority, func.count()).group_by(Ticket.priority)
            ).all()
            assert priorities == [(Priority.URGENT, 300)]  # raised once per breach, no more
            assert session.scalar(select(func.count(Notification.id))) == 600 * 2
            assert (
                session.scalar(select(func.count()).where(Ticket.escalated_at.is_not(None))) == 300
            )
    finally:
        empty_database(postgres_engine)


@settings(max_examples=200, deadline=None)
@given(
    start=st.datetimes(
        min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)
    ),
    minutes=st.integers(min_value=0, max_value=5 * 24 * 60),
)
def test_subtract_business_time_inverts_add(start: datetime, minutes: int) -> None:
    duration = timedelta(minutes=minutes)
    end = sla.add_business_time(OFFICE, start, duration)
    earlier = sla.subtract_business_time(OFFICE, end, duration)
    assert earlier <= end
    assert sla.business_time_between(OFFICE, earlier, end) == duration
    # It is the earliest such instant: a moment before it leaves more than `duration`.
    if duration:
        assert sla.business_time_between(OFFICE, earlier - SECOND, end) > duration or (
            not OFFICE.is_open(earlier - SECOND)
            and sla.add_business_time(OFFICE, earlier - SECOND, duration) == end
        )
