"""The audit trail: who did what to whom, when and from where, outside any one ticket's history.

Sign-ins, failed sign-ins and lockouts, changes to users, teams, calendars and policies, exports
and reads of a customer's full profile. Rows are only ever added.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ticketing.clock import utcnow
from ticketing.models.base import Base, UTCDateTime


class AuditEntry(Base):
    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # The desk user who acted (None: the system, the command line or an unknown caller).
    actor_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    # Who, as a name kept even if the user goes: a username, "system", "cli" or what was typed.
    actor_name: Mapped[str] = mapped_column(String(64))
    # What: a dotted verb such as "auth.login_failed", "user.update", "customer.export".
    action: Mapped[str] = mapped_column(String(64), index=True)
    # To what: a kind ("user", "team", "customer", "calendar"...) and its id or name.
    target_type: Mapped[str] = mapped_column(String(32), default="")
    target_id: Mapped[str] = mapped_column(String(64), default="")
    # From where: the client's address as the web server saw it (None from the command line).
    address: Mapped[str | None] = mapped_column(String(64))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    def __repr__(self) -> str:
        return f"AuditEntry(id={self.id!r}, action={self.action!r})"
