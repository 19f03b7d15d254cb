"""The weekly digest: due Monday 09:00 in each supervisor's time zone, written once per
supervisor and week (however many workers try), with the reports' figures, as escaped HTML."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from tests.factories import make_team, make_user
from tests.ticketing.test_reports import build, local
from ticketing import digest_html, digests, reports, worker
from ticketing.db import make_session_factory
from ticketing.models import BusinessCalendar, Customer, Role, User, WeeklyDigest

LONG_AGO = datetime(2026, 1, 1, tzinfo=UTC)
MONDAY_9 = local(9, 9)  # Monday 9 November 2026, 09:00 in Shanghai


def supervisors(factory: sessionmaker[Session]) -> list[User]:
    with factory.begin() as session:
        users = list(session.scalars(select(User).where(User.role == Role.SUPERVISOR)))
        for user in users:
            user.created_at = LONG_AGO
        return users


def written(factory: sessionmaker[Session]) -> list[tuple[int, date]]:
    with factory() as session:
        return [
            (d.user_id, d.week_start)
            for d in session.scalars(select(WeeklyDigest).order_by(WeeklyDigest.user_id))
        ]


def test_the_due_week_turns_at_monday_nine() -> None:
    at_nine = digests.due_week(MONDAY_9, "Asia/Shanghai")
    assert at_nine.monday == date(2026, 11, 9)
    assert (at_nine.start, at_nine.end) == (local(2, 0), local(9, 0))
    before = digests.due_week(MONDAY_9 - timedelta(minutes=1), "Asia/Shanghai")
    assert before.monday == date(2026, 11, 2)
    sunday = digests.due_week(local(15, 23), "Asia/Shanghai")
    assert sunday.monday == date(2026, 11, 9)
    # 09:00 Shanghai is 01:00 in London: London's Monday 09:00 has not come yet.
    assert digests.due_week(MONDAY_9, "Europe/London").monday == date(2026, 11, 2)


def test_the_worker_writes_each_supervisors_digest_once(
    session_factory: sessionmaker[Session],
) -> None:
    build(session_factory)
    with session_factory.begin() as session:
        london = BusinessCalendar(name="london", timezone="Europe/London", always_open=True)
        session.add(london)
        session.flush()
        team = make_team(session, "伦敦")
        team.calendar_id = london.id
        far = make_user(session, Role.SUPERVISOR, team=team)
        make_user(session, Role.AGENT, team=team)  # agents get none
    shanghai, _far = (u.id for u in supervisors(session_factory))
    result = worker.tick(session_factory, MONDAY_9, refresh_churn=False)
    assert result.digests == 2
    # Shanghai's for this Monday; London's 09:00 is still ahead, so its latest is last week's.
    assert written(session_factory) == [(shanghai, date(2026, 11, 9)), (far.id, date(2026, 11, 2))]
    assert worker.tick(session_factory, MONDAY_9 + timedelta(minutes=30)).digests == 0
    # 09:00 in London (GMT in November) is 17:00 in Shanghai.
    assert digests.generate_due(session_factory, local(9, 17)) == 1
    assert (far.id, date(2026, 11, 9)) in written(session_factory)
    assert digests.generate_due(session_factory, local(16, 8, 59)) == 0
    assert digests.generate_due(session_factory, local(16, 9)) == 1  # the next Monday


def test_a_new_supervisor_waits_for_the_next_monday(
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory.begin() as session:
        user = make_user(session, Role.SUPERVISOR)
        user.created_at = MONDAY_9 + timedelta(hours=1)
    assert digests.generate_due(session_factory, MONDAY_9 + timedelta(hours=2)) == 0
    assert digests.generate_due(session_factory, local(16, 9)) == 1


def test_the_digest_keeps_the_reports_figures(session_factory: sessionmaker[Session]) -> None:
    build(session_factory)
    supervisors(session_factory)
    digests.generate_due(session_factory, MONDAY_9)
    filters = reports.ReportFilters(local(2, 0), local(9, 0))
    with session_factory() as session:
        digest = session.scalars(select(WeeklyDigest)).one()
        for name in ("sla", "sla_by_team", "satisfaction", "bot"):
            table = reports.run(session, name, filters, MONDAY_9)
            assert digest.figures[name] == {"columns": table.columns, "rows": table.rows}
    # Tickets t3, t4 and t6 were created that week; t4 was answered late.
    assert {r[0]: r[2] for r in digest.figures["sla"]["rows"]}["first_response"] == 1


def test_the_html_file_is_escaped_and_in_the_readers_language(
    session_factory: sessionmaker[Session],
) -> None:
    build(session_factory)
    supervisors(session_factory)
    with session_factory.begin() as session:
        session.add(
            Customer(
                name="<script>alert(1)</script>",
                churn_risk=True,
                churn_reasons="low_csat",
                churn_flagged_at=MONDAY_9,
            )
        )
    digests.generate_due(session_factory, MONDAY_9)
    with session_factory() as session:
        digest = session.scalars(select(WeeklyDigest)).one()
        zh, en = digest_html.render(digest, "zh"), digest_html.render(digest, "en")
    for page in (zh, en):
        assert "<script>" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
        assert "src=" not in page and "href=" not in page  # nothing loaded from elsewhere
    assert "客服周报" in zh and "2026-11-02 至 2026-11-08" in zh and "首次响应" in zh
    assert "Weekly digest" in en and "2026-11-02 to 2026-11-08" in en and "First response" in en


def test_insert_or_skip_keeps_the_first_row(session_factory: sessionmaker[Session]) -> None:
    with session_factory.begin() as session:
        user = make_user(session, Role.SUPERVISOR)
    week = digests.due_week(MONDAY_9, "Asia/Shanghai")
    values = {
        "user_id": user.id,
        "week_start": week.monday,
        "timezone": "Asia/Shanghai",
        "period_start": week.start,
        "period_end": week.end,
        "generated_at": MONDAY_9,
        "figures": {},
    }
    with session_factory.begin() as session:
        assert digests._insert_or_skip(session, values)
    with session_factory.begin() as session:
        assert not digests._insert_or_skip(session, {**values, "figures": {"x": 1}})
    with session_factory() as session:
        assert session.scalar(select(WeeklyDigest.figures)) == {}


@pytest.mark.postgres
def test_two_workers_on_postgres_write_one_digest(postgres_engine: Engine) -> None:
    from tests.conftest import empty_database

    factory = make_session_factory(postgres_engine)
    with factory.begin() as session:
        for _ in range(5):
            make_user(session, Role.SUPERVISOR).created_at = LONG_AGO
    barrier = threading.Barrier(2)
    counts: list[int] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait()
            counts.append(digests.generate_due(factory, MONDAY_9))
        except BaseException as exc:
            errors.append(exc)

    try:
        threads = [threading.Thread(target=run) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert not errors
        assert sum(counts) == 5
        with factory() as session:
            assert session.scalar(select(func.count(WeeklyDigest.id))) == 5
    finally:
        empty_database(postgres_engine)
