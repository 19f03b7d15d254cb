"""The service layer: every change to the ticket store, each writing its history in one transaction.

Names tell the contract (after Zulip): `access_ticket` loads a ticket and checks the actor may see
it; the other functions validate their input, make one whole change and append the history rows
about it. None of them commits: the caller owns the transaction, so a change and its history land
together or not at all.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, false, func, literal, or_, select, update
from sqlalchemy.orm import Session, selectinload

from ticketing import channels, followups, notifications, sla, sla_checks
from ticketing.clock import utcnow
from ticketing.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from ticketing.models import (
    PRIORITY_ORDER,
    ActorKind,
    BusinessCalendar,
    Category,
    Channel,
    Conversation,
    ConversationState,
    Customer,
    CustomerIdentity,
    EventKind,
    FollowUp,
    IdentityKind,
    Lifecycle,
    Message,
    MessageKind,
    NotificationKind,
    OutboxKind,
    OutboxMessage,
    OutboxStatus,
    Priority,
    Role,
    Severity,
    SlaMetric,
    SlaPolicy,
    Status,
    SurveyResponse,
    Team,
    TeamRoute,
    Ticket,
    TicketEvent,
    Tier,
    User,
    UTCDateTime,
    parse_ticket_number,
)

SUBJECT_MAX = 200
BODY_MAX = 10_000
DESCRIPTION_MAX = 20_000


@dataclass(frozen=True)
class Actor:
    """Who makes a change: recorded on every history row."""

    kind: ActorKind
    user: User | None = None

    @classmethod
    def system(cls) -> Actor:
        return cls(ActorKind.SYSTEM)

    @classmethod
    def bot(cls) -> Actor:
        return cls(ActorKind.BOT)

    @classmethod
    def customer(cls) -> Actor:
        return cls(ActorKind.CUSTOMER)

    @classmethod
    def of(cls, user: User) -> Actor:
        return cls(ActorKind.AGENT, user)


# --- history ------------------------------------------------------------------------------------


def log_event(
    session: Session,
    ticket: Ticket,
    kind: EventKind,
    actor: Actor,
    at: datetime,
    **data: Any,
) -> TicketEvent:
    """Append one history row for `ticket`."""
    row = TicketEvent(
        ticket_id=ticket.id,
        kind=kind,
        actor_kind=actor.kind,
        actor_user_id=actor.user.id if actor.user else None,
        data=data,
        created_at=at,
    )
    session.add(row)
    return row


# --- validation helpers -------------------------------------------------------------------------


def _text(value: str | None, field_name: str, *, max_len: int, required: bool = True) -> str:
    text = (value or "").strip()
    if required and not text:
        raise InvalidInput(f"{field_name} must not be empty", field=field_name)
    if len(text) > max_len:
        raise InvalidInput(f"{field_name} is longer than {max_len} characters", field=field_name)
    return text


def _now(at: datetime | None) -> datetime:
    return at if at is not None else utcnow()


# --- customers ----------------------------------------------------------------------------------


def find_customer(session: Session, kind: IdentityKind, value: str) -> Customer | None:
    """The customer known by this channel identity, if any."""
    return session.scalars(
        select(Customer)
        .join(CustomerIdentity)
        .where(CustomerIdentity.kind == kind, CustomerIdentity.value == value.strip())
    ).first()


def create_customer(
    session: Session,
    name: str,
    *,
    tier: Tier = Tier.REGULAR,
    lifecycle: Lifecycle = Lifecycle.NEW,
    language: str = "zh",
    identities: Mapping[IdentityKind, str] | None = None,
    at: datetime | None = None,
) -> Customer:
    customer = Customer(
        name=_text(name, "name", max_len=120),
        tier=tier,
        lifecycle=lifecycle,
        language=language,
        created_at=_now(at),
    )
    for kind, value in (identities or {}).items():
        if find_customer(session, kind, value) is not None:
            raise Conflict(f"another customer already has this {kind.value} identity", field=kind)
        customer.identities.append(CustomerIdentity(kind=kind, value=value.strip()))
    session.add(customer)
    session.flush()
    return customer


def get_or_create_customer(
    session: Session, kind: IdentityKind, value: str, *, name: str = "", language: str = "zh"
) -> Customer:
    """The customer behind a channel identity, created on first contact."""
    customer = find_customer(session, kind, value)
    if customer is None:
        customer = create_customer(
            session,
            name or f"{kind.value} customer",
            lifecycle=Lifecycle.POTENTIAL,
            language=language,
            identities={kind: value},
        )
    return customer


# --- SLA ----------------------------------------------------------------------------------------


def calendar_of(row: BusinessCalendar | None) -> sla.Calendar | None:
    if row is None:
        return None
    if row.always_open:
        return sla.Calendar.twenty_four_seven(row.timezone)
    return sla.Calendar.from_config(row.timezone, row.periods, row.holidays)


def targets_of(policy: SlaPolicy) -> sla.Targets:
    return sla.Targets(
        first_response=timedelta(minutes=policy.first_response_minutes),
        next_response=(
            timedelta(minutes=policy.next_response_minutes)
            if policy.next_response_minutes is not None
            else None
        ),
        resolution=timedelta(minutes=policy.resolution_minutes),
    )


def find_policy(session: Session, priority: Priority, tier: Tier) -> SlaPolicy | None:
    """The SLA policy for a priority and customer tier (falling back to the regular tier)."""
    policies = session.scalars(
        select(SlaPolicy).where(
            SlaPolicy.priority == priority, SlaPolicy.tier.in_([tier, Tier.REGULAR])
        )
    ).all()
    by_tier = {p.tier: p for p in policies}
    return by_tier.get(tier) or by_tier.get(Tier.REGULAR)


def _sla_state(ticket: Ticket) -> sla.SlaState:
    return sla.SlaState(
        first_response_due_at=ticket.first_response_due_at,
        next_response_due_at=ticket.next_response_due_at,
        resolution_due_at=ticket.resolution_due_at,
        paused_at=ticket.sla_paused_at,
    )


def _set_sla_state(ticket: Ticket, state: sla.SlaState) -> None:
    ticket.first_response_due_at = state.first_response_due_at
    ticket.next_response_due_at = state.next_response_due_at
    ticket.resolution_due_at = state.resolution_due_at
    ticket.sla_paused_at = state.paused_at
    ticket.next_deadline_at = state.next_deadline_at
    # The worker's checkpoint: the earliest warning or deadline of the running clocks.
    policy = ticket.sla_policy
    ticket.next_sla_check_at = sla_checks.next_check_at(
        state,
        targets_of(policy) if policy else None,
        calendar_of(policy.calendar) if policy else None,
        policy.warning_percent if policy else sla_checks.DEFAULT_WARNING_PERCENT,
    )


def _ticket_calendar(ticket: Ticket) -> sla.Calendar | None:
    return calendar_of(ticket.sla_policy.calendar) if ticket.sla_policy else None


def _ticket_targets(ticket: Ticket) -> sla.Targets | None:
    return targets_of(ticket.sla_policy) if ticket.sla_policy else None


# --- permissions --------------------------------------------------------------------------------


def visible_to(user: User) -> ColumnElement[bool]:
    """The tickets `user` may see: everything for supervisors and admins; for an agent, the
    tickets of their team, tickets in no team yet, and tickets assigned to them."""
    if not user.is_active:
        return false()
    if user.role in (Role.SUPERVISOR, Role.ADMIN):
        return Ticket.id.is_not(None)
    return or_(
        Ticket.assignee_id == user.id,
        Ticket.team_id.is_(None),
        Ticket.team_id == user.team_id if user.team_id is not None else false(),
    )


def can_see(user: User, ticket: Ticket) -> bool:
    if not user.is_active:
        return False
    if user.role in (Role.SUPERVISOR, Role.ADMIN):
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


def _require_role(actor: Actor, *roles: Role) -> None:
    if actor.kind is ActorKind.AGENT and (actor.user is None or actor.user.role not in roles):
        raise PermissionDenied("your role does not allow this")


# --- tickets ------------------------------------------------------------------------------------


def _default_priority(severity: Severity, tier: Tier | None) -> Priority:
    if severity is Severity.MAJOR:
        return Priority.URGENT if tier is Tier.KEY_ACCOUNT else Priority.HIGH
    return Priority.HIGH if tier is Tier.KEY_ACCOUNT else Priority.NORMAL


def routed_team(session: Session, category: Category) -> Team | None:
    """The team new tickets of `category` go to, if the desk routes that category."""
    route = session.get(TeamRoute, category)
    return route.team if route is not None else None


def create_ticket(
    session: Session,
    *,
    subject: str,
    description: str = "",
    channel: Channel,
    actor: Actor,
    customer: Customer | None = None,
    category: Category = Category.OTHER,
    severity: Severity = Severity.GENERAL,
    priority: Priority | None = None,
    team: Team | None = None,
    conversation_id: str | None = None,
    order_number: str | None = None,
    language: str = "zh",
    at: datetime | None = None,
) -> Ticket:
    """Open a ticket, start its SLA clock and record its creation. Without a team it goes to
    its category's team (`routed_team`), which it follows through triage while unassigned."""
    at = _now(at)
    routed = routed_team(session, category) if team is None else None
    team = team or routed
    tier = customer.tier if customer else None
    priority = priority or _default_priority(severity, tier)
    policy = find_policy(session, priority, tier or Tier.REGULAR)
    ticket = Ticket(
        subject=_text(subject, "subject", max_len=SUBJECT_MAX),
        description=_text(description, "description", max_len=DESCRIPTION_MAX, required=False),
        channel=channel,
        customer=customer,
        category=category,
        severity=severity,
        priority=priority,
        team=team,
        team_routed=routed is not None,
        conversation_id=_text(conversation_id, "conversation_id", max_len=128, required=False)
        or None,
        order_number=_text(order_number, "order_number", max_len=64, required=False) or None,
        language=language,
        sla_policy=policy,
        created_at=at,
        updated_at=at,
    )
    if policy is not None:
        _set_sla_state(ticket, sla.start(targets_of(policy), calendar_of(policy.calendar), at))
    session.add(ticket)
    session.flush()
    log_event(
        session,
        ticket,
        EventKind.CREATED,
        actor,
        at,
        channel=channel.value,
        category=category.value,
        severity=severity.value,
        priority=priority.value,
        team=team.name if team else None,
        sla_policy=policy.name if policy else None,
    )
    return ticket


def triage_ticket(
    session: Session,
    ticket: Ticket,
    actor: Actor,
    *,
    category: Category | None = None,
    severity: Severity | None = None,
    priority: Priority | None = None,
    team: Team | None = None,
    at: datetime | None = None,
) -> Ticket:
    """Set category, severity, priority and team; a new priority re-targets the running clocks.
    A new category moves an unassigned ticket whose team came from routing (or that has none)
    to the new category's team, unless a team is given; a team given here is never moved by a
    later category change. An agent may triage only a ticket assigned to them; supervisors and
    admins any ticket."""
    if (
        actor.kind is ActorKind.AGENT
        and actor.user is not None
        and actor.user.role is Role.AGENT
        and ticket.assignee_id != actor.user.id
    ):
        raise PermissionDenied("only the assignee, a supervisor or an admin may triage this")
    at = _now(at)
    changes: dict[str, Any] = {}
    rerouted: Team | None = None
    if category is not None and category != ticket.category:
        changes["category"] = [ticket.category.value, category.value]
        if (
            team is None
            # The relationship, not assignee_id: an assignment made in this session is unflushed.
            and ticket.assignee is None
            and (ticket.team is None or ticket.team_routed)
        ):
            # A category with no route leaves the ticket where it is rather than in no queue.
            rerouted = routed_team(session, category)
        ticket.category = category
    if severity is not None and severity != ticket.severity:
        changes["severity"] = [ticket.severity.value, severity.value]
        ticket.severity = severity
    if team is not None and ticket.team_routed:
        # Someone chose this team: it stays through later category changes. Choosing the team
        # the route gave is a choice too, so the history shows it.
        ticket.team_routed = False
        if team.id == ticket.team_id:
            changes["team"] = [team.name, team.name]
    elif team is None and rerouted is not None:
        team = rerouted
        ticket.team_routed = True
    if team is not None and team.id != ticket.team_id:
        changes["team"] = [ticket.team.name if ticket.team else None, team.name]
        ticket.team = team
    if priority is not None and priority != ticket.priority:
        changes["priority"] = [ticket.priority.value, priority.value]
        _retarget(session, ticket, priority)
    if changes:
        ticket.updated_at = at
        log_event(session, ticket, EventKind.TRIAGED, actor, at, **changes)
    return ticket


def _retarget(session: Session, ticket: Ticket, priority: Priority) -> None:
    # Deadlines of the new priority count from the ticket's creation, as if it had had that
    # priority from the start; clocks already met stay met.
    ticket.priority = priority
    tier = ticket.customer.tier if ticket.customer else Tier.REGULAR
    policy = find_policy(session, priority, tier)
    ticket.sla_policy = policy
    if policy is None:
        return
    fresh = sla.start(targets_of(policy), calendar_of(policy.calendar), ticket.created_at)
    state = _sla_state(ticket)
    _set_sla_state(
        ticket,
        sla.SlaState(
            first_response_due_at=fresh.first_response_due_at
            if state.first_response_due_at
            else None,
            next_response_due_at=state.next_response_due_at,
            resolution_due_at=fresh.resolution_due_at if state.resolution_due_at else None,
            paused_at=state.paused_at,
        ),
    )


def raise_priority(
    session: Session, ticket: Ticket, actor: Actor, *, at: datetime | None = None, **why: Any
) -> Priority:
    """Raise the priority one step (an SLA breach escalates); stays at urgent."""
    at = _now(at)
    index = PRIORITY_ORDER.index(ticket.priority)
    if index + 1 < len(PRIORITY_ORDER):
        new = PRIORITY_ORDER[index + 1]
        log_event(
            session,
            ticket,
            EventKind.PRIORITY_CHANGED,
            actor,
            at,
            priority=[ticket.priority.value, new.value],
            **why,
        )
        ticket.priority = new
        ticket.updated_at = at
    return ticket.priority


def assign_ticket(
    session: Session,
    ticket: Ticket,
    assignee: User | None,
    actor: Actor,
    *,
    at: datetime | None = None,
) -> Ticket:
    """Give a ticket to an agent (or unassign it). Supervisors and admins only."""
    _require_role(actor, Role.SUPERVISOR, Role.ADMIN)
    at = _now(at)
    if assignee is not None and (not assignee.is_active):
        raise InvalidInput("that user is not active", field="assignee")
    if ticket.status is Status.CLOSED:
        raise Conflict(f"{ticket.number} is closed")
    previous = ticket.assignee.username if ticket.assignee else None
    ticket.assignee = assignee
    joined = _join_assignees_team(ticket, assignee) if assignee is not None else {}
    ticket.updated_at = at
    log_event(
        session,
        ticket,
        EventKind.ASSIGNED,
        actor,
        at,
        assignee=[previous, assignee.username if assignee else None],
        **joined,
    )
    return ticket


def _join_assignees_team(ticket: Ticket, assignee: User) -> dict[str, Any]:
    """A ticket in no team joins its assignee's team. Returns the history's `team` entry for
    that change, written as triage writes one, so no team change goes unrecorded."""
    if ticket.team is not None or assignee.team is None:
        return {}
    ticket.team = assignee.team
    return {"team": [None, assignee.team.name]}


def claim_ticket(
    session: Session, ticket: Ticket, agent: User, *, at: datetime | None = None
) -> Ticket:
    """Take an unassigned ticket. Atomic: of two agents claiming at once exactly one wins."""
    at = _now(at)
    if not can_see(agent, ticket):
        raise NotFound(f"no ticket {ticket.number}")
    # A single conditional UPDATE decides the race in the database, whatever the isolation level.
    result = session.execute(
        update(Ticket)
        .where(
            Ticket.id == ticket.id,
            Ticket.assignee_id.is_(None),
            Ticket.status.not_in([Status.CLOSED]),
        )
        .values(assignee_id=agent.id, version=Ticket.version + 1, updated_at=at)
        .execution_options(synchronize_session=False)
    )
    session.refresh(ticket)
    if result.rowcount != 1:  # type: ignore[attr-defined]
        holder = ticket.assignee.display_name if ticket.assignee else None
        if ticket.status is Status.CLOSED:
            raise Conflict(f"{ticket.number} is closed")
        raise Conflict(f"{ticket.number} was already claimed by {holder}")
    joined = _join_assignees_team(ticket, agent)
    if ticket.status is Status.NEW:
        _set_status(session, ticket, Status.OPEN, Actor.of(agent), at)
    log_event(
        session, ticket, EventKind.CLAIMED, Actor.of(agent), at, assignee=agent.username, **joined
    )
    session.flush()
    return ticket


def _add_message(
    session: Session,
    ticket: Ticket,
    kind: MessageKind,
    body: str,
    actor: Actor,
    at: datetime,
) -> Message:
    message = Message(
        ticket_id=ticket.id,
        conversation_id=ticket.conversation_id,
        kind=kind,
        author_user_id=actor.user.id if actor.user else None,
        body=_text(body, "body", max_len=BODY_MAX),
        created_at=at,
    )
    session.add(message)
    session.flush()
    log_event(
        session,
        ticket,
        EventKind.NOTE if kind is MessageKind.NOTE else EventKind.MESSAGE,
        actor,
        at,
        message_id=message.id,
        message_kind=kind.value,
    )
    ticket.updated_at = at
    return message


def reply_to_customer(
    session: Session, ticket: Ticket, actor: Actor, body: str, *, at: datetime | None = None
) -> Message:
    """A public reply by an agent: meets the response clocks and opens a new ticket. On a chat
    conversation the agent joins it (the bot falls silent) and the reply goes out on the
    customer's channel through the outbox."""
    at = _now(at)
    if ticket.status is Status.CLOSED:
        raise Conflict(f"{ticket.number} is closed; reopen it to reply")
    message = _add_message(session, ticket, MessageKind.AGENT, body, actor, at)
    if ticket.first_responded_at is None:
        ticket.first_responded_at = at
    _set_sla_state(ticket, sla.agent_replied(_sla_state(ticket), at))
    if ticket.status is Status.NEW:
        _set_status(session, ticket, Status.OPEN, actor, at)
    _send_to_conversation(session, ticket, message, actor, at)
    return message


def record_bot_message(
    session: Session, ticket: Ticket, body: str, *, at: datetime | None = None
) -> Message:
    """What the bot said on a ticket's conversation; it does not meet a human response target."""
    return _add_message(session, ticket, MessageKind.BOT, body, Actor.bot(), _now(at))


def add_customer_message(
    session: Session, ticket: Ticket, body: str, *, at: datetime | None = None
) -> Message:
    """A customer wrote: starts the next-response clock; an answer to `pending` resumes it, and a
    message on a resolved ticket reopens it."""
    at = _now(at)
    if ticket.status is Status.CLOSED:
        raise Conflict(f"{ticket.number} is closed")
    message = _add_message(session, ticket, MessageKind.CUSTOMER, body, Actor.customer(), at)
    if ticket.status in (Status.PENDING, Status.RESOLVED):
        _set_status(session, ticket, Status.OPEN, Actor.customer(), at)
    targets = _ticket_targets(ticket)
    if targets is not None:
        _set_sla_state(
            ticket,
            sla.customer_wrote(_sla_state(ticket), targets, _ticket_calendar(ticket), at),
        )
    return message


def add_note(
    session: Session, ticket: Ticket, actor: Actor, body: str, *, at: datetime | None = None
) -> Message:
    """An internal note: seen by agents only, no effect on the SLA."""
    return _add_message(session, ticket, MessageKind.NOTE, body, actor, _now(at))


ALLOWED_TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.NEW: frozenset({Status.OPEN, Status.PENDING, Status.RESOLVED, Status.CLOSED}),
    Status.OPEN: frozenset({Status.PENDING, Status.RESOLVED, Status.CLOSED}),
    Status.PENDING: frozenset({Status.OPEN, Status.RESOLVED, Status.CLOSED}),
    Status.RESOLVED: frozenset({Status.OPEN, Status.CLOSED}),
    Status.CLOSED: frozenset({Status.OPEN}),
}


def change_status(
    session: Session, ticket: Ticket, status: Status, actor: Actor, *, at: datetime | None = None
) -> Ticket:
    """Move a ticket to `status`, pausing or resuming its SLA clock as the status requires."""
    at = _now(at)
    if status == ticket.status:
        raise Conflict(f"{ticket.number} is already {status.value}", field="status")
    if status not in ALLOWED_TRANSITIONS[ticket.status]:
        raise Conflict(
            f"{ticket.number} cannot go from {ticket.status.value} to {status.value}",
            field="status",
        )
    if status is Status.NEW:
        raise InvalidInput("a ticket cannot go back to new", field="status")
    _set_status(session, ticket, status, actor, at)
    return ticket


def _set_status(
    session: Session, ticket: Ticket, status: Status, actor: Actor, at: datetime
) -> None:
    previous = ticket.status
    state = _sla_state(ticket)
    calendar = _ticket_calendar(ticket)
    if status is Status.PENDING:
        state = sla.pause(state, at)
    elif status is Status.RESOLVED:
        state = sla.resolved(state, at)
        ticket.resolved_at = at
    elif status is Status.CLOSED:
        state = sla.resolved(state, at)
        ticket.closed_at = at
        ticket.resolved_at = ticket.resolved_at or at
    elif status is Status.OPEN:
        state = sla.resume(state, calendar, at)
        if previous in (Status.RESOLVED, Status.CLOSED):
            ticket.reopen_count += 1
            ticket.resolved_at = None
            ticket.closed_at = None
    _set_sla_state(ticket, state)
    ticket.status = status
    ticket.updated_at = at
    log_event(
        session,
        ticket,
        EventKind.STATUS_CHANGED,
        actor,
        at,
        status=[previous.value, status.value],
    )
    followups.status_changed(session, ticket, previous, status, at)


def resolve_ticket(
    session: Session, ticket: Ticket, actor: Actor, *, at: datetime | None = None
) -> Ticket:
    return change_status(session, ticket, Status.RESOLVED, actor, at=at)


def close_ticket(
    session: Session, ticket: Ticket, actor: Actor, *, at: datetime | None = None
) -> Ticket:
    return change_status(session, ticket, Status.CLOSED, actor, at=at)


def reopen_ticket(
    session: Session, ticket: Ticket, actor: Actor, *, at: datetime | None = None
) -> Ticket:
    """Reopen a resolved or closed ticket: its resolution clock resumes where it stopped."""
    if ticket.status not in (Status.RESOLVED, Status.CLOSED):
        raise Conflict(f"{ticket.number} is {ticket.status.value}, not resolved or closed")
    return change_status(session, ticket, Status.OPEN, actor, at=at)


def mark_handed_off(
    session: Session, ticket: Ticket, actor: Actor, *, at: datetime | None = None
) -> Ticket:
    """The conversation of this ticket now wants a human."""
    at = _now(at)
    if not ticket.handed_off:
        ticket.handed_off = True
        ticket.updated_at = at
        log_event(session, ticket, EventKind.ASSIGNED, actor, at, handed_off=True)
    return ticket


# --- follow-up surveys --------------------------------------------------------------------------


def record_survey(
    session: Session,
    ticket: Ticket,
    csat: int | None,
    nps: int | None,
    comment: str = "",
    *,
    at: datetime | None = None,
    follow_up: FollowUp | None = None,
) -> SurveyResponse:
    """The customer's follow-up answers (CSAT 1-5, NPS 0-10). A low score (CSAT 1-2 or NPS
    0-6) reopens a handled ticket and alerts the supervisors of its team."""
    at = _now(at)
    if csat is None and nps is None:
        raise InvalidInput("give a CSAT or an NPS score", field="csat")
    if csat is not None and not 1 <= csat <= 5:
        raise InvalidInput("CSAT must be 1 to 5", field="csat")
    if nps is not None and not 0 <= nps <= 10:
        raise InvalidInput("NPS must be 0 to 10", field="nps")
    text = _text(comment, "comment", max_len=BODY_MAX, required=False)
    response = followups.store_survey(session, ticket, csat, nps, text, at, follow_up=follow_up)
    if followups.is_low_score(csat, nps):
        if ticket.status in (Status.RESOLVED, Status.CLOSED):
            _set_status(session, ticket, Status.OPEN, Actor.customer(), at)
        notifications.notify(
            session,
            notifications.supervisors_of(session, ticket.team_id),
            NotificationKind.LOW_SCORE,
            at=at,
            ticket_id=ticket.id,
            customer_id=ticket.customer_id,
            dedupe_key=f"low_score:{response.id}",
            ticket_number=ticket.number,
            csat=csat,
            nps=nps,
        )
    return response


# --- reading ------------------------------------------------------------------------------------


def sla_breaches(ticket: Ticket, now: datetime) -> dict[SlaMetric, bool]:
    """Which SLA clocks of `ticket` are overdue: running past their due time, or paused after
    it (a clock paused in time is not overdue however long the pause). The `breached` filter
    of `list_tickets` applies the same rule."""
    clock_at = ticket.sla_paused_at or now
    return {
        SlaMetric.FIRST_RESPONSE: ticket.first_responded_at is None
        and sla.is_breached(ticket.first_response_due_at, None, clock_at),
        SlaMetric.NEXT_RESPONSE: sla.is_breached(ticket.next_response_due_at, None, clock_at),
        SlaMetric.RESOLUTION: ticket.resolved_at is None
        and sla.is_breached(ticket.resolution_due_at, None, clock_at),
    }


@dataclass
class TicketFilters:
    status: Sequence[Status] = ()
    priority: Sequence[Priority] = ()
    category: Sequence[Category] = ()
    severity: Sequence[Severity] = ()
    channel: Sequence[Channel] = ()
    team_id: int | None = None
    assignee_id: int | None = None
    unassigned: bool = False
    customer_id: int | None = None
    conversation_id: str | None = None
    breached: bool | None = None
    due_before: datetime | None = None
    q: str | None = None
    extra: list[ColumnElement[bool]] = field(default_factory=list)


SORTS = ("newest", "oldest", "due")


def _like(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def ticket_conditions(filters: TicketFilters, now: datetime) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = list(filters.extra)
    if filters.status:
        conditions.append(Ticket.status.in_(filters.status))
    if filters.priority:
        conditions.append(Ticket.priority.in_(filters.priority))
    if filters.category:
        conditions.append(Ticket.category.in_(filters.category))
    if filters.severity:
        conditions.append(Ticket.severity.in_(filters.severity))
    if filters.channel:
        conditions.append(Ticket.channel.in_(filters.channel))
    if filters.team_id is not None:
        conditions.append(Ticket.team_id == filters.team_id)
    if filters.assignee_id is not None:
        conditions.append(Ticket.assignee_id == filters.assignee_id)
    if filters.unassigned:
        conditions.append(Ticket.assignee_id.is_(None))
    if filters.customer_id is not None:
        conditions.append(Ticket.customer_id == filters.customer_id)
    if filters.conversation_id is not None:
        conditions.append(Ticket.conversation_id == filters.conversation_id)
    if filters.due_before is not None:
        conditions.append(Ticket.next_deadline_at <= filters.due_before)
    if filters.breached is not None:
        # The same rule as `sla_breaches`; the IS NOT NULL guards keep `~breached` from being
        # NULL (and so dropping the ticket) when a clock is not running.
        clock_at = func.coalesce(Ticket.sla_paused_at, literal(now, UTCDateTime()))
        breached = or_(
            and_(
                Ticket.first_responded_at.is_(None),
                Ticket.first_response_due_at.is_not(None),
                Ticket.first_response_due_at < clock_at,
            ),
            and_(Ticket.next_response_due_at.is_not(None), Ticket.next_response_due_at < clock_at),
            and_(
                Ticket.resolved_at.is_(None),
                Ticket.resolution_due_at.is_not(None),
                Ticket.resolution_due_at < clock_at,
            ),
        )
        conditions.append(breached if filters.breached else ~breached)
    for term in (filters.q or "").split():
        number = parse_ticket_number(term) if term.upper().startswith("T") else None
        pattern = _like(term)
        matches: list[ColumnElement[bool]] = [
            Ticket.subject.ilike(pattern, escape="\\"),
            Ticket.description.ilike(pattern, escape="\\"),
            Ticket.order_number.ilike(pattern, escape="\\"),
        ]
        if number is not None and number < 2**31:  # a bigger one is no ticket's
            matches.append(Ticket.id == number)
        conditions.append(or_(*matches))
    return conditions


def encode_cursor(values: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise InvalidInput("cursor is not valid", field="cursor") from exc
    if not isinstance(values, list) or len(values) != 2:
        raise InvalidInput("cursor is not valid", field="cursor")
    return values


def _cursor_values(ticket: Ticket, sort: str) -> list[Any]:
    if sort == "due":
        due = ticket.next_deadline_at
        return [due.isoformat() if due else None, ticket.id]
    return [ticket.created_at.isoformat(), ticket.id]


def _apply_keyset(stmt: Select[Ticket], sort: str, cursor: str | None) -> Select[Ticket]:
    if sort == "newest":
        stmt = stmt.order_by(Ticket.created_at.desc(), Ticket.id.desc())
    elif sort == "oldest":
        stmt = stmt.order_by(Ticket.created_at.asc(), Ticket.id.asc())
    else:
        # Tickets without a running deadline come last.
        stmt = stmt.order_by(
            Ticket.next_deadline_at.is_(None), Ticket.next_deadline_at.asc(), Ticket.id.asc()
        )
    if cursor is None:
        return stmt
    raw_at, raw_id = decode_cursor(cursor)
    try:
        last_at = datetime.fromisoformat(raw_at) if raw_at is not None else None
        # The store turns it into UTC: a time too near year 1 or 9999 must fail here instead.
        if last_at is not None and last_at.tzinfo is not None:
            last_at.astimezone(UTC)
    except (TypeError, ValueError, OverflowError) as exc:
        raise InvalidInput("cursor is not valid", field="cursor") from exc
    if last_at is not None and last_at.tzinfo is None:
        raise InvalidInput("cursor is not valid", field="cursor")
    # Ids are 32-bit in the database; SQLite cannot even bind a bigger integer.
    if type(raw_id) is not int or not 0 <= raw_id < 2**31:
        raise InvalidInput("cursor is not valid", field="cursor")
    last_id = raw_id
    if sort == "newest":
        if last_at is None:
            raise InvalidInput("cursor is not valid", field="cursor")
        return stmt.where(
            or_(
                Ticket.created_at < last_at, and_(Ticket.created_at == last_at, Ticket.id < last_id)
            )
        )
    if sort == "oldest":
        if last_at is None:
            raise InvalidInput("cursor is not valid", field="cursor")
        return stmt.where(
            or_(
                Ticket.created_at > last_at, and_(Ticket.created_at == last_at, Ticket.id > last_id)
            )
        )
    if last_at is None:
        return stmt.where(Ticket.next_deadline_at.is_(None), Ticket.id > last_id)
    return stmt.where(
        or_(
            Ticket.next_deadline_at > last_at,
            and_(Ticket.next_deadline_at == last_at, Ticket.id > last_id),
            Ticket.next_deadline_at.is_(None),
        )
    )


@dataclass
class TicketPage:
    tickets: list[Ticket]
    next_cursor: str | None
    count: int


def list_tickets(
    session: Session,
    user: User,
    filters: TicketFilters,
    *,
    sort: str = "newest",
    cursor: str | None = None,
    limit: int = 50,
    now: datetime | None = None,
) -> TicketPage:
    """One page of the tickets `user` may see, newest first (or oldest, or most urgent)."""
    if sort not in SORTS:
        raise InvalidInput(f"sort must be one of {', '.join(SORTS)}", field="sort")
    if not 1 <= limit <= 200:
        raise InvalidInput("limit must be between 1 and 200", field="limit")
    conditions = [visible_to(user), *ticket_conditions(filters, _now(now))]
    count = session.scalar(select(func.count()).select_from(Ticket).where(*conditions)) or 0
    stmt = _apply_keyset(select(Ticket).where(*conditions), sort, cursor)
    stmt = stmt.options(selectinload(Ticket.assignee), selectinload(Ticket.team)).limit(limit + 1)
    rows = list(session.scalars(stmt))
    next_cursor = (
        encode_cursor(_cursor_values(rows[limit - 1], sort)) if len(rows) > limit else None
    )
    return TicketPage(tickets=rows[:limit], next_cursor=next_cursor, count=count)


def due_tickets(
    session: Session, until: datetime, *, after: datetime | None = None, limit: int = 1000
) -> list[Ticket]:
    """Tickets with a running deadline at or before `until` (and after `after`), earliest first,
    read from the deadline index."""
    stmt = select(Ticket).where(Ticket.next_deadline_at <= until)
    if after is not None:
        stmt = stmt.where(Ticket.next_deadline_at > after)
    return list(session.scalars(stmt.order_by(Ticket.next_deadline_at).limit(limit)))


# --- chat conversations -------------------------------------------------------------------------
# The gateway (bot/) calls these for every message on a chat channel; they know nothing of Rasa or
# of any channel's protocol. Whatever must leave the system is an outbox row written here, in the
# caller's transaction, and delivered by bot/outbox.py after the commit.

CHAT_IDENTITIES: dict[Channel, IdentityKind] = {
    Channel.WEB: IdentityKind.WEB,
    Channel.TELEGRAM: IdentityKind.TELEGRAM,
}
CUSTOMER_VISIBLE: tuple[MessageKind, ...] = (
    MessageKind.CUSTOMER,
    MessageKind.BOT,
    MessageKind.AGENT,
)
OPEN_STATUSES: tuple[Status, ...] = (Status.NEW, Status.OPEN, Status.PENDING)
EXTERNAL_ID_MAX = 100
HISTORY_MAX = 200


def conversation_id_for(channel: Channel, external_id: str) -> str:
    """The channel-qualified conversation id, e.g. `web:3f2a...` or `telegram:123456789`."""
    if channels.lookup(channel) is None:
        raise InvalidInput(f"{channel.value} is not a chat channel", field="channel")
    value = external_id.strip()
    if not value or len(value) > EXTERNAL_ID_MAX or not value.isprintable() or " " in value:
        raise InvalidInput("the channel's conversation id is not valid", field="external_id")
    return f"{channel.value}:{value}"


def get_or_create_conversation(
    session: Session,
    channel: Channel,
    external_id: str,
    *,
    display_name: str | None = None,
    language: str | None = None,
    at: datetime | None = None,
) -> Conversation:
    """The conversation of a channel identity, with its customer; both created on first contact."""
    conversation_id = conversation_id_for(channel, external_id)
    conversation = session.get(Conversation, conversation_id)
    if conversation is not None:
        return conversation
    at = _now(at)
    customer = get_or_create_customer(
        session,
        channels.identity_of(channel),
        external_id.strip(),
        name=(display_name or "").strip()[:120],
        language=language or "zh",
    )
    conversation = Conversation(
        id=conversation_id,
        channel=channel,
        customer=customer,
        state=ConversationState.BOT,
        language=language or customer.language,
        created_at=at,
        last_message_at=at,
    )
    session.add(conversation)
    session.flush()
    return conversation


def open_ticket_of(session: Session, conversation_id: str) -> Ticket | None:
    """The newest ticket of the conversation that is not resolved or closed."""
    return session.scalars(
        select(Ticket)
        .where(Ticket.conversation_id == conversation_id, Ticket.status.in_(OPEN_STATUSES))
        .order_by(Ticket.id.desc())
        .limit(1)
    ).first()


@dataclass(frozen=True)
class InboundRecord:
    conversation: Conversation
    message: Message
    ticket: Ticket | None  # the open ticket the message was added to


def record_inbound_message(
    session: Session,
    channel: Channel,
    external_id: str,
    body: str,
    *,
    display_name: str | None = None,
    language: str | None = None,
    data: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> InboundRecord:
    """A customer wrote on a chat channel: the message is kept whoever answers it. On the
    conversation's open ticket it runs that ticket's SLA clocks (next response, resumption)."""
    at = _now(at)
    text = _text(body, "body", max_len=BODY_MAX)
    conversation = get_or_create_conversation(
        session, channel, external_id, display_name=display_name, language=language, at=at
    )
    if language:
        conversation.language = language
    conversation.last_message_at = at
    ticket = open_ticket_of(session, conversation.id)
    if ticket is not None:
        message = add_customer_message(session, ticket, text, at=at)
    else:
        message = Message(
            conversation_id=conversation.id, kind=MessageKind.CUSTOMER, body=text, created_at=at
        )
        session.add(message)
    message.data = data or None
    session.flush()
    return InboundRecord(conversation, message, ticket)


def enqueue_outbound(
    session: Session,
    conversation: Conversation,
    kind: OutboxKind,
    payload: dict[str, Any],
    *,
    at: datetime | None = None,
) -> OutboxMessage:
    """Put something on the outbox for the conversation's channel (delivered after commit)."""
    at = _now(at)
    row = OutboxMessage(
        conversation_id=conversation.id,
        channel=conversation.channel,
        kind=kind.value,
        payload=payload,
        status=OutboxStatus.PENDING,
        attempts=0,
        next_attempt_at=at,
        created_at=at,
    )
    session.add(row)
    session.flush()
    return row


def record_bot_reply(
    session: Session,
    conversation: Conversation,
    text: str | None,
    *,
    buttons: Sequence[Mapping[str, Any]] = (),
    image: str | None = None,
    at: datetime | None = None,
) -> tuple[Message, OutboxMessage]:
    """What the bot answered, kept in the conversation (and on its open ticket) and put on the
    outbox for the customer."""
    at = _now(at)
    body = (text or "").strip() or (image or "").strip()
    clean_buttons = [
        {"title": str(b.get("title", ""))[:200], "payload": str(b.get("payload", ""))[:500]}
        for b in buttons
    ]
    ticket = open_ticket_of(session, conversation.id)
    if ticket is not None:
        message = record_bot_message(session, ticket, body, at=at)
    else:
        message = Message(
            conversation_id=conversation.id,
            kind=MessageKind.BOT,
            body=_text(body, "body", max_len=BODY_MAX),
            created_at=at,
        )
        session.add(message)
    data: dict[str, Any] = {}
    if clean_buttons:
        data["buttons"] = clean_buttons
    if image:
        data["image"] = image
    message.data = data or None
    conversation.last_message_at = at
    session.flush()
    row = enqueue_outbound(
        session,
        conversation,
        OutboxKind.TEXT,
        {"message_id": message.id, "sender": "bot", "text": message.body, **data},
        at=at,
    )
    return message, row


def _transcript(session: Session, conversation_id: str, limit: int = 10) -> str:
    rows = session.scalars(
        select(Message)
        .where(Message.conversation_id == conversation_id, Message.kind.in_(CUSTOMER_VISIBLE))
        .order_by(Message.id.desc())
        .limit(limit)
    ).all()
    return "\n".join(f"{m.kind.value}: {m.body}" for m in reversed(rows))


def _handoff_subject(session: Session, conversation: Conversation) -> str:
    """The ticket's subject: the customer's most telling message, taken to be their longest
    (the earliest of equals): "鞋底开胶了，订单A2024-1181", not the "转人工" that came after."""
    bodies = session.scalars(
        select(Message.body)
        .where(Message.conversation_id == conversation.id, Message.kind == MessageKind.CUSTOMER)
        .order_by(Message.id)
    ).all()
    typed = [" ".join(body.split()) for body in bodies if not body.lstrip().startswith("/")]
    best = max(typed, key=len, default="")
    label = "在线咨询" if conversation.language == "zh" else "Chat"
    snippet = best[:79] + "…" if len(best) > 80 else best
    return f"{label}: {snippet}" if snippet else label


def hand_off_conversation(
    session: Session,
    conversation: Conversation,
    actor: Actor,
    *,
    reason: str,
    at: datetime | None = None,
) -> Ticket:
    """The conversation wants a human: the bot falls silent (state `queued`) and the
    conversation's open ticket, created now if there is none, is marked handed off so it shows
    in the desk's queues. `reason` goes into the ticket's history (request, fallback, bot_down)."""
    at = _now(at)
    ticket = open_ticket_of(session, conversation.id)
    if ticket is None:
        ticket = create_ticket(
            session,
            subject=_handoff_subject(session, conversation),
            description=_transcript(session, conversation.id)[:DESCRIPTION_MAX],
            channel=conversation.channel,
            actor=actor,
            customer=conversation.customer,
            conversation_id=conversation.id,
            language=conversation.language,
            at=at,
        )
    changed = False
    if not ticket.handed_off:
        ticket.handed_off = True
        ticket.updated_at = at
        changed = True
    if conversation.state is ConversationState.BOT:
        conversation.state = ConversationState.QUEUED
        conversation.handed_off_at = at
        enqueue_outbound(session, conversation, OutboxKind.EVENT, {"event": "queued"}, at=at)
        changed = True
    if changed:
        log_event(session, ticket, EventKind.ASSIGNED, actor, at, handed_off=True, reason=reason)
    return ticket


def join_conversation(
    session: Session, conversation: Conversation, agent: User, *, at: datetime | None = None
) -> Conversation:
    """An agent takes the conversation over: the bot stays silent and the customer is told the
    agent's name."""
    at = _now(at)
    if conversation.state is ConversationState.AGENT and conversation.agent_id == agent.id:
        return conversation
    if conversation.state is ConversationState.BOT:
        conversation.handed_off_at = at
    conversation.state = ConversationState.AGENT
    conversation.agent_id = agent.id
    enqueue_outbound(
        session,
        conversation,
        OutboxKind.EVENT,
        {"event": "agent_joined", "agent_name": agent.display_name},
        at=at,
    )
    return conversation


def _send_to_conversation(
    session: Session, ticket: Ticket, message: Message, actor: Actor, at: datetime
) -> None:
    if ticket.conversation_id is None:
        return
    conversation = session.get(Conversation, ticket.conversation_id)
    if conversation is None or channels.lookup(conversation.channel) is None:
        return
    if actor.user is not None:
        join_conversation(session, conversation, actor.user, at=at)
    conversation.last_message_at = at
    enqueue_outbound(
        session,
        conversation,
        OutboxKind.TEXT,
        {
            "message_id": message.id,
            "sender": "agent",
            "text": message.body,
            "author_name": actor.user.display_name if actor.user else None,
        },
        at=at,
    )


def hand_back_conversation(
    session: Session, conversation: Conversation, actor: Actor, *, at: datetime | None = None
) -> OutboxMessage:
    """Give the conversation back to the bot. Rasa must be resumed first (an outbox row); the
    state goes back to `bot` only when that has been delivered (`complete_hand_back`), so no
    customer message reaches a paused bot."""
    at = _now(at)
    if conversation.state is ConversationState.BOT:
        raise Conflict("the bot already has this conversation", field="state")
    waiting = session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.conversation_id == conversation.id,
            OutboxMessage.kind == OutboxKind.RASA_RESUME.value,
            OutboxMessage.status.in_([OutboxStatus.PENDING, OutboxStatus.SENDING]),
        )
    ).first()
    if waiting is not None:
        return waiting
    ticket = open_ticket_of(session, conversation.id)
    if ticket is not None:
        log_event(session, ticket, EventKind.ASSIGNED, actor, at, handed_back=True)
    return enqueue_outbound(session, conversation, OutboxKind.RASA_RESUME, {}, at=at)


def complete_hand_back(
    session: Session, conversation_id: str, *, at: datetime | None = None
) -> Conversation | None:
    """Rasa has resumed the conversation: the bot answers again and the customer is told."""
    conversation = session.get(Conversation, conversation_id)
    if conversation is None or conversation.state is ConversationState.BOT:
        return conversation
    conversation.state = ConversationState.BOT
    enqueue_outbound(session, conversation, OutboxKind.EVENT, {"event": "handed_back"}, at=at)
    return conversation


def conversation_messages(
    session: Session,
    conversation_id: str,
    *,
    after_id: int | None = None,
    limit: int = HISTORY_MAX,
    include_notes: bool = False,
) -> list[Message]:
    """The conversation's messages oldest first: the latest `limit`, or those after `after_id`.
    Internal notes only when `include_notes` (never for the customer)."""
    stmt = select(Message).where(Message.conversation_id == conversation_id)
    if not include_notes:
        stmt = stmt.where(Message.kind.in_(CUSTOMER_VISIBLE))
    if after_id is not None:
        stmt = stmt.where(Message.id > after_id)
    stmt = stmt.options(selectinload(Message.author)).order_by(Message.id.desc()).limit(limit)
    return list(reversed(session.scalars(stmt).all()))
