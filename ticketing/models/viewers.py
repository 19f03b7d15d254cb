"""Who has a ticket open in the console right now, and who is typing a reply on it: rows each
console refreshes every few seconds, so every web process sees the same."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from ticketing.models.base import Base, UTCDateTime


class TicketViewer(Base):
    __tablename__ = "ticket_viewers"

    ticket_id: Mapped[int] = mapped_column(
        ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    typing_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"TicketViewer(ticket_id={self.ticket_id!r}, user_id={self.user_id!r})"
