"""SLA policies (targets per priority and tier) and the business calendars they count in."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ticketing.clock import utcnow
from ticketing.models.base import Base, UTCDateTime, enum_type
from ticketing.models.enums import Priority, Tier


class BusinessCalendar(Base):
    """Opening hours in a time zone, holidays and working-day overrides (调休); the SLA clock
    counts time inside them (`ticketing.sla.calendar.Calendar` is its value form)."""

    __tablename__ = "business_calendars"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    timezone: Mapped[str] = mapped_column(String(64))
    always_open: Mapped[bool] = mapped_column(Boolean, default=False)
    # {"0": [["09:00", "12:00"], ["13:30", "18:00"]], ...}: weekday 0 is Monday
    periods: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    holidays: Mapped[list[str]] = mapped_column(JSON, default=list)  # ISO dates
    # Dates worked with their own hours, e.g. a Saturday before a holiday week:
    # {"2026-10-10": [["09:00", "18:00"]]}. Never also a holiday.
    overrides: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict, server_default="{}")
    # Optimistic locking: two admins editing one calendar at once, the second gets a 409.
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012

    def __repr__(self) -> str:
        return f"BusinessCalendar(id={self.id!r}, name={self.name!r})"


class SlaPolicy(Base):
    """Response and resolution targets for one priority and customer tier; a target left out
    (None) is a clock that does not run."""

    __tablename__ = "sla_policies"
    __table_args__ = (UniqueConstraint("priority", "tier", name="uq_sla_policies_priority_tier"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    priority: Mapped[Priority] = mapped_column(enum_type(Priority, "priority"))
    tier: Mapped[Tier] = mapped_column(enum_type(Tier, "tier"))
    first_response_minutes: Mapped[int | None] = mapped_column(Integer)
    next_response_minutes: Mapped[int | None] = mapped_column(Integer)
    resolution_minutes: Mapped[int | None] = mapped_column(Integer)
    # Zammad's way: the next-response clock also runs before the first reply (from the ticket's
    # creation and each customer message); off, it starts only once first response is met.
    next_response_before_first_reply: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
    # None: targets count in calendar (elapsed) time
    calendar_id: Mapped[int | None] = mapped_column(ForeignKey("business_calendars.id"))
    # The assignee is warned once this share of a target has passed (ticketing/sla/checkpoints.py).
    warning_percent: Mapped[int] = mapped_column(Integer, default=75, server_default="75")
    # Follow-up visits (回访) after resolution; major complaints get a second one.
    follow_up_minutes: Mapped[int] = mapped_column(Integer, default=24 * 60, server_default="1440")
    second_follow_up_minutes: Mapped[int | None] = mapped_column(
        Integer, default=7 * 24 * 60, server_default="10080"
    )

    # Optimistic locking: two admins editing one policy at once, the second gets a 409.
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1, server_default="1")

    calendar: Mapped[BusinessCalendar | None] = relationship()

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012

    def __repr__(self) -> str:
        return f"SlaPolicy(id={self.id!r}, priority={self.priority!r}, tier={self.tier!r})"


class SlaRecompute(Base):
    """Work for the worker: re-target the open tickets a changed policy or calendar governs.

    An admin's change adds one row in its own transaction; the worker walks the tickets in id
    order, a batch per transaction, keeping its place in `after_ticket_id`, so a restart loses
    nothing and repeats nothing. Exactly one of policy, calendar and priority says which tickets.
    """

    __tablename__ = "sla_recomputes"
    __table_args__ = (Index("ix_sla_recomputes_done_at_id", "done_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reason: Mapped[str] = mapped_column(String(64))  # the audit action that asked for it
    policy_id: Mapped[int | None] = mapped_column(ForeignKey("sla_policies.id", ondelete="CASCADE"))
    calendar_id: Mapped[int | None] = mapped_column(
        ForeignKey("business_calendars.id", ondelete="CASCADE")
    )
    # A new policy: the open tickets of its priority may now fall under it.
    priority: Mapped[Priority | None] = mapped_column(enum_type(Priority, "priority"))
    after_ticket_id: Mapped[int] = mapped_column(Integer, default=0)
    tickets: Mapped[int] = mapped_column(Integer, default=0)  # re-targeted so far
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"SlaRecompute(id={self.id!r}, reason={self.reason!r})"
