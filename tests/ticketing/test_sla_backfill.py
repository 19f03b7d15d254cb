"""Verdicts for tickets closed before verdicts were stored: replaying a ticket's history gives
the verdicts the application gave as it happened (issue 14)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from tests.factories import make_office_calendar, make_policy, make_ticket, make_user
from ticketing import services
from ticketing.models import ReportRollupMark, Role, SlaVerdict, Status, Ticket, User
from ticketing.sla import backfill, escalations

T0 = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)  # Monday 09:00 in Shanghai
MINUTE = timedelta(minutes=1)


def story(factory: sessionmaker[Session], office_hours: bool) -> tuple[int, int, int]:
    """Two agents, a passed-on ticket, a missed reply, a pause, a reopen, a worker's breach;
    returns (the ticket, a still open ticket, the second agent)."""
    with factory.begin() as s:
        calendar = make_office_calendar(s) if office_hours else None
        make_policy(s, calendar=calendar, first_response=60, next_response=30, resolution=240)
        boss = services.Actor.of(make_user(s, Role.SUPERVISOR))
        first, second = make_user(s), make_user(s)
        ticket, still_open = make_ticket(s, at=T0), make_ticket(s, at=T0)
        ids = (ticket.id, still_open.id, first.id, second.id)

    def act(minutes: int, do: Callable[[Session, Ticket, Any], object]) -> None:
        with factory.begin() as s:
            do(s, s.get_one(Ticket, ids[0]), minutes)

    def by(s: Session, n: int) -> services.Actor:
        return services.Actor.of(s.get_one(User, ids[n]))

    def at(minutes: int) -> datetime:
        return T0 + minutes * MINUTE

    act(5, lambda s, t, m: services.assign_ticket(s, t, s.get_one(User, ids[2]), boss, at=at(m)))
    act(30, lambda s, t, m: services.reply_to_customer(s, t, by(s, 2), "您好", at=at(m)))
    act(40, lambda s, t, m: services.add_customer_message(s, t, "还是不行", at=at(m)))
    act(50, lambda s, t, m: services.assign_ticket(s, t, s.get_one(User, ids[3]), boss, at=at(m)))
    act(100, lambda s, t, m: services.reply_to_customer(s, t, by(s, 3), "抱歉", at=at(m)))
    act(110, lambda s, t, m: services.change_status(s, t, Status.PENDING, by(s, 3), at=at(m)))
    act(180, lambda s, t, m: services.add_customer_message(s, t, "照片发了", at=at(m)))
    escalations.sweep(factory, at(215))  # the customer's message went unanswered past 30 min
    act(230, lambda s, t, m: services.reply_to_customer(s, t, by(s, 3), "收到", at=at(m)))
    act(300, lambda s, t, m: services.resolve_ticket(s, t, by(s, 3), at=at(m)))
    act(360, lambda s, t, m: services.reopen_ticket(s, t, services.Actor.customer(), at=at(m)))
    act(365, lambda s, t, m: services.add_customer_message(s, t, "又坏了", at=at(m)))
    act(370, lambda s, t, m: services.reply_to_customer(s, t, by(s, 3), "马上处理", at=at(m)))
    act(400, lambda s, t, m: services.change_status(s, t, Status.CLOSED, by(s, 3), at=at(m)))
    return ids[0], ids[1], ids[3]


FIELDS = (
    "ticket_id",
    "metric",
    "clock",
    "breached",
    "due_at",
    "priority",
    "assignee_id",
    "started_at",
    "stopped_at",
    "stopped_by",
    "business_seconds",
    "elapsed_seconds",
)


def verdicts(factory: sessionmaker[Session]) -> list[tuple[Any, ...]]:
    with factory() as s:
        found = s.scalars(select(SlaVerdict).order_by(SlaVerdict.metric, SlaVerdict.clock))
        return [tuple(getattr(v, name) for name in FIELDS) for v in found]


def replayed_as_lived(factory: sessionmaker[Session], office_hours: bool) -> None:
    ticket, still_open, second = story(factory, office_hours)
    lived = [v for v in verdicts(factory) if v[0] == ticket]
    assert len(lived) >= 4
    assert {v[6] for v in lived if v[1].value == "next_response"} == {second}
    assert any(v[3] for v in lived) and not all(v[3] for v in lived)
    with factory.begin() as s:  # as before migration 0020: no verdicts at all
        s.execute(delete(SlaVerdict))
        s.execute(delete(ReportRollupMark))
    assert backfill.backfill(factory) == (1, len(lived))  # the open ticket is left alone
    assert verdicts(factory) == lived
    with factory() as s:  # the worker's breach is decided at its due time
        swept = s.scalars(select(SlaVerdict).where(SlaVerdict.clock == "2.0")).one()
        assert swept.breached is not office_hours  # 12:50 is the lunch break: 14:00 is due
        assert swept.decided_at == (swept.due_at if swept.breached else swept.stopped_at)
        assert s.scalars(select(ReportRollupMark)).first() is not None
    assert backfill.backfill(factory) == (0, 0)
    assert still_open


def test_a_closed_tickets_history_gives_the_verdicts_it_had(
    session_factory: sessionmaker[Session],
) -> None:
    replayed_as_lived(session_factory, office_hours=False)


def test_the_replay_counts_business_time_in_the_policys_calendar(
    session_factory: sessionmaker[Session],
) -> None:
    replayed_as_lived(session_factory, office_hours=True)
