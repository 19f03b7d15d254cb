"""Triage corrections: tickets the bot filed whose category a person changed afterwards.

The ticket history has them already: the bot's `created` event names the category it filed,
and each `triaged` event by a desk user (agent, supervisor or admin) with a `category` entry
records a change. A ticket counts as corrected when the category people left it with differs
from the one it was filed with (changed and changed back is no correction). These are labelled
examples for the classifier (`ticketing.triage_corrections`) and the measure of where it
guesses badly (the `triage_corrections` report).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from ticketing.models import ActorKind, Category, EventKind, Ticket, TicketEvent


@dataclass(frozen=True)
class FiledByBot:
    """A ticket the bot filed, with the category it filed and what people left it as."""

    ticket: Ticket
    filed_as: Category
    corrected_to: Category | None  # None: nobody changed it, or changed it back

    @property
    def corrected(self) -> bool:
        return self.corrected_to is not None


def filed_by_bot(
    session: Session, conditions: Sequence[ColumnElement[bool]] = ()
) -> list[FiledByBot]:
    """Every ticket the bot filed (matching `conditions` on Ticket), oldest first."""
    created = session.execute(
        select(Ticket, TicketEvent.data)
        .join(TicketEvent, TicketEvent.ticket_id == Ticket.id)
        .where(
            TicketEvent.kind == EventKind.CREATED,
            TicketEvent.actor_kind == ActorKind.BOT,
            *conditions,
        )
        .order_by(Ticket.id)
    ).all()
    if not created:
        return []
    final = _people_categories(session, [ticket.id for ticket, _ in created])
    result = []
    for ticket, data in created:
        filed_as = Category(data.get("category", ticket.category.value))
        now = final.get(ticket.id)
        result.append(FiledByBot(ticket, filed_as, now if now not in (None, filed_as) else None))
    return result


def _people_categories(session: Session, ticket_ids: list[int]) -> dict[int, Category]:
    """The last category a desk user set on each ticket that has one."""
    latest: dict[int, Category] = {}
    for start in range(0, len(ticket_ids), 500):
        rows = session.execute(
            select(TicketEvent.ticket_id, TicketEvent.data)
            .where(
                TicketEvent.ticket_id.in_(ticket_ids[start : start + 500]),
                TicketEvent.kind == EventKind.TRIAGED,
                TicketEvent.actor_kind == ActorKind.AGENT,
            )
            .order_by(TicketEvent.id)
        )
        for ticket_id, data in rows:
            change = data.get("category")
            if isinstance(change, list) and len(change) == 2:
                latest[ticket_id] = Category(change[1])
    return latest


def corrections(session: Session, *, since: datetime | None = None) -> list[FiledByBot]:
    """The corrected tickets among those the bot filed (created at or after `since`)."""
    conditions = [Ticket.created_at >= since] if since is not None else []
    return [row for row in filed_by_bot(session, conditions) if row.corrected]
