"""Delivery of the outbox: every message leaving Kefu, sent after the commit that wrote it.

Rows are claimed one at a time by a conditional UPDATE (`pending` and due, or `sending` with
an expired lease -> `sending` with a fresh lease and this deliverer's id): on PostgreSQL a
second gateway instance racing for the same row waits for the row lock, re-checks the condition
and finds it false; on SQLite writers are serialised. A delivery is cancelled after
`send_timeout`, well inside the lease, so a row is never taken over while its first delivery may
still be under way: nothing is sent twice. A failure puts the row back with exponential backoff;
after `max_attempts` it is `failed` and stays for the desk to see. Rows of one conversation go
out in order: a row is not claimed while an older one of its conversation is undelivered.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, or_, select, true, update
from sqlalchemy.orm import Session, aliased, sessionmaker

from bot.gateway.blocking import BlockingRunner
from bot.gateway.channels.base import ChannelAdapter, DeliveryRefused, Outbound
from bot.gateway.rasa_client import Assistant, BotReply
from ticketing import services
from ticketing.clock import utcnow
from ticketing.models import (
    Channel,
    Conversation,
    ConversationState,
    OutboxKind,
    OutboxMessage,
    OutboxStatus,
)

log = logging.getLogger(__name__)

RASA_KINDS = (OutboxKind.TRIGGER_INTENT.value, OutboxKind.RASA_RESUME.value)
CHANNEL_KINDS = (OutboxKind.TEXT.value, OutboxKind.EVENT.value)


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff: `base`, 2×, 4×... capped at `cap`; give up after `max_attempts`."""

    base: timedelta = timedelta(seconds=2)
    cap: timedelta = timedelta(minutes=5)
    max_attempts: int = 10

    def delay(self, attempts: int) -> timedelta:
        """How long to wait after the `attempts`-th failed attempt."""
        delay: timedelta = self.base * (2 ** max(attempts - 1, 0))
        return min(delay, self.cap)


@dataclass(frozen=True)
class Claimed:
    id: int
    conversation_id: str | None
    channel_value: str
    kind: str
    payload: dict[str, Any]
    attempts: int
    lease_until: datetime


class OutboxDeliverer:
    """Claims due outbox rows and delivers them: text and events to the channel adapters,
    `trigger_intent` and `rasa_resume` to Rasa.

    `deliver_ids` is the fast path right after a commit; `run` is the loop that picks up
    everything else (retries, rows written by other processes such as the SLA worker or the
    action server, rows whose deliverer died).
    """

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        adapters: Mapping[Channel, ChannelAdapter],
        rasa: Assistant | None,
        *,
        clock: Callable[[], datetime] = utcnow,
        retry: RetryPolicy | None = None,
        lease: timedelta = timedelta(seconds=60),
        send_timeout: float = 20.0,
        batch: int = 50,
        poll_interval: float = 1.0,
        instance_id: str | None = None,
        run_blocking: BlockingRunner | None = None,
    ) -> None:
        if timedelta(seconds=send_timeout) * 2 > lease:
            raise ValueError("the lease must be at least twice the send timeout")
        self.factory = session_factory
        self.adapters = dict(adapters)
        self.rasa = rasa
        self.clock = clock
        self.retry = retry or RetryPolicy()
        self.lease = lease
        self.send_timeout = send_timeout
        self.batch = batch
        self.poll_interval = poll_interval
        self.instance_id = (
            instance_id or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        )
        self._wake = asyncio.Event()
        self.run_blocking = run_blocking or BlockingRunner()
        self._loop: asyncio.AbstractEventLoop | None = None

    # --- claiming ------------------------------------------------------------------------------

    def _due(self, now: datetime) -> list[ColumnElement[bool]]:
        """Rows of a kind this deliverer can send that are due (or whose lease ran out)."""
        kinds: list[ColumnElement[bool]] = [
            and_(
                OutboxMessage.kind.in_(CHANNEL_KINDS),
                OutboxMessage.channel.in_([channel for channel in self.adapters]),
            )
        ]
        if self.rasa is not None:
            kinds.append(OutboxMessage.kind.in_(RASA_KINDS))
        return [
            or_(
                and_(
                    OutboxMessage.status == OutboxStatus.PENDING,
                    OutboxMessage.next_attempt_at <= now,
                ),
                and_(
                    OutboxMessage.status == OutboxStatus.SENDING,
                    OutboxMessage.lease_until < now,
                ),
            ),
            or_(*kinds),
        ]

    @staticmethod
    def _first_in_line(mine: Sequence[int] = ()) -> ColumnElement[bool]:
        """Nothing older of the row's conversation is undelivered, except rows in `mine`
        (claimed by this very claim, and delivered before it)."""
        older = aliased(OutboxMessage)
        return ~exists().where(
            older.conversation_id == OutboxMessage.conversation_id,
            older.id < OutboxMessage.id,
            older.status.in_([OutboxStatus.PENDING, OutboxStatus.SENDING]),
            older.id.not_in(mine) if mine else true(),
        )

    def _claim(self, ids: Sequence[int] | None) -> list[Claimed]:
        with self.factory.begin() as session:
            return self.claim_in(session, ids)

    def claim_in(self, session: Session, ids: Sequence[int] | None = None) -> list[Claimed]:
        """Claim due rows (only `ids` if given) in the caller's transaction, in order.

        The gateway claims the replies it has just written in the transaction that wrote them,
        so the background loop of this or another process cannot take them in between and the
        fast path delivers them itself.
        """
        now = self.clock()
        due = self._due(now)
        only = [OutboxMessage.id.in_(ids)] if ids is not None else []
        if ids is not None and not ids:
            return []
        # The first due row of each conversation, then the due rows behind them. On PostgreSQL
        # rows another deliverer is claiming right now are skipped, not waited for; the
        # conditional UPDATE below decides either way (SQLite ignores FOR UPDATE).
        first = session.execute(
            select(OutboxMessage.id, OutboxMessage.conversation_id)
            .where(*due, *only, self._first_in_line())
            .order_by(OutboxMessage.id)
            .limit(self.batch)
            .with_for_update(skip_locked=True)
        ).all()
        if not first:
            return []
        heads = [row_id for row_id, _ in first]
        conversations = {cid for _, cid in first if cid is not None}
        followers = (
            list(
                session.scalars(
                    select(OutboxMessage.id)
                    .where(
                        *due,
                        *only,
                        OutboxMessage.id.not_in(heads),
                        OutboxMessage.conversation_id.in_(conversations),
                    )
                    .order_by(OutboxMessage.id)
                    .limit(self.batch)
                    .with_for_update(skip_locked=True)
                )
            )
            if conversations
            else []
        )
        won: list[int] = []
        for row_id in sorted(heads + followers):
            result = session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == row_id, *due, self._first_in_line(won))
                .values(
                    status=OutboxStatus.SENDING,
                    lease_until=now + self.lease,
                    claimed_by=self.instance_id,
                    attempts=OutboxMessage.attempts + 1,
                )
                .execution_options(synchronize_session=False)
            )
            if result.rowcount == 1:  # type: ignore[attr-defined]
                won.append(row_id)
        if not won:
            return []
        rows = session.execute(
            select(
                OutboxMessage.id,
                OutboxMessage.conversation_id,
                OutboxMessage.channel,
                OutboxMessage.kind,
                OutboxMessage.payload,
                OutboxMessage.attempts,
            )
            .where(OutboxMessage.id.in_(won))
            .order_by(OutboxMessage.id)
        ).all()
        return [
            Claimed(
                id=row_id,
                conversation_id=conversation_id,
                channel_value=channel.value,
                kind=kind,
                payload=dict(payload or {}),
                attempts=attempts,
                lease_until=now + self.lease,
            )
            for row_id, conversation_id, channel, kind, payload, attempts in rows
        ]

    def _renew(self, row_id: int) -> datetime | None:
        """Extend this deliverer's lease on a row, if it still holds it; the new expiry."""
        now = self.clock()
        until = now + self.lease
        with self.factory.begin() as session:
            result = session.execute(
                update(OutboxMessage)
                .where(
                    OutboxMessage.id == row_id,
                    OutboxMessage.status == OutboxStatus.SENDING,
                    OutboxMessage.claimed_by == self.instance_id,
                    OutboxMessage.lease_until > now,
                )
                .values(lease_until=until)
                .execution_options(synchronize_session=False)
            )
            return until if result.rowcount == 1 else None  # type: ignore[attr-defined]

    def _release(self, row_ids: Sequence[int]) -> None:
        """Give back rows claimed but not attempted (an older row of their conversation failed):
        pending again, the claim not counted as an attempt."""
        with self.factory.begin() as session:
            session.execute(
                update(OutboxMessage)
                .where(
                    OutboxMessage.id.in_(row_ids),
                    OutboxMessage.status == OutboxStatus.SENDING,
                    OutboxMessage.claimed_by == self.instance_id,
                )
                .values(
                    status=OutboxStatus.PENDING,
                    lease_until=None,
                    attempts=OutboxMessage.attempts - 1,
                )
                .execution_options(synchronize_session=False)
            )

    # --- finishing -----------------------------------------------------------------------------

    def _finish(
        self,
        row_id: int,
        *,
        error: str | None = None,
        refused: bool = False,
        then: Callable[[Session], list[int]] | None = None,
    ) -> list[Claimed]:
        """Record the outcome if the row is still ours; returns the rows `then` wrote, claimed
        in the same transaction."""
        now = self.clock()
        with self.factory.begin() as session:
            row = session.get(OutboxMessage, row_id, with_for_update=True)
            if (
                row is None
                or row.status is not OutboxStatus.SENDING
                or row.claimed_by != self.instance_id
            ):
                log.error("outbox %s: lease lost before the outcome was recorded", row_id)
                return []
            row.lease_until = None
            if error is None:
                row.status = OutboxStatus.SENT
                row.sent_at = now
                row.last_error = None
                return self.claim_in(session, then(session)) if then is not None else []
            row.last_error = error[:500]
            if refused or row.attempts >= self.retry.max_attempts:
                row.status = OutboxStatus.FAILED
                log.error("outbox %s: gave up after %s attempts: %s", row_id, row.attempts, error)
            else:
                row.status = OutboxStatus.PENDING
                row.next_attempt_at = now + self.retry.delay(row.attempts)
                log.warning(
                    "outbox %s: attempt %s failed (%s); next at %s",
                    row_id,
                    row.attempts,
                    error,
                    row.next_attempt_at.isoformat(),
                )
            return []

    # --- delivering ----------------------------------------------------------------------------

    async def deliver_ids(self, ids: Sequence[int]) -> int:
        """Claim these rows and deliver them, in order (rows written and committed elsewhere;
        the gateway claims its own rows as it writes them and calls `deliver_claimed`)."""
        return await self.deliver_claimed(await self.run_blocking(self._claim, list(ids)))

    async def run_once(self) -> int:
        """Claim what is due and deliver it. Returns how many rows were attempted."""
        return await self.deliver_claimed(await self.run_blocking(self._claim, None))

    async def deliver_claimed(self, claimed: Sequence[Claimed]) -> int:
        """Deliver claimed rows: one conversation's in order (after a failure the rest of it is
        given back, to go after the failed row), conversations side by side. Returns how many
        rows were attempted."""
        groups: dict[str, list[Claimed]] = {}
        for row in claimed:
            groups.setdefault(row.conversation_id or f"#{row.id}", []).append(row)

        async def in_order(rows: list[Claimed]) -> int:
            attempted = 0
            queue = list(rows)
            while queue:
                row = queue.pop(0)
                ok, produced = await self._deliver(row)
                attempted += 1
                if not ok:
                    if rest := [r.id for r in queue]:
                        await self.run_blocking(self._release, rest)
                    break
                queue[:0] = produced  # a Rasa row's replies go out before anything after it
            return attempted

        return sum(await asyncio.gather(*(in_order(rows) for rows in groups.values())))

    async def run(self) -> None:
        """Deliver until cancelled: at once when woken, else every `poll_interval` seconds."""
        log.info("outbox deliverer %s started", self.instance_id)
        self._loop = asyncio.get_running_loop()
        while True:
            self._wake.clear()
            try:
                attempted = await self.run_once()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("outbox deliverer: a pass failed; trying again shortly")
                attempted = 0
            if attempted:
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.poll_interval)

    def wake(self) -> None:
        """Something was written to the outbox: look now rather than at the next poll. Safe to
        call from any thread (a sync endpoint after its commit)."""
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            self._wake.set()
        else:
            loop.call_soon_threadsafe(self._wake.set)

    async def _deliver(self, row: Claimed) -> tuple[bool, list[Claimed]]:
        """Deliver one claimed row and record the outcome: whether it went, and the rows it
        produced (a Rasa row's replies), claimed."""
        late = self.clock() + timedelta(seconds=self.send_timeout) >= row.lease_until
        # Claimed in a batch and its turn came late: the lease must outlast the delivery.
        if late and await self.run_blocking(self._renew, row.id) is None:
            log.warning("outbox %s: lease ran out before delivery; left to others", row.id)
            return False, []
        try:
            then = await asyncio.wait_for(self._send(row), self.send_timeout)
        except asyncio.CancelledError:
            raise
        except DeliveryRefused as exc:
            await self.run_blocking(self._finish, row.id, error=_describe(exc), refused=True)
            return False, []
        except Exception as exc:  # any failure of a channel or of Rasa: retry later
            await self.run_blocking(self._finish, row.id, error=_describe(exc))
            return False, []
        return True, await self.run_blocking(self._finish, row.id, then=then)

    async def _send(self, row: Claimed) -> Callable[[Session], list[int]] | None:
        if row.kind in CHANNEL_KINDS:
            adapter = self.adapters.get(Channel(row.channel_value))
            if adapter is None or row.conversation_id is None:
                raise DeliveryRefused(f"no {row.channel_value} channel for this row")
            await adapter.deliver(
                Outbound(
                    outbox_id=row.id,
                    conversation_id=row.conversation_id,
                    channel=adapter.channel,
                    kind=OutboxKind(row.kind),
                    payload=row.payload,
                    attempt=row.attempts,
                )
            )
            return None
        if row.conversation_id is None or self.rasa is None:
            raise DeliveryRefused("a Rasa row needs a conversation and a Rasa client")
        if row.kind == OutboxKind.RASA_RESUME:
            await self.rasa.resume(row.conversation_id)
            conversation_id = row.conversation_id

            def resumed(session: Session) -> list[int]:
                services.complete_hand_back(session, conversation_id, at=self.clock())
                return _pending_ids(session, conversation_id)

            return resumed
        if row.kind == OutboxKind.TRIGGER_INTENT:
            return await self._trigger(row, row.conversation_id)
        raise DeliveryRefused(f"unknown outbox kind {row.kind!r}")

    async def _trigger(self, row: Claimed, conversation_id: str) -> Callable[[Session], list[int]]:
        state = await self.run_blocking(self._state_of, conversation_id)
        if state is not ConversationState.BOT:
            # While an agent has the conversation the bot does not speak, surveys included; the
            # worker turns the unanswered follow-up into a call-back task.
            raise DeliveryRefused(
                f"conversation is {state.value if state else 'gone'}: not triggered"
            )
        intent = str(row.payload.get("intent") or "")
        entities = row.payload.get("entities") or {}
        replies = await self.rasa.trigger_intent(conversation_id, intent, entities)  # type: ignore[union-attr]

        def store(session: Session) -> list[int]:
            return store_bot_replies(session, conversation_id, replies, self.clock())

        return store

    def _state_of(self, conversation_id: str) -> ConversationState | None:
        with self.factory() as session:
            return session.scalar(
                select(Conversation.state).where(Conversation.id == conversation_id)
            )


def store_bot_replies(
    session: Session, conversation_id: str, replies: Sequence[BotReply], at: datetime
) -> list[int]:
    """Keep the bot's replies and put them on the outbox, unless an agent has taken the
    conversation meanwhile. Returns every undelivered outbox id of the conversation, in order
    (rows the action server wrote during the turn, e.g. `queued`, included)."""
    conversation = session.get(Conversation, conversation_id)
    if conversation is None:
        return []
    if conversation.state is ConversationState.AGENT:
        log.info(
            "conversation %s: an agent joined while the bot was answering; reply dropped",
            conversation_id,
        )
    else:
        for reply in replies:
            if reply.is_empty:
                continue
            services.record_bot_reply(
                session, conversation, reply.text, buttons=reply.buttons, image=reply.image, at=at
            )
    return _pending_ids(session, conversation_id)


def _pending_ids(session: Session, conversation_id: str) -> list[int]:
    session.flush()
    return list(
        session.scalars(
            select(OutboxMessage.id)
            .where(
                OutboxMessage.conversation_id == conversation_id,
                OutboxMessage.status == OutboxStatus.PENDING,
            )
            .order_by(OutboxMessage.id)
        )
    )


def _describe(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
