"""Writing and reading the audit trail (`AuditEntry`): one call per thing worth answering for.

`record` adds a row in the caller's transaction, so an audited change and its row commit or roll
back together. Never put secrets (passwords, tokens) or message bodies in `before`/`after`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ticketing.clock import utcnow
from ticketing.models import AuditEntry, User

SYSTEM = "system"
CLI = "cli"


@dataclass(frozen=True)
class AuditFilters:
    action: str | None = None
    actor_user_id: int | None = None
    target_type: str | None = None
    target_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def record(
    session: Session,
    action: str,
    *,
    actor: User | str | None,
    target_type: str = "",
    target_id: object = "",
    address: str | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> AuditEntry:
    """Append one audit row: `actor` is the desk user, or a name ("cli", "system", a username
    that was tried); `address` the client's address when the action came over the web."""
    user = actor if isinstance(actor, User) else None
    name = actor.username if isinstance(actor, User) else (actor or SYSTEM)
    row = AuditEntry(
        created_at=at or utcnow(),
        actor_user_id=user.id if user else None,
        actor_name=name[:64],
        action=action,
        target_type=target_type,
        target_id=str(target_id)[:64],
        address=address[:64] if address else None,
        before=before,
        after=after,
    )
    session.add(row)
    session.flush()
    return row


def list_entries(
    session: Session, filters: AuditFilters, *, limit: int = 50, before_id: int | None = None
) -> Sequence[AuditEntry]:
    """The newest entries matching `filters`, newest first; `before_id` pages back."""
    stmt = select(AuditEntry)
    conditions = {
        AuditEntry.action: filters.action,
        AuditEntry.actor_user_id: filters.actor_user_id,
        AuditEntry.target_type: filters.target_type,
        AuditEntry.target_id: filters.target_id,
    }
    for column, value in conditions.items():
        if value is not None:
            stmt = stmt.where(column == value)
    if filters.since is not None:
        stmt = stmt.where(AuditEntry.created_at >= filters.since)
    if filters.until is not None:
        stmt = stmt.where(AuditEntry.created_at < filters.until)
    if before_id is not None:
        stmt = stmt.where(AuditEntry.id < before_id)
    return session.scalars(stmt.order_by(AuditEntry.id.desc()).limit(limit)).all()
