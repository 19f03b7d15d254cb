"""What the SLA worker records (warnings and breaches) and the notifications desk users see."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
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


class SlaVerdict(Base):
    """Whether one SLA deadline was met: decided once, by the reply, the resolution or the
    worker's breach, whichever comes first, and never changed after; the worker, the ticket
    view and every report read it.

    `clock` is the deadline's instance, keyed as `SlaEvent.clock`. The times are filled in when
    the clock stops (`stopped_at`; a deadline the worker breached keeps running until then):
    `business_seconds` is the business time the SLA clock counted (pauses left out, in the
    policy's calendar), `elapsed_seconds` the wall-clock time from its start to its stop.
    """

    __tablename__ = "sla_verdicts"
    __table_args__ = (
        UniqueConstraint("ticket_id", "metric", "clock", name="uq_sla_verdicts_once"),
        Index("ix_sla_verdicts_decided_at", "decided_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    metric: Mapped[SlaMetric] = mapped_column(enum_type(SlaMetric, "sla_metric"))
    clock: Mapped[str] = mapped_column(String(32))
    breached: Mapped[bool] = mapped_column(Boolean)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The ticket's priority when the verdict was decided.
    priority: Mapped[Priority] = mapped_column(enum_type(Priority, "priority"))
    # The ticket's assignee when the verdict was decided: whose verdict it is in the per-agent
    # reports (None: unassigned then). Verdicts older than migration 0150 have the assignee the
    # ticket had at the upgrade.
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    stopped_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    stopped_by: Mapped[str | None] = mapped_column(String(16))  # "reply" or "resolution"
    business_seconds: Mapped[int | None] = mapped_column(Integer)
    elapsed_seconds: Mapped[int | None] = mapped_column(Integer)

    def __repr__(self) -> str:
        return (
            f"SlaVerdict(ticket_id={self.ticket_id!r}, metric={self.metric!r}, "
            f"clock={self.clock!r}, breached={self.breached!r})"
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
