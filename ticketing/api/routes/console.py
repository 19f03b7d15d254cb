"""The agent console: its pages, the JSON it needs beyond the ticket API, and a live stream.

The pages are plain HTML, CSS and JavaScript under `ticketing/web/console/`, served under a
strict CSP; the script signs in with the OAuth2 password flow and calls the API with the agent's
bearer token, so the API's visibility rules are the console's. Live updates are server-sent
events read from the database (history rows, notifications, call-back tasks with an id above
the client's cursor), so they work with any number of app processes.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import deque
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, StreamingResponse
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy import ColumnElement, case, func, or_, select
from sqlalchemy.orm import Session, selectinload, sessionmaker

from ticketing import channels, churn, services, sla, sla_checks
from ticketing.api import security
from ticketing.api.deps import CurrentUser, SessionDep, SettingsDep
from ticketing.api.routes.reports import CSP
from ticketing.api.schemas import (
    ConsoleQueue,
    ConsoleTicket,
    ConsoleTicketRow,
    ConsoleTicketsPublic,
    ConversationPublic,
    Cursor,
    CustomerPanel,
    HandBackPublic,
    PastTicket,
    QueueCounts,
    SearchText,
    SlaClock,
    SurveyPublic,
    TicketDetail,
    TicketPublic,
    TranscriptMessage,
    TranscriptPublic,
)
from ticketing.clock import utcnow
from ticketing.errors import Conflict, NotFound, PermissionDenied
from ticketing.models import (
    CallbackStatus,
    CallbackTask,
    Conversation,
    ConversationState,
    Customer,
    Message,
    MessageKind,
    Notification,
    Role,
    SlaEventKind,
    SlaMetric,
    SlaPolicy,
    Status,
    SurveyResponse,
    Ticket,
    TicketEvent,
    User,
    format_ticket_number,
)

router = APIRouter(tags=["console"])

WEB = Path(__file__).resolve().parent.parent.parent / "web" / "console"
# The files the console may load: nothing else under WEB is served.
STATIC = {name: WEB / name for name in ("app.js", "history.js", "i18n.js", "api.js", "style.css")}
PAGE_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}

WORKING: tuple[Status, ...] = (Status.NEW, Status.OPEN, Status.PENDING)
# "Breaching soon": a running deadline within this time, or already past.
BREACHING_WITHIN = timedelta(hours=1)
TRANSCRIPT_MAX = 500
PAST_TICKETS = 20
SURVEYS = 20
DEFAULT_SORT: dict[str, Literal["newest", "oldest", "due"]] = {
    "mine": "due",
    "team": "due",
    "unassigned": "oldest",
    "breaching": "due",
    "escalations": "oldest",
}


# --- pages --------------------------------------------------------------------------------------


@router.get("/console", response_class=HTMLResponse, include_in_schema=False)
def console_page() -> HTMLResponse:
    """The agent console; its script signs in and reads the API with a bearer token."""
    return HTMLResponse((WEB / "index.html").read_text(encoding="utf-8"), headers=PAGE_HEADERS)


@router.get("/console/static/{filename}", include_in_schema=False)
def console_file(filename: str) -> FileResponse:
    path = STATIC.get(filename)
    if path is None or not path.is_file():
        raise NotFound(f"no file {filename}")
    media = "text/css" if filename.endswith(".css") else "text/javascript"
    return FileResponse(
        path,
        media_type=media,
        headers={"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"},
    )


# --- queues -------------------------------------------------------------------------------------


def _is_supervisor(user: User) -> bool:
    return user.role in (Role.SUPERVISOR, Role.ADMIN)


def queue_filters(queue: str, user: User, now: datetime) -> services.TicketFilters:
    """What each console queue holds, for `user` (visibility is applied on top)."""
    if queue == "mine":
        return services.TicketFilters(status=WORKING, assignee_id=user.id)
    if queue == "team":
        # A supervisor with no team sees every team's work here.
        return services.TicketFilters(status=WORKING, team_id=user.team_id)
    if queue == "unassigned":
        return services.TicketFilters(status=WORKING, unassigned=True)
    if queue == "breaching":
        return services.TicketFilters(
            status=(Status.NEW, Status.OPEN), due_before=now + BREACHING_WITHIN
        )
    if queue == "escalations":
        extra: list[ColumnElement[bool]] = [Ticket.escalated_at.is_not(None)]
        if not _is_supervisor(user):
            extra.append(
                Ticket.team_id == user.team_id if user.team_id else Ticket.team_id.is_(None)
            )
        return services.TicketFilters(status=WORKING, unassigned=True, extra=extra)
    raise NotFound(f"no queue {queue}")


def _count(session: Session, user: User, filters: services.TicketFilters, now: datetime) -> int:
    conditions = [services.visible_to(user), *services.ticket_conditions(filters, now)]
    return session.scalar(select(func.count()).select_from(Ticket).where(*conditions)) or 0


@router.get("/api/console/queues")
def queue_counts(session: SessionDep, user: CurrentUser) -> QueueCounts:
    """How many tickets each queue holds, with open call-backs and unread notifications."""
    now = utcnow()
    counts = {
        name: _count(session, user, queue_filters(name, user, now), now) for name in DEFAULT_SORT
    }
    callbacks_open = session.scalar(
        select(func.count())
        .select_from(CallbackTask)
        .where(CallbackTask.status == CallbackStatus.OPEN, _callbacks_visible(user))
    )
    unread = session.scalar(
        select(func.count())
        .select_from(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
    )
    return QueueCounts(**counts, callbacks=callbacks_open or 0, notifications_unread=unread or 0)


def _callbacks_visible(user: User) -> ColumnElement[bool]:
    # The rule of ticketing.callbacks: a team's tasks and unrouted ones; all for supervisors.
    if _is_supervisor(user):
        return CallbackTask.id.is_not(None)
    return or_(CallbackTask.team_id.is_(None), CallbackTask.team_id == user.team_id)


@router.get("/api/console/tickets")
def list_queue(
    session: SessionDep,
    user: CurrentUser,
    queue: ConsoleQueue = "mine",
    q: Annotated[SearchText | None, Query(description="words, or a number like T-000123")] = None,
    sort: Literal["newest", "oldest", "due"] | None = None,
    cursor: Cursor | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> ConsoleTicketsPublic:
    """One page of a console queue, each ticket with its customer and SLA risk."""
    now = utcnow()
    filters = queue_filters(queue, user, now)
    filters.q = q
    page = services.list_tickets(
        session,
        user,
        filters,
        sort=sort or DEFAULT_SORT[queue],
        cursor=cursor,
        limit=limit,
        now=now,
    )
    _preload(session, page.tickets)
    latest = _last_customer_messages(session, page.tickets)
    return ConsoleTicketsPublic(
        data=[_row(t, now, latest.get(t.id)) for t in page.tickets],
        count=page.count,
        next_cursor=page.next_cursor,
    )


PREVIEW_MAX = 140


def _last_customer_messages(session: Session, tickets: Sequence[Ticket]) -> dict[int, str]:
    """Each ticket's latest customer message, cut short: by conversation for chats (the
    messages before the handoff belong to no ticket yet), by ticket otherwise."""
    by_conversation = {t.conversation_id: t.id for t in tickets if t.conversation_id}
    by_ticket = [t.id for t in tickets if not t.conversation_id]
    newest: dict[int, int] = {}
    customer = Message.kind == MessageKind.CUSTOMER
    if by_conversation:
        rows = session.execute(
            select(Message.conversation_id, func.max(Message.id))
            .where(customer, Message.conversation_id.in_(list(by_conversation)))
            .group_by(Message.conversation_id)
        ).all()
        newest.update({by_conversation[c]: m for c, m in rows if c is not None})
    if by_ticket:
        ticket_rows = session.execute(
            select(Message.ticket_id, func.max(Message.id))
            .where(customer, Message.ticket_id.in_(by_ticket))
            .group_by(Message.ticket_id)
        ).all()
        newest.update({t: m for t, m in ticket_rows if t is not None})
    if not newest:
        return {}
    bodies = {
        message_id: body
        for message_id, body in session.execute(
            select(Message.id, Message.body).where(Message.id.in_(newest.values()))
        )
    }
    return {
        ticket_id: _snippet(bodies[message_id])
        for ticket_id, message_id in newest.items()
        if message_id in bodies
    }


def _snippet(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= PREVIEW_MAX else flat[: PREVIEW_MAX - 1] + "…"


def _preload(session: Session, tickets: Sequence[Ticket]) -> None:
    # Customers and SLA policies by id in one query each; the rows' many-to-one attributes
    # are then found in the identity map instead of one query per row.
    customer_ids = {t.customer_id for t in tickets if t.customer_id is not None}
    if customer_ids:
        session.scalars(select(Customer).where(Customer.id.in_(customer_ids))).all()
    policy_ids = {t.sla_policy_id for t in tickets if t.sla_policy_id is not None}
    if policy_ids:
        session.scalars(
            select(SlaPolicy)
            .where(SlaPolicy.id.in_(policy_ids))
            .options(selectinload(SlaPolicy.calendar))
        ).all()


def sla_clocks(ticket: Ticket, now: datetime) -> list[SlaClock]:
    """The ticket's SLA clocks with their warning points, as the worker would warn."""
    policy = ticket.sla_policy
    warn_at: dict[SlaMetric, datetime] = {}
    if policy is not None:
        state = sla.SlaState(
            first_response_due_at=ticket.first_response_due_at,
            next_response_due_at=ticket.next_response_due_at,
            resolution_due_at=ticket.resolution_due_at,
            paused_at=ticket.sla_paused_at,
        )
        try:
            points = sla_checks.checkpoints(
                state,
                services.targets_of(policy),
                services.calendar_of(policy.calendar),
                policy.warning_percent,
            )
        except ValueError:  # a calendar with no opening hours: no warning point to show
            points = []
        warn_at = {p.metric: p.at for p in points if p.kind is SlaEventKind.WARNING}
    breached = services.sla_breaches(ticket, now)
    running = ticket.sla_paused_at is None
    clocks = (
        (SlaMetric.FIRST_RESPONSE, ticket.first_response_due_at, ticket.first_responded_at),
        (SlaMetric.NEXT_RESPONSE, ticket.next_response_due_at, None),
        (SlaMetric.RESOLUTION, ticket.resolution_due_at, ticket.resolved_at),
    )
    result = []
    for metric, due, met in clocks:
        if due is None and met is None:
            continue
        warn = warn_at.get(metric)
        late = breached[metric]
        result.append(
            SlaClock(
                metric=metric,
                due_at=due if met is None else None,
                warn_at=warn if met is None else None,
                met_at=met,
                breached=late,
                at_risk=bool(running and met is None and not late and warn and warn <= now),
            )
        )
    return result


def _row_fields(
    ticket: Ticket, now: datetime, clocks: list[SlaClock], preview: str | None = None
) -> dict[str, Any]:
    customer = ticket.customer
    return {
        "last_customer_message": preview,
        **TicketPublic.of(ticket, now).model_dump(),
        "customer_name": customer.name if customer else None,
        "customer_tier": customer.tier if customer else None,
        "churn_risk": customer.churn_risk if customer else False,
        "sla_at_risk": any(c.at_risk for c in clocks),
    }


def _row(ticket: Ticket, now: datetime, preview: str | None) -> ConsoleTicketRow:
    return ConsoleTicketRow.model_validate(
        _row_fields(ticket, now, sla_clocks(ticket, now), preview)
    )


# --- one ticket ---------------------------------------------------------------------------------


def _conversation(session: Session, ticket: Ticket) -> Conversation | None:
    if ticket.conversation_id is None:
        return None
    return session.get(Conversation, ticket.conversation_id)


def _conversation_public(conversation: Conversation | None) -> ConversationPublic | None:
    if conversation is None:
        return None
    return ConversationPublic(
        id=conversation.id,
        channel=conversation.channel,
        state=conversation.state,
        agent_name=conversation.agent.display_name if conversation.agent else None,
        handed_off_at=conversation.handed_off_at,
    )


def _may_take_over(user: User, ticket: Ticket) -> bool:
    return ticket.assignee_id == user.id or _is_supervisor(user)


@router.get("/api/console/tickets/{number}")
def read_console_ticket(session: SessionDep, user: CurrentUser, number: str) -> ConsoleTicket:
    """One ticket: SLA clocks, its chat conversation, history, and the actions open to you."""
    ticket = services.access_ticket(session, user, number)
    now = utcnow()
    clocks = sla_clocks(ticket, now)
    conversation = _conversation(session, ticket)
    allowed = sorted(
        services.ALLOWED_TRANSITIONS[ticket.status] - {Status.NEW},
        key=list(Status).index,
    )
    return ConsoleTicket.model_validate(
        {
            **_row_fields(ticket, now, clocks),
            "sla_clocks": clocks,
            "conversation": _conversation_public(conversation),
            "events": TicketDetail.of(ticket, now).events,
            "allowed_status": allowed,
            "can_claim": ticket.assignee_id is None and ticket.status is not Status.CLOSED,
            "can_hand_back": conversation is not None
            and conversation.state is not ConversationState.BOT
            and _may_take_over(user, ticket),
        }
    )


@router.get("/api/console/tickets/{number}/transcript")
def read_transcript(
    session: SessionDep,
    user: CurrentUser,
    number: str,
    after_id: Annotated[int | None, Query(ge=0, le=2**31 - 1)] = None,
) -> TranscriptPublic:
    """The whole conversation, oldest first: customer, bot and agent turns from before the
    ticket too, and this ticket's internal notes. `after_id` gives only newer messages."""
    ticket = services.access_ticket(session, user, number)
    conversation = _conversation(session, ticket)
    mine = Message.ticket_id == ticket.id
    if ticket.conversation_id is not None:
        # Notes of other tickets on the conversation stay with those tickets.
        whose = or_(
            mine,
            (Message.conversation_id == ticket.conversation_id)
            & (Message.kind != MessageKind.NOTE),
        )
    else:
        whose = mine
    stmt = select(Message).where(whose).options(selectinload(Message.author))
    if after_id is not None:
        stmt = stmt.where(Message.id > after_id)
    rows = session.scalars(stmt.order_by(Message.id.desc()).limit(TRANSCRIPT_MAX)).all()
    return TranscriptPublic(
        data=[_transcript_message(m) for m in reversed(rows)],
        conversation=_conversation_public(conversation),
    )


def _transcript_message(message: Message) -> TranscriptMessage:
    buttons = (message.data or {}).get("buttons") or []
    return TranscriptMessage(
        id=message.id,
        kind=message.kind,
        author_name=message.author.display_name if message.author else None,
        body=message.body,
        created_at=message.created_at,
        ticket=format_ticket_number(message.ticket_id) if message.ticket_id else None,
        buttons=[str(b.get("title", "")) for b in buttons if isinstance(b, dict)],
    )


@router.get("/api/console/tickets/{number}/customer")
def read_customer_panel(
    session: SessionDep, user: CurrentUser, number: str
) -> CustomerPanel | None:
    """The ticket's customer: tier, lifecycle, past tickets and scores, churn risk (null when
    the ticket has no customer)."""
    ticket = services.access_ticket(session, user, number)
    customer = ticket.customer
    if customer is None:
        return None
    now = utcnow()
    theirs = [Ticket.customer_id == customer.id, services.visible_to(user)]
    past = session.scalars(
        select(Ticket).where(*theirs).order_by(Ticket.created_at.desc(), Ticket.id.desc())
    ).fetchmany(PAST_TICKETS)
    tickets_count = session.scalar(select(func.count()).select_from(Ticket).where(*theirs)) or 0
    complaints_30d = (
        session.scalar(
            select(func.count())
            .select_from(Ticket)
            .where(
                Ticket.customer_id == customer.id,
                Ticket.created_at >= now - churn.COMPLAINT_WINDOW,
            )
        )
        or 0
    )
    surveys = session.scalars(
        select(SurveyResponse)
        .where(SurveyResponse.customer_id == customer.id)
        .order_by(SurveyResponse.created_at.desc(), SurveyResponse.id.desc())
        .limit(SURVEYS)
    ).all()
    csat_avg, promoters, detractors, rated = session.execute(
        select(
            func.avg(SurveyResponse.csat),
            func.count(case((SurveyResponse.nps >= 9, 1))),
            func.count(case((SurveyResponse.nps <= churn.DETRACTOR_NPS, 1))),
            func.count(SurveyResponse.nps),
        ).where(SurveyResponse.customer_id == customer.id)
    ).one()
    return CustomerPanel(
        id=customer.id,
        name=customer.name,
        tier=customer.tier,
        lifecycle=customer.lifecycle,
        language=customer.language,
        created_at=customer.created_at,
        channels=sorted({i.kind for i in customer.identities}, key=str),
        churn_risk=customer.churn_risk,
        churn_reasons=[r for r in customer.churn_reasons.split(",") if r],
        churn_flagged_at=customer.churn_flagged_at,
        tickets=[
            PastTicket(
                number=t.number,
                subject=t.subject,
                status=t.status,
                category=t.category,
                severity=t.severity,
                channel=t.channel,
                created_at=t.created_at,
                resolved_at=t.resolved_at,
            )
            for t in past
        ],
        tickets_count=tickets_count,
        complaints_30d=complaints_30d,
        surveys=[
            SurveyPublic(
                ticket=format_ticket_number(s.ticket_id),
                csat=s.csat,
                nps=s.nps,
                comment=s.comment,
                created_at=s.created_at,
            )
            for s in surveys
        ],
        csat_average=round(float(csat_avg), 2) if csat_avg is not None else None,
        nps=round(100 * (promoters - detractors) / rated) if rated else None,
    )


def _chat_of(session: Session, user: User, ticket: Ticket) -> Conversation:
    conversation = _conversation(session, ticket)
    if conversation is None or channels.lookup(conversation.channel) is None:
        raise Conflict(f"{ticket.number} has no chat conversation")
    if not _may_take_over(user, ticket):
        if ticket.assignee_id is None:
            raise Conflict(f"claim {ticket.number} first")
        raise PermissionDenied("only the assignee, a supervisor or an admin may do this")
    return conversation


@router.post("/api/console/tickets/{number}/join")
def join_chat(session: SessionDep, user: CurrentUser, number: str) -> ConversationPublic:
    """Take over the ticket's chat: the bot stays silent and the customer sees your name."""
    ticket = services.access_ticket(session, user, number)
    conversation = _chat_of(session, user, ticket)
    services.join_conversation(session, conversation, user)
    session.flush()
    session.refresh(conversation)
    public = _conversation_public(conversation)
    assert public is not None
    return public


@router.post("/api/console/tickets/{number}/hand-back")
def hand_back(session: SessionDep, user: CurrentUser, number: str) -> HandBackPublic:
    """Give the ticket's chat back to the bot; it answers again once Rasa has resumed."""
    ticket = services.access_ticket(session, user, number)
    conversation = _chat_of(session, user, ticket)
    services.hand_back_conversation(session, conversation, services.Actor.of(user))
    return HandBackPublic(state=conversation.state, pending=True)


# --- live updates -------------------------------------------------------------------------------

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
    factory: sessionmaker[Session], user_id: int, cursor: StreamCursor
) -> list[tuple[str, dict[str, Any]]] | None:
    """What the user may see that is newer than `cursor` (which moves on); None when the user
    is gone or inactive."""
    out: list[tuple[str, dict[str, Any]]] = []
    with factory() as session, session.begin():
        user = session.get(User, user_id)
        if user is None or not user.is_active:
            return None
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
        for event_id, kind, data, ticket_id, status, assignee_id, handed_off in events:
            if cursor.fresh("e", event_id):
                out.append(
                    (
                        "ticket",
                        {
                            "id": event_id,
                            "ticket": format_ticket_number(ticket_id),
                            "kind": kind.value,
                            "message_kind": (data or {}).get("message_kind"),
                            "status": status.value,
                            "assignee_id": assignee_id,
                            "handed_off": handed_off,
                        },
                    )
                )
        # Move past rows this user may not see, unless a full batch left some unread.
        last_seen = events[-1][0] if events else cursor.event
        cursor.event = max(cursor.event, last_seen if len(events) == BATCH else top_event)

        notes = session.scalars(
            select(Notification)
            .where(
                Notification.user_id == user.id,
                Notification.id > max(cursor.notification - LOOKBACK, 0),
            )
            .order_by(Notification.id)
            .limit(BATCH)
        ).all()
        for note in notes:
            cursor.notification = max(cursor.notification, note.id)
            if cursor.fresh("n", note.id):
                out.append(
                    (
                        "notification",
                        {
                            "id": note.id,
                            "kind": note.kind.value,
                            "ticket": format_ticket_number(note.ticket_id)
                            if note.ticket_id
                            else None,
                            "data": note.data,
                            "created_at": note.created_at.isoformat(),
                        },
                    )
                )

        tasks = session.execute(
            select(CallbackTask.id, CallbackTask.reason, CallbackTask.due_at)
            .where(
                CallbackTask.id > max(cursor.callback - LOOKBACK, 0),
                _callbacks_visible(user),
            )
            .order_by(CallbackTask.id)
            .limit(BATCH)
        ).all()
        top_task = session.scalar(select(func.max(CallbackTask.id))) or 0
        for task_id, reason, due_at in tasks:
            if cursor.fresh("c", task_id):
                out.append(
                    ("callback", {"id": task_id, "reason": reason.value, "due": due_at.isoformat()})
                )
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
    user_id = user.id

    async def events() -> AsyncIterator[str]:
        yield "retry: 1000\n\n"
        yield _sse("ready", {"cursor": str(cursor)}, cursor)
        started = last_sent = time.monotonic()
        while time.monotonic() - started < STREAM_SECONDS:
            if await request.is_disconnected():
                return
            if token is None or security.user_id_from_token(token, settings) != user_id:
                yield _sse("end", {"reason": "signed_out"})
                return
            found = await asyncio.to_thread(poll, factory, user_id, cursor)
            if found is None:
                yield _sse("end", {"reason": "signed_out"})
                return
            for index, (name, data) in enumerate(found, 1):
                # The cursor covers the whole batch: only its last event carries it.
                yield _sse(name, data, cursor if index == len(found) else None)
                last_sent = time.monotonic()
            if time.monotonic() - last_sent >= KEEPALIVE_SECONDS:
                yield ": keep-alive\n\n"
                last_sent = time.monotonic()
            await asyncio.sleep(POLL_SECONDS)
        yield _sse("ready", {"cursor": str(cursor)}, cursor)

    return StreamingResponse(
        events(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )
