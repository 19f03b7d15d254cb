"""Every report on PostgreSQL with 1,000,000 tickets, for the last 30 and 365 days, all teams
and one team: read from the verdicts ("raw") and as served (the SLA reports from the daily
roll-up), medians of a few runs in one process, with a check that both answers are the same.

The seeded schema `kefu_bench_reports` is kept between runs (seeding takes minutes on a shared
machine; the tickets span the 30 days before the seeding); `--fresh` seeds it again, `--drop`
removes it. `--days N` spreads the tickets over the last N days instead, in a schema of its own
(`kefu_bench_reports_365d`), so that the 365-day period reads a year of data; `--tickets N`
seeds another number of tickets (with `--fresh`). Run: `make bench`, or
`.venv/bin/python -m tests.bench.bench_reports [--days 365]`.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import datetime

from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session, sessionmaker

from tests.bench.bench_sla_worker import MILLION, setup
from tests.conftest import POSTGRES_URL, postgres_reachable, postgres_schema_engine
from ticketing import migrate, reports
from ticketing.clock import utcnow
from ticketing.db import make_engine, make_session_factory
from ticketing.models import ReportRollupMark, SlaDayTotal, Ticket
from ticketing.reports import rollup

SCHEMA = "kefu_bench_reports"
DAYS = 30  # the days the tickets span unless --days says otherwise
REPEATS = 3
SLOW = 2.0  # seconds: a reading this slow is taken once


def ms(seconds: float) -> str:
    return f"{seconds * 1000:9.1f} ms"


def schema_of(days: int) -> str:
    return SCHEMA if days == DAYS else f"{SCHEMA}_{days}d"


def prepare(schema: str, fresh: bool, days: int, count: int) -> Engine:
    """The kept schema, migrated, seeded and rolled up (each only when not done yet)."""
    admin = make_engine(POSTGRES_URL)
    with admin.begin() as conn:
        if fresh:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
    admin.dispose()
    engine = postgres_schema_engine(schema, pool_size=5)
    migrate.upgrade(engine)
    factory = make_session_factory(engine)
    with factory() as session:
        tickets = session.scalar(select(func.count()).select_from(Ticket)) or 0
    if tickets == 0:
        started = time.perf_counter()
        setup(engine, days=days, tickets=count)
        print(f"{count:,} tickets over {days} days seeded in {time.perf_counter() - started:.1f} s")
    else:
        print(f"{tickets:,} tickets kept from an earlier run (--fresh seeds them again)")
    with factory() as session:
        built = session.scalar(select(func.count()).select_from(SlaDayTotal)) or 0
        marks = session.scalar(select(func.count()).select_from(ReportRollupMark)) or 0
    if built == 0 or marks:
        # Seeded in bulk SQL, past the application: the rebuild command's work.
        started = time.perf_counter()
        days = rollup.rebuild(factory)
        print(f"roll-up rebuilt: {days} days in {time.perf_counter() - started:.1f} s")
    with engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM ANALYZE"))
        sizes = conn.execute(
            text(
                "SELECT (SELECT count(*) FROM sla_verdicts),"
                " (SELECT count(*) FROM report_sla_days),"
                " (SELECT count(*) FROM report_sla_times)"
            )
        ).one()
    print(f"verdicts {sizes[0]:,}; roll-up rows: {sizes[1]:,} totals, {sizes[2]:,} times")
    return engine


def timed(
    factory: sessionmaker[Session],
    name: str,
    filters: reports.ReportFilters,
    now: datetime,
    *,
    raw: bool,
) -> tuple[float, list[list[object]]]:
    timings: list[float] = []
    rows: list[list[object]] = []
    while len(timings) < REPEATS:
        with factory() as session:
            session.info[rollup.READ_VERDICTS] = raw
            started = time.perf_counter()
            rows = reports.run(session, name, filters, now).rows
            timings.append(time.perf_counter() - started)
        if timings[-1] > SLOW:
            break
    return statistics.median(timings), rows


def compare(factory: sessionmaker[Session], now: datetime) -> list[str]:
    worst: list[str] = []
    for days in (30, 365):
        start, end = reports.period(days, now)
        target = 0.3 if days == 30 else 1.0
        for label, filters in (
            ("all teams", reports.ReportFilters(start, end)),
            ("one team", reports.ReportFilters(start, end, team_id=2)),
        ):
            print(
                f"\nlast {days} days, {label} (median of {REPEATS}; target {target * 1000:.0f} ms)"
            )
            print(f"    {'report':24s} {'raw':>12s} {'served':>12s}  ratio  same  rows")
            for name in reports.REPORTS:
                raw, raw_rows = timed(factory, name, filters, now, raw=True)
                served, rows = timed(factory, name, filters, now, raw=False)
                same = "yes" if rows == raw_rows else "NO"
                flag = "" if served <= target else "  over target"
                print(
                    f"    {name:24s} {ms(raw)} {ms(served)} {raw / served:6.1f}  {same:>4s}"
                    f"  {len(rows)}{flag}"
                )
                if flag:
                    worst.append(f"{days} d {label} {name} {served * 1000:.0f} ms")
    return worst


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.bench_reports")
    parser.add_argument("--fresh", action="store_true", help="seed the schema again")
    parser.add_argument("--drop", action="store_true", help="remove the schema")
    parser.add_argument("--days", type=int, default=DAYS, help="days the tickets span")
    parser.add_argument("--tickets", type=int, default=MILLION, help="tickets to seed")
    args = parser.parse_args(argv)
    if args.days < 1 or args.tickets < 1:
        parser.error("--days and --tickets must be at least 1")
    reason = postgres_reachable()
    if reason is not None:
        print(f"PostgreSQL not reachable at {POSTGRES_URL}: {reason}; nothing measured")
        return 0
    schema = schema_of(args.days)
    if args.drop:
        admin = make_engine(POSTGRES_URL)
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        print(f"dropped {schema}")
        return 0
    engine = prepare(schema, args.fresh, args.days, args.tickets)
    try:
        over = compare(make_session_factory(engine), utcnow())
    finally:
        engine.dispose()
    print("\nover target: " + ("; ".join(over) if over else "none"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
