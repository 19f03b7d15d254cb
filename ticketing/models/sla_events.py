"""What the SLA worker records (warnings and breaches) and the notifications desk users see."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ticketing.clock import utcnow
from ticketing.models.base import Base, UTCDateTime, enum_type
from ticketing.models.enums import NotificationKind, Priority, SlaEventKind, SlaMetric
from ticketing.models.tickets import Ticket


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
    metric: Mapped[SlaMetric] = mapped_column(enum_type(SlaMetric, "sla_metric"))
    kind: Mapped[SlaEventKind] = mapped_column(enum_type(SlaEventKind, "sla_event_kind"))
    clock: Mapped[str] = mapped_column(String(32))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    priority: Mapped[Priority] = mapped_column(enum_type(Priority, "priority"))
    escalated: Mapped[bool] = mapped_column(Boolean, default=False)

    ticket: Mapped[Ticket] = relationship()

    def __repr__(self) -> str:
        return (
            f"SlaEvent(id={self.id!r}, ticket_id={self.ticket_id!r}, metric={self.metric!r}, "
            f"kind={self.kind!r})"
        )


class Notification(Base):
    """Something a desk user should see in the console; `dedupe_key` makes sending idempotent."""

    __tablename__ = "notifications"
    __table_args__ = (
        UniqueConstraint("user_id", "dedupe_key", name="uq_notifications_user_dedupe"),
        Index("ix_notifications_user_id_id", "user_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[NotificationKind] = mapped_column(enum_type(NotificationKind, "notification_kind"))
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    dedupe_key: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"Notification(id={self.id!r}, user_id={self.user_id!r}, kind={self.kind!r})"
