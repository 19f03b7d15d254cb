"""The weekly digest: one row per supervisor and week, written by the worker."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ticketing.clock import utcnow
from ticketing.models.base import Base, UTCDateTime


class WeeklyDigest(Base):
    """A supervisor's Monday summary of the week before: the figures as the reports gave them
    when the worker wrote it (so it reads the same later), rendered in the reader's language.

    Unique per supervisor and week: several workers may try, the database keeps one row.
    `week_start` is the Monday (in the supervisor's time zone) it is for; the period is the
    seven local days before it, [period_start, period_end).
    """

    __tablename__ = "weekly_digests"
    __table_args__ = (UniqueConstraint("user_id", "week_start", name="uq_weekly_digests_week"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    week_start: Mapped[date] = mapped_column(Date)
    timezone: Mapped[str] = mapped_column(String(64))
    period_start: Mapped[datetime] = mapped_column(UTCDateTime)
    period_end: Mapped[datetime] = mapped_column(UTCDateTime)
    generated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # {report name: {"columns": [...], "rows": [[...], ...]}}
    figures: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    def __repr__(self) -> str:
        return f"WeeklyDigest(id={self.id!r}, user_id={self.user_id!r}, week={self.week_start!r})"
