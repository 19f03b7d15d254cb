"""After a case: follow-up visits (回访), the customer's survey answers and call-back tasks."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ticketing.clock import utcnow
from ticketing.models.base import Base, UTCDateTime, enum_type
from ticketing.models.enums import CallbackOutcome, CallbackReason, CallbackStatus, FollowUpStatus
from ticketing.models.people import Customer
from ticketing.models.tickets import Ticket


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
        enum_type(FollowUpStatus, "follow_up_status"), default=FollowUpStatus.SCHEDULED
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


class CallbackTask(Base):
    """A call an agent should make: a follow-up the bot could not do, or a care visit."""

    __tablename__ = "callback_tasks"
    __table_args__ = (
        UniqueConstraint("dedupe_key", name="uq_callback_tasks_dedupe_key"),
        Index("ix_callback_tasks_status_due_at", "status", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(120))
    reason: Mapped[CallbackReason] = mapped_column(enum_type(CallbackReason, "callback_reason"))
    status: Mapped[CallbackStatus] = mapped_column(
        enum_type(CallbackStatus, "callback_status"), default=CallbackStatus.OPEN
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
        enum_type(CallbackOutcome, "callback_outcome")
    )
    outcome_note: Mapped[str] = mapped_column(Text, default="")
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    customer: Mapped[Customer | None] = relationship()
    ticket: Mapped[Ticket | None] = relationship()

    def __repr__(self) -> str:
        return f"CallbackTask(id={self.id!r}, reason={self.reason!r}, status={self.status!r})"
