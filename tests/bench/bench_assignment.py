"""Auto-assignment benchmark on PostgreSQL (issue 15).

1. One decision: a team of 50 online agents holding 5,000 open tickets; a new ticket arrives and
   one pass of `assignment.assign_queued` gives it to someone. Prints p50/p95 over 200 arrivals.
2. A backlog: 1,000 queued tickets, then 20 agents come online one after another (each comes
   online as the console does: `presence.set_presence` and a pass); prints how long until the
   last item is assigned, and checks no agent is over capacity and no item went twice.

Run: `make bench`, or `.venv/bin/python -m tests.bench.bench_assignment`.
"""

from __future__ import annotations

import statistics
import time
from datetime import timedelta

from sqlalchemy import Engine, event, func, insert, select, text
from sqlalchemy.orm import Session

from tests.conftest import POSTGRES_URL, migrated_postgres_schema, postgres_reachable
from ticketing.clock import utcnow
from ticketing.db import make_session_factory
from ticketing.models import (
    AgentPresence,
    Channel,
    EventKind,
    Role,
    Status,
    Team,
    Ticket,
    TicketEvent,
    User,
)
from ticketing.services import assignment, presence

AGENTS = 50
OPEN = 5_000
ARRIVALS = 200
BACKLOG = 1_000
LATECOMERS = 20


def _team(session: Session, name: str) -> Team:
    team = Team(name=name, auto_assign=True)
    session.add(team)
    session.flush()
    return team


def _agents(session: Session, team: Team, count: int, prefix: str, online: bool) -> list[User]:
    now = utcnow()
    users = [
        User(
            username=f"{prefix}{i}",
            display_name=f"{prefix}{i}",
            role=Role.AGENT,
            password_hash="x",
            team_id=team.id,
        )
        for i in range(count)
    ]
    session.add_all(users)
    session.flush()
    session.add_all(
        AgentPresence(
            user_id=u.id,
            status="online" if online else "offline",
            last_seen_at=now if online else now - timedelta(hours=1),
            max_chats=5,
            max_tickets=200,
        )
        for u in users
    )
    session.flush()
    return users


def _tickets(session: Session, team: Team, count: int, assignees: list[User] | None) -> None:
    now = utcnow()
    rows = [
        {
            "subject": f"鞋码不对 {i}",
            "channel": Channel.WEB,
            "status": Status.OPEN if assignees else Status.NEW,
            "team_id": team.id,
            "assignee_id": assignees[i % len(assignees)].id if assignees else None,
            "created_at": now,
            "updated_at": now,
        }
        for i in range(count)
    ]
    session.execute(insert(Ticket), rows)


def settle(engine: Engine) -> None:
    """What autovacuum has long done by the time a desk holds 5,000 open tickets: the planner's
    statistics and the visibility map (index-only counts). Without it the planner plans the
    bulk-loaded tables as empty ones, which no running desk is."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE tickets, users, agent_presence"))


def statements(engine: Engine, team_id: int) -> int:
    """Round trips of one more decision (counted apart, so the timings carry no listener)."""
    seen: list[str] = []

    def count(*args: object) -> None:
        seen.append("")

    factory = make_session_factory(engine)
    with factory.begin() as session:
        _tickets(session, session.get_one(Team, team_id), 1, None)
    event.listen(engine, "before_cursor_execute", count)
    try:
        with factory.begin() as session:
            assignment.assign_queued(session, team_id)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(seen)


def decisions(engine: Engine) -> tuple[list[float], int]:
    factory = make_session_factory(engine)
    with factory.begin() as session:
        team = _team(session, "decide")
        agents = _agents(session, team, AGENTS, "a", online=True)
        _tickets(session, team, OPEN, agents)
        team_id = team.id
    settle(engine)
    timings = []
    for _ in range(ARRIVALS):
        with factory.begin() as session:
            _tickets(session, session.get_one(Team, team_id), 1, None)
        with factory.begin() as session:
            started = time.perf_counter()
            done = assignment.assign_queued(session, team_id)
            timings.append(time.perf_counter() - started)
            assert len(done) == 1
    return timings, statements(engine, team_id)


def backlog(engine: Engine) -> tuple[float, int, int, int]:
    factory = make_session_factory(engine)
    with factory.begin() as session:
        team = _team(session, "backlog")
        late = _agents(session, team, LATECOMERS, "b", online=False)
        _tickets(session, team, BACKLOG, None)
        team_id, ids = team.id, [u.id for u in late]
    started = time.perf_counter()
    for user_id in ids:
        with factory.begin() as session:
            agent = session.get_one(User, user_id)
            presence.set_presence(session, agent, presence.Presence.ONLINE)
            assignment.assign_queued(session, team_id)
    elapsed = time.perf_counter() - started
    with factory() as session:
        waiting = session.scalar(
            select(func.count())
            .select_from(Ticket)
            .where(Ticket.team_id == team_id, Ticket.assignee_id.is_(None))
        )
        busiest = session.scalar(
            select(
                func.max(
                    select(func.count())
                    .where(Ticket.assignee_id == User.id)
                    .correlate(User)
                    .scalar_subquery()
                )
            ).where(User.id.in_(ids))
        )
        events = session.scalar(
            select(func.count())
            .select_from(TicketEvent)
            .join(Ticket, Ticket.id == TicketEvent.ticket_id)
            .where(Ticket.team_id == team_id, TicketEvent.kind == EventKind.ASSIGNED)
        )
    return elapsed, waiting or 0, busiest or 0, events or 0


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def main() -> int:
    reason = postgres_reachable()
    if reason is not None:
        print(f"PostgreSQL not reachable at {POSTGRES_URL}: {reason}; nothing measured")
        return 0
    with migrated_postgres_schema("kefu_bench_assign", pool_size=5) as (_, engine):
        timings, trips = decisions(engine)
        cuts = statistics.quantiles(timings, n=20)
        print(
            f"assignment decision, {AGENTS} online agents, {OPEN:,} open tickets "
            f"({ARRIVALS} arrivals): p50 {ms(statistics.median(timings))}, p95 {ms(cuts[18])}, "
            f"max {ms(max(timings))} (target p95 < 20 ms); {trips} statements per decision"
        )
        elapsed, waiting, busiest, events = backlog(engine)
        print(
            f"{BACKLOG:,} queued tickets, {LATECOMERS} agents coming online one by one: "
            f"all assigned in {elapsed:.2f} s (target 5 s); {waiting} left waiting, "
            f"{events} assignments, busiest agent {busiest} tickets (capacity 200)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
