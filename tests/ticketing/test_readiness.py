"""Readiness: the database, the worker's heartbeat row and the outbox backlog."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ticketing import heartbeat, readiness, worker
from ticketing.db import make_engine, make_session_factory, transaction
from ticketing.models import Channel, OutboxMessage, OutboxStatus, WorkerHeartbeat
from ticketing.readiness import Part

NOW = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)


def parts(factory: sessionmaker[Session], now: datetime = NOW) -> dict[str, Part]:
    return {p.name: p for p in readiness.database_parts(factory, now)}


def test_no_heartbeat_means_the_worker_is_down(session_factory: sessionmaker[Session]) -> None:
    found = parts(session_factory)
    assert found["database"].up
    assert not found["worker"].up
    assert "python -m ticketing worker" in found["worker"].detail


def test_a_heartbeat_goes_stale_after_a_minute(session_factory: sessionmaker[Session]) -> None:
    with transaction(session_factory) as session:
        heartbeat.beat(session, "host:1", NOW, NOW)
    assert parts(session_factory, NOW + timedelta(seconds=30))["worker"].up
    stale = parts(session_factory, NOW + timedelta(seconds=61))["worker"]
    assert not stale.up and "down or stuck" in stale.detail


def test_the_worker_loop_writes_its_heartbeat_row(session_factory: sessionmaker[Session]) -> None:
    stop = threading.Event()
    beats: list[datetime] = []

    def clock() -> datetime:
        beats.append(NOW)
        if len(beats) > 6:
            stop.set()
        return NOW

    worker.run(session_factory, worker.WorkerOptions(interval=0.1), stop, clock=clock)
    with session_factory() as session:
        rows = session.scalars(select(WorkerHeartbeat)).all()
    assert [r.worker for r in rows] == [heartbeat.worker_id()]
    assert rows[0].beat_at == NOW


def test_old_heartbeats_of_gone_workers_are_forgotten(
    session_factory: sessionmaker[Session],
) -> None:
    with transaction(session_factory) as session:
        heartbeat.beat(session, "host:1", NOW - timedelta(days=2), NOW - timedelta(days=2))
    with transaction(session_factory) as session:
        heartbeat.beat(session, "host:2", NOW, NOW)
    with session_factory() as session:
        assert [r.worker for r in session.scalars(select(WorkerHeartbeat))] == ["host:2"]


def test_an_overdue_outbox_row_is_a_backlog(session_factory: sessionmaker[Session]) -> None:
    with transaction(session_factory) as session:
        for minutes in (1, 5):
            session.add(
                OutboxMessage(
                    channel=Channel.WEB,
                    kind="message",
                    payload={},
                    status=OutboxStatus.PENDING,
                    next_attempt_at=NOW - timedelta(minutes=minutes),
                )
            )
    backlog = parts(session_factory)["outbox"]
    assert not backlog.up
    assert backlog.detail == "2 waiting, the oldest due 5 min ago"
    assert parts(session_factory, NOW - timedelta(minutes=4))["outbox"].up


def test_an_unreachable_database_is_unavailable(tmp_path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'no' / 'such' / 'dir.db'}")
    try:
        found = readiness.database_parts(make_session_factory(engine), NOW)
    finally:
        engine.dispose()
    code, body = readiness.report(found)
    assert code == 503
    assert body["status"] == "unavailable"
    assert body["parts"]["database"]["up"] is False


def test_the_report_is_degraded_without_the_assistant() -> None:
    everything = [Part("database", True, ""), Part("worker", True, ""), Part("rasa", True, "")]
    assert readiness.report(everything)[1]["status"] == "ready"
    code, body = readiness.report([*everything[:2], Part("rasa", False, "does not answer")])
    assert code == 200
    assert (body["status"], body["assistant"]) == ("degraded", "offline")
