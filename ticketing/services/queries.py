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
from sqlalchemy.orm import InstrumentedAttribute, Session, selectinload

from ticketing import sla
from ticketing.errors import InvalidInput
from ticketing.models import (
    Category,
    Channel,
    Priority,
    Severity,
    Status,
    Ticket,
    TicketTag,
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
    # Any of these tags (normalised by services.tags).
    tag: Sequence[str] = ()
    extra: list[ColumnElement[bool]] = field(default_factory=list)


SORTS = ("newest", "oldest", "due")


def escape_like(term: str) -> str:
    """`term` with LIKE's wildcards escaped (use with `escape="\\"`)."""
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _like(term: str) -> str:
    return f"%{escape_like(term)}%"


# Each list filter and the column it matches any of.
_IN_FILTERS: tuple[tuple[str, InstrumentedAttribute[Any]], ...] = (
    ("status", Ticket.status),
    ("priority", Ticket.priority),
    ("category", Ticket.category),
    ("severity", Ticket.severity),
    ("channel", Ticket.channel),
)
# Each single-value filter and the column it must equal (when given).
_EQUAL_FILTERS: tuple[tuple[str, InstrumentedAttribute[Any]], ...] = (
    ("team_id", Ticket.team_id),
    ("assignee_id", Ticket.assignee_id),
    ("customer_id", Ticket.customer_id),
    ("conversation_id", Ticket.conversation_id),
)


def ticket_conditions(filters: TicketFilters, now: datetime) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = list(filters.extra)
    for name, column in _IN_FILTERS:
        if values := getattr(filters, name):
            conditions.append(column.in_(values))
    for name, column in _EQUAL_FILTERS:
        if (value := getattr(filters, name)) is not None:
            conditions.append(column == value)
    if filters.unassigned:
        conditions.append(Ticket.assignee_id.is_(None))
    if filters.due_before is not None:
        conditions.append(Ticket.next_deadline_at <= filters.due_before)
    if filters.breached is not None:
        breached = sla.breached_condition(now)
        conditions.append(breached if filters.breached else ~breached)
    if filters.tag:
        tagged = select(TicketTag.ticket_id).where(
            TicketTag.ticket_id == Ticket.id, TicketTag.tag.in_(filters.tag)
        )
        conditions.append(tagged.exists())
    conditions.extend(_search(term) for term in (filters.q or "").split())
    return conditions


def _search(term: str) -> ColumnElement[bool]:
    """One search word: in the subject, description or order number, or a ticket's number."""
    number = parse_ticket_number(term) if term.upper().startswith("T") else None
    pattern = _like(term)
    matches: list[ColumnElement[bool]] = [
        Ticket.subject.ilike(pattern, escape="\\"),
        Ticket.description.ilike(pattern, escape="\\"),
        Ticket.order_number.ilike(pattern, escape="\\"),
    ]
    if number is not None and number < 2**31:  # a bigger one is no ticket's
        matches.append(Ticket.id == number)
    return or_(*matches)


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


_ORDER = {
    "newest": (Ticket.created_at.desc(), Ticket.id.desc()),
    "oldest": (Ticket.created_at.asc(), Ticket.id.asc()),
    # Tickets without a running deadline come last.
    "due": (Ticket.next_deadline_at.is_(None), Ticket.next_deadline_at.asc(), Ticket.id.asc()),
}


def _invalid_cursor() -> InvalidInput:
    return InvalidInput("cursor is not valid", field="cursor")


def _parse_cursor(cursor: str) -> tuple[datetime | None, int]:
    """The sort value and id of the last row a page showed, checked."""
    raw_at, raw_id = decode_cursor(cursor)
    try:
        last_at = datetime.fromisoformat(raw_at) if raw_at is not None else None
        # The store turns it into UTC: a time too near year 1 or 9999 must fail here instead.
        if last_at is not None and last_at.tzinfo is not None:
            last_at.astimezone(UTC)
    except (TypeError, ValueError, OverflowError) as exc:
        raise _invalid_cursor() from exc
    if last_at is not None and last_at.tzinfo is None:
        raise _invalid_cursor()
    # Ids are 32-bit in the database; SQLite cannot even bind a bigger integer.
    if type(raw_id) is not int or not 0 <= raw_id < 2**31:
        raise _invalid_cursor()
    return last_at, raw_id


def _after(sort: str, last_at: datetime | None, last_id: int) -> ColumnElement[bool]:
    """The rows that come after (last_at, last_id) in `sort` order."""
    if sort == "due":
        if last_at is None:
            return and_(Ticket.next_deadline_at.is_(None), Ticket.id > last_id)
        return or_(
            Ticket.next_deadline_at > last_at,
            and_(Ticket.next_deadline_at == last_at, Ticket.id > last_id),
            Ticket.next_deadline_at.is_(None),
        )
    if last_at is None:
        raise _invalid_cursor()
    if sort == "newest":
        return or_(
            Ticket.created_at < last_at, and_(Ticket.created_at == last_at, Ticket.id < last_id)
        )
    return or_(Ticket.created_at > last_at, and_(Ticket.created_at == last_at, Ticket.id > last_id))


def _apply_keyset(stmt: Select[Ticket], sort: str, cursor: str | None) -> Select[Ticket]:
    stmt = stmt.order_by(*_ORDER[sort])
    if cursor is None:
        return stmt
    return stmt.where(_after(sort, *_parse_cursor(cursor)))


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
    stmt = stmt.options(
        selectinload(Ticket.assignee), selectinload(Ticket.team), selectinload(Ticket.tag_rows)
    ).limit(limit + 1)
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
