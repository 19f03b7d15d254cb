"""The agent console's queues: what each one holds, and how many tickets each holds now."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from ticketing import callbacks
from ticketing.errors import NotFound
from ticketing.models import (
    OPEN_STATUSES,
    CallbackStatus,
    CallbackTask,
    Notification,
    Status,
    Ticket,
    User,
)
from ticketing.services.access import is_supervisor, visible_to
from ticketing.services.queries import TicketFilters, ticket_conditions

Queue = Literal["mine", "team", "unassigned", "breaching", "escalations", "all"]
Sort = Literal["newest", "oldest", "due"]

# "Breaching soon": a running deadline within this time, or already past.
BREACHING_WITHIN = timedelta(hours=1)
# Every queue, in the console's order, with the order its rows come in unless asked otherwise.
DEFAULT_SORT: dict[Queue, Sort] = {
    "mine": "due",
    "team": "due",
    "unassigned": "oldest",
    "breaching": "due",
    "escalations": "oldest",
    # Every ticket the user may see: the dashboard's drill-down lists (not counted).
    "all": "newest",
}
# The queues the console's sidebar counts.
COUNTED: tuple[Queue, ...] = ("mine", "team", "unassigned", "breaching", "escalations")


def queue_filters(queue: str, user: User, now: datetime) -> TicketFilters:
    """What each console queue holds, for `user` (visibility is applied on top)."""
    if queue == "mine":
        return TicketFilters(status=OPEN_STATUSES, assignee_id=user.id)
    if queue == "team":
        # A supervisor with no team sees every team's work here.
        return TicketFilters(status=OPEN_STATUSES, team_id=user.team_id)
    if queue == "unassigned":
        return TicketFilters(status=OPEN_STATUSES, unassigned=True)
    if queue == "breaching":
        return TicketFilters(status=(Status.NEW, Status.OPEN), due_before=now + BREACHING_WITHIN)
    if queue == "escalations":
        extra: list[ColumnElement[bool]] = [Ticket.escalated_at.is_not(None)]
        if not is_supervisor(user):
            extra.append(
                Ticket.team_id == user.team_id if user.team_id else Ticket.team_id.is_(None)
            )
        return TicketFilters(status=OPEN_STATUSES, unassigned=True, extra=extra)
    if queue == "all":
        return TicketFilters()
    raise NotFound(f"no queue {queue}")


@dataclass(frozen=True)
class Counts:
    """What waits for a user: tickets per queue, open call-backs, unread notifications."""

    queues: dict[Queue, int]
    callbacks: int
    notifications_unread: int


def count_tickets(session: Session, user: User, filters: TicketFilters, now: datetime) -> int:
    """How many tickets `user` may see match `filters`."""
    conditions = [visible_to(user), *ticket_conditions(filters, now)]
    return session.scalar(select(func.count()).select_from(Ticket).where(*conditions)) or 0


def counts(session: Session, user: User, now: datetime) -> Counts:
    """How many tickets each queue holds for `user`, with their open call-backs and unread
    notifications."""
    queues = {
        name: count_tickets(session, user, queue_filters(name, user, now), now) for name in COUNTED
    }
    callbacks_open = session.scalar(
        select(func.count())
        .select_from(CallbackTask)
        .where(CallbackTask.status == CallbackStatus.OPEN, callbacks.visible_to(user))
    )
    unread = session.scalar(
        select(func.count())
        .select_from(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
    )
    return Counts(queues, callbacks=callbacks_open or 0, notifications_unread=unread or 0)
