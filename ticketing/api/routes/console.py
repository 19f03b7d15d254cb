"""The agent console: its pages and the JSON it needs beyond the ticket API.

The pages are plain HTML, CSS and JavaScript under `ticketing/web/console/`, served under a
strict CSP; the script signs in with the OAuth2 password flow and calls the API with the agent's
bearer token, so the API's visibility rules are the console's. What the queues hold and what
the customer panel counts are in `ticketing.queues` and `ticketing.customer_panel`; live
updates come from `console_stream`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import FileResponse, HTMLResponse
from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from ticketing import audit, services, sla
from ticketing.api import errors
from ticketing.api.deps import (
    ClientAddress,
    CurrentUser,
    ReadingSessionDep,
    ReadingUser,
    SessionDep,
)
from ticketing.api.drilldown import DrillDownDep, SlicesDep
from ticketing.api.pages import CSP, static_file
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
    TagText,
    TicketDetail,
    TicketPublic,
    TranscriptMessage,
    TranscriptPublic,
)
from ticketing.clock import utcnow
from ticketing.models import (
    Conversation,
    ConversationState,
    Customer,
    Message,
    MessageKind,
    SlaPolicy,
    Status,
    Ticket,
    format_ticket_number,
)
from ticketing.services import customer_panel, drilldown, queues, tags

router = APIRouter(tags=["console"], responses=errors.documented(401, 403, 404, 409, 413, 503))

WEB = Path(__file__).resolve().parent.parent.parent / "web" / "console"
# The files the console may load: nothing else under WEB is served.
STATIC = {
    name: WEB / name
    for name in (
        "app.js",
        "api.js",
        "assignment.js",
        "bulk.js",
        "canned.js",
        "collisions.js",
        "digests.js",
        "dom.js",
        "drilldown.js",
        "fielderrors.js",
        "health.js",
        "history.js",
        "kbsearch.js",
        "knowledge.js",
        "i18n.js",
        "presence.js",
        "settings.css",
        "settings.js",
        "shortcuts.js",
        "users.js",
        "style.css",
    )
}
# nosniff, Referrer-Policy and frame protection come with every response (api/headers.py).
PAGE_HEADERS = {"Content-Security-Policy": CSP, "Cache-Control": "no-cache"}

TRANSCRIPT_MAX = 500


# --- pages --------------------------------------------------------------------------------------


@router.get("/console", response_class=HTMLResponse, include_in_schema=False)
def console_page() -> HTMLResponse:
    """The agent console; its script signs in and reads the API with a bearer token."""
    return HTMLResponse((WEB / "index.html").read_text(encoding="utf-8"), headers=PAGE_HEADERS)


@router.get("/console/settings", response_class=HTMLResponse, include_in_schema=False)
def settings_page() -> HTMLResponse:
    """Teams, routes, calendars and SLA policies for admins (through /api/admin/)."""
    return HTMLResponse((WEB / "settings.html").read_text(encoding="utf-8"), headers=PAGE_HEADERS)


@router.get("/console/static/{filename}", include_in_schema=False)
def console_file(filename: str) -> FileResponse:
    return static_file(STATIC, filename, {"Cache-Control": "no-cache"})


# --- queues -------------------------------------------------------------------------------------


@router.get("/api/console/queues")
def queue_counts(session: ReadingSessionDep, user: ReadingUser) -> QueueCounts:
    """How many tickets each queue holds, with open call-backs and unread notifications."""
    counts = queues.counts(session, user, utcnow())
    return QueueCounts(
        **counts.queues,
        callbacks=counts.callbacks,
        notifications_unread=counts.notifications_unread,
    )


@router.get("/api/console/tickets")
def list_queue(
    session: ReadingSessionDep,
    user: ReadingUser,
    drill: DrillDownDep,
    slices: SlicesDep,
    queue: ConsoleQueue = "mine",
    q: Annotated[SearchText | None, Query(description="words, or a number like T-000123")] = None,
    tag: Annotated[list[TagText], Query(description="tickets with any of these tags")] = [],  # noqa: B006
    sort: queues.Sort | None = None,
    cursor: Cursor | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> ConsoleTicketsPublic:
    """One page of a console queue, each ticket with its customer and SLA risk; `all` with the
    drill-down filters lists the tickets behind a dashboard figure."""
    now = utcnow()
    filters = queues.queue_filters(queue, user, now)
    filters.q = q
    filters.tag = tags.normalize_tags(tag)
    filters.extra.extend(drilldown.conditions(drill))
    slices.apply(filters)
    page = services.list_tickets(
        session,
        user,
        filters,
        sort=sort or queues.DEFAULT_SORT[queue],
        cursor=cursor,
        limit=limit,
        now=now,
    )
    _preload(session, page.tickets)
    latest = customer_panel.last_customer_messages(session, page.tickets)
    return ConsoleTicketsPublic(
        data=[_row(t, now, latest.get(t.id)) for t in page.tickets],
        count=page.count,
        next_cursor=page.next_cursor,
    )


def _preload(session: Session, tickets: Sequence[Ticket]) -> None:
    # Customers and SLA policies by id in one query each; the rows' many-to-one attributes
    # are then found in the identity map instead of one query per row.
    customer_ids = {t.customer_id for t in tickets if t.customer_id is not None}
    if customer_ids:
        session.scalars(select(Customer).where(Customer.id.in_(customer_ids))).all()
    if tickets:
        # Each row's SLA verdicts, in one query rather than one per row.
        session.scalars(
            select(Ticket)
            .where(Ticket.id.in_([t.id for t in tickets]))
            .options(selectinload(Ticket.sla_verdicts))
        ).all()
    policy_ids = {t.sla_policy_id for t in tickets if t.sla_policy_id is not None}
    if policy_ids:
        session.scalars(
            select(SlaPolicy)
            .where(SlaPolicy.id.in_(policy_ids))
            .options(selectinload(SlaPolicy.calendar))
        ).all()


def sla_clocks(ticket: Ticket, now: datetime) -> list[SlaClock]:
    """The ticket's SLA clocks with their warning points, as the worker would warn."""
    return [
        SlaClock.model_validate(clock, from_attributes=True) for clock in sla.clocks(ticket, now)
    ]


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


@router.get("/api/console/tickets/{number}")
def read_console_ticket(session: SessionDep, user: CurrentUser, number: str) -> ConsoleTicket:
    """One ticket: SLA clocks, its chat conversation, history, and the actions open to you."""
    ticket = services.access_ticket(session, user, number)
    now = utcnow()
    clocks = sla_clocks(ticket, now)
    conversation = services.ticket_conversation(session, ticket)
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
            and services.may_take_over(session, user, ticket),
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
    conversation = services.ticket_conversation(session, ticket)
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
    session: SessionDep, user: CurrentUser, address: ClientAddress, number: str
) -> CustomerPanel | None:
    """The ticket's customer: tier, lifecycle, past tickets and scores, churn risk (null when
    the ticket has no customer). Each read is in the audit trail."""
    ticket = services.access_ticket(session, user, number)
    customer = ticket.customer
    if customer is None:
        return None
    audit.record(
        session,
        "customer.view",
        actor=user,
        target_type="customer",
        target_id=customer.id,
        address=address,
        after={"ticket": ticket.number},
    )
    figures = customer_panel.customer_figures(session, user, customer, utcnow())
    return CustomerPanel(
        id=customer.id,
        name=customer.name,
        tier=customer.tier,
        lifecycle=customer.lifecycle,
        language=customer.language,
        created_at=customer.created_at,
        channels=figures.channels,
        churn_risk=customer.churn_risk,
        churn_reasons=figures.churn_reasons,
        churn_flagged_at=customer.churn_flagged_at,
        tickets=[PastTicket.model_validate(t, from_attributes=True) for t in figures.tickets],
        tickets_count=figures.tickets_count,
        complaints_30d=figures.complaints_30d,
        surveys=[
            SurveyPublic(
                ticket=format_ticket_number(s.ticket_id),
                csat=s.csat,
                nps=s.nps,
                comment=s.comment,
                created_at=s.created_at,
            )
            for s in figures.surveys
        ],
        csat_average=figures.csat_average,
        nps=figures.nps,
    )


@router.post("/api/console/tickets/{number}/join")
def join_chat(session: SessionDep, user: CurrentUser, number: str) -> ConversationPublic:
    """Take over the ticket's chat: the bot stays silent and the customer sees your name."""
    ticket = services.access_ticket(session, user, number)
    conversation = services.access_chat(session, user, ticket)
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
    conversation = services.access_chat(session, user, ticket)
    services.hand_back_conversation(session, conversation, services.Actor.of(user))
    return HandBackPublic(state=conversation.state, pending=True)
