"""Opening a ticket, triaging it, its priority, and who works it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from ticketing import sla
from ticketing.errors import Conflict, InvalidInput, NotFound
from ticketing.models import (
    PRIORITY_ORDER,
    ActorKind,
    Category,
    Channel,
    Conversation,
    Customer,
    EventKind,
    Priority,
    Severity,
    Status,
    Team,
    TeamRoute,
    Ticket,
    Tier,
    User,
)
from ticketing.services.access import (
    can_see,
    owning_ticket,
    require_conversation,
    require_supervisor,
    require_triage,
)
from ticketing.services.assignment import assign_queued
from ticketing.services.history import Actor, log_event
from ticketing.services.status import set_status
from ticketing.services.validation import DESCRIPTION_MAX, SUBJECT_MAX, at_or_now, text_field


def default_priority(severity: Severity, tier: Tier | None) -> Priority:
    """A new ticket's priority: from its severity, one step up for a key account."""
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
    triage_confidence: float | None = None,
    triage_runner_up: Category | None = None,
    secondary_categories: tuple[Category, ...] = (),
) -> Ticket:
    """Open a ticket, start its SLA clock and record its creation. Without a team it goes to
    its category's team (`routed_team`), which it follows through triage while unassigned.
    The triage_* arguments keep what automatic triage thought (`triage.TriageNote`). A desk user
    may name only a conversation whose tickets they may see; the ticket becomes the
    conversation's own when it has no open one (`_conversation_of`)."""
    at = at_or_now(at)
    if triage_confidence is not None and not 0.0 <= triage_confidence <= 1.0:
        raise InvalidInput("must be between 0 and 1", field="triage_confidence")
    conversation_id = (
        text_field(conversation_id, "conversation_id", max_len=128, required=False) or None
    )
    conversation = _conversation_of(session, conversation_id, actor)
    routed = routed_team(session, category) if team is None else None
    team = team or routed
    tier = customer.tier if customer else None
    priority = priority or default_priority(severity, tier)
    policy = sla.find_policy(session, priority, tier or Tier.REGULAR)
    ticket = Ticket(
        subject=text_field(subject, "subject", max_len=SUBJECT_MAX),
        description=text_field(description, "description", max_len=DESCRIPTION_MAX, required=False),
        channel=channel,
        customer=customer,
        category=category,
        severity=severity,
        priority=priority,
        team=team,
        team_routed=routed is not None,
        conversation_id=conversation_id,
        order_number=text_field(order_number, "order_number", max_len=64, required=False) or None,
        language=language,
        triage_confidence=triage_confidence,
        triage_runner_up=triage_runner_up,
        secondary_categories=[c.value for c in secondary_categories if c is not category],
        sla_policy=policy,
        created_at=at,
        updated_at=at,
    )
    if policy is not None:
        sla.start_clocks(ticket, policy, at)
    session.add(ticket)
    session.flush()
    if conversation is not None and owning_ticket(conversation) is None:
        conversation.ticket = ticket
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
    assign_queued(session, ticket.team_id, at=at)
    return ticket


def _conversation_of(
    session: Session, conversation_id: str | None, actor: Actor
) -> Conversation | None:
    """The conversation a new ticket names, checked for a desk user (`require_conversation`).
    The bot and the system open tickets on the customer's own conversation; one the gateway has
    not seen yet (Rasa's own channels) is None here, and the ticket just names it."""
    if conversation_id is None:
        return None
    if actor.kind is ActorKind.AGENT and actor.user is not None:
        return require_conversation(session, actor.user, conversation_id)
    return session.get(Conversation, conversation_id)


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
    require_triage(actor, ticket)
    at = at_or_now(at)
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
    _set_team(ticket, team, rerouted, changes)
    if priority is not None and priority != ticket.priority:
        changes["priority"] = [ticket.priority.value, priority.value]
        sla.retarget(session, ticket, priority)
    if changes:
        ticket.updated_at = at
        log_event(session, ticket, EventKind.TRIAGED, actor, at, **changes)
    return ticket


def _set_team(
    ticket: Ticket, team: Team | None, rerouted: Team | None, changes: dict[str, Any]
) -> None:
    """Triage's team: the one chosen (`team`) or else the new category's route (`rerouted`);
    adds the history's `team` entry to `changes`."""
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


def raise_priority(
    session: Session, ticket: Ticket, actor: Actor, *, at: datetime | None = None, **why: Any
) -> Priority:
    """Raise the priority one step (an SLA breach escalates); stays at urgent."""
    at = at_or_now(at)
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
    require_supervisor(actor)
    at = at_or_now(at)
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
    at = at_or_now(at)
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
        set_status(session, ticket, Status.OPEN, Actor.of(agent), at)
    log_event(
        session, ticket, EventKind.CLAIMED, Actor.of(agent), at, assignee=agent.username, **joined
    )
    session.flush()
    return ticket
