"""Ticket store benchmark: creation rate through the service layer, due-ticket lookup at 1M rows.

Run: `make bench` (or `.venv/bin/python -m tests.bench.bench_store`). Figures are medians of
several rounds measured in one run, because the machine is shared and noisy.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import POSTGRES_URL, migrated_postgres_schema, postgres_reachable
from tests.factories import make_office_calendar, make_policy
from ticketing import migrate, services
from ticketing.clock import utcnow
from ticketing.db import make_engine, make_session_factory
from ticketing.models import Channel, Priority

ROUNDS = 5
TICKETS_PER_ROUND = 300
MILLION = 1_000_000
DUE_QUERY_REPEATS = 21


def creation_rate(factory: sessionmaker[Session]) -> list[float]:
    """Tickets per second, one transaction per ticket as the bot and the API create them."""
    with factory.begin() as session:
        calendar = make_office_calendar(session)
        for priority in Priority:
            make_policy(session, priority, calendar=calendar)
    rates = []
    for round_no in range(ROUNDS):
        started = time.perf_counter()
        for i in range(TICKETS_PER_ROUND):
            with factory.begin() as session:
                services.create_ticket(
                    session,
                    subject=f"鞋底开胶 round {round_no} #{i}",
                    description="穿了两周鞋底就开胶了，要求退货",
                    channel=Channel.WEB,
                    actor=services.Actor.bot(),
                    conversation_id=f"bench-{round_no}-{i}",
                    order_number=f"A2024-{i:04d}",
                )
        rates.append(TICKETS_PER_ROUND / (time.perf_counter() - started))
    return rates


def fill_million(engine: Engine) -> None:
    """1,000,000 tickets with deadlines over ±30 days, written in SQL (seconds, not hours)."""
    with engine.begin() as conn:
        conn.execute(
            text(
                """
                INSERT INTO tickets (subject, description, category, severity, priority, status,
                    channel, language, handed_off, reopen_count, version, created_at, updated_at,
                    next_deadline_at, resolution_due_at)
                SELECT 'bulk ticket ' || g, '', 'other', 'general', 'normal', 'open', 'web', 'zh',
                       false, 0, 1, now() - interval '30 days', now(),
                       CASE WHEN g % 5 = 0 THEN NULL
                            ELSE now() + (random() * 60 - 30) * interval '1 day' END,
                       now() + interval '30 days'
                FROM generate_series(1, :n) AS g
                """
            ),
            {"n": MILLION},
        )
        conn.execute(text("ANALYZE tickets"))


def due_lookup(engine: Engine) -> tuple[list[float], int, str]:
    factory = make_session_factory(engine)
    timings = []
    found = 0
    for _ in range(DUE_QUERY_REPEATS):
        now = utcnow()
        with factory() as session:
            started = time.perf_counter()
            found = len(
                services.due_tickets(session, now + timedelta(minutes=1), after=now, limit=100_000)
            )
            timings.append(time.perf_counter() - started)
    now = utcnow()
    with engine.connect() as conn:
        plan = "\n".join(
            row[0]
            for row in conn.execute(
                text(
                    "EXPLAIN ANALYZE SELECT * FROM tickets WHERE next_deadline_at <= :until "
                    "AND next_deadline_at > :now ORDER BY next_deadline_at LIMIT 100000"
                ),
                {"now": now, "until": now + timedelta(minutes=1)},
            )
        )
    return timings, found, plan


def rounds(rates: list[float]) -> str:
    return " ".join(f"{rate:.0f}" for rate in rates)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def main() -> int:
    print(f"ticket creation through the service layer: {ROUNDS} rounds x {TICKETS_PER_ROUND}")
    with tempfile.TemporaryDirectory() as tmp:
        sqlite = make_engine(f"sqlite:///{Path(tmp) / 'bench.db'}")
        migrate.upgrade(sqlite)
        sqlite_rates = creation_rate(make_session_factory(sqlite))
        sqlite.dispose()
    sqlite_median = statistics.median(sqlite_rates)
    print(f"  SQLite (WAL)  median {sqlite_median:8.1f} tickets/s  rounds {rounds(sqlite_rates)}")

    reason = postgres_reachable()
    if reason is not None:
        print(f"  PostgreSQL    not measured: {reason} ({POSTGRES_URL})")
        return 0
    with migrated_postgres_schema("kefu_bench") as (_, engine):
        pg_rates = creation_rate(make_session_factory(engine))
        pg_median = statistics.median(pg_rates)
        print(f"  PostgreSQL    median {pg_median:8.1f} tickets/s  rounds {rounds(pg_rates)}")
        print(f"  ratio PostgreSQL / SQLite: {pg_median / sqlite_median:.2f}")

        started = time.perf_counter()
        fill_million(engine)
        print(f"\ndue-ticket lookup among {MILLION:,} more tickets on PostgreSQL")
        print(f"  (filled in {time.perf_counter() - started:.1f} s)")
        timings, found, plan = due_lookup(engine)
        print(
            f"  tickets due in the next minute: {found}; median {ms(statistics.median(timings))}, "
            f"min {ms(min(timings))}, max {ms(max(timings))} over {DUE_QUERY_REPEATS} queries"
        )
        print("  plan:\n    " + plan.replace("\n", "\n    "))
        print(f"  index used: {'ix_tickets_next_deadline_at' in plan}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
