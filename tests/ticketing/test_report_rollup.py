"""Issue 14, reports at scale: the SLA reports read a daily roll-up of the verdicts, and give
exactly what aggregating the verdicts gives, medians and p90 included, before the worker has
rebuilt a changed day and after."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from tests.factories import make_team, make_ticket, make_user
from ticketing import reports, worker
from ticketing.models import (
    Category,
    Channel,
    FollowUp,
    FollowUpDay,
    FollowUpStatus,
    Priority,
    ReportRollupMark,
    Severity,
    SlaAgentDay,
    SlaDayTime,
    SlaDayTotal,
    SlaMetric,
    SlaVerdict,
    Status,
    SurveyDay,
    SurveyResponse,
    Ticket,
    TicketDay,
    User,
)
from ticketing.reports import rollup

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
ROLLED_UP = (
    "sla",
    "sla_trend",
    "response_times",
    "complaints_by_category",
    "complaints_by_severity",
    "complaints_by_channel",
    "reopen_rate",
    "satisfaction",
    "follow_ups",
    "backlog",
    "sla_by_team",
    "sla_team_trend",
    "sla_by_agent",
    "sla_agent_trend",
)
# Times that sit on a rounding edge (3 s = 0.05 min, 9 s = 0.15 min ...) and ordinary ones.
EDGES = [0, 3, 9, 27, 33, 59, 60, 63, 3597, 3603]


def fill(factory: sessionmaker[Session], seed: int, tickets: int = 40) -> list[int]:
    """Tickets over the last ten days (some on local midnights), each with random verdicts."""
    rng = random.Random(seed)
    with factory.begin() as s:
        teams = [make_team(s), make_team(s), None]
        agents = [make_user(s).id, make_user(s).id, make_user(s).id, None]
        ids = []
        for _ in range(tickets):
            at = NOW - timedelta(minutes=rng.randrange(14 * 24 * 60))
            if rng.random() < 0.1:  # exactly a Shanghai midnight
                at = at.replace(hour=16, minute=0, second=0, microsecond=0)
            ticket = make_ticket(
                s,
                team=rng.choice(teams),
                at=at,
                category=rng.choice(list(Category)),
                severity=rng.choice(list(Severity)),
                channel=rng.choice([Channel.WEB, Channel.EMAIL, Channel.PHONE]),
            )
            ids.append(ticket.id)
            ticket.assignee_id = rng.choice(agents)
            if rng.random() < 0.5:
                ticket.resolved_at = at + timedelta(hours=3)
                ticket.status = rng.choice([Status.RESOLVED, Status.CLOSED, Status.OPEN])
                ticket.reopen_count = rng.choice([0, 0, 1, 2])
            for clock in range(rng.randrange(4)):
                add_verdict(s, rng, ticket, str(clock))
            add_care(s, rng, ticket)
    return ids


def add_verdict(s: Session, rng: random.Random, ticket: Ticket, clock: str) -> None:
    stopped = rng.random() < 0.8
    # Mostly decided while the ticket's assignee held it; some before, or while another did.
    holder = ticket.assignee_id if rng.random() < 0.7 else rng.choice([None, *agents_of(s)])

    def seconds() -> int:
        return rng.choice(EDGES) if rng.random() < 0.4 else rng.randrange(40_000)

    s.add(
        SlaVerdict(
            ticket_id=ticket.id,
            metric=rng.choice(list(SlaMetric)),
            clock=clock,
            breached=rng.random() < 0.3,
            due_at=ticket.created_at + timedelta(hours=1),
            decided_at=ticket.created_at + timedelta(hours=2),
            priority=Priority.NORMAL,
            assignee_id=holder,
            started_at=ticket.created_at,
            stopped_at=ticket.created_at + timedelta(hours=2) if stopped else None,
            stopped_by=rng.choice(["reply", "resolution"]) if stopped else None,
            elapsed_seconds=seconds() if stopped else None,
            business_seconds=seconds() if stopped and rng.random() < 0.8 else None,
        )
    )


def agents_of(s: Session) -> list[int]:
    return list(s.scalars(select(User.id).order_by(User.id)))


def add_care(s: Session, rng: random.Random, ticket: Ticket, sequence: int = 1) -> None:
    """Maybe a follow-up visit due a few days on, maybe a survey answer."""
    if rng.random() < 0.6:
        s.add(
            FollowUp(
                ticket_id=ticket.id,
                round=0,
                sequence=sequence,
                status=rng.choice(list(FollowUpStatus)),
                due_at=ticket.created_at + timedelta(hours=rng.randrange(96)),
                survey_sent_at=ticket.created_at if rng.random() < 0.5 else None,
            )
        )
    if rng.random() < 0.6:
        s.add(
            SurveyResponse(
                ticket_id=ticket.id,
                csat=rng.choice([None, 1, 2, 3, 4, 5]),
                nps=rng.choice([None, 0, 3, 6, 7, 8, 9, 10]),
                created_at=ticket.created_at + timedelta(hours=rng.randrange(72)),
            )
        )


def filter_sets(factory: sessionmaker[Session]) -> list[reports.ReportFilters]:
    with factory() as s:
        teams = [t for t in s.scalars(select(Ticket.team_id).distinct()) if t is not None]
    sets = []
    for days in (1, 3, 11, 30):
        start, end = reports.period(days, NOW)
        sets.append(reports.ReportFilters(start, end))
        sets += [reports.ReportFilters(start, end, team_id=team) for team in teams]
    with factory() as s:
        agents = sorted(
            a for a in s.scalars(select(SlaVerdict.assignee_id).distinct()) if a is not None
        )
    for days in (3, 30):
        start, end = reports.period(days, NOW)
        # Held by the agent reports' roll-up (whose verdict it is), a ticket slice elsewhere.
        sets += [reports.ReportFilters(start, end, agent_id=agent) for agent in agents]
        sets.append(reports.ReportFilters(start, end, team_id=teams[0], agent_id=agents[0]))
    start, end = reports.period(11, NOW)
    # Not whole days, another zone, a slice the roll-up does not hold: read from the verdicts.
    sets.append(reports.ReportFilters(start + timedelta(hours=5), end))
    sets.append(reports.ReportFilters(start, end, timezone="Europe/Berlin"))
    sets.append(reports.ReportFilters(start, end, priority=Priority.NORMAL))
    return sets


def run(
    factory: sessionmaker[Session], name: str, filters: reports.ReportFilters, raw: bool
) -> Any:
    with factory() as s:
        s.info[rollup.READ_VERDICTS] = raw
        return reports.run(s, name, filters, NOW).rows


def assert_same(factory: sessionmaker[Session]) -> int:
    """Every SLA report, every filter set: the roll-up's answer is the verdicts'. Returns the
    number of non-empty answers compared."""
    compared = 0
    for filters in filter_sets(factory):
        for name in ROLLED_UP:
            from_verdicts = run(factory, name, filters, raw=True)
            assert run(factory, name, filters, raw=False) == from_verdicts, (name, filters)
            compared += bool(from_verdicts)
    return compared


def count(factory: sessionmaker[Session], model: type[Any]) -> int:
    with factory() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def test_the_roll_up_answers_as_the_verdicts_do(session_factory: sessionmaker[Session]) -> None:
    ids = fill(session_factory, seed=14)
    assert count(session_factory, ReportRollupMark) > 0  # every change marked its day
    assert assert_same(session_factory) > 20  # the marked days read from the verdicts

    assert rollup.refresh(session_factory) > 0
    assert count(session_factory, ReportRollupMark) == 0
    for table in (SlaDayTotal, SlaAgentDay, SlaDayTime, TicketDay, SurveyDay, FollowUpDay):
        assert count(session_factory, table) > 0
    assert assert_same(session_factory) > 20  # now from the roll-up rows alone

    # Changes after the rebuild: new verdicts, a verdict completed, a ticket moved to another
    # team, one reopened, one recategorised, a new ticket. The roll-up rows are behind until
    # the worker's next refresh, the answers are not.
    rng = random.Random(7)
    with session_factory.begin() as s:
        for ticket_id in rng.sample(ids, 5):
            add_verdict(s, rng, s.get_one(Ticket, ticket_id), "late")
        verdict = s.scalars(select(SlaVerdict).where(SlaVerdict.stopped_at.is_(None))).first()
        assert verdict is not None
        verdict.stopped_at, verdict.stopped_by = NOW, "reply"
        verdict.elapsed_seconds, verdict.business_seconds = 600, 300
        moved = s.get_one(Ticket, ids[0])
        moved.team = make_team(s)
        # Passed on to another agent: the verdicts decided already stay with the first.
        s.get_one(Ticket, ids[4]).assignee_id = agents_of(s)[0]
        # A verdict corrected behind the reports' back still marks its day.
        decided = s.scalars(select(SlaVerdict).order_by(SlaVerdict.id.desc())).first()
        assert decided is not None
        decided.assignee_id = agents_of(s)[-1]
        s.get_one(Ticket, ids[1]).reopen_count += 1
        for ticket_id in ids[3:9]:
            s.get_one(Ticket, ticket_id).status = Status.CLOSED
        s.get_one(Ticket, ids[2]).category = Category.PRICE
        make_ticket(s, at=NOW - timedelta(hours=1), channel=Channel.PHONE)
        for ticket_id in rng.sample(ids, 4):
            add_care(s, rng, s.get_one(Ticket, ticket_id), sequence=2)
        visit = s.scalars(select(FollowUp)).first()
        assert visit is not None
        visit.status, visit.due_at = FollowUpStatus.DONE, visit.due_at + timedelta(days=2)
    assert count(session_factory, ReportRollupMark) > 0
    assert assert_same(session_factory) > 20

    rollup.refresh(session_factory)
    assert count(session_factory, ReportRollupMark) == 0
    assert assert_same(session_factory) > 20

    # A verdict alone changed (its clock stopped; its agent corrected): its day is marked.
    with session_factory.begin() as s:
        running = s.scalars(select(SlaVerdict).where(SlaVerdict.stopped_at.is_(None))).first()
        assert running is not None
        running.stopped_at, running.stopped_by = NOW, "resolution"
        running.elapsed_seconds, running.business_seconds = 1200, 900
        decided = s.scalars(select(SlaVerdict).order_by(SlaVerdict.id)).first()
        assert decided is not None
        decided.assignee_id = next(a for a in agents_of(s) if a != decided.assignee_id)
    assert count(session_factory, ReportRollupMark) > 0
    assert assert_same(session_factory) > 20


def test_a_rebuild_replaces_rows_gone_wrong(session_factory: sessionmaker[Session]) -> None:
    fill(session_factory, seed=3, tickets=20)
    rollup.refresh(session_factory)
    with session_factory.begin() as s:  # rows tampered with behind the application's back
        s.execute(update(SlaDayTotal).values(met=SlaDayTotal.met + 100))
        s.execute(update(SlaAgentDay).values(breached=SlaAgentDay.breached + 1))
        s.execute(update(TicketDay).values(reopened=TicketDay.reopened + 1))
        s.execute(update(SurveyDay).values(responses=SurveyDay.responses + 1))
        s.execute(update(TicketDay).values(open=TicketDay.open + 1))
    whole = reports.ReportFilters(*reports.period(30, NOW))
    for name in ("sla", "reopen_rate", "satisfaction", "backlog", "sla_by_team", "sla_by_agent"):
        wrong = run(session_factory, name, whole, raw=False)
        assert wrong != run(session_factory, name, whole, raw=True)
    assert rollup.rebuild(session_factory) >= 10
    assert assert_same(session_factory) > 10


def test_percentiles_are_nearest_rank_of_the_minutes_shown() -> None:
    from collections import Counter

    from ticketing.reports.sla_figures import mean_minutes, nearest_rank, percent

    counts = Counter({1: 4, 5: 5, 30: 1})  # tenths of a minute
    assert (nearest_rank(counts, 50), nearest_rank(counts, 90), nearest_rank(counts, 100)) == (
        0.5,
        0.5,
        3.0,
    )
    assert nearest_rank(Counter(), 50) is None
    assert (percent(2, 3), percent(1, 8), percent(0, 0)) == (66.7, 12.5, None)
    assert (mean_minutes(9, 1), mean_minutes(3, 1), mean_minutes(0, 0)) == (0.2, 0.1, None)


def test_the_worker_keeps_the_roll_up_current(session_factory: sessionmaker[Session]) -> None:
    fill(session_factory, seed=5, tickets=6)
    done = worker.tick(session_factory, NOW, refresh_churn=False)
    assert done.rolled_up > 0
    assert count(session_factory, ReportRollupMark) == 0
    assert worker.tick(session_factory, NOW, refresh_churn=False).rolled_up == 0


def test_a_ticket_moved_to_another_day_marks_both_days(
    session_factory: sessionmaker[Session],
) -> None:
    fill(session_factory, seed=7, tickets=12)
    rollup.refresh(session_factory)
    with session_factory.begin() as s:  # e.g. an import correcting when a ticket came in
        for ticket in s.scalars(select(Ticket)):
            ticket.created_at -= timedelta(days=7)
    assert count(session_factory, ReportRollupMark) > 0
    assert assert_same(session_factory) > 0
    rollup.refresh(session_factory)
    assert assert_same(session_factory) > 0
