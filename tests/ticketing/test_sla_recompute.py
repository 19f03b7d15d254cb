"""A changed SLA policy or calendar moves the deadlines of the open tickets it governs, in the
worker, in batches, with a history row each; closed tickets are left alone."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.factories import MONDAY_10_SHANGHAI, make_office_calendar, make_policy, make_ticket
from ticketing import services, sla, worker
from ticketing.db import transaction
from ticketing.models import EventKind, SlaRecompute, Ticket, TicketEvent
from ticketing.services import calendars, sla_policies
from ticketing.services.settings_audit import Editor
from ticketing.sla import recompute

T0 = MONDAY_10_SHANGHAI  # Monday 2026-11-23 10:00 in Shanghai
H = timedelta(hours=1)
CLI = Editor("cli")


def desk(factory: sessionmaker[Session], open_tickets: int = 3) -> tuple[int, int, list[int], int]:
    """A business-time policy with an office calendar, open tickets and a closed one."""
    with transaction(factory) as session:
        calendar = make_office_calendar(session)
        policy = make_policy(session, calendar=calendar, first_response=60, resolution=8 * 60)
        opened = [make_ticket(session, at=T0 + i * H).id for i in range(open_tickets)]
        closed = make_ticket(session, at=T0)
        services.close_ticket(session, closed, services.Actor.system(), at=T0 + H)
        return policy.id, calendar.id, opened, closed.id


def new_targets(session: Session, policy_id: int, *, first: int, resolution: int) -> None:
    row = sla_policies.get_policy(session, policy_id)
    fields = sla_policies.PolicyFields(
        name=row.name,
        priority=row.priority,
        tier=row.tier,
        first_response_minutes=first,
        next_response_minutes=row.next_response_minutes,
        resolution_minutes=resolution,
        calendar_id=row.calendar_id,
    )
    sla_policies.update_policy(session, CLI, policy_id, fields, version=row.version)


def dues(
    session: Session, ticket_id: int
) -> tuple[datetime | None, datetime | None, datetime | None]:
    ticket = session.get(Ticket, ticket_id)
    assert ticket is not None
    return (ticket.first_response_due_at, ticket.resolution_due_at, ticket.next_sla_check_at)


def retargeted_rows(session: Session, ticket_id: int) -> list[TicketEvent]:
    return [
        e
        for e in session.scalars(
            select(TicketEvent).where(
                TicketEvent.ticket_id == ticket_id, TicketEvent.kind == EventKind.SLA
            )
        )
        if e.data.get("sla") == "retargeted"
    ]


def test_a_policy_change_moves_open_tickets_deadlines_and_leaves_closed_ones_alone(
    session_factory: sessionmaker[Session],
) -> None:
    policy_id, _calendar_id, opened, closed = desk(session_factory)
    with session_factory() as session:
        closed_before = dues(session, closed)
        calendar = sla.calendar_of_ticket(session.get(Ticket, opened[0]))  # type: ignore[arg-type]
    with transaction(session_factory) as session:
        new_targets(session, policy_id, first=30, resolution=4 * 60)
    with session_factory() as session:  # the admin's request only queued the work
        assert session.get(Ticket, opened[0]).first_response_due_at == (  # type: ignore[union-attr]
            sla.add_business_time(calendar, T0, H)
        )
    result = worker.tick(session_factory, T0 + 3 * H, refresh_churn=False)
    assert result.retargeted == len(opened)
    with session_factory() as session:
        for number, ticket_id in enumerate(opened):
            created = T0 + number * H
            first, resolution, _check = dues(session, ticket_id)
            assert first == sla.add_business_time(calendar, created, 30 * timedelta(minutes=1))
            assert resolution == sla.add_business_time(calendar, created, 4 * H)
            [row] = retargeted_rows(session, ticket_id)
            assert row.actor_kind.value == "system"
            assert row.data["reason"] == "sla_policy.update"
            assert resolution is not None
            assert row.data["resolution_due_at"] == resolution.isoformat()
        assert dues(session, closed) == closed_before
        assert retargeted_rows(session, closed) == []
        [job] = session.scalars(select(SlaRecompute)).all()
        assert job.done_at is not None and job.tickets == len(opened)
    # Done is done: the next pass does nothing again.
    assert worker.tick(session_factory, T0 + 4 * H, refresh_churn=False).retargeted == 0


def test_a_calendar_change_moves_the_tickets_counted_in_it(
    session_factory: sessionmaker[Session],
) -> None:
    _policy_id, calendar_id, opened, _closed = desk(session_factory, open_tickets=1)
    with transaction(session_factory) as session:
        row = calendars.get_calendar(session, calendar_id)
        # Monday 2026-11-23 becomes a holiday: the 10:00 ticket's hour runs on Tuesday.
        fields = calendars.CalendarFields(
            name=row.name,
            timezone=row.timezone,
            periods=row.periods,
            holidays=[*row.holidays, "2026-11-23"],
        )
        calendars.update_calendar(session, CLI, calendar_id, fields, version=row.version)
    assert recompute.run(session_factory, T0) == 1
    with session_factory() as session:
        ticket = session.get(Ticket, opened[0])
        assert ticket is not None
        calendar = sla.calendar_of_ticket(ticket)
        assert ticket.first_response_due_at == sla.add_business_time(calendar, T0, H)
        assert ticket.first_response_due_at.astimezone(calendar.zone).day == 24  # type: ignore[union-attr]


def test_the_worker_walks_the_tickets_in_batches_and_keeps_its_place(
    session_factory: sessionmaker[Session],
) -> None:
    policy_id, _calendar_id, opened, _closed = desk(session_factory, open_tickets=5)
    with transaction(session_factory) as session:
        new_targets(session, policy_id, first=30, resolution=4 * 60)
        new_targets(session, policy_id, first=20, resolution=4 * 60)  # queued once: not begun
        assert len(session.scalars(select(SlaRecompute)).all()) == 1
    with transaction(session_factory) as session:
        assert recompute.run_batch(session, T0, batch=2) == (True, 2)
    with session_factory() as session:
        [job] = session.scalars(select(SlaRecompute)).all()
        assert (job.after_ticket_id, job.tickets, job.done_at) == (opened[1], 2, None)
        assert retargeted_rows(session, opened[2]) == []
    assert recompute.run(session_factory, T0, batch=2) == 3
    with session_factory() as session:
        assert all(len(retargeted_rows(session, t)) == 1 for t in opened)
