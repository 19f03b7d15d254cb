"""SLA worker and report benchmark on PostgreSQL with 1,000,000 tickets.

Prints: the time of one sweep with 1,000 tickets due (and of an empty sweep), the time of each
report for a 30-day and a 365-day period (the tickets span the last 30 days), and the breach
detection delay (deadline passing -> SLA event visible to other connections) with the worker
running. Run: `make bench`, or `.venv/bin/python -m tests.bench.bench_sla_worker`.
"""

from __future__ import annotations

import statistics
import sys
import threading
import time
from datetime import datetime, timedelta

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import POSTGRES_URL, migrated_postgres_schema, postgres_reachable
from ticketing import churn, reports, worker
from ticketing.clock import utcnow
from ticketing.db import make_session_factory
from ticketing.reports import rollup
from ticketing.sla import escalations

MILLION = 1_000_000
CUSTOMERS = 100_000
DUE = 1_000
DELAY_TICKETS = 40
REPORT_REPEATS = 3


def ms(seconds: float) -> str:
    return f"{seconds * 1000:8.1f} ms"


def setup(engine: Engine, days: int = 30, tickets: int = MILLION) -> None:
    """Teams, people, policies, then the bulk rows, all in SQL (a minute, not hours): `tickets`
    tickets and 200,000 conversations spread evenly over the last `days` days."""
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO teams (id, name, description) VALUES "
                "(1, '售后', ''), (2, '物流', ''), (3, '大客户', '')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO users (id, username, display_name, role, password_hash, team_id, "
                "is_active, created_at) SELECT g, 'user' || g, '坐席' || g, "
                "CASE WHEN g <= 3 THEN 'supervisor' ELSE 'agent' END, 'x', 1 + g % 3, true, now() "
                "FROM generate_series(1, 30) g"
            )
        )
        conn.execute(
            text(
                "INSERT INTO sla_policies (id, name, priority, tier, first_response_minutes, "
                "next_response_minutes, resolution_minutes, warning_percent, follow_up_minutes, "
                "second_follow_up_minutes) VALUES "
                "(1, 'normal', 'normal', 'regular', 60, 120, 1440, 75, 1440, 10080), "
                "(2, 'high', 'high', 'regular', 30, 60, 480, 75, 1440, 10080), "
                "(3, 'urgent', 'urgent', 'regular', 1, 1, 60, 75, 1440, 10080)"
            )
        )
        conn.execute(
            text(
                """
                INSERT INTO customers (name, tier, lifecycle, language, created_at, churn_risk,
                    churn_reasons, next_care_visit_at)
                SELECT '客户' || g,
                       CASE WHEN g % 20 = 0 THEN 'key_account' WHEN g % 10 = 1 THEN 'gold'
                            WHEN g % 3 = 0 THEN 'silver' ELSE 'regular' END,
                       'mature', 'zh', now() - interval '400 days', false, '',
                       CASE WHEN g % 20 = 0 OR g % 10 = 1
                            THEN now() + (g % 30 + 1) * interval '1 day' END
                FROM generate_series(1, :n) g
                """
            ),
            {"n": CUSTOMERS},
        )
        # Tickets over the last `days` days; four in five resolved, the open ones with deadlines
        # ahead or already handled by the worker (no checkpoint left).
        conn.execute(
            text(
                """
                INSERT INTO tickets (subject, description, category, severity, priority, status,
                    channel, language, handed_off, reopen_count, version, created_at, updated_at,
                    customer_id, team_id, assignee_id, sla_policy_id, first_responded_at,
                    resolved_at, resolution_due_at, sla_paused_at, next_deadline_at,
                    next_sla_check_at)
                SELECT '鞋底开胶 bulk ' || g, '',
                       (ARRAY['product_quality','service','delivery','price','contract',
                              'policy','other'])[1 + g % 7],
                       CASE WHEN g % 10 = 0 THEN 'major' ELSE 'general' END,
                       'normal',
                       CASE WHEN g % 5 = 0 THEN 'open' ELSE 'resolved' END,
                       (ARRAY['web','telegram','phone','email'])[1 + g % 4],
                       'zh', false, CASE WHEN g % 25 = 0 THEN 1 ELSE 0 END, 1, c, c,
                       1 + g % :customers, 1 + g % 3,
                       CASE WHEN g % 7 = 0 THEN NULL ELSE 4 + g % 27 END, 1,
                       c + (1 + g % 120) * interval '1 minute',
                       CASE WHEN g % 5 <> 0 THEN c + (30 + g % 2880) * interval '1 minute' END,
                       c + interval '1440 minutes',
                       CASE WHEN g % 5 <> 0 THEN c + (30 + g % 2880) * interval '1 minute' END,
                       CASE WHEN g % 5 = 0 AND c + interval '1440 minutes' > now()
                            THEN c + interval '1440 minutes' END,
                       CASE WHEN g % 5 = 0 AND c + interval '1080 minutes' > now()
                            THEN c + interval '1080 minutes'
                            WHEN g % 5 = 0 AND c + interval '1440 minutes' > now()
                            THEN c + interval '1440 minutes' END
                FROM generate_series(1, :n) g,
                     LATERAL (SELECT now() - (g % :minutes) * interval '1 minute'
                              - interval '1 second' AS c) t
                """
            ),
            {"n": tickets, "customers": CUSTOMERS, "minutes": days * 1440},
        )
        conn.execute(
            text(
                """
                INSERT INTO sla_events (ticket_id, metric, kind, clock, due_at, at, priority,
                    escalated)
                SELECT id, 'resolution', 'breach', '1', resolution_due_at,
                       resolution_due_at + interval '2 seconds', 'normal', false
                FROM tickets WHERE id % 30 = 0 AND resolution_due_at < now()
                """
            )
        )
        # The reports read the verdicts: first response for the answered tickets (one in 30
        # late), resolution for the resolved ones and for the breached.
        conn.execute(
            text(
                """
                INSERT INTO sla_verdicts (ticket_id, metric, clock, breached, due_at,
                    decided_at, priority, assignee_id, started_at, stopped_at, stopped_by,
                    business_seconds, elapsed_seconds)
                SELECT id, 'first_response', '1', id % 30 = 7, created_at + interval '1 hour',
                       first_responded_at, 'normal', assignee_id, created_at,
                       first_responded_at, 'reply',
                       extract(epoch FROM first_responded_at - created_at)::int / 2,
                       extract(epoch FROM first_responded_at - created_at)::int
                FROM tickets WHERE first_responded_at < now()
                UNION ALL
                SELECT id, 'resolution', '1', id % 30 = 0, resolution_due_at,
                       CASE WHEN id % 30 = 0 THEN resolution_due_at + interval '2 seconds'
                            ELSE resolved_at END,
                       'normal', assignee_id, created_at, resolved_at,
                       CASE WHEN resolved_at IS NOT NULL THEN 'resolution' END,
                       extract(epoch FROM resolved_at - created_at)::int / 3,
                       extract(epoch FROM resolved_at - created_at)::int
                FROM tickets
                WHERE resolved_at IS NOT NULL OR (id % 30 = 0 AND resolution_due_at < now())
                """
            )
        )
        conn.execute(
            text(
                """
                INSERT INTO survey_responses (ticket_id, customer_id, csat, nps, comment,
                    created_at)
                SELECT id, customer_id, 1 + id % 5, id % 11, '', resolved_at + interval '1 day'
                FROM tickets WHERE id % 16 = 1 AND resolved_at IS NOT NULL
                """
            )
        )
        conn.execute(
            text(
                """
                INSERT INTO follow_ups (ticket_id, customer_id, round, sequence, status, due_at,
                    created_at, survey_sent_at, answered_at, completed_at)
                SELECT id, customer_id, 0, 1,
                       (ARRAY['answered','callback','done','survey_sent'])[1 + id % 4],
                       resolved_at + interval '1 day', resolved_at,
                       resolved_at + interval '1 day', NULL, NULL
                FROM tickets WHERE id % 4 = 1 AND resolved_at IS NOT NULL
                """
            )
        )
        conn.execute(
            text(
                """
                INSERT INTO conversations (id, channel, customer_id, state, language,
                    handed_off_at, created_at, last_message_at)
                SELECT 'web:' || g, CASE WHEN g % 2 = 0 THEN 'web' ELSE 'telegram' END,
                       1 + g % :customers, CASE WHEN g % 4 = 0 THEN 'agent' ELSE 'bot' END, 'zh',
                       CASE WHEN g % 4 = 0 THEN now() - (g % 40000) * interval '1 minute' END,
                       now() - (g % :minutes) * interval '1 minute', now()
                FROM generate_series(1, 200000) g
                """
            ),
            {"customers": CUSTOMERS, "minutes": days * 1440},
        )
        conn.execute(
            text(
                """
                INSERT INTO messages (ticket_id, kind, body, created_at)
                SELECT id, 'customer', '还没有收到', first_responded_at + interval '5 minutes'
                FROM tickets WHERE id % 5 = 2
                """
            )
        )
    with engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM ANALYZE"))


def make_due(engine: Engine, now: datetime, count: int) -> None:
    """`count` open, unanswered tickets whose first response fell due a minute ago."""
    with engine.begin() as conn:
        conn.execute(
            text(
                """
                UPDATE tickets SET status = 'new', first_responded_at = NULL, resolved_at = NULL,
                    sla_paused_at = NULL, assignee_id = CASE WHEN id % 2 = 0 THEN 5 END,
                    first_response_due_at = :due, resolution_due_at = :due + interval '1 day',
                    next_deadline_at = :due, next_sla_check_at = :due
                WHERE id IN (SELECT id FROM tickets WHERE id % 997 = 3 ORDER BY id LIMIT :n)
                """
            ),
            {"due": now - timedelta(minutes=1), "n": count},
        )


def sweep_plan(engine: Engine, now: datetime) -> str:
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "EXPLAIN SELECT * FROM tickets WHERE next_sla_check_at <= :now "
                "ORDER BY next_sla_check_at LIMIT 200 FOR UPDATE SKIP LOCKED"
            ),
            {"now": now},
        )
        return "\n    ".join(r[0] for r in rows)


def time_reports(factory: sessionmaker[Session], now: datetime) -> None:
    for days in (30, 365):
        start, end = reports.period(days, now)
        print(f"\nreports for the last {days} days ({REPORT_REPEATS} runs each, median):")
        time_period(factory, now, start, end)


def time_period(
    factory: sessionmaker[Session], now: datetime, start: datetime, end: datetime
) -> None:
    for filters_name, filters in (
        ("all teams", reports.ReportFilters(start, end)),
        ("one team", reports.ReportFilters(start, end, team_id=2)),
    ):
        print(f"  {filters_name}:")
        for name in reports.REPORTS:
            timings = []
            rows = 0
            for _ in range(REPORT_REPEATS):
                with factory() as session:
                    started = time.perf_counter()
                    rows = len(reports.run(session, name, filters, now).rows)
                    timings.append(time.perf_counter() - started)
            print(f"    {name:24s} {ms(statistics.median(timings))}  ({rows} rows)")


def detection_delay(engine: Engine, factory: sessionmaker[Session]) -> None:
    """Run the worker; give tickets first-response deadlines 30-60 s ahead; watch from another
    connection when each breach becomes visible."""
    stop = threading.Event()
    runner = threading.Thread(
        target=worker.run, args=(factory, worker.WorkerOptions(), stop), daemon=True
    )
    runner.start()
    time.sleep(20)  # past the first pass (churn flags, care visits) into the steady loop
    base = utcnow()
    dues = [base + timedelta(seconds=30 + i * 30 / DELAY_TICKETS) for i in range(DELAY_TICKETS)]
    ids: list[int] = []
    with engine.begin() as conn:
        for due in dues:
            ids.append(
                conn.execute(
                    text(
                        """
                        INSERT INTO tickets (subject, description, category, severity, priority,
                            status, channel, language, handed_off, reopen_count, version,
                            created_at, updated_at, customer_id, team_id, sla_policy_id,
                            first_response_due_at, resolution_due_at, next_deadline_at,
                            next_sla_check_at)
                        VALUES ('delay probe', '', 'other', 'general', 'urgent', 'new', 'web',
                            'zh', false, 0, 1, :created, :created, 1, 1, 3, :due,
                            :due + interval '59 minutes', :due, :due - interval '15 seconds')
                        RETURNING id
                        """
                    ),
                    {"created": due - timedelta(minutes=1), "due": due},
                ).scalar_one()
            )
    seen: dict[int, datetime] = {}
    deadline = time.monotonic() + 120
    with engine.connect() as conn:
        while len(seen) < len(ids) and time.monotonic() < deadline:
            found = conn.execute(
                text(
                    "SELECT ticket_id FROM sla_events WHERE kind = 'breach' "
                    "AND metric = 'first_response' AND ticket_id = ANY(:ids)"
                ),
                {"ids": ids},
            ).scalars()
            now = utcnow()
            for ticket_id in found:
                seen.setdefault(ticket_id, now)
            conn.rollback()
            time.sleep(0.01)
    stop.set()
    runner.join(timeout=30)
    delays = [
        (seen[i] - due).total_seconds() for i, due in zip(ids, dues, strict=True) if i in seen
    ]
    print(f"\nbreach detection delay, worker running, {len(delays)}/{len(ids)} deadlines seen:")
    if delays:
        delays.sort()
        print(
            f"  median {ms(statistics.median(delays))}, "
            f"p90 {ms(delays[int(0.9 * (len(delays) - 1))])}, max {ms(max(delays))} "
            "(includes up to 10 ms of polling)"
        )


def main() -> int:
    reason = postgres_reachable()
    if reason is not None:
        print(f"PostgreSQL not reachable at {POSTGRES_URL}: {reason}; nothing measured")
        return 0
    with migrated_postgres_schema("kefu_bench", pool_size=5) as (_, engine):
        started = time.perf_counter()
        setup(engine)
        print(
            f"{MILLION:,} tickets, {CUSTOMERS:,} customers filled in "
            f"{time.perf_counter() - started:.1f} s"
        )
        factory = make_session_factory(engine)
        # Seeded in bulk SQL, past the application's day marks: the reports' roll-up is built
        # as `python -m ticketing reports rebuild` builds it.
        started = time.perf_counter()
        days = rollup.rebuild(factory)
        print(f"reports' roll-up rebuilt: {days} days in {time.perf_counter() - started:.1f} s")

        now = utcnow()
        started = time.perf_counter()
        idle = escalations.sweep(factory, now)
        print(
            f"\nempty sweep (nothing due): {ms(time.perf_counter() - started)} "
            f"({idle.tickets} tickets)"
        )
        make_due(engine, now, DUE)
        now = utcnow()
        print("sweep query plan:\n    " + sweep_plan(engine, now))
        started = time.perf_counter()
        done = escalations.sweep(factory, now)
        elapsed = time.perf_counter() - started
        print(
            f"sweep with {DUE} due: {ms(elapsed)} -> {done.tickets} tickets, "
            f"{done.breaches} breaches, {done.escalations} escalations "
            f"({done.tickets / elapsed:.0f} tickets/s)"
        )
        started = time.perf_counter()
        with factory.begin() as session:
            changed = churn.refresh(session, utcnow())
        print(
            f"churn flags refreshed in SQL: {ms(time.perf_counter() - started)} "
            f"({changed} customers changed)"
        )

        time_reports(factory, utcnow())
        detection_delay(engine, factory)
    return 0


if __name__ == "__main__":
    sys.exit(main())
