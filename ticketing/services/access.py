"""Who may see and change what: every read of a ticket checks it here."""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, or_, select
from sqlalchemy.orm import Session

from ticketing import channels
from ticketing.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from ticketing.models import (
    OPEN_STATUSES,
    ActorKind,
    Conversation,
    Role,
    Ticket,
    User,
    parse_ticket_number,
)
from ticketing.services.history import Actor


def is_supervisor(user: User) -> bool:
    """Supervisors and admins see and manage every team's work."""
    return user.role in (Role.SUPERVISOR, Role.ADMIN)


def is_admin(user: User) -> bool:
    """Only admins manage desk users and the desk's settings (teams, routes, calendars, SLA
    policies) and act on a customer's personal data as a whole (export, erasure)."""
    return user.role is Role.ADMIN


def visible_to(user: User) -> ColumnElement[bool]:
    """The tickets `user` may see: everything for supervisors and admins; for an agent, the
    tickets of their team, tickets in no team yet, and tickets assigned to them."""
    if not user.is_active:
        return false()
    if is_supervisor(user):
        return Ticket.id.is_not(None)
    return or_(
        Ticket.assignee_id == user.id,
        Ticket.team_id.is_(None),
        Ticket.team_id == user.team_id if user.team_id is not None else false(),
    )


def can_see(user: User, ticket: Ticket) -> bool:
    if not user.is_active:
        return False
    if is_supervisor(user):
        return True
    return (
        ticket.assignee_id == user.id
        or ticket.team_id is None
        or (user.team_id is not None and ticket.team_id == user.team_id)
    )


def get_ticket(session: Session, number_or_id: str | int, *, for_update: bool = False) -> Ticket:
    """Load a ticket by number (T-000123) or id; NotFound when there is none."""
    ticket_id = number_or_id if isinstance(number_or_id, int) else parse_ticket_number(number_or_id)
    # Ids are 32-bit: a longer number names no ticket (PostgreSQL would refuse to compare it).
    if ticket_id is None or not 0 < ticket_id < 2**31:
        raise NotFound(f"no ticket {number_or_id}")
    stmt = select(Ticket).where(Ticket.id == ticket_id)
    if for_update:
        stmt = stmt.with_for_update()
    ticket = session.scalars(stmt).first()
    if ticket is None:
        raise NotFound(f"no ticket {number_or_id}")
    return ticket


def access_ticket(session: Session, user: User, number_or_id: str | int) -> Ticket:
    """Load a ticket the user may see. One they may not see is reported as not existing."""
    ticket = get_ticket(session, number_or_id)
    if not can_see(user, ticket):
        raise NotFound(f"no ticket {number_or_id}")
    return ticket


def require_supervisor(actor: Actor) -> None:
    """A desk user acting must be a supervisor or an admin (the system and the bot may)."""
    if actor.kind is ActorKind.AGENT and (actor.user is None or not is_supervisor(actor.user)):
        raise PermissionDenied("your role does not allow this")


def require_triage(actor: Actor, ticket: Ticket) -> None:
    """An agent may triage only a ticket assigned to them; supervisors and admins any ticket."""
    if (
        actor.kind is ActorKind.AGENT
        and actor.user is not None
        and actor.user.role is Role.AGENT
        and ticket.assignee_id != actor.user.id
    ):
        raise PermissionDenied("only the assignee, a supervisor or an admin may triage this")


# --- chat conversations ---------------------------------------------------------------------------


def require_conversation(session: Session, user: User, conversation_id: str) -> Conversation:
    """The conversation a desk user names for a new ticket, when they may see its tickets: a
    supervisor or an admin any conversation; an agent one with tickets, all of which they may
    see (one no ticket names has reached no team). A ticket on a conversation shows its whole
    transcript, so naming one is reading it. Otherwise refused as if it did not exist."""
    conversation = session.get(Conversation, conversation_id) if user.is_active else None
    if conversation is not None and not is_supervisor(user):
        tickets = session.scalars(select(Ticket).where(Ticket.conversation_id == conversation_id))
        seen = [can_see(user, ticket) for ticket in tickets]
        if not seen or not all(seen):
            conversation = None
    if conversation is None:
        raise InvalidInput(
            f"no conversation {conversation_id} you may see", field="conversation_id"
        )
    return conversation


def owning_ticket(conversation: Conversation) -> Ticket | None:
    """The conversation's own ticket while it is open: where its messages go."""
    ticket = conversation.ticket
    return ticket if ticket is not None and ticket.status in OPEN_STATUSES else None


def ticket_conversation(session: Session, ticket: Ticket) -> Conversation | None:
    if ticket.conversation_id is None:
        return None
    return session.get(Conversation, ticket.conversation_id)


def chat_conversation(session: Session, ticket: Ticket) -> Conversation | None:
    """The ticket's conversation when it is on a chat channel (the customer gets replies)."""
    conversation = ticket_conversation(session, ticket)
    if conversation is None or channels.lookup(conversation.channel) is None:
        return None
    return conversation


def may_take_over(session: Session, user: User, ticket: Ticket) -> bool:
    """Whether `user` may speak for the desk on the ticket's chat (join it, reply on it, hand
    it back): the assignee of the conversation's own open ticket (of this ticket when it has
    none), a supervisor or an admin. A second ticket on the conversation gives no way round."""
    return may_take_over_ticket(user, _holding_ticket(session, ticket))


def may_take_over_ticket(user: User, ticket: Ticket) -> bool:
    return user.is_active and (ticket.assignee_id == user.id or is_supervisor(user))


def _holding_ticket(session: Session, ticket: Ticket) -> Ticket:
    conversation = ticket_conversation(session, ticket)
    owner = owning_ticket(conversation) if conversation is not None else None
    return owner or ticket


def require_take_over(session: Session, user: User, ticket: Ticket) -> None:
    """`may_take_over` or refused: 409 while nobody holds the ticket (claim it first), 403 when
    someone else does. The one rule for `/join`, a reply and hand-back."""
    holding = _holding_ticket(session, ticket)
    if may_take_over_ticket(user, holding):
        return
    if holding.assignee_id is None:
        raise Conflict(f"claim {holding.number} first")
    raise PermissionDenied("only the assignee, a supervisor or an admin may do this")


def access_chat(session: Session, user: User, ticket: Ticket) -> Conversation:
    """The chat conversation of a ticket `user` may see, when they may take it over."""
    conversation = chat_conversation(session, ticket)
    if conversation is None:
        raise Conflict(f"{ticket.number} has no chat conversation")
    require_take_over(session, user, ticket)
    return conversation
