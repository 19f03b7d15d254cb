"""The console's live stream: server-sent events read from the database.

Each poll reads history rows, notifications and call-back tasks with an id above the client's
cursor, so the stream works with any number of app processes. What each event carries is in
`ticketing.api.events`.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Request
from fastapi.responses import StreamingResponse
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from ticketing import callbacks, services
from ticketing.api import errors, security
from ticketing.api.deps import CurrentUser, SessionDep, SettingsDep
from ticketing.api.events import (
    EventCallback,
    EventEnd,
    EventNotification,
    EventReady,
    EventTicket,
)
from ticketing.models import (
    CallbackTask,
    Notification,
    Ticket,
    TicketEvent,
    User,
    format_ticket_number,
)

router = APIRouter(tags=["console"], responses=errors.documented(401, 503))

POLL_SECONDS = 1.0
# Each response ends after this long and the browser reconnects from its cursor: a server that
# is shutting down is never kept waiting long by an open stream.
STREAM_SECONDS = 15.0
KEEPALIVE_SECONDS = 10.0
# PostgreSQL hands out ids before commit, so a row may become visible after a higher one: each
# poll looks this far back and skips what it already sent.
LOOKBACK = 50
BATCH = 200
KINDS = ("e", "n", "c")  # history rows, notifications, call-back tasks
_stream_token = OAuth2PasswordBearer(tokenUrl="/api/auth/token", auto_error=False)

Pushed = tuple[str, dict[str, Any]]  # an event's name and data


@dataclass
class StreamCursor:
    """The last history row, notification and call-back task the client has heard of."""

    event: int = 0
    notification: int = 0
    callback: int = 0
    # The cursor the connection started from: the client knows everything up to it, so the
    # look-back never sends those rows again.
    floor: tuple[int, int, int] = (0, 0, 0)
    seen: dict[str, deque[int]] = field(
        default_factory=lambda: {k: deque(maxlen=4 * LOOKBACK) for k in KINDS}
    )

    def __str__(self) -> str:
        return f"e{self.event}.n{self.notification}.c{self.callback}"

    @classmethod
    def parse(cls, text: str | None) -> StreamCursor | None:
        if not text or len(text) > 64:
            return None
        parts = text.split(".")
        if len(parts) != 3 or [p[:1] for p in parts] != ["e", "n", "c"]:
            return None
        values = [p[1:] for p in parts]
        if not all(v.isascii() and v.isdigit() and len(v) <= 10 for v in values):
            return None
        event, notification, callback = (min(int(v), 2**31 - 1) for v in values)
        return cls(event, notification, callback)

    def __post_init__(self) -> None:
        self.floor = (self.event, self.notification, self.callback)

    def fresh(self, kind: str, row_id: int) -> bool:
        """Whether the row is new to the client; remembers it."""
        if row_id <= self.floor[KINDS.index(kind)]:
            return False
        seen = self.seen[kind]
        if row_id in seen:
            return False
        seen.append(row_id)
        return True


def _latest(session: Session, user: User) -> StreamCursor:
    return StreamCursor(
        event=session.scalar(select(func.max(TicketEvent.id))) or 0,
        notification=session.scalar(
            select(func.max(Notification.id)).where(Notification.user_id == user.id)
        )
        or 0,
        callback=session.scalar(select(func.max(CallbackTask.id))) or 0,
    )


def poll(
    factory: sessionmaker[Session], subject: security.TokenSubject, cursor: StreamCursor
) -> list[Pushed] | None:
    """What the user may see that is newer than `cursor` (which moves on); None when the user
    is gone or inactive, or the token was revoked."""
    with factory() as session, session.begin():
        user = session.get(User, subject.user_id)
        if user is None or not user.is_active or user.token_version != subject.version:
            return None
        return [
            *_ticket_events(session, user, cursor),
            *_notifications(session, user, cursor),
            *_callbacks(session, user, cursor),
        ]


def _ticket_events(session: Session, user: User, cursor: StreamCursor) -> list[Pushed]:
    events = session.execute(
        select(
            TicketEvent.id,
            TicketEvent.kind,
            TicketEvent.data,
            Ticket.id,
            Ticket.status,
            Ticket.assignee_id,
            Ticket.handed_off,
        )
        .join(Ticket, Ticket.id == TicketEvent.ticket_id)
        .where(TicketEvent.id > max(cursor.event - LOOKBACK, 0), services.visible_to(user))
        .order_by(TicketEvent.id)
        .limit(BATCH)
    ).all()
    top_event = session.scalar(select(func.max(TicketEvent.id))) or 0
    out = [
        EventTicket(
            id=event_id,
            ticket=format_ticket_number(ticket_id),
            kind=kind,
            message_kind=(data or {}).get("message_kind"),
            status=status,
            assignee_id=assignee_id,
            handed_off=handed_off,
        ).wire()
        for event_id, kind, data, ticket_id, status, assignee_id, handed_off in events
        if cursor.fresh("e", event_id)
    ]
    # Move past rows this user may not see, unless a full batch left some unread.
    last_seen = events[-1][0] if events else cursor.event
    cursor.event = max(cursor.event, last_seen if len(events) == BATCH else top_event)
    return out


def _notifications(session: Session, user: User, cursor: StreamCursor) -> list[Pushed]:
    notes = session.scalars(
        select(Notification)
        .where(
            Notification.user_id == user.id,
            Notification.id > max(cursor.notification - LOOKBACK, 0),
        )
        .order_by(Notification.id)
        .limit(BATCH)
    ).all()
    out = []
    for note in notes:
        cursor.notification = max(cursor.notification, note.id)
        if cursor.fresh("n", note.id):
            out.append(
                EventNotification(
                    id=note.id,
                    kind=note.kind,
                    ticket=format_ticket_number(note.ticket_id) if note.ticket_id else None,
                    data=note.data,
                    created_at=note.created_at,
                ).wire()
            )
    return out


def _callbacks(session: Session, user: User, cursor: StreamCursor) -> list[Pushed]:
    tasks = session.execute(
        select(CallbackTask.id, CallbackTask.reason, CallbackTask.due_at)
        .where(
            CallbackTask.id > max(cursor.callback - LOOKBACK, 0),
            callbacks.visible_to(user),
        )
        .order_by(CallbackTask.id)
        .limit(BATCH)
    ).all()
    top_task = session.scalar(select(func.max(CallbackTask.id))) or 0
    out = [
        EventCallback(id=task_id, reason=reason, due=due_at).wire()
        for task_id, reason, due_at in tasks
        if cursor.fresh("c", task_id)
    ]
    last_task = tasks[-1][0] if tasks else cursor.callback
    cursor.callback = max(cursor.callback, last_task if len(tasks) == BATCH else top_task)
    return out


def _sse(event: str, data: dict[str, Any], cursor: StreamCursor | None = None) -> str:
    lines = [f"event: {event}"]
    if cursor is not None:
        lines.append(f"id: {cursor}")
    lines.append("data: " + json.dumps(data, ensure_ascii=False, separators=(",", ":")))
    return "\n".join(lines) + "\n\n"


@router.get("/api/console/stream", response_class=StreamingResponse)
async def stream(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    settings: SettingsDep,
    token: Annotated[str | None, Depends(_stream_token)],
    last_event_id: Annotated[str | None, Header(max_length=64)] = None,
) -> StreamingResponse:
    """Server-sent events for the signed-in user: `ticket` (a history row on a ticket you may
    see), `notification` (yours) and `callback` (a new call-back task), each naming what to
    reload. Resume with the `Last-Event-ID` header; each response ends after a short while and
    the client reconnects."""
    cursor = StreamCursor.parse(last_event_id) or _latest(session, user)
    factory: sessionmaker[Session] = request.app.state.session_factory
    subject = security.TokenSubject(user.id, user.token_version)
    signed_out = EventEnd(reason="signed_out").wire()

    async def events() -> AsyncIterator[str]:
        yield "retry: 1000\n\n"
        yield _sse(*EventReady(cursor=str(cursor)).wire(), cursor)
        started = last_sent = time.monotonic()
        while time.monotonic() - started < STREAM_SECONDS:
            if await request.is_disconnected():
                return
            if token is None or security.read_token(token, settings) != subject:
                yield _sse(*signed_out)
                return
            found = await asyncio.to_thread(poll, factory, subject, cursor)
            if found is None:
                yield _sse(*signed_out)
                return
            for index, (name, data) in enumerate(found, 1):
                # The cursor covers the whole batch: only its last event carries it.
                yield _sse(name, data, cursor if index == len(found) else None)
                last_sent = time.monotonic()
            if time.monotonic() - last_sent >= KEEPALIVE_SECONDS:
                yield ": keep-alive\n\n"
                last_sent = time.monotonic()
            await asyncio.sleep(POLL_SECONDS)
        yield _sse(*EventReady(cursor=str(cursor)).wire(), cursor)

    return StreamingResponse(
        events(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )
