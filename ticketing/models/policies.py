"""SLA policies (targets per priority and tier) and the business calendars they count in."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ticketing.models.base import Base, enum_type
from ticketing.models.enums import Priority, Tier


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
    priority: Mapped[Priority] = mapped_column(enum_type(Priority, "priority"))
    tier: Mapped[Tier] = mapped_column(enum_type(Tier, "tier"))
    first_response_minutes: Mapped[int] = mapped_column(Integer)
    next_response_minutes: Mapped[int | None] = mapped_column(Integer)
    resolution_minutes: Mapped[int] = mapped_column(Integer)
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

    calendar: Mapped[BusinessCalendar | None] = relationship()

    def __repr__(self) -> str:
        return f"SlaPolicy(id={self.id!r}, priority={self.priority!r}, tier={self.tier!r})"
