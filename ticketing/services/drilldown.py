"""Drill-down: the tickets behind a report's figure, as ticket-list filters.

Each dashboard figure counts tickets one way (a stored SLA verdict, the day of creation, a
survey answer, a handed-off chat); these filters find the same tickets, so a click on a figure
lists exactly what it counted. Visibility is applied on top by the list, as for any filter.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, or_, select

from ticketing.errors import InvalidInput
from ticketing.models import (
    OPEN_STATUSES,
    Conversation,
    Customer,
    SlaMetric,
    SlaVerdict,
    SurveyResponse,
    Ticket,
    Tier,
)


@dataclass(frozen=True)
class DrillDown:
    """The report-shaped filters of a ticket list; None leaves a filter out."""

    sla_breached: SlaMetric | None = None  # a deadline of this metric was missed
    sla_met: SlaMetric | None = None  # a deadline of this metric was met
    sla: SlaMetric | None = None  # a deadline of this metric was decided, met or missed
    created_from: datetime | None = None  # created at or after
    created_to: datetime | None = None  # created before
    tier: Tier | None = None  # the customer's tier
    rated: bool | None = None  # the customer answered a satisfaction survey (or not)
    handed_off: bool | None = None  # the ticket's chat was handed from the bot to a person
    open: bool | None = None  # unresolved now (the backlog), or resolved or closed

    def __post_init__(self) -> None:
        for name in ("created_from", "created_to"):
            value = getattr(self, name)
            if value is not None and value.tzinfo is None:
                raise InvalidInput(f"{name} needs a UTC offset, e.g. +08:00", field=name)
        if self.created_from and self.created_to and self.created_to < self.created_from:
            raise InvalidInput("created_to must not be before created_from", field="created_to")


def _verdict(metric: SlaMetric, breached: bool | None) -> ColumnElement[bool]:
    found = select(SlaVerdict.id).where(
        SlaVerdict.ticket_id == Ticket.id, SlaVerdict.metric == metric
    )
    if breached is not None:
        found = found.where(SlaVerdict.breached.is_(breached))
    return found.exists()


def conditions(drill: DrillDown) -> list[ColumnElement[bool]]:
    """The SQL conditions on `Ticket` for `drill`."""
    found: list[ColumnElement[bool]] = []
    for metric, breached in (
        (drill.sla_breached, True),
        (drill.sla_met, False),
        (drill.sla, None),
    ):
        if metric is not None:
            found.append(_verdict(metric, breached))
    if drill.created_from is not None:
        found.append(Ticket.created_at >= drill.created_from)
    if drill.created_to is not None:
        found.append(Ticket.created_at < drill.created_to)
    if drill.tier is not None:
        found.append(Ticket.customer_id.in_(select(Customer.id).where(Customer.tier == drill.tier)))
    if drill.rated is not None:
        answered = select(SurveyResponse.id).where(SurveyResponse.ticket_id == Ticket.id).exists()
        found.append(answered if drill.rated else ~answered)
    if drill.handed_off is not None:
        handed = (
            select(Conversation.id)
            .where(
                Conversation.id == Ticket.conversation_id,
                or_(Conversation.handed_off_at.is_not(None), Conversation.agent_id.is_not(None)),
            )
            .exists()
        )
        found.append(handed if drill.handed_off else ~handed)
    if drill.open is not None:
        unresolved = Ticket.status.in_(OPEN_STATUSES)
        found.append(unresolved if drill.open else ~unresolved)
    return found
