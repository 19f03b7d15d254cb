"""Issue 14: one verdict per SLA deadline, read alike by the worker, the ticket view and the
reports; re-targeting from the ticket's own history; business-time figures."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import empty_database
from tests.factories import (
    make_customer,
    make_office_calendar,
    make_policy,
    make_ticket,
    make_user,
)
from ticketing import reports, services, sla
from ticketing.errors import Conflict
from ticketing.models import (
    Priority,
    Role,
    SlaEvent,
    SlaEventKind,
    SlaMetric,
    Status,
    Ticket,
    Tier,
    User,
    format_ticket_number,
)
from ticketing.sla import escalations

# Sunday 1 November 2026, 00:00 UTC: calendar-time policies unless a test says otherwise.
T0 = datetime(2026, 11, 1, tzinfo=UTC)
MINUTE = timedelta(minutes=1)
HOUR = timedelta(hours=1)


def report(
    factory: sessionmaker[Session], name: str, start: datetime, end: datetime, now: datetime
) -> dict[str, dict[str, object]]:
    with factory() as session:
        table = reports.run(session, name, reports.ReportFilters(start, end), now)
    return {str(row["metric"]): row for row in table.as_dicts()}


def test_a_resolution_in_time_while_pending_is_reported_met(
    session_factory: sessionmaker[Session],
) -> None:
    """Error 1: resolved while pending after 30 of 240 minutes; the pause keeps the clock, so
    the wall-clock resolved_at lies past the unmoved due time, and yet the deadline was met."""
    with session_factory.begin() as s:
        make_policy(s, first_response=60, next_response=None, resolution=240)
        agent = services.Actor.of(make_user(s))
        ticket = make_ticket(s, at=T0)
        services.reply_to_customer(s, ticket, agent, "您好", at=T0 + 10 * MINUTE)
        services.change_status(s, ticket, Status.PENDING, agent, at=T0 + 30 * MINUTE)
        services.resolve_ticket(s, ticket, agent, at=T0 + 10 * HOUR)
    escalations.sweep(session_factory, T0 + 11 * HOUR)
    rows = report(session_factory, "sla", T0, T0 + 24 * HOUR, T0 + 11 * HOUR)
    assert (rows["resolution"]["met"], rows["resolution"]["breached"]) == (1, 0)


def test_a_priority_change_keeps_the_time_spent_pending(session: Session) -> None:
    """Error 2: two hours pending moved first response from 03:00 to 05:00; a new priority with
    the same targets must leave it there, not start over from creation."""
    for priority in (Priority.NORMAL, Priority.HIGH):
        make_policy(session, priority, first_response=180, resolution=24 * 60)
    agent = services.Actor.of(make_user(session))
    ticket = make_ticket(session, priority=Priority.NORMAL, at=T0)
    services.change_status(session, ticket, Status.PENDING, agent, at=T0)
    services.change_status(session, ticket, Status.OPEN, agent, at=T0 + 2 * HOUR)
    assert ticket.first_response_due_at == T0 + 5 * HOUR
    supervisor = services.Actor.of(make_user(session, Role.SUPERVISOR))
    services.triage_ticket(
        session, ticket, supervisor, priority=Priority.HIGH, at=T0 + 150 * MINUTE
    )
    assert ticket.first_response_due_at == T0 + 5 * HOUR
    assert not any(sla.sla_breaches(ticket, T0 + 4 * HOUR).values())


def test_a_tier_change_retargets_from_history_and_keeps_verdicts(session: Session) -> None:
    """A gold customer's policy has 4 h for first response, the regular one 3 h; two hours
    pending count as pause under either, and a verdict already decided stays as it was."""
    make_policy(session, Priority.NORMAL, Tier.REGULAR, first_response=180, next_response=30)
    make_policy(session, Priority.NORMAL, Tier.GOLD, first_response=240, next_response=60)
    agent = services.Actor.of(make_user(session))
    customer = make_customer(session)
    ticket = make_ticket(session, customer=customer, priority=Priority.NORMAL, at=T0)
    services.change_status(session, ticket, Status.PENDING, agent, at=T0 + HOUR)
    services.add_customer_message(session, ticket, "在吗", at=T0 + 3 * HOUR)
    assert ticket.first_response_due_at == T0 + 5 * HOUR
    customer.tier = Tier.GOLD
    sla.retarget(session, ticket, ticket.priority)
    assert ticket.first_response_due_at == T0 + 6 * HOUR
    services.reply_to_customer(session, ticket, agent, "您好", at=T0 + 4 * HOUR)
    services.add_customer_message(session, ticket, "还是不行", at=T0 + 5 * HOUR)
    assert ticket.next_response_due_at == T0 + 6 * HOUR
    # Back to regular: the running next response counts from the customer's message again.
    customer.tier = Tier.REGULAR
    sla.retarget(session, ticket, ticket.priority)
    assert ticket.next_response_due_at == T0 + 5 * HOUR + 30 * MINUTE
    assert ticket.first_response_due_at is None
    session.flush()
    [first] = ticket.sla_verdicts
    assert (first.metric, first.breached, first.business_seconds) == (
        SlaMetric.FIRST_RESPONSE,
        False,
        2 * 3600,
    )


def test_a_priority_without_a_policy_leaves_no_deadline_running(session: Session) -> None:
    """Error 3: the worker ignores a ticket without a policy, so nothing may call it overdue."""
    make_policy(session, Priority.NORMAL, first_response=60)
    supervisor = services.Actor.of(make_user(session, Role.SUPERVISOR))
    ticket = make_ticket(session, priority=Priority.NORMAL, at=T0)
    services.triage_ticket(session, ticket, supervisor, priority=Priority.LOW, at=T0 + MINUTE)
    session.flush()
    later = T0 + 5 * HOUR
    assert ticket.sla_policy is None
    assert not any(sla.sla_breaches(ticket, later).values())
    overdue = select(func.count(Ticket.id)).where(sla.breached_condition(later))
    assert session.scalar(overdue) == 0
    assert (ticket.first_response_due_at, ticket.resolution_due_at) == (None, None)


def test_response_times_are_in_business_minutes_beside_elapsed(
    session_factory: sessionmaker[Session],
) -> None:
    """Error 4: filed Friday 17:55, answered Monday 09:05 in Shanghai office hours: ten business
    minutes against a one-hour target, though 63 h 10 min passed."""
    friday_1755 = datetime(2026, 11, 20, 9, 55, tzinfo=UTC)
    monday_0905 = datetime(2026, 11, 23, 1, 5, tzinfo=UTC)
    with session_factory.begin() as s:
        make_policy(s, calendar=make_office_calendar(s), first_response=60)
        agent = services.Actor.of(make_user(s))
        ticket = make_ticket(s, at=friday_1755)
        services.reply_to_customer(s, ticket, agent, "您好", at=monday_0905)
    escalations.sweep(session_factory, monday_0905 + HOUR)
    start, end = friday_1755 - HOUR, monday_0905 + HOUR
    row = report(session_factory, "response_times", start, end, end)[SlaMetric.FIRST_RESPONSE.value]
    assert (row["median_minutes"], row["business_median_minutes"]) == (3790.0, 10.0)
    assert (row["p90_minutes"], row["business_p90_minutes"]) == (3790.0, 10.0)
    sla_row = report(session_factory, "sla", start, end, end)[SlaMetric.FIRST_RESPONSE.value]
    assert (sla_row["met"], sla_row["breached"]) == (1, 0)


def test_next_response_before_the_first_reply_is_a_policy_option(session: Session) -> None:
    """Zammad's way, per policy: the customer's messages start next-response clocks before the
    first reply too; one reply then decides both deadlines. Off, as before, it waits."""
    zammad = make_policy(session, Priority.HIGH, first_response=60, next_response=20)
    zammad.next_response_before_first_reply = True
    make_policy(session, Priority.NORMAL, first_response=60, next_response=20)
    agent = services.Actor.of(make_user(session))
    ours = make_ticket(session, priority=Priority.NORMAL, at=T0)
    theirs = make_ticket(session, priority=Priority.HIGH, at=T0)
    assert ours.next_response_due_at is None
    assert theirs.next_response_due_at == T0 + 20 * MINUTE
    for ticket in (ours, theirs):
        services.add_customer_message(session, ticket, "在吗", at=T0 + 10 * MINUTE)
        services.reply_to_customer(session, ticket, agent, "您好", at=T0 + 30 * MINUTE)
    session.flush()
    session.expire_all()
    assert [(v.metric, v.breached) for v in ours.sla_verdicts] == [
        (SlaMetric.FIRST_RESPONSE, False)
    ]
    assert [(v.metric, v.clock, v.breached, v.elapsed_seconds) for v in theirs.sla_verdicts] == [
        (SlaMetric.FIRST_RESPONSE, "1", False, 30 * 60),
        (SlaMetric.NEXT_RESPONSE, "0.0", True, 30 * 60),
    ]


# --- the same tickets through the worker, the ticket view and the reports ----------------------

SCENARIO_TICKETS = 24
SPAN = 24 * HOUR
ACTIONS = ("reply", "customer", "pending", "open", "resolve", "reopen")


def scenario(seed: int) -> list[tuple[timedelta, int, str]]:
    """Tickets opened over six hours, each then worked at random instants over a day."""
    rng = random.Random(seed)
    steps: list[tuple[timedelta, int, str]] = []
    for index in range(SCENARIO_TICKETS):
        opened = rng.randrange(6 * 60) * MINUTE
        steps.append((opened, index, "create"))
        at = opened
        for _ in range(rng.randrange(7)):
            at += rng.randrange(1, 150) * MINUTE
            steps.append((at, index, rng.choice(ACTIONS)))
    return sorted(steps, key=lambda step: step[0])


def act(session: Session, ticket: Ticket, what: str, agent: services.Actor, at: datetime) -> None:
    handlers: dict[str, Callable[[], object]] = {
        "reply": lambda: services.reply_to_customer(session, ticket, agent, "您好", at=at),
        "customer": lambda: services.add_customer_message(session, ticket, "还没好", at=at),
        "pending": lambda: services.change_status(session, ticket, Status.PENDING, agent, at=at),
        "open": lambda: services.change_status(session, ticket, Status.OPEN, agent, at=at),
        "resolve": lambda: services.resolve_ticket(session, ticket, agent, at=at),
        "reopen": lambda: services.reopen_ticket(session, ticket, agent, at=at),
    }
    try:
        with session.begin_nested():
            handlers[what]()
    except Conflict:
        pass  # not allowed in the ticket's status: the desk would have said so too


def run_scenario(factory: sessionmaker[Session], *, sweep_every: timedelta | None) -> list[int]:
    """Play the scenario, the worker sweeping every `sweep_every` (or only at the end)."""
    with factory.begin() as s:
        office = make_office_calendar(s)
        make_policy(s, Priority.NORMAL, first_response=30, next_response=20, resolution=180)
        make_policy(
            s, Priority.HIGH, calendar=office, first_response=30, next_response=20, resolution=180
        )
        agent_id = make_user(s).id
    ids: dict[int, int] = {}
    next_sweep = T0 + sweep_every if sweep_every else None
    for offset, index, what in scenario(14):
        at = T0 + offset
        while next_sweep is not None and sweep_every is not None and next_sweep <= at:
            escalations.sweep(factory, next_sweep)
            next_sweep += sweep_every
        with factory.begin() as s:
            if what == "create":
                priority = Priority.HIGH if index % 2 else Priority.NORMAL
                ids[index] = make_ticket(s, priority=priority, at=at).id
            else:
                agent = services.Actor.of(s.get_one(User, agent_id))
                act(s, s.get_one(Ticket, ids[index]), what, agent, at)
    escalations.sweep(factory, T0 + SPAN + 5 * HOUR)
    return [ids[i] for i in range(SCENARIO_TICKETS)]


Verdicts = dict[tuple[int, str, str], tuple[str, float | None, float | None]]


def reported(factory: sessionmaker[Session], ids: list[int], now: datetime) -> Verdicts:
    """Every ticket's verdicts as the per-ticket report gives them, keyed by ticket position."""
    with factory() as session:
        table = reports.run(session, "sla_tickets", reports.ReportFilters(T0, now), now)
    number = {format_ticket_number(ticket_id): i for i, ticket_id in enumerate(ids)}
    return {
        (number[r["ticket"]], r["metric"], r["clock"]): (
            r["verdict"],
            r["business_minutes"],
            r["elapsed_minutes"],
        )
        for r in table.as_dicts()
    }


def test_worker_view_and_reports_give_every_ticket_the_same_verdicts(
    engine: Engine, session_factory: sessionmaker[Session]
) -> None:
    now = T0 + SPAN + 6 * HOUR
    ids = run_scenario(session_factory, sweep_every=10 * MINUTE)
    verdicts = reported(session_factory, ids, now)
    filters = reports.ReportFilters(T0, now)
    with session_factory() as s:
        # The worker: each breach it recorded is a missed verdict of that very deadline.
        for ticket_id, metric, clock in s.execute(
            select(SlaEvent.ticket_id, SlaEvent.metric, SlaEvent.clock).where(
                SlaEvent.kind == SlaEventKind.BREACH
            )
        ):
            assert verdicts[(ids.index(ticket_id), metric.value, clock)][0] == "missed"
        # The ticket view: each clock shows its latest deadline's verdict.
        for position, ticket_id in enumerate(ids):
            latest = {
                metric: verdict
                for (i, metric, _), (verdict, _, _) in sorted(verdicts.items())
                if i == position
            }
            shown = {
                c.metric.value: c.verdict
                for c in sla.clocks(s.get_one(Ticket, ticket_id), now)
                if c.verdict
            }
            assert shown == {m: v for m, v in latest.items() if m in shown}
        compliance = reports.run(s, "sla", filters, now).as_dicts()
        breach_list = reports.run(s, "breaches", filters, now).as_dicts()
        times = reports.run(s, "response_times", filters, now).as_dicts()
    # The reports: compliance and the breach list count exactly these verdicts.
    for row in compliance:
        mine = [v for (_, m, _), (v, _, _) in verdicts.items() if m == row["metric"]]
        assert (row["met"], row["breached"]) == (mine.count("met"), mine.count("missed"))
    assert sorted((r["ticket"], r["metric"]) for r in breach_list) == sorted(
        (format_ticket_number(ids[i]), m)
        for (i, m, _), (v, _, _) in verdicts.items()
        if v == "missed"
    )
    assert sum(int(r["count"]) for r in times) > 0
    assert {r["metric"] for r in compliance} == {m.value for m in SlaMetric}

    # The same tickets with the worker sweeping only at the end: the same verdicts and times,
    # since a verdict does not depend on when the worker happened to look.
    empty_database(engine)
    ids = run_scenario(session_factory, sweep_every=None)
    assert reported(session_factory, ids, now) == verdicts


def test_a_verdict_keeps_who_held_the_ticket_when_it_was_decided(
    session_factory: sessionmaker[Session],
) -> None:
    """The per-agent reports count a verdict for whoever held the ticket then: the worker's
    breach while nobody held it stays nobody's when an agent's reply later stops that clock,
    and the resolution after a supervisor passed the ticket on is the second agent's."""
    with session_factory.begin() as s:
        make_policy(s, first_response=60, next_response=None, resolution=240)
        supervisor = services.Actor.of(make_user(s, Role.SUPERVISOR))
        first, second = make_user(s), make_user(s)
        ticket = make_ticket(s, at=T0)
        ids = (ticket.id, first.id, second.id)
    escalations.sweep(session_factory, T0 + 2 * HOUR)  # first response missed, unassigned
    with session_factory.begin() as s:
        ticket = s.get_one(Ticket, ids[0])
        services.assign_ticket(s, ticket, s.get_one(User, ids[1]), supervisor, at=T0 + 2 * HOUR)
        services.reply_to_customer(
            s, ticket, services.Actor.of(s.get_one(User, ids[1])), "您好", at=T0 + 3 * HOUR
        )
        services.assign_ticket(s, ticket, s.get_one(User, ids[2]), supervisor, at=T0 + 3 * HOUR)
        services.resolve_ticket(
            s, ticket, services.Actor.of(s.get_one(User, ids[2])), at=T0 + 3 * HOUR
        )
    with session_factory() as s:
        verdicts = s.get_one(Ticket, ids[0]).sla_verdicts
        held = [(v.metric, v.stopped_by, v.assignee_id) for v in verdicts]
    assert held == [
        (SlaMetric.FIRST_RESPONSE, "reply", None),
        (SlaMetric.RESOLUTION, "resolution", ids[2]),
    ]
