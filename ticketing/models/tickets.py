"""Tickets, their append-only history, and the messages written on them or in a conversation."""

from __future__ import annotations

import re
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    event,
    false,
    text,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from ticketing.clock import utcnow
from ticketing.models.base import Base, UTCDateTime, enum_type
from ticketing.models.enums import (
    ActorKind,
    Category,
    Channel,
    EventKind,
    MessageKind,
    Priority,
    Severity,
    Status,
)
from ticketing.models.people import Customer, Team, User
from ticketing.models.policies import SlaPolicy

if TYPE_CHECKING:
    from ticketing.models.sla_events import SlaVerdict

TICKET_NUMBER = re.compile(r"^T-?(\d{1,12})$", re.IGNORECASE)


class Ticket(Base):
    __tablename__ = "tickets"
    __table_args__ = (
        # Finding due tickets reads this index only: the worker never scans the table.
        Index("ix_tickets_next_deadline_at", "next_deadline_at"),
        Index("ix_tickets_status_team", "status", "team_id"),
        # An agent's open tickets and live chats (auto-assignment's load) from the index alone.
        Index("ix_tickets_assignee_load", "assignee_id", "status", "handed_off"),
        # The SLA worker's own index: the next warning or deadline to look at.
        Index("ix_tickets_next_sla_check_at", "next_sla_check_at"),
        Index("ix_tickets_team_escalated_at", "team_id", "escalated_at"),
        # The backlog's recent open tickets by age, read from the index alone.
        Index("ix_tickets_status_created_at", "status", "created_at", "team_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    subject: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[Category] = mapped_column(
        enum_type(Category, "category"), default=Category.OTHER
    )
    severity: Mapped[Severity] = mapped_column(
        enum_type(Severity, "severity"), default=Severity.GENERAL
    )
    # What triage thought when the bot filed it (None for tickets a person opened): its
    # probability for the filed category, the likeliest other category, and the other problems
    # the complaint names (triage.Triage.secondary). A low confidence flags a ticket that may be
    # in the wrong queue.
    triage_confidence: Mapped[float | None] = mapped_column(Float)
    triage_runner_up: Mapped[Category | None] = mapped_column(
        enum_type(Category, "triage_runner_up")
    )
    secondary_categories: Mapped[list[str]] = mapped_column(
        JSON, default=list, server_default=text("'[]'")
    )
    priority: Mapped[Priority] = mapped_column(
        enum_type(Priority, "priority"), default=Priority.NORMAL
    )
    status: Mapped[Status] = mapped_column(enum_type(Status, "status"), default=Status.NEW)
    channel: Mapped[Channel] = mapped_column(enum_type(Channel, "channel"))
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
    # When the running next-response clock started (the customer's message), for its elapsed time.
    next_response_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
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
    tag_rows: Mapped[list[TicketTag]] = relationship(
        order_by="TicketTag.tag", cascade="all, delete-orphan"
    )
    # Whether each SLA deadline was met (ticketing/sla/verdicts.py), in the order decided.
    sla_verdicts: Mapped[list[SlaVerdict]] = relationship(order_by="SlaVerdict.id", viewonly=True)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012

    @property
    def tags(self) -> list[str]:
        return [row.tag for row in self.tag_rows]

    @property
    def number(self) -> str:
        """The human ticket number, e.g. T-000123 (derived from the id, never stored twice)."""
        return format_ticket_number(self.id)

    def __repr__(self) -> str:
        return f"Ticket(id={self.id!r}, status={self.status!r}, priority={self.priority!r})"


class TicketTag(Base):
    """A free word on a ticket ("refund", "双11"), for queues and reports to filter by."""

    __tablename__ = "ticket_tags"

    ticket_id: Mapped[int] = mapped_column(
        ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True
    )
    tag: Mapped[str] = mapped_column(String(40), primary_key=True, index=True)

    def __repr__(self) -> str:
        return f"TicketTag(ticket_id={self.ticket_id!r}, tag={self.tag!r})"


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
    kind: Mapped[EventKind] = mapped_column(enum_type(EventKind, "event_kind"))
    actor_kind: Mapped[ActorKind] = mapped_column(enum_type(ActorKind, "actor_kind"))
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
    __table_args__ = (
        Index("ix_messages_conversation_id_id", "conversation_id", "id"),
        # The retention sweep's index: chat messages not yet anonymised, oldest first.
        Index(
            "ix_messages_unerased_created_at",
            "created_at",
            sqlite_where=text("erased_at IS NULL"),
            postgresql_where=text("erased_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"), index=True)
    conversation_id: Mapped[str | None] = mapped_column(String(128))
    kind: Mapped[MessageKind] = mapped_column(enum_type(MessageKind, "message_kind"))
    author_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # What a chat channel shows beside the text: the bot's buttons ([{"title", "payload"}]),
    # an image URL. None for plain text.
    data: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # When the body was anonymised (erasure on request, or the retention period ran out).
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    ticket: Mapped[Ticket | None] = relationship(back_populates="messages")
    author: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        # Message bodies are personal data: never in reprs or logs.
        return f"Message(id={self.id!r}, ticket_id={self.ticket_id!r}, kind={self.kind!r})"


@event.listens_for(Session, "before_flush")
def _history_is_append_only(session: Session, _context: Any, _instances: Any) -> None:
    for obj in (*session.dirty, *session.deleted):
        if isinstance(obj, TicketEvent) and (obj in session.deleted or session.is_modified(obj)):
            raise ValueError("ticket history is append-only")
