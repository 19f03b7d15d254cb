"""Whether a desk user is working now, and how much they can take: what auto-assignment reads."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ticketing.models.base import Base, UTCDateTime

# Capacity until a supervisor sets one: live chats and open tickets at once.
DEFAULT_MAX_CHATS = 3
DEFAULT_MAX_TICKETS = 20


class AgentPresence(Base):
    __tablename__ = "agent_presence"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    # What the agent chose: online, away or offline (services/presence.py: a console silent
    # for a few minutes counts as offline whatever this says).
    status: Mapped[str] = mapped_column(String(8), default="offline", server_default="offline")
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Capacity, set by a supervisor: live chats and open tickets at once.
    max_chats: Mapped[int] = mapped_column(
        Integer, default=DEFAULT_MAX_CHATS, server_default=str(DEFAULT_MAX_CHATS)
    )
    max_tickets: Mapped[int] = mapped_column(
        Integer, default=DEFAULT_MAX_TICKETS, server_default=str(DEFAULT_MAX_TICKETS)
    )
    # Round-robin among equally loaded agents: the one assigned longest ago goes first.
    last_assigned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"AgentPresence(user_id={self.user_id!r}, status={self.status!r})"
