"""Outbox delivery: retries with backoff, order within a conversation, leases, and two
deliverers on one database never sending a row twice."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session, sessionmaker

from bot.gateway.channels.base import DeliveryRefused, Outbound
from bot.gateway.outbox import OutboxDeliverer, RetryPolicy
from tests.bot.conftest import Clock, RecordingChannel
from tests.conftest import postgres_schema_engine
from ticketing import services
from ticketing.db import make_session_factory, transaction
from ticketing.models import Channel, OutboxKind, OutboxMessage, OutboxStatus

pytestmark = pytest.mark.anyio


def deliverer(
    factory: sessionmaker[Session],
    channel: RecordingChannel,
    clock: Clock,
    **kwargs: object,
) -> OutboxDeliverer:
    return OutboxDeliverer(factory, {channel.channel: channel}, None, clock=clock, **kwargs)  # type: ignore[arg-type]


def enqueue(
    factory: sessionmaker[Session], clock: Clock, texts: list[str], session_id: str = "abc"
) -> list[int]:
    with transaction(factory) as session:
        conversation = services.get_or_create_conversation(
            session, Channel.WEB, session_id, at=clock()
        )
        return [
            services.enqueue_outbound(
                session, conversation, OutboxKind.TEXT, {"text": body, "sender": "bot"}, at=clock()
            ).id
            for body in texts
        ]


def row(factory: sessionmaker[Session], row_id: int) -> OutboxMessage:
    with factory() as session:
        found = session.get(OutboxMessage, row_id)
        assert found is not None
        return found


async def test_retried_with_backoff_after_the_channel_fails_twice_and_sent_once(
    session_factory: sessionmaker[Session], clock: Clock
) -> None:
    channel = RecordingChannel(fail_times=2)
    outbox = deliverer(session_factory, channel, clock)
    (row_id,) = enqueue(session_factory, clock, ["您的退款已经处理"])

    assert await outbox.deliver_ids([row_id]) == 1  # the fast path tries once and fails
    failed = row(session_factory, row_id)
    assert (failed.status, failed.attempts) == (OutboxStatus.PENDING, 1)
    assert failed.next_attempt_at == clock() + timedelta(seconds=2)
    assert failed.last_error == "DeliveryFailed: channel is down"

    clock.advance(1.9)
    assert await outbox.run_once() == 0  # backoff: not yet
    clock.advance(0.1)
    assert await outbox.run_once() == 1  # attempt 2 fails; next wait is 4 s
    assert row(session_factory, row_id).next_attempt_at == clock() + timedelta(seconds=4)
    clock.advance(3.9)
    assert await outbox.run_once() == 0
    clock.advance(0.1)
    assert await outbox.run_once() == 1  # attempt 3 goes through

    sent = row(session_factory, row_id)
    assert (sent.status, sent.attempts, sent.sent_at) == (OutboxStatus.SENT, 3, clock())
    assert sent.last_error is None and sent.lease_until is None
    assert [d.text for d in channel.delivered] == ["您的退款已经处理"]
    assert [d.attempt for d in channel.attempts] == [1, 2, 3]
    clock.advance(3600)
    assert await outbox.run_once() == 0  # and never again


def test_backoff_doubles_up_to_the_cap() -> None:
    policy = RetryPolicy(base=timedelta(seconds=2), cap=timedelta(seconds=30))
    assert [policy.delay(n).total_seconds() for n in range(1, 7)] == [2, 4, 8, 16, 30, 30]


async def test_gives_up_after_the_last_attempt(
    session_factory: sessionmaker[Session], clock: Clock
) -> None:
    channel = RecordingChannel(fail_times=99)
    outbox = deliverer(session_factory, channel, clock, retry=RetryPolicy(max_attempts=3))
    (row_id,) = enqueue(session_factory, clock, ["hello"])

    for _ in range(5):
        await outbox.run_once()
        clock.advance(600)

    failed = row(session_factory, row_id)
    assert (failed.status, failed.attempts) == (OutboxStatus.FAILED, 3)
    assert len(channel.attempts) == 3


async def test_a_refused_message_is_not_retried(
    session_factory: sessionmaker[Session], clock: Clock
) -> None:
    class Blocked(RecordingChannel):
        async def deliver(self, item: Outbound) -> None:
            self.attempts.append(item)
            raise DeliveryRefused("the user blocked the bot")

    channel = Blocked()
    outbox = deliverer(session_factory, channel, clock)
    (row_id,) = enqueue(session_factory, clock, ["hello"])

    await outbox.run_once()
    clock.advance(3600)
    await outbox.run_once()

    refused = row(session_factory, row_id)
    assert (refused.status, refused.attempts) == (OutboxStatus.FAILED, 1)
    assert refused.last_error == "DeliveryRefused: the user blocked the bot"


async def test_messages_of_one_conversation_go_out_in_order(
    session_factory: sessionmaker[Session], clock: Clock
) -> None:
    channel = RecordingChannel(fail_times=1)
    outbox = deliverer(session_factory, channel, clock)
    _first, second, third = enqueue(session_factory, clock, ["one", "two", "three"])
    (other,) = enqueue(session_factory, clock, ["elsewhere"], session_id="other")

    assert await outbox.run_once() == 2  # "one" fails; "elsewhere" is not held up by it
    assert channel.texts() == ["elsewhere"]
    assert [row(session_factory, i).status for i in (second, third)] == [OutboxStatus.PENDING] * 2
    assert row(session_factory, second).attempts == 0  # given back, not counted as a try
    assert await outbox.deliver_ids([second, third]) == 0  # still behind "one"

    clock.advance(2)
    assert await outbox.run_once() == 3
    assert channel.texts() == ["elsewhere", "one", "two", "three"]
    assert row(session_factory, other).status is OutboxStatus.SENT


async def test_a_row_whose_deliverer_died_is_taken_over_when_its_lease_runs_out(
    session_factory: sessionmaker[Session], clock: Clock
) -> None:
    channel = RecordingChannel()
    outbox = deliverer(session_factory, channel, clock)
    (row_id,) = enqueue(session_factory, clock, ["hello"])
    with transaction(session_factory) as session:
        stuck = session.get(OutboxMessage, row_id)
        assert stuck is not None
        stuck.status = OutboxStatus.SENDING
        stuck.claimed_by = "dead-instance"
        stuck.attempts = 1
        stuck.lease_until = clock() + timedelta(seconds=60)

    assert await outbox.run_once() == 0  # its lease still runs: hands off
    clock.advance(61)
    assert await outbox.run_once() == 1

    taken = row(session_factory, row_id)
    assert (taken.status, taken.attempts, taken.claimed_by) == (
        OutboxStatus.SENT,
        2,
        outbox.instance_id,
    )
    assert channel.texts() == ["hello"]


async def test_the_lease_must_outlast_a_delivery(session_factory: sessionmaker[Session]) -> None:
    with pytest.raises(ValueError, match="lease"):
        OutboxDeliverer(session_factory, {}, None, lease=timedelta(seconds=30), send_timeout=20.0)


async def test_a_channel_that_hangs_is_cut_off_and_retried(
    session_factory: sessionmaker[Session], clock: Clock
) -> None:
    channel = RecordingChannel()
    channel.pause = 5.0
    outbox = deliverer(session_factory, channel, clock, send_timeout=0.2)
    (row_id,) = enqueue(session_factory, clock, ["hello"])

    await outbox.run_once()

    hung = row(session_factory, row_id)
    assert (hung.status, hung.attempts, hung.last_error) == (
        OutboxStatus.PENDING,
        1,
        "TimeoutError",
    )
    assert channel.delivered == []


def other_instance_factory(engine: Engine) -> tuple[sessionmaker[Session], Engine | None]:
    """A second "gateway process": its own engine and connection pool on the same database."""
    if engine.dialect.name != "postgresql":
        return make_session_factory(engine), None
    with engine.connect() as conn:
        schema = conn.execute(text("SHOW search_path")).scalar_one()
    second = postgres_schema_engine(schema.strip('"'), pool_size=10)
    return make_session_factory(second), second


async def test_two_deliverers_on_one_database_send_each_message_once(
    engine: Engine, session_factory: sessionmaker[Session], clock: Clock
) -> None:
    channel_a, channel_b = RecordingChannel(), RecordingChannel()
    channel_a.pause = channel_b.pause = 0.001  # let the two interleave
    factory_b, engine_b = other_instance_factory(engine)
    try:
        a = deliverer(session_factory, channel_a, clock, batch=20)
        b = deliverer(factory_b, channel_b, clock, batch=20)
        ids: list[int] = []
        for n in range(30):
            ids += enqueue(session_factory, clock, [f"{n}-{i}" for i in range(8)], f"s{n:04d}")

        async def drain(outbox: OutboxDeliverer, fast_path: list[int]) -> None:
            # Each instance tries the fast path on the same rows, then loops like `run`.
            await outbox.deliver_ids(fast_path)
            while await outbox.run_once():
                pass

        await asyncio.gather(drain(a, ids[::2]), drain(b, ids[::3]))
        await asyncio.gather(drain(a, []), drain(b, []))
    finally:
        if engine_b is not None:
            engine_b.dispose()

    delivered = [d.outbox_id for d in channel_a.delivered + channel_b.delivered]
    counts = Counter(delivered)
    assert set(counts) == set(ids)
    assert max(counts.values()) == 1, "an outbox message was sent twice"
    if engine.dialect.name == "postgresql":
        # SQLite serialises writers, so on a loaded machine one instance may legitimately take
        # every row; on PostgreSQL the two really run side by side and both must do work.
        assert channel_a.delivered and channel_b.delivered
    with session_factory() as session:
        statuses = set(session.scalars(select(OutboxMessage.status)))
    assert statuses == {OutboxStatus.SENT}
    # ...and each conversation's messages arrived in the order they were written.
    by_conversation: dict[str, list[int]] = {}
    for item in sorted(channel_a.delivered + channel_b.delivered, key=lambda d: d.outbox_id):
        by_conversation.setdefault(item.conversation_id, []).append(int(item.text.split("-")[1]))
    assert all(seq == list(range(8)) for seq in by_conversation.values())
