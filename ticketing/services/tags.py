"""Tags: free words on tickets ("refund", "双11", "vip-follow-up") that queues and reports filter
by. A tag is one short word or phrase of letters, digits, spaces, `-`, `_`, `.` or `#`; Latin
letters are kept lower-case so "Refund" and "refund" are one tag."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ticketing.errors import InvalidInput
from ticketing.models import EventKind, Ticket, TicketTag, User
from ticketing.services.access import visible_to
from ticketing.services.history import Actor, log_event
from ticketing.services.queries import escape_like
from ticketing.services.validation import at_or_now

TAG_MAX = 40
TAGS_PER_TICKET = 20
# Word characters of any script (CJK included), and a few joiners; no markup, no controls.
_TAG = re.compile(r"^[\w][\w .#-]*$")


def normalize_tag(raw: str) -> str:
    """The stored form of a tag, or InvalidInput naming `tags`."""
    tag = " ".join(raw.split()).lower()
    if not tag:
        raise InvalidInput("a tag must not be empty", field="tags")
    if len(tag) > TAG_MAX:
        raise InvalidInput(f"a tag is at most {TAG_MAX} characters", field="tags")
    if not _TAG.match(tag):
        raise InvalidInput("a tag may hold letters, digits, spaces and - _ . # only", field="tags")
    return tag


def normalize_tags(raw: Iterable[str]) -> list[str]:
    """Distinct normalised tags, in the order given."""
    return list(dict.fromkeys(normalize_tag(t) for t in raw))


def change_tags(
    session: Session,
    ticket: Ticket,
    actor: Actor,
    *,
    add: Sequence[str] = (),
    remove: Sequence[str] = (),
    at: datetime | None = None,
) -> list[str]:
    """Add and remove tags on `ticket` (the caller has checked it may see it); one history row
    when anything changed. Returns the ticket's tags."""
    at = at_or_now(at)
    adding, removing = normalize_tags(add), set(normalize_tags(remove))
    before = ticket.tags
    after = [t for t in dict.fromkeys([*before, *adding]) if t not in removing]
    if len(after) > TAGS_PER_TICKET:
        raise InvalidInput(f"a ticket has at most {TAGS_PER_TICKET} tags", field="tags")
    if sorted(after) == before:
        return before
    ticket.tag_rows = [row for row in ticket.tag_rows if row.tag in after] + [
        TicketTag(tag=t) for t in after if t not in before
    ]
    ticket.updated_at = at
    log_event(session, ticket, EventKind.TRIAGED, actor, at, tags=[before, sorted(after)])
    session.flush()
    session.refresh(ticket, ["tag_rows"])
    return ticket.tags


def suggest_tags(
    session: Session, user: User, prefix: str = "", *, limit: int = 20
) -> list[tuple[str, int]]:
    """Tags in use on the tickets `user` may see (their team's, for an agent), most used first,
    starting with `prefix` when one is given: the console's suggestions."""
    stmt = (
        select(TicketTag.tag, func.count().label("uses"))
        .join(Ticket, Ticket.id == TicketTag.ticket_id)
        .where(visible_to(user))
        .group_by(TicketTag.tag)
        .order_by(func.count().desc(), TicketTag.tag)
        .limit(limit)
    )
    if prefix := " ".join(prefix.split()).lower():
        stmt = stmt.where(TicketTag.tag.like(f"{escape_like(prefix)}%", escape="\\"))
    return [(tag, uses) for tag, uses in session.execute(stmt)]
