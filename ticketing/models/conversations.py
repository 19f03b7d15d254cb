"""Chat conversations (who is answering) and the outbox of messages waiting to leave the system."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ticketing.clock import utcnow
from ticketing.models.base import Base, UTCDateTime, enum_type
from ticketing.models.enums import Channel, ConversationState, OutboxStatus
from ticketing.models.people import Customer, User

if TYPE_CHECKING:
    from ticketing.models.tickets import Ticket


class Conversation(Base):
    """One customer conversation on one channel, and who is answering it."""

    __tablename__ = "conversations"
    __table_args__ = (Index("ix_conversations_state_last", "state", "last_message_at"),)

    # Channel-qualified id, e.g. "web:3f2a..." or "telegram:123456789"; also the Rasa sender id.
    id: Mapped[str] = mapped_column(String(128), primary_key=True)
    channel: Mapped[Channel] = mapped_column(enum_type(Channel, "channel"))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"), index=True)
    state: Mapped[ConversationState] = mapped_column(
        enum_type(ConversationState, "conversation_state"), default=ConversationState.BOT
    )
    language: Mapped[str] = mapped_column(String(8), default="zh")
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The ticket that owns the conversation: while it is open, the customer's messages go to it
    # and its assignee speaks for the desk here. A ticket opened while another is open (a desk
    # user's, a second complaint) names the conversation without taking it over.
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id", ondelete="SET NULL"))
    handed_off_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_message_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    customer: Mapped[Customer | None] = relationship()
    agent: Mapped[User | None] = relationship()
    ticket: Mapped[Ticket | None] = relationship()

    def __repr__(self) -> str:
        return f"Conversation(id={self.id!r}, state={self.state!r})"


class OutboxMessage(Base):
    """A message to send out of the system, written in the transaction that caused it and
    delivered after commit with retries: a channel being down loses nothing."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_status_next_attempt_at", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[str | None] = mapped_column(String(128), index=True)
    channel: Mapped[Channel] = mapped_column(enum_type(Channel, "channel"))
    kind: Mapped[str] = mapped_column(String(32))  # an OutboxKind
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[OutboxStatus] = mapped_column(
        enum_type(OutboxStatus, "outbox_status"), default=OutboxStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A deliverer claims a row by a conditional UPDATE to `sending`; if it dies mid-delivery,
    # another may take the row over once the lease has run out (bot/gateway/outbox.py).
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(64))

    def __repr__(self) -> str:
        return f"OutboxMessage(id={self.id!r}, kind={self.kind!r}, status={self.status!r})"


class ReceivedUpdate(Base):
    """An update a chat channel delivered, by the channel's own id for it (Telegram's
    `update_id`), kept in the transaction that stored its message: the same update delivered
    again (a webhook retried, a replay, polling after a crash) is known, even after a restart,
    and not stored twice (services.record_inbound_message). Kept a week by default
    (KEFU_RECEIVED_UPDATE_RETENTION_DAYS), far past Telegram's 24 hours of redelivery."""

    __tablename__ = "received_updates"
    # The worker deletes the old ones (personal_data.prune_received_updates).
    __table_args__ = (Index("ix_received_updates_received_at", "received_at"),)

    channel: Mapped[Channel] = mapped_column(enum_type(Channel, "channel"), primary_key=True)
    update_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"ReceivedUpdate(channel={self.channel!r}, update_id={self.update_id!r})"
