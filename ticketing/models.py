"""The ticket store: SQLAlchemy 2 typed models for customers, tickets, history, messages and SLA."""

from __future__ import annotations

import enum
import re
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    DateTime,
    Dialect,
    Enum,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    event,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship

from ticketing.clock import utcnow


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware datetimes on every backend: stored in UTC, returned aware.

    SQLite has no time zone type and hands back naive values; normalising here keeps naive
    datetimes out of the code entirely.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the ticket store")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


def _enum(cls: type[enum.Enum], name: str) -> Enum:
    # Stored as short strings (not native PostgreSQL enums) so adding a value is a plain migration.
    return Enum(
        cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=24,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


class Role(enum.StrEnum):
    AGENT = "agent"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


class Tier(enum.StrEnum):
    REGULAR = "regular"
    SILVER = "silver"
    GOLD = "gold"
    KEY_ACCOUNT = "key_account"


class Lifecycle(enum.StrEnum):
    """Lifecycle stages of the source documents: potential, new, mature, declining, churned."""

    POTENTIAL = "potential"
    NEW = "new"
    MATURE = "mature"
    DECLINING = "declining"
    CHURNED = "churned"


class IdentityKind(enum.StrEnum):
    WEB = "web"
    TELEGRAM = "telegram"
    PHONE = "phone"
    EMAIL = "email"


class Category(enum.StrEnum):
    """The five complaint types of the source documents, plus delivery and other."""

    PRODUCT_QUALITY = "product_quality"
    SERVICE = "service"
    DELIVERY = "delivery"
    PRICE = "price"
    CONTRACT = "contract"
    POLICY = "policy"
    OTHER = "other"


class Severity(enum.StrEnum):
    GENERAL = "general"
    MAJOR = "major"


class Priority(enum.StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


PRIORITY_ORDER = [Priority.LOW, Priority.NORMAL, Priority.HIGH, Priority.URGENT]


class Status(enum.StrEnum):
    NEW = "new"
    OPEN = "open"
    PENDING = "pending"  # waiting on the customer: the SLA clock is paused
    RESOLVED = "resolved"
    CLOSED = "closed"


class Channel(enum.StrEnum):
    WEB = "web"
    TELEGRAM = "telegram"
    PHONE = "phone"
    EMAIL = "email"
    API = "api"


class ActorKind(enum.StrEnum):
    CUSTOMER = "customer"
    AGENT = "agent"
    BOT = "bot"
    SYSTEM = "system"


class MessageKind(enum.StrEnum):
    CUSTOMER = "customer"
    AGENT = "agent"
    BOT = "bot"
    NOTE = "note"  # internal: never shown to the customer


class EventKind(enum.StrEnum):
    CREATED = "created"
    TRIAGED = "triaged"
    STATUS_CHANGED = "status_changed"
    ASSIGNED = "assigned"
    CLAIMED = "claimed"
    MESSAGE = "message"
    NOTE = "note"
    PRIORITY_CHANGED = "priority_changed"
    SLA = "sla"  # warnings, breaches, pauses and resumptions of the SLA clock


class Team(Base):
    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    description: Mapped[str] = mapped_column(String(400), default="")

    members: Mapped[list[User]] = relationship(back_populates="team")

    def __repr__(self) -> str:
        return f"Team(id={self.id!r}, name={self.name!r})"


class TeamRoute(Base):
    """Which team a new ticket of a category goes to (one team per category; a category with no
    route leaves the team empty until someone triages it)."""

    __tablename__ = "team_routes"

    category: Mapped[Category] = mapped_column(_enum(Category, "category"), primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)

    team: Mapped[Team] = relationship()

    def __repr__(self) -> str:
        return f"TeamRoute(category={self.category!r}, team_id={self.team_id!r})"


class User(Base):
    """A person working the desk: an agent, a supervisor or an admin."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    role: Mapped[Role] = mapped_column(_enum(Role, "role"))
    password_hash: Mapped[str] = mapped_column(String(255))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    team: Mapped[Team | None] = relationship(back_populates="members")

    def __repr__(self) -> str:
        return f"User(id={self.id!r}, username={self.username!r}, role={self.role!r})"


class Customer(Base):
    __tablename__ = "customers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    tier: Mapped[Tier] = mapped_column(_enum(Tier, "tier"), default=Tier.REGULAR)
    lifecycle: Mapped[Lifecycle] = mapped_column(
        _enum(Lifecycle, "lifecycle"), default=Lifecycle.NEW
    )
    language: Mapped[str] = mapped_column(String(8), default="zh")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # 流失预警, refreshed in SQL by the worker (ticketing/churn.py); reasons are comma-separated.
    churn_risk: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    churn_reasons: Mapped[str] = mapped_column(String(80), default="", server_default="")
    churn_flagged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The next periodic care visit (key accounts, gold): a due time the worker reads, by index.
    next_care_visit_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)

    identities: Mapped[list[CustomerIdentity]] = relationship(
        back_populates="customer", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"Customer(id={self.id!r}, tier={self.tier!r})"


class CustomerIdentity(Base):
    """One way to recognise a customer on a channel: a web session, a Telegram id, a phone..."""

    __tablename__ = "customer_identities"
    __table_args__ = (UniqueConstraint("kind", "value", name="uq_customer_identities_kind_value"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    kind: Mapped[IdentityKind] = mapped_column(_enum(IdentityKind, "identity_kind"))
    value: Mapped[str] = mapped_column(String(255))

    customer: Mapped[Customer] = relationship(back_populates="identities")

    def __repr__(self) -> str:
        # The value may be a phone number: personal data stays out of reprs and logs.
        return f"CustomerIdentity(id={self.id!r}, kind={self.kind!r})"


class BusinessCalendar(Base):
    """Opening hours in a time zone, and holidays; the SLA clock counts time inside them."""

    __tablename__ = "business_calendars"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    timezone: Mapped[str] = mapped_column(String(64))
    always_open: Mapped[bool] = mapped_column(Boolean, default=False)
    # {"0": [["09:00", "12:00"], ["13:30", "18:00"]], ...}: weekday 0 is Monday
    periods: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    holidays: Mapped[list[str]] = mapped_column(JSON, default=list)  # ISO dates

    def __repr__(self) -> str:
        return f"BusinessCalendar(id={self.id!r}, name={self.name!r})"


class SlaPolicy(Base):
    """Response and resolution targets for one priority and customer tier."""

    __tablename__ = "sla_policies"
    __table_args__ = (UniqueConstraint("priority", "tier", name="uq_sla_policies_priority_tier"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    priority: Mapped[Priority] = mapped_column(_enum(Priority, "priority"))
    tier: Mapped[Tier] = mapped_column(_enum(Tier, "tier"))
    first_response_minutes: Mapped[int] = mapped_column(Integer)
    next_response_minutes: Mapped[int | None] = mapped_column(Integer)
    resolution_minutes: Mapped[int] = mapped_column(Integer)
    # None: targets count in calendar (elapsed) time
    calendar_id: Mapped[int | None] = mapped_column(ForeignKey("business_calendars.id"))
    # The assignee is warned once this share of a target has passed (sla/checkpoints.py).
    warning_percent: Mapped[int] = mapped_column(Integer, default=75, server_default="75")
    # Follow-up visits (回访) after resolution; major complaints get a second one.
    follow_up_minutes: Mapped[int] = mapped_column(Integer, default=24 * 60, server_default="1440")
    second_follow_up_minutes: Mapped[int | None] = mapped_column(
        Integer, default=7 * 24 * 60, server_default="10080"
    )

    calendar: Mapped[BusinessCalendar | None] = relationship()

    def __repr__(self) -> str:
        return f"SlaPolicy(id={self.id!r}, priority={self.priority!r}, tier={self.tier!r})"


TICKET_NUMBER = re.compile(r"^T-?(\d{1,12})$", re.IGNORECASE)


class Ticket(Base):
    __tablename__ = "tickets"
    __table_args__ = (
        # Finding due tickets reads this index only: the worker never scans the table.
        Index("ix_tickets_next_deadline_at", "next_deadline_at"),
        Index("ix_tickets_status_team", "status", "team_id"),
        Index("ix_tickets_assignee_status", "assignee_id", "status"),
        # The SLA worker's own index: the next warning or deadline to look at.
        Index("ix_tickets_next_sla_check_at", "next_sla_check_at"),
        Index("ix_tickets_team_escalated_at", "team_id", "escalated_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    subject: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[Category] = mapped_column(_enum(Category, "category"), default=Category.OTHER)
    severity: Mapped[Severity] = mapped_column(
        _enum(Severity, "severity"), default=Severity.GENERAL
    )
    priority: Mapped[Priority] = mapped_column(_enum(Priority, "priority"), default=Priority.NORMAL)
    status: Mapped[Status] = mapped_column(_enum(Status, "status"), default=Status.NEW)
    channel: Mapped[Channel] = mapped_column(_enum(Channel, "channel"))
    language: Mapped[str] = mapped_column(String(8), default="zh")
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))
    # The team came from the category's route, not from a person: triage may move the ticket
    # with its category while nobody holds it (services.triage_ticket).
    team_routed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    conversation_id: Mapped[str | None] = mapped_column(String(128), index=True)
    order_number: Mapped[str | None] = mapped_column(String(64), index=True)
    handed_off: Mapped[bool] = mapped_column(Boolean, default=False)

    sla_policy_id: Mapped[int | None] = mapped_column(ForeignKey("sla_policies.id"))
    first_response_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    next_response_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolution_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sla_paused_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The earliest running deadline (None while paused or when nothing is due).
    next_deadline_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The earliest SLA warning or deadline the worker has yet to look at (sla/checkpoints.py).
    next_sla_check_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set when a breach put the ticket in its team's escalation queue (unassigned tickets only).
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    first_responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reopen_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # Optimistic locking: two agents changing one ticket at once get a 409, not a lost update.
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    customer: Mapped[Customer | None] = relationship()
    team: Mapped[Team | None] = relationship()
    assignee: Mapped[User | None] = relationship()
    sla_policy: Mapped[SlaPolicy | None] = relationship()
    events: Mapped[list[TicketEvent]] = relationship(
        back_populates="ticket", order_by="TicketEvent.id", viewonly=True
    )
    messages: Mapped[list[Message]] = relationship(
        back_populates="ticket", order_by="Message.id", viewonly=True
    )

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012

    @property
    def number(self) -> str:
        """The human ticket number, e.g. T-000123 (derived from the id, never stored twice)."""
        return format_ticket_number(self.id)

    def __repr__(self) -> str:
        return f"Ticket(id={self.id!r}, status={self.status!r}, priority={self.priority!r})"


def format_ticket_number(ticket_id: int) -> str:
    return f"T-{ticket_id:06d}"


def parse_ticket_number(number: str) -> int | None:
    """The id behind `T-000123` (also `T123`, `t-123` or a bare id); None when it is not one."""
    text = number.strip()
    if text.isdigit():
        text = "T" + text
    match = TICKET_NUMBER.match(text)
    return int(match.group(1)) if match else None


class TicketEvent(Base):
    """Append-only ticket history: every status change, assignment, message and SLA event."""

    __tablename__ = "ticket_events"
    __table_args__ = (Index("ix_ticket_events_ticket_id_id", "ticket_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"))
    kind: Mapped[EventKind] = mapped_column(_enum(EventKind, "event_kind"))
    actor_kind: Mapped[ActorKind] = mapped_column(_enum(ActorKind, "actor_kind"))
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    ticket: Mapped[Ticket] = relationship(back_populates="events")
    actor_user: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"TicketEvent(id={self.id!r}, ticket_id={self.ticket_id!r}, kind={self.kind!r})"


class Message(Base):
    """A message in a conversation or on a ticket: customer, agent, bot, or an internal note."""

    __tablename__ = "messages"
    __table_args__ = (Index("ix_messages_conversation_id_id", "conversation_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"), index=True)
    conversation_id: Mapped[str | None] = mapped_column(String(128))
    kind: Mapped[MessageKind] = mapped_column(_enum(MessageKind, "message_kind"))
    author_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # What a chat channel shows beside the text: the bot's buttons ([{"title", "payload"}]),
    # an image URL. None for plain text.
    data: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    ticket: Mapped[Ticket | None] = relationship(back_populates="messages")
    author: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        # Message bodies are personal data: never in reprs or logs.
        return f"Message(id={self.id!r}, ticket_id={self.ticket_id!r}, kind={self.kind!r})"


class ConversationState(enum.StrEnum):
    BOT = "bot"  # the assistant answers
    QUEUED = "queued"  # handed off, waiting for an agent: the bot stays silent
    AGENT = "agent"  # an agent has joined


class Conversation(Base):
    """One customer conversation on one channel, and who is answering it."""

    __tablename__ = "conversations"
    __table_args__ = (Index("ix_conversations_state_last", "state", "last_message_at"),)

    # Channel-qualified id, e.g. "web:3f2a..." or "telegram:123456789"; also the Rasa sender id.
    id: Mapped[str] = mapped_column(String(128), primary_key=True)
    channel: Mapped[Channel] = mapped_column(_enum(Channel, "channel"))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"), index=True)
    state: Mapped[ConversationState] = mapped_column(
        _enum(ConversationState, "conversation_state"), default=ConversationState.BOT
    )
    language: Mapped[str] = mapped_column(String(8), default="zh")
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    handed_off_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_message_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    customer: Mapped[Customer | None] = relationship()
    agent: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"Conversation(id={self.id!r}, state={self.state!r})"


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"
    SENDING = "sending"  # claimed by one deliverer until `lease_until`
    SENT = "sent"
    FAILED = "failed"  # gave up after the last retry


class OutboxKind(enum.StrEnum):
    """What an outbox row asks for; bot/outbox.py delivers each kind (payloads as documented)."""

    # To the customer: {"text", "sender": "bot"|"agent", "message_id", "author_name", "buttons":
    # [{"title", "payload"}], "image"}
    TEXT = "text"
    # A change the customer's channel shows: {"event": "queued"}, {"event": "agent_joined",
    # "agent_name"}, {"event": "handed_back"}
    EVENT = "event"
    # Rasa's external intent (follow-up survey): {"intent", "entities"}; the bot's replies follow
    TRIGGER_INTENT = "trigger_intent"
    # Hand back to the bot: Rasa gets `resume` then `action_listen`, then the state goes to bot
    RASA_RESUME = "rasa_resume"


class OutboxMessage(Base):
    """A message to send out of the system, written in the transaction that caused it and
    delivered after commit with retries: a channel being down loses nothing."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_status_next_attempt_at", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[str | None] = mapped_column(String(128), index=True)
    channel: Mapped[Channel] = mapped_column(_enum(Channel, "channel"))
    kind: Mapped[str] = mapped_column(String(32))  # an OutboxKind
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[OutboxStatus] = mapped_column(
        _enum(OutboxStatus, "outbox_status"), default=OutboxStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A deliverer claims a row by a conditional UPDATE to `sending`; if it dies mid-delivery,
    # another may take the row over once the lease has run out (bot/outbox.py).
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(64))

    def __repr__(self) -> str:
        return f"OutboxMessage(id={self.id!r}, kind={self.kind!r}, status={self.status!r})"


class SlaMetric(enum.StrEnum):
    FIRST_RESPONSE = "first_response"
    NEXT_RESPONSE = "next_response"
    RESOLUTION = "resolution"


class SlaEventKind(enum.StrEnum):
    WARNING = "warning"
    BREACH = "breach"


class SlaEvent(Base):
    """A warning or a breach of one SLA clock, recorded once by the worker; reports read these.

    `clock` names the clock instance: first response and resolution have one per ticket, next
    response one per customer turn. It is the key rather than the due time because a pause
    moves the due time, and a clock breached before a pause must not breach again after it.
    """

    __tablename__ = "sla_events"
    __table_args__ = (
        UniqueConstraint("ticket_id", "metric", "kind", "clock", name="uq_sla_events_once"),
        Index("ix_sla_events_kind_at", "kind", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    metric: Mapped[SlaMetric] = mapped_column(_enum(SlaMetric, "sla_metric"))
    kind: Mapped[SlaEventKind] = mapped_column(_enum(SlaEventKind, "sla_event_kind"))
    clock: Mapped[str] = mapped_column(String(32))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    priority: Mapped[Priority] = mapped_column(_enum(Priority, "priority"))
    escalated: Mapped[bool] = mapped_column(Boolean, default=False)

    ticket: Mapped[Ticket] = relationship()

    def __repr__(self) -> str:
        return (
            f"SlaEvent(id={self.id!r}, ticket_id={self.ticket_id!r}, metric={self.metric!r}, "
            f"kind={self.kind!r})"
        )


class NotificationKind(enum.StrEnum):
    SLA_WARNING = "sla_warning"
    SLA_BREACH = "sla_breach"
    LOW_SCORE = "low_score"
    CALLBACK = "callback"


class Notification(Base):
    """Something a desk user should see in the console; `dedupe_key` makes sending idempotent."""

    __tablename__ = "notifications"
    __table_args__ = (
        UniqueConstraint("user_id", "dedupe_key", name="uq_notifications_user_dedupe"),
        Index("ix_notifications_user_id_id", "user_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[NotificationKind] = mapped_column(_enum(NotificationKind, "notification_kind"))
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    dedupe_key: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"Notification(id={self.id!r}, user_id={self.user_id!r}, kind={self.kind!r})"


class FollowUpStatus(enum.StrEnum):
    SCHEDULED = "scheduled"
    SURVEY_SENT = "survey_sent"  # the bot asked; waiting for the answer
    ANSWERED = "answered"  # the customer answered the survey
    CALLBACK = "callback"  # handed to an agent as a call-back task
    DONE = "done"  # the call-back was made
    CANCELLED = "cancelled"  # the ticket was reopened before the visit


class FollowUp(Base):
    """A follow-up visit (回访) after a ticket is resolved: a row with a due time, never a timer."""

    __tablename__ = "follow_ups"
    __table_args__ = (
        UniqueConstraint("ticket_id", "round", "sequence", name="uq_follow_ups_once"),
        # The worker's index: the next thing to do (send the survey, or give up waiting).
        Index("ix_follow_ups_next_action_at", "next_action_at"),
        Index("ix_follow_ups_due_at", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"))
    round: Mapped[int] = mapped_column(Integer)  # the ticket's reopen count when resolved
    sequence: Mapped[int] = mapped_column(Integer)  # 1, or 2 for the second visit of a major case
    status: Mapped[FollowUpStatus] = mapped_column(
        _enum(FollowUpStatus, "follow_up_status"), default=FollowUpStatus.SCHEDULED
    )
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    next_action_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    conversation_id: Mapped[str | None] = mapped_column(String(128))
    survey_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    ticket: Mapped[Ticket] = relationship()

    def __repr__(self) -> str:
        return f"FollowUp(id={self.id!r}, ticket_id={self.ticket_id!r}, status={self.status!r})"


class SurveyResponse(Base):
    """A customer's satisfaction (CSAT 1-5) and recommendation (NPS 0-10) answers on a case."""

    __tablename__ = "survey_responses"
    __table_args__ = (
        CheckConstraint("csat IS NULL OR (csat >= 1 AND csat <= 5)", name="csat_range"),
        CheckConstraint("nps IS NULL OR (nps >= 0 AND nps <= 10)", name="nps_range"),
        Index("ix_survey_responses_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"), index=True)
    follow_up_id: Mapped[int | None] = mapped_column(ForeignKey("follow_ups.id"))
    csat: Mapped[int | None] = mapped_column(Integer)
    nps: Mapped[int | None] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"SurveyResponse(id={self.id!r}, ticket_id={self.ticket_id!r})"


class CallbackReason(enum.StrEnum):
    UNREACHABLE = "unreachable"  # no chat channel reaches the customer
    NO_ANSWER = "no_answer"  # the survey went unanswered
    CARE_VISIT = "care_visit"  # a periodic key-account care visit


class CallbackStatus(enum.StrEnum):
    OPEN = "open"
    DONE = "done"


class CallbackOutcome(enum.StrEnum):
    REACHED = "reached"
    NO_ANSWER = "no_answer"
    WRONG_NUMBER = "wrong_number"
    DECLINED = "declined"


class CallbackTask(Base):
    """A call an agent should make: a follow-up the bot could not do, or a care visit."""

    __tablename__ = "callback_tasks"
    __table_args__ = (
        UniqueConstraint("dedupe_key", name="uq_callback_tasks_dedupe_key"),
        Index("ix_callback_tasks_status_due_at", "status", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(120))
    reason: Mapped[CallbackReason] = mapped_column(_enum(CallbackReason, "callback_reason"))
    status: Mapped[CallbackStatus] = mapped_column(
        _enum(CallbackStatus, "callback_status"), default=CallbackStatus.OPEN
    )
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"), index=True)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"), index=True)
    follow_up_id: Mapped[int | None] = mapped_column(ForeignKey("follow_ups.id"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))
    language: Mapped[str] = mapped_column(String(8), default="zh")
    summary: Mapped[str] = mapped_column(Text, default="")
    script: Mapped[str] = mapped_column(Text, default="")
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    outcome: Mapped[CallbackOutcome | None] = mapped_column(
        _enum(CallbackOutcome, "callback_outcome")
    )
    outcome_note: Mapped[str] = mapped_column(Text, default="")
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    customer: Mapped[Customer | None] = relationship()
    ticket: Mapped[Ticket | None] = relationship()

    def __repr__(self) -> str:
        return f"CallbackTask(id={self.id!r}, reason={self.reason!r}, status={self.status!r})"


@event.listens_for(Session, "before_flush")
def _history_is_append_only(session: Session, _context: Any, _instances: Any) -> None:
    for obj in (*session.dirty, *session.deleted):
        if isinstance(obj, TicketEvent) and (obj in session.deleted or session.is_modified(obj)):
            raise ValueError("ticket history is append-only")
