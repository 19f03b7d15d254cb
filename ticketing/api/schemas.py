"""Request and response bodies of the desk API, named by role (TicketCreate, TicketPublic...)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from ticketing import services, sla
from ticketing.models import (
    ActorKind,
    Category,
    Channel,
    ConversationState,
    EventKind,
    IdentityKind,
    Lifecycle,
    MessageKind,
    Priority,
    Role,
    Severity,
    SlaMetric,
    Status,
    Ticket,
    TicketEvent,
    Tier,
)
from ticketing.services import queues


def _no_control_characters(value: str) -> str:
    # The service layer's one rule for text (services/validation.py), as a 422 naming the field.
    if services.has_control_characters(value):
        raise ValueError(services.CONTROL_CHARACTERS_MESSAGE)
    return value


def _not_a_boolean(value: object) -> object:
    # JSON's false and true would pass as 0 and 1; a query's "5" must still parse, so not strict.
    if isinstance(value, bool):
        raise ValueError("must be a number, not a boolean")
    return value


ID_MAX = 2**31 - 1


# Every id a client gives, in a body, a query or a path. Ids are 32-bit in the database; a
# bigger number (or 2**63, which SQLite cannot even bind) is refused before it reaches a query.
Id = Annotated[int, BeforeValidator(_not_a_boolean), Field(ge=1, le=ID_MAX)]
PlainText = AfterValidator(_no_control_characters)
Subject = Annotated[str, Field(min_length=1, max_length=services.SUBJECT_MAX), PlainText]
Description = Annotated[str, Field(max_length=services.DESCRIPTION_MAX), PlainText]
Body = Annotated[str, Field(min_length=1, max_length=services.BODY_MAX), PlainText]
ConversationId = Annotated[str, Field(min_length=1, max_length=128), PlainText]
OrderNumber = Annotated[str, Field(min_length=1, max_length=64), PlainText]
Language = Annotated[str, Field(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,4})?$", max_length=8)]
SearchText = Annotated[str, Field(max_length=200), PlainText]
# A tag as typed; services.tags normalises it and says what is wrong (422, field `tags`).
TagText = Annotated[str, Field(min_length=1, max_length=200), PlainText]
# Keyset cursors are short base64 strings; anything long is not one of ours.
Cursor = Annotated[str, Field(max_length=200), PlainText]


class Input(BaseModel):
    """A request body: unknown fields are refused, so a misspelt field is not silently lost."""

    model_config = ConfigDict(extra="forbid")


class Public(BaseModel):
    model_config = ConfigDict(from_attributes=True)


# --- auth, users, teams -------------------------------------------------------------------------


class Token(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 (the OAuth2 token type, not a secret)


class UserPublic(Public):
    id: int
    username: str
    display_name: str
    role: Role
    team_id: int | None
    is_active: bool


class UsersPublic(BaseModel):
    data: list[UserPublic]
    count: int


class AdminUserPublic(UserPublic):
    """A user as an admin sees them: with sign-in state."""

    created_at: datetime
    failed_logins: int
    locked_until: datetime | None


class AdminUsersPublic(BaseModel):
    data: list[AdminUserPublic]
    count: int


Username = Annotated[str, Field(pattern=r"^[a-zA-Z0-9_.-]{2,64}$")]
# The strength rule (length 12, zxcvbn) is checked by the service, which names the field.
Password = Annotated[str, Field(min_length=1, max_length=1024)]
DisplayName = Annotated[str, Field(min_length=1, max_length=120), PlainText]


class UserCreate(Input):
    username: Username
    password: Password
    display_name: DisplayName | None = None
    role: Role = Role.AGENT
    team_id: Id | None = None


class UserUpdate(Input):
    """Fields left out stay as they are; `team_id: null` takes the user out of their team."""

    role: Role | None = None
    team_id: Id | None = None
    display_name: DisplayName | None = None


class PasswordReset(Input):
    password: Password


class UserRef(Public):
    id: int
    display_name: str


class TeamPublic(Public):
    id: int
    name: str
    description: str
    auto_assign: bool = Field(description="queued items go to its online agents with room")
    calendar_id: int | None = None


class TeamsPublic(BaseModel):
    data: list[TeamPublic]
    count: int


class AuditEntryPublic(Public):
    id: int
    created_at: datetime
    actor_user_id: int | None
    actor_name: str
    action: str
    target_type: str
    target_id: str
    address: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None


class AuditEntriesPublic(BaseModel):
    data: list[AuditEntryPublic]
    count: int = Field(description="entries on this page; page on with before_id=<last id>")


class TeamRef(Public):
    id: int
    name: str


# --- tickets ------------------------------------------------------------------------------------


class TicketCreate(Input):
    subject: Subject
    description: Description = ""
    category: Category = Category.OTHER
    severity: Severity = Severity.GENERAL
    priority: Priority | None = Field(
        default=None, description="default: from severity and the customer's tier"
    )
    channel: Channel = Channel.API
    conversation_id: ConversationId | None = None
    order_number: OrderNumber | None = None
    language: Language = "zh"
    team_id: Id | None = None
    customer_id: Id | None = None


class TicketAssign(Input):
    assignee_id: Id | None = Field(description="null unassigns the ticket")


class TicketStatusChange(Input):
    status: Status


class TicketTriage(Input):
    category: Category | None = None
    severity: Severity | None = None
    priority: Priority | None = None
    team_id: Id | None = None


class MessageCreate(Input):
    body: Body


class ReplyCreate(MessageCreate):
    seen_message_id: int | None = Field(
        default=None,
        ge=0,
        le=2**31 - 1,
        description="the last message your console showed: a colleague's reply after it is a "
        "409, unless send_anyway",
    )
    send_anyway: bool = False


class TicketQuery(BaseModel):
    """The filters of the ticket list; list filters repeat (`?status=new&status=open`)."""

    status: list[Status] = []
    priority: list[Priority] = []
    category: list[Category] = []
    severity: list[Severity] = []
    channel: list[Channel] = []
    team_id: Id | None = None
    assignee_id: Id | None = None
    assignee: Literal["me"] | None = Field(default=None, description="`me`: my tickets")
    unassigned: bool = False
    customer_id: Id | None = None
    conversation_id: ConversationId | None = None
    breached: bool | None = Field(default=None, description="an SLA clock is overdue (or not)")
    tag: list[TagText] = Field(default=[], description="tickets with any of these tags")
    q: SearchText | None = Field(
        default=None, description="words in subject, description or order number; T-000123"
    )
    sort: Literal["newest", "oldest", "due"] = "newest"
    cursor: Cursor | None = Field(default=None, description="`next_cursor` of the last page")
    limit: int = Field(default=50, ge=1, le=200)


class SlaBreached(BaseModel):
    """Per SLA clock: overdue now (or when it paused)."""

    first_response: bool
    next_response: bool
    resolution: bool


class TicketPublic(Public):
    number: str = Field(examples=["T-000123"])
    subject: str
    description: str
    category: Category
    severity: Severity
    priority: Priority
    status: Status
    channel: Channel
    language: str
    customer_id: int | None
    team: TeamRef | None
    assignee: UserRef | None
    conversation_id: str | None
    order_number: str | None
    handed_off: bool
    created_at: datetime
    updated_at: datetime
    first_responded_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    reopen_count: int
    first_response_due_at: datetime | None
    next_response_due_at: datetime | None
    resolution_due_at: datetime | None
    sla_paused_at: datetime | None
    next_deadline_at: datetime | None
    triage_confidence: float | None = Field(
        description="triage's probability of the ticket's category when the bot filed it"
    )
    triage_runner_up: Category | None = Field(description="the likeliest other category")
    secondary_categories: list[Category] = Field(
        description="other problems the complaint names; the category alone decides the route"
    )
    tags: list[str] = Field(description="free words on the ticket, sorted")
    sla_breached: SlaBreached

    @classmethod
    def of(cls, ticket: Ticket, now: datetime) -> TicketPublic:
        return cls.model_validate(
            {**_ticket_fields(ticket), "sla_breached": _breached(ticket, now)}
        )


class TicketsPublic(BaseModel):
    data: list[TicketPublic]
    count: int = Field(description="tickets matching the filters, on every page")
    next_cursor: str | None


class EventPublic(Public):
    id: int
    kind: EventKind
    actor_kind: ActorKind
    actor_name: str | None = Field(description="the desk user or customer who acted")
    data: dict[str, Any]
    created_at: datetime


class MessagePublic(Public):
    id: int
    kind: MessageKind
    author_name: str | None
    body: str
    created_at: datetime


class TicketDetail(TicketPublic):
    events: list[EventPublic]
    messages: list[MessagePublic] = Field(description="internal notes included")

    @classmethod
    def of(cls, ticket: Ticket, now: datetime) -> TicketDetail:
        return cls.model_validate(
            {
                **_ticket_fields(ticket),
                "sla_breached": _breached(ticket, now),
                "events": [_event(event, ticket) for event in ticket.events],
                "messages": [
                    {
                        "id": m.id,
                        "kind": m.kind,
                        "author_name": m.author.display_name if m.author else None,
                        "body": m.body,
                        "created_at": m.created_at,
                    }
                    for m in ticket.messages
                ],
            }
        )


def _ticket_fields(ticket: Ticket) -> dict[str, Any]:
    names = set(TicketPublic.model_fields) - {"sla_breached"}
    return {name: getattr(ticket, name) for name in names}


def _breached(ticket: Ticket, now: datetime) -> SlaBreached:
    flags = sla.sla_breaches(ticket, now)
    return SlaBreached(
        first_response=flags[SlaMetric.FIRST_RESPONSE],
        next_response=flags[SlaMetric.NEXT_RESPONSE],
        resolution=flags[SlaMetric.RESOLUTION],
    )


def _event(event: TicketEvent, ticket: Ticket) -> dict[str, Any]:
    if event.actor_user is not None:
        actor_name: str | None = event.actor_user.display_name
    elif event.actor_kind is ActorKind.CUSTOMER and ticket.customer is not None:
        actor_name = ticket.customer.name
    else:
        actor_name = None
    return {
        "id": event.id,
        "kind": event.kind,
        "actor_kind": event.actor_kind,
        "actor_name": actor_name,
        "data": event.data,
        "created_at": event.created_at,
    }


# --- the agent console --------------------------------------------------------------------------

ConsoleQueue = queues.Queue


class SlaClock(BaseModel):
    """One SLA clock as the console shows it: when it is due, and whether it is late or close."""

    metric: SlaMetric
    due_at: datetime | None = Field(description="null once met or when not running")
    warn_at: datetime | None = Field(description="when the assignee is warned (at risk)")
    met_at: datetime | None
    breached: bool = Field(description="overdue now, or its deadline was missed")
    at_risk: bool = Field(description="past the warning point, not yet breached")
    verdict: Literal["met", "missed"] | None = Field(
        default=None, description="the stored verdict of the latest deadline; null if undecided"
    )
    business_minutes: float | None = Field(
        default=None, description="business time the SLA clock counted, once stopped"
    )
    elapsed_minutes: float | None = Field(default=None, description="wall-clock time it took")


class ConversationPublic(BaseModel):
    id: str
    channel: Channel
    state: ConversationState
    agent_name: str | None
    handed_off_at: datetime | None


class ConsoleTicketRow(TicketPublic):
    """A row of a console queue: the ticket with its customer and how close its SLA is."""

    customer_name: str | None
    customer_tier: Tier | None
    churn_risk: bool
    sla_at_risk: bool
    last_customer_message: str | None = Field(description="the latest, cut to 140 characters")


class ConsoleTicketsPublic(BaseModel):
    data: list[ConsoleTicketRow]
    count: int
    next_cursor: str | None


class QueueCounts(BaseModel):
    mine: int
    team: int
    unassigned: int
    breaching: int
    escalations: int
    callbacks: int
    notifications_unread: int


class ConsoleTicket(ConsoleTicketRow):
    """One ticket for the console: SLA clocks, the chat conversation, history and what the
    signed-in user may do next."""

    sla_clocks: list[SlaClock]
    conversation: ConversationPublic | None
    events: list[EventPublic]
    allowed_status: list[Status]
    can_claim: bool
    can_hand_back: bool


class TranscriptMessage(BaseModel):
    id: int
    kind: MessageKind
    author_name: str | None
    body: str
    created_at: datetime
    ticket: str | None = Field(description="the ticket the message was added to, if any")
    buttons: list[str] = Field(description="titles of the buttons the bot offered")


class TranscriptPublic(BaseModel):
    data: list[TranscriptMessage]
    conversation: ConversationPublic | None


class PastTicket(BaseModel):
    number: str
    subject: str
    status: Status
    category: Category
    severity: Severity
    channel: Channel
    created_at: datetime
    resolved_at: datetime | None


class SurveyPublic(BaseModel):
    ticket: str
    csat: int | None
    nps: int | None
    comment: str
    created_at: datetime


class CustomerPanel(BaseModel):
    """The customer behind a ticket: who they are, their history with us, and churn risk."""

    id: int
    name: str
    tier: Tier
    lifecycle: Lifecycle
    language: str
    created_at: datetime
    channels: list[IdentityKind] = Field(description="how we know them (values stay private)")
    churn_risk: bool
    churn_reasons: list[str]
    churn_flagged_at: datetime | None
    tickets: list[PastTicket] = Field(description="newest first, those you may see")
    tickets_count: int = Field(description="the tickets you may see")
    complaints_30d: int = Field(description="of those, opened in the last 30 days")
    surveys: list[SurveyPublic] = Field(description="newest first, on tickets you may see")
    csat_average: float | None = Field(description="over the surveys on tickets you may see")
    nps: int | None = Field(description="% promoters - % detractors over those surveys")


class HandBackPublic(BaseModel):
    state: ConversationState
    pending: bool = Field(description="the bot resumes once its outbox row is delivered")
