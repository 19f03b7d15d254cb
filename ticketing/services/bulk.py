"""Bulk work from a queue: one action on many tickets, each ticket on its own.

Every ticket is checked and changed as the one-ticket action would (same permission rules, same
history row), inside a savepoint: a ticket that is refused (not visible, not allowed, a move its
status does not allow) is reported with the reason and left untouched, and the others are done.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from ticketing.errors import Conflict, InvalidInput, NotFound, PermissionDenied, TicketingError
from ticketing.models import Priority, Status, Ticket, User
from ticketing.services import tags as ticket_tags
from ticketing.services.access import access_ticket
from ticketing.services.history import Actor
from ticketing.services.status import change_status
from ticketing.services.tickets import assign_ticket, triage_ticket
from ticketing.services.validation import at_or_now

BULK_MAX = 100


class BulkAction(enum.StrEnum):
    ASSIGN = "assign"
    STATUS = "status"
    PRIORITY = "priority"
    ADD_TAG = "add_tag"
    REMOVE_TAG = "remove_tag"


@dataclass(frozen=True)
class BulkChange:
    """What to do: `action` and its value (`assignee` for assign, which may be None to
    unassign; `status`, `priority` or `tag` for the others)."""

    action: BulkAction
    assignee: User | None = None
    status: Status | None = None
    priority: Priority | None = None
    tag: str | None = None


@dataclass(frozen=True)
class BulkOutcome:
    number: str
    ok: bool
    error: str | None = None
    status_code: int = 200


def _status_code(exc: Exception) -> int:
    """The status the one-ticket route would have answered with."""
    if isinstance(exc, NotFound):
        return 404
    if isinstance(exc, PermissionDenied):
        return 403
    if isinstance(exc, Conflict | StaleDataError):
        return 409
    return 422


def _operation(change: BulkChange, actor: Actor) -> Callable[[Session, Ticket, datetime], object]:
    """The one-ticket service call `change` stands for; refuses a change missing its value."""
    action = change.action
    if action is BulkAction.ASSIGN:
        return lambda s, t, at: assign_ticket(s, t, change.assignee, actor, at=at)
    if action is BulkAction.STATUS and change.status is not None:
        status = change.status
        return lambda s, t, at: change_status(s, t, status, actor, at=at)
    if action is BulkAction.PRIORITY and change.priority is not None:
        priority = change.priority
        return lambda s, t, at: triage_ticket(s, t, actor, priority=priority, at=at)
    if action in (BulkAction.ADD_TAG, BulkAction.REMOVE_TAG) and change.tag is not None:
        tag = ticket_tags.normalize_tag(change.tag)
        key = "add" if action is BulkAction.ADD_TAG else "remove"
        return lambda s, t, at: ticket_tags.change_tags(s, t, actor, at=at, **{key: [tag]})
    raise InvalidInput(f"{action.value} needs a value", field=_value_field(action))


def _value_field(action: BulkAction) -> str:
    return {"status": "status", "priority": "priority"}.get(action.value, "tag")


def apply_bulk(
    session: Session,
    user: User,
    numbers: Sequence[str],
    change: BulkChange,
    *,
    at: datetime | None = None,
) -> list[BulkOutcome]:
    """Apply `change` to each ticket of `numbers` as `user`; one outcome per number, in order."""
    if not numbers:
        raise InvalidInput("choose at least one ticket", field="numbers")
    if len(numbers) > BULK_MAX:
        raise InvalidInput(f"at most {BULK_MAX} tickets at once", field="numbers")
    at = at_or_now(at)
    operation = _operation(change, Actor.of(user))
    outcomes: list[BulkOutcome] = []
    for number in dict.fromkeys(numbers):
        try:
            with session.begin_nested():
                ticket = access_ticket(session, user, number)
                operation(session, ticket, at)
                session.flush()
        except StaleDataError as exc:
            message = f"{number} was changed by someone else; try again"
            outcomes.append(BulkOutcome(number, False, message, _status_code(exc)))
        except TicketingError as exc:
            outcomes.append(BulkOutcome(number, False, exc.message, _status_code(exc)))
        else:
            outcomes.append(BulkOutcome(ticket.number, True))
    return outcomes
