"""Console notifications for desk users: who gets told, writing them once, reading them."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ticketing.models import Notification, NotificationKind, Role, User


def supervisors_of(session: Session, team_id: int | None) -> list[User]:
    """The active supervisors of a team; all active supervisors when it has none (or no team)."""
    base = select(User).where(User.role == Role.SUPERVISOR, User.is_active.is_(True))
    if team_id is not None:
        found = list(session.scalars(base.where(User.team_id == team_id).order_by(User.id)))
        if found:
            return found
    return list(session.scalars(base.order_by(User.id)))


def notify(
    session: Session,
    users: Iterable[User | int],
    kind: NotificationKind,
    *,
    at: datetime,
    ticket_id: int | None = None,
    customer_id: int | None = None,
    dedupe_key: str | None = None,
    check_told: bool = True,
    **data: Any,
) -> list[Notification]:
    """Tell each user once: with a `dedupe_key`, a user who was told already is not told again
    (`check_told=False` when the caller knows the key is new; the unique key still guards)."""
    user_ids = sorted({u if isinstance(u, int) else u.id for u in users})
    if dedupe_key is not None and user_ids and check_told:
        told = set(
            session.scalars(
                select(Notification.user_id).where(
                    Notification.dedupe_key == dedupe_key, Notification.user_id.in_(user_ids)
                )
            )
        )
        user_ids = [u for u in user_ids if u not in told]
    rows = [
        Notification(
            user_id=user_id,
            kind=kind,
            ticket_id=ticket_id,
            customer_id=customer_id,
            data=data,
            dedupe_key=dedupe_key,
            created_at=at,
        )
        for user_id in user_ids
    ]
    session.add_all(rows)
    return rows


def list_notifications(
    session: Session,
    user: User,
    *,
    unread_only: bool = False,
    before_id: int | None = None,
    limit: int = 50,
) -> list[Notification]:
    """A user's notifications, newest first (keyset pagination on the id)."""
    stmt = select(Notification).where(Notification.user_id == user.id)
    if unread_only:
        stmt = stmt.where(Notification.read_at.is_(None))
    if before_id is not None:
        stmt = stmt.where(Notification.id < before_id)
    return list(session.scalars(stmt.order_by(Notification.id.desc()).limit(limit)))


def mark_read(session: Session, user: User, ids: Iterable[int], at: datetime) -> int:
    """Mark some of the user's own notifications read; returns how many changed."""
    result = session.execute(
        update(Notification)
        .where(
            Notification.user_id == user.id,
            Notification.id.in_(list(ids)),
            Notification.read_at.is_(None),
        )
        .values(read_at=at)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]
