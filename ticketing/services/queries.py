"""Finding tickets: filters, search, sorting and keyset paging."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import Session, selectinload

from ticketing import sla
from ticketing.errors import InvalidInput
from ticketing.models import (
    Category,
    Channel,
    Priority,
    Severity,
    Status,
    Ticket,
    User,
    parse_ticket_number,
)
from ticketing.services.access import visible_to
from ticketing.services.validation import at_or_now


@dataclass
class TicketFilters:
    status: Sequence[Status] = ()
    priority: Sequence[Priority] = ()
    category: Sequence[Category] = ()
    severity: Sequence[Severity] = ()
    channel: Sequence[Channel] = ()
    team_id: int | None = None
    assignee_id: int | None = None
    unassigned: bool = False
    customer_id: int | None = None
    conversation_id: str | None = None
    breached: bool | None = None
    due_before: datetime | None = None
    q: str | None = None
    extra: list[ColumnElement[bool]] = field(default_factory=list)


SORTS = ("newest", "oldest", "due")


def _like(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def ticket_conditions(filters: TicketFilters, now: datetime) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = list(filters.extra)
    if filters.status:
        conditions.append(Ticket.status.in_(filters.status))
    if filters.priority:
        conditions.append(Ticket.priority.in_(filters.priority))
    if filters.category:
        conditions.append(Ticket.category.in_(filters.category))
    if filters.severity:
        conditions.append(Ticket.severity.in_(filters.severity))
    if filters.channel:
        conditions.append(Ticket.channel.in_(filters.channel))
    if filters.team_id is not None:
        conditions.append(Ticket.team_id == filters.team_id)
    if filters.assignee_id is not None:
        conditions.append(Ticket.assignee_id == filters.assignee_id)
    if filters.unassigned:
        conditions.append(Ticket.assignee_id.is_(None))
    if filters.customer_id is not None:
        conditions.append(Ticket.customer_id == filters.customer_id)
    if filters.conversation_id is not None:
        conditions.append(Ticket.conversation_id == filters.conversation_id)
    if filters.due_before is not None:
        conditions.append(Ticket.next_deadline_at <= filters.due_before)
    if filters.breached is not None:
        breached = sla.breached_condition(now)
        conditions.append(breached if filters.breached else ~breached)
    for term in (filters.q or "").split():
        number = parse_ticket_number(term) if term.upper().startswith("T") else None
        pattern = _like(term)
        matches: list[ColumnElement[bool]] = [
            Ticket.subject.ilike(pattern, escape="\\"),
            Ticket.description.ilike(pattern, escape="\\"),
            Ticket.order_number.ilike(pattern, escape="\\"),
        ]
        if number is not None and number < 2**31:  # a bigger one is no ticket's
            matches.append(Ticket.id == number)
        conditions.append(or_(*matches))
    return conditions


def encode_cursor(values: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise InvalidInput("cursor is not valid", field="cursor") from exc
    if not isinstance(values, list) or len(values) != 2:
        raise InvalidInput("cursor is not valid", field="cursor")
    return values


def _cursor_values(ticket: Ticket, sort: str) -> list[Any]:
    if sort == "due":
        due = ticket.next_deadline_at
        return [due.isoformat() if due else None, ticket.id]
    return [ticket.created_at.isoformat(), ticket.id]


def _apply_keyset(stmt: Select[Ticket], sort: str, cursor: str | None) -> Select[Ticket]:
    if sort == "newest":
        stmt = stmt.order_by(Ticket.created_at.desc(), Ticket.id.desc())
    elif sort == "oldest":
        stmt = stmt.order_by(Ticket.created_at.asc(), Ticket.id.asc())
    else:
        # Tickets without a running deadline come last.
        stmt = stmt.order_by(
            Ticket.next_deadline_at.is_(None), Ticket.next_deadline_at.asc(), Ticket.id.asc()
        )
    if cursor is None:
        return stmt
    raw_at, raw_id = decode_cursor(cursor)
    try:
        last_at = datetime.fromisoformat(raw_at) if raw_at is not None else None
        # The store turns it into UTC: a time too near year 1 or 9999 must fail here instead.
        if last_at is not None and last_at.tzinfo is not None:
            last_at.astimezone(UTC)
    except (TypeError, ValueError, OverflowError) as exc:
        raise InvalidInput("cursor is not valid", field="cursor") from exc
    if last_at is not None and last_at.tzinfo is None:
        raise InvalidInput("cursor is not valid", field="cursor")
    # Ids are 32-bit in the database; SQLite cannot even bind a bigger integer.
    if type(raw_id) is not int or not 0 <= raw_id < 2**31:
        raise InvalidInput("cursor is not valid", field="cursor")
    last_id = raw_id
    if sort == "newest":
        if last_at is None:
            raise InvalidInput("cursor is not valid", field="cursor")
        return stmt.where(
            or_(
                Ticket.created_at < last_at, and_(Ticket.created_at == last_at, Ticket.id < last_id)
            )
        )
    if sort == "oldest":
        if last_at is None:
            raise InvalidInput("cursor is not valid", field="cursor")
        return stmt.where(
            or_(
                Ticket.created_at > last_at, and_(Ticket.created_at == last_at, Ticket.id > last_id)
            )
        )
    if last_at is None:
        return stmt.where(Ticket.next_deadline_at.is_(None), Ticket.id > last_id)
    return stmt.where(
        or_(
            Ticket.next_deadline_at > last_at,
            and_(Ticket.next_deadline_at == last_at, Ticket.id > last_id),
            Ticket.next_deadline_at.is_(None),
        )
    )


@dataclass
class TicketPage:
    tickets: list[Ticket]
    next_cursor: str | None
    count: int


def list_tickets(
    session: Session,
    user: User,
    filters: TicketFilters,
    *,
    sort: str = "newest",
    cursor: str | None = None,
    limit: int = 50,
    now: datetime | None = None,
) -> TicketPage:
    """One page of the tickets `user` may see, newest first (or oldest, or most urgent)."""
    if sort not in SORTS:
        raise InvalidInput(f"sort must be one of {', '.join(SORTS)}", field="sort")
    if not 1 <= limit <= 200:
        raise InvalidInput("limit must be between 1 and 200", field="limit")
    conditions = [visible_to(user), *ticket_conditions(filters, at_or_now(now))]
    count = session.scalar(select(func.count()).select_from(Ticket).where(*conditions)) or 0
    stmt = _apply_keyset(select(Ticket).where(*conditions), sort, cursor)
    stmt = stmt.options(selectinload(Ticket.assignee), selectinload(Ticket.team)).limit(limit + 1)
    rows = list(session.scalars(stmt))
    next_cursor = (
        encode_cursor(_cursor_values(rows[limit - 1], sort)) if len(rows) > limit else None
    )
    return TicketPage(tickets=rows[:limit], next_cursor=next_cursor, count=count)


def due_tickets(
    session: Session, until: datetime, *, after: datetime | None = None, limit: int = 1000
) -> list[Ticket]:
    """Tickets with a running deadline at or before `until` (and after `after`), earliest first,
    read from the deadline index."""
    stmt = select(Ticket).where(Ticket.next_deadline_at <= until)
    if after is not None:
        stmt = stmt.where(Ticket.next_deadline_at > after)
    return list(session.scalars(stmt.order_by(Ticket.next_deadline_at).limit(limit)))
