"""The command line against a real SQLite file: one-line errors, never a traceback."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, delete, func, select
from typer.testing import CliRunner

from tests.factories import make_policy, make_ticket, make_user
from ticketing import accounts, cli, demo, services
from ticketing.config import get_settings
from ticketing.db import make_engine, make_session_factory
from ticketing.models import (
    AuditEntry,
    BusinessCalendar,
    Category,
    Priority,
    ReportRollupMark,
    Role,
    SlaPolicy,
    SlaVerdict,
    Ticket,
    TicketDay,
    Tier,
)

runner = CliRunner()


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """KEFU_DATABASE_URL pointing at an empty SQLite file, and an engine to look inside it."""
    url = f"sqlite:///{tmp_path / 'kefu.db'}"
    monkeypatch.setenv("KEFU_DATABASE_URL", url)
    get_settings.cache_clear()  # settings are read once per process
    engine = make_engine(url)
    yield engine
    engine.dispose()
    get_settings.cache_clear()


def run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = runner.invoke(cli.app, list(args), input=stdin)
    return result.exit_code, result.stdout, result.stderr


def test_db_upgrade_creates_the_schema_at_head(database: Engine) -> None:
    code, out, _ = run("db", "upgrade")
    assert code == 0, out
    assert cli.current_revision(database) == cli.head_revision()
    assert "migrated from nothing" in out

    code, out, _ = run("db", "upgrade")
    assert code == 0
    assert "already" in out
    code, out, _ = run("db", "current")
    assert code == 0 and "the newest" in out


def test_user_add_reads_the_password_from_stdin(database: Engine) -> None:
    run("db", "upgrade")
    assert run("team", "add", "after-sales")[0] == 0
    code, out, err = run(
        "user",
        "add",
        "zhou.min",
        "--role",
        "supervisor",
        "--team",
        "after-sales",
        "--display-name",
        "周敏",
        "--password-stdin",
        stdin="correct-horse-battery\n",
    )
    assert code == 0, err
    assert out.strip() == "added supervisor zhou.min in team after-sales"
    with make_session_factory(database)() as session:
        user = accounts.authenticate(session, "zhou.min", "correct-horse-battery")
        assert user is not None
        assert user.role is Role.SUPERVISOR and user.display_name == "周敏"
        assert user.team is not None and user.team.name == "after-sales"
    assert "zhou.min" in run("user", "list")[1]


def assert_one_line_error(code: int, err: str, expected: str) -> None:
    assert code == 1
    assert "Traceback" not in err
    assert err.strip().count("\n") == 0, err
    assert err.startswith("error: ") and expected in err, err


def test_a_second_user_of_the_same_name_is_refused_in_one_line(database: Engine) -> None:
    run("db", "upgrade")
    run("user", "add", "li.na", "--password-stdin", stdin="correct-horse-battery\n")
    code, _, err = run("user", "add", "li.na", "--password-stdin", stdin="another-password\n")
    assert_one_line_error(code, err, "user li.na exists already")


def test_a_short_password_is_refused_in_one_line(database: Engine) -> None:
    run("db", "upgrade")
    code, _, err = run("user", "add", "li.na", "--password-stdin", stdin="short\n")
    assert_one_line_error(code, err, "at least 12 characters")
    with make_session_factory(database)() as session:
        assert accounts.get_user(session, "li.na") is None


def test_an_unknown_team_is_refused_before_asking_for_a_password(database: Engine) -> None:
    run("db", "upgrade")
    code, _, err = run("user", "add", "li.na", "--team", "nowhere")
    assert_one_line_error(code, err, "no team nowhere")


def test_an_unmigrated_database_is_one_line_not_a_traceback(database: Engine) -> None:
    code, _, err = run("user", "list")
    assert_one_line_error(code, err, "db upgrade")


def test_demo_load_if_empty_loads_once(database: Engine) -> None:
    run("db", "upgrade")
    code, out, err = run("demo", "load", "--if-empty")
    assert code == 0, err
    assert f"{demo.TICKETS} tickets" in out and demo.DEMO_PASSWORD in out

    code, out, _ = run("demo", "load", "--if-empty")
    assert code == 0
    assert "demo data not loaded" in out
    with make_session_factory(database)() as session:
        assert session.scalar(select(func.count(Ticket.id))) == demo.TICKETS
    # Without --if-empty a second load is refused, not doubled.
    code, _, err = run("demo", "load")
    assert_one_line_error(code, err, "loaded already")


def write(path: Path, text: str = "") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_plan_processes_skips_rasa_without_a_model(tmp_path: Path) -> None:
    procfile = write(
        tmp_path / "Procfile",
        "rasa: RASA_TELEMETRY_ENABLED=false .venv-rasa/bin/rasa run --model "
        "models/current.tar.gz\n"
        "web: sh -c 'echo web'\n"
        "worker: .venv/bin/python -m ticketing worker\n",
    )
    write(tmp_path / ".venv-rasa" / "bin" / "rasa")

    plan = cli.plan_processes(procfile, tmp_path)
    assert list(plan.runnable) == ["web"]
    assert "no trained model" in plan.skipped["rasa"]
    assert "not installed" in plan.skipped["worker"]

    write(tmp_path / "models" / "current.tar.gz")
    write(tmp_path / ".venv" / "bin" / "python")
    plan = cli.plan_processes(procfile, tmp_path)
    assert list(plan.runnable) == ["rasa", "web", "worker"]
    assert plan.skipped == {}


def test_the_procfile_runs_the_worker() -> None:
    plan = cli.plan_processes(cli.PROCFILE, cli.PROCFILE.parent)
    assert "worker" in {**plan.runnable, **plan.skipped}


def test_team_route_sends_new_tickets_of_a_category_to_a_team(database: Engine) -> None:
    run("db", "upgrade")
    assert run("team", "add", "logistics")[0] == 0

    code, out, err = run("team", "route", "delivery", "logistics")
    assert code == 0, err
    assert out.strip() == "new delivery tickets go to logistics"
    assert "[new tickets: delivery]" in run("team", "list")[1]
    with make_session_factory(database)() as session:
        assert {c: t.name for c, t in accounts.routes(session).items()} == {
            Category.DELIVERY: "logistics"
        }
    code, _, err = run("team", "route", "delivery", "nowhere")
    assert_one_line_error(code, err, "no team nowhere")

    assert run("team", "route", "delivery", "-")[1].strip() == "new delivery tickets go to no team"
    with make_session_factory(database)() as session:
        assert accounts.routes(session) == {}


def test_init_sets_up_an_empty_database_for_a_shop_of_its_own(database: Engine) -> None:
    code, out, err = run("init", "--admin", "boss", "--password-stdin", stdin="correct-horse-1\n")
    assert code == 0, err
    assert "added admin boss" in out
    assert "Monday-Friday 09:00-18:00" in out
    assert cli.current_revision(database) == cli.head_revision()
    with make_session_factory(database)() as session:
        boss = accounts.authenticate(session, "boss", "correct-horse-1")
        assert boss is not None and boss.role is Role.ADMIN
        assert session.scalar(select(func.count(Ticket.id))) == 0  # no demo data
        assert [u.username for u in accounts.list_users(session)] == ["boss"]
        [calendar] = session.scalars(select(BusinessCalendar)).all()
        assert calendar.timezone == "Asia/Shanghai"
        assert calendar.periods == {str(d): [["09:00", "18:00"]] for d in range(5)}
        policies = session.scalars(select(SlaPolicy)).all()
        assert {p.priority for p in policies} == set(Priority)
        assert all(p.calendar_id == calendar.id and p.tier is Tier.REGULAR for p in policies)
        assert (session.scalar(select(func.count(AuditEntry.id))) or 0) >= 6
    # Again: nothing asked, nothing doubled.
    code, out, err = run("init")
    assert code == 0, err
    assert "an admin exists already" in out and "kept" in out
    with make_session_factory(database)() as session:
        assert session.scalar(select(func.count(SlaPolicy.id))) == len(Priority)
        assert session.scalar(select(func.count(BusinessCalendar.id))) == 1


def test_init_refuses_a_short_admin_password_in_one_line(database: Engine) -> None:
    code, _out, err = run("init", "--password-stdin", stdin="short\n")
    assert_one_line_error(code, err, "password")
    with make_session_factory(database)() as session:
        assert accounts.list_users(session) == []


def test_reports_rebuild_builds_the_roll_up_from_the_tickets(database: Engine) -> None:
    run("db", "upgrade")
    with make_session_factory(database).begin() as session:
        make_ticket(session)
        make_ticket(session)
        session.execute(delete(ReportRollupMark))  # as if filled in bulk, past the application
    code, out, err = run("reports", "rebuild")
    assert code == 0, err
    assert out.strip() == "rebuilt the roll-up of 1 days"
    with make_session_factory(database)() as session:
        assert session.scalar(select(func.sum(TicketDay.tickets))) == 2
        assert session.scalar(select(func.count()).select_from(ReportRollupMark)) == 0


def test_reports_backfill_verdicts_replays_closed_tickets(database: Engine) -> None:
    run("db", "upgrade")
    start = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)
    with make_session_factory(database).begin() as session:
        make_policy(session, first_response=60, next_response=None, resolution=240)
        agent = services.Actor.of(make_user(session))
        ticket = make_ticket(session, at=start)
        services.reply_to_customer(session, ticket, agent, "您好", at=start + timedelta(hours=2))
        services.resolve_ticket(session, ticket, agent, at=start + timedelta(hours=3))
        session.flush()
        session.execute(delete(SlaVerdict))  # closed before verdicts were stored
    code, out, err = run("reports", "backfill-verdicts")
    assert code == 0, err
    assert out.strip() == "replayed 1 tickets: 2 verdicts written"
    with make_session_factory(database)() as session:
        found = session.execute(select(SlaVerdict.metric, SlaVerdict.breached)).all()
    assert sorted((m.value, b) for m, b in found) == [
        ("first_response", True),
        ("resolution", False),
    ]
    assert (
        run("reports", "backfill-verdicts")[1].strip() == "replayed 0 tickets: 0 verdicts written"
    )
