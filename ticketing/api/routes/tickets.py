"""Tickets: list, read, open, claim, assign, reply, note, change status, reopen, triage."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, status
from sqlalchemy.orm import Session

from ticketing import services
from ticketing.api import errors, lookups
from ticketing.api.deps import (
    CurrentSupervisor,
    CurrentUser,
    ReadingSessionDep,
    ReadingUser,
    SessionDep,
)
from ticketing.api.drilldown import DrillDownDep
from ticketing.api.schemas import (
    MessageCreate,
    MessagePublic,
    ReplyCreate,
    TicketAssign,
    TicketCreate,
    TicketDetail,
    TicketPublic,
    TicketQuery,
    TicketsPublic,
    TicketStatusChange,
    TicketTriage,
)
from ticketing.clock import utcnow
from ticketing.errors import Conflict, InvalidInput
from ticketing.models import Message, Ticket, User
from ticketing.services import collisions, drilldown, tags

router = APIRouter(
    prefix="/api/tickets",
    tags=["tickets"],
    responses=errors.documented(401, 403, 404, 409, 413, 503),
)

# T-000123 (also T123 or 123); anything else is simply not found.
TicketNumber = Annotated[str, Path(max_length=32, examples=["T-000123"])]


def _public(session: Session, ticket: Ticket) -> TicketPublic:
    # Flush first so the answer shows what was stored, and a version clash surfaces here.
    session.flush()
    return TicketPublic.of(ticket, utcnow())


def _message(message: Message) -> MessagePublic:
    return MessagePublic(
        id=message.id,
        kind=message.kind,
        author_name=message.author.display_name if message.author else None,
        body=message.body,
        created_at=message.created_at,
    )


def _filters(query: TicketQuery, user: User, drill: drilldown.DrillDown) -> services.TicketFilters:
    if query.assignee == "me" and query.assignee_id is not None:
        raise InvalidInput("give assignee=me or assignee_id, not both", field="assignee")
    return services.TicketFilters(
        status=query.status,
        priority=query.priority,
        category=query.category,
        severity=query.severity,
        channel=query.channel,
        team_id=query.team_id,
        assignee_id=user.id if query.assignee == "me" else query.assignee_id,
        unassigned=query.unassigned,
        customer_id=query.customer_id,
        conversation_id=query.conversation_id,
        breached=query.breached,
        tag=tags.normalize_tags(query.tag),
        q=query.q,
        extra=drilldown.conditions(drill),
    )


@router.get("")
def list_tickets(
    session: ReadingSessionDep,
    user: ReadingUser,
    query: Annotated[TicketQuery, Query()],
    drill: DrillDownDep,
) -> TicketsPublic:
    """The tickets you may see, filtered, one page at a time (follow `next_cursor`)."""
    now = utcnow()
    page = services.list_tickets(
        session,
        user,
        _filters(query, user, drill),
        sort=query.sort,
        cursor=query.cursor,
        limit=query.limit,
        now=now,
    )
    return TicketsPublic(
        data=[TicketPublic.of(t, now) for t in page.tickets],
        count=page.count,
        next_cursor=page.next_cursor,
    )


@router.post("", status_code=status.HTTP_201_CREATED)
def create_ticket(session: SessionDep, user: CurrentUser, body: TicketCreate) -> TicketPublic:
    """Open a ticket; its SLA clock starts now."""
    ticket = services.create_ticket(
        session,
        subject=body.subject,
        description=body.description,
        channel=body.channel,
        actor=services.Actor.of(user),
        customer=lookups.customer(session, body.customer_id),
        category=body.category,
        severity=body.severity,
        priority=body.priority,
        team=lookups.team(session, body.team_id),
        conversation_id=body.conversation_id,
        order_number=body.order_number,
        language=body.language,
    )
    return _public(session, ticket)


@router.get("/{number}")
def read_ticket(session: SessionDep, user: CurrentUser, number: TicketNumber) -> TicketDetail:
    """One ticket with its history and messages (internal notes included)."""
    ticket = services.access_ticket(session, user, number)
    return TicketDetail.of(ticket, utcnow())


@router.post("/{number}/claim")
def claim_ticket(session: SessionDep, user: CurrentUser, number: TicketNumber) -> TicketPublic:
    """Take an unassigned ticket; 409 when someone else has it."""
    ticket = services.claim_ticket(session, services.access_ticket(session, user, number), user)
    return _public(session, ticket)


@router.post("/{number}/assign")
def assign_ticket(
    session: SessionDep, supervisor: CurrentSupervisor, number: TicketNumber, body: TicketAssign
) -> TicketPublic:
    """Give a ticket to a desk user, or unassign it (supervisors and admins)."""
    ticket = services.assign_ticket(
        session,
        services.access_ticket(session, supervisor, number),
        lookups.user(session, body.assignee_id, "assignee_id"),
        services.Actor.of(supervisor),
    )
    return _public(session, ticket)


@router.post(
    "/{number}/replies",
    status_code=status.HTTP_201_CREATED,
    responses={409: {"description": "a colleague replied since `seen_message_id`"}},
)
def reply(
    session: SessionDep, user: CurrentUser, number: TicketNumber, body: ReplyCreate
) -> MessagePublic:
    """A public reply to the customer. On a chat it goes out on the customer's channel and the
    replier takes the chat over, so it needs what joining the chat needs: 409 while nobody has
    claimed the ticket, 403 when someone else holds it (services.require_take_over). With
    `seen_message_id`, a reply another desk user sent after that message is a 409 naming them,
    unless `send_anyway`."""
    ticket = services.access_ticket(session, user, number)
    if services.chat_conversation(session, ticket) is not None:
        services.require_take_over(session, user, ticket)
    if body.seen_message_id is not None and not body.send_anyway:
        later = collisions.reply_since(session, ticket, user, body.seen_message_id)
        if later is not None:
            seconds = max(0, int((utcnow() - later.at).total_seconds()))
            raise Conflict(
                f"{later.author.display_name} replied {seconds} s ago", field="seen_message_id"
            )
    message = services.reply_to_customer(session, ticket, services.Actor.of(user), body.body)
    return _message(message)


@router.post("/{number}/notes", status_code=status.HTTP_201_CREATED)
def add_note(
    session: SessionDep, user: CurrentUser, number: TicketNumber, body: MessageCreate
) -> MessagePublic:
    """An internal note, seen by the desk only."""
    message = services.add_note(
        session, services.access_ticket(session, user, number), services.Actor.of(user), body.body
    )
    return _message(message)


@router.post("/{number}/status")
def change_status(
    session: SessionDep, user: CurrentUser, number: TicketNumber, body: TicketStatusChange
) -> TicketPublic:
    """Move a ticket to another status; 409 when that move is not allowed from here."""
    ticket = services.change_status(
        session, services.access_ticket(session, user, number), body.status, services.Actor.of(user)
    )
    return _public(session, ticket)


@router.post("/{number}/reopen")
def reopen_ticket(session: SessionDep, user: CurrentUser, number: TicketNumber) -> TicketPublic:
    """Reopen a resolved or closed ticket."""
    ticket = services.reopen_ticket(
        session, services.access_ticket(session, user, number), services.Actor.of(user)
    )
    return _public(session, ticket)


@router.post("/{number}/triage")
def triage_ticket(
    session: SessionDep, user: CurrentUser, number: TicketNumber, body: TicketTriage
) -> TicketPublic:
    """Set category, severity, priority or team (the assignee, supervisors and admins)."""
    ticket = services.triage_ticket(
        session,
        services.access_ticket(session, user, number),
        services.Actor.of(user),
        category=body.category,
        severity=body.severity,
        priority=body.priority,
        team=lookups.team(session, body.team_id),
    )
    return _public(session, ticket)
