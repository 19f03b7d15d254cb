"""The drill-down query parameters, shared by the ticket list and the console's queues: the
dashboard links each figure to the tickets behind it with these (services/drilldown.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Query

from ticketing.api.schemas import Id
from ticketing.models import Category, Channel, Priority, Severity, SlaMetric, Tier
from ticketing.services.drilldown import DrillDown
from ticketing.services.queries import TicketFilters


def drilldown_query(
    sla_breached: Annotated[
        SlaMetric | None, Query(description="a deadline of this metric was missed")
    ] = None,
    sla_met: Annotated[
        SlaMetric | None, Query(description="a deadline of this metric was met")
    ] = None,
    sla: Annotated[
        SlaMetric | None, Query(description="a deadline of this metric was decided")
    ] = None,
    created_from: Annotated[
        datetime | None, Query(description="created at or after (ISO, with offset)")
    ] = None,
    created_to: Annotated[
        datetime | None, Query(description="created before (ISO, with offset)")
    ] = None,
    tier: Annotated[Tier | None, Query(description="the customer's tier")] = None,
    rated: Annotated[bool | None, Query(description="a satisfaction survey was answered")] = None,
    handed_off: Annotated[
        bool | None, Query(description="the chat was handed from the bot to a person")
    ] = None,
    open: Annotated[bool | None, Query(description="unresolved now (the backlog)")] = None,
) -> DrillDown:
    return DrillDown(
        sla_breached=sla_breached,
        sla_met=sla_met,
        sla=sla,
        created_from=created_from,
        created_to=created_to,
        tier=tier,
        rated=rated,
        handed_off=handed_off,
        open=open,
    )


DrillDownDep = Annotated[DrillDown, Depends(drilldown_query)]


@dataclass(frozen=True)
class Slices:
    """The dashboard's slices, for the console's list (the ticket list has them already)."""

    team_id: int | None = None
    assignee_id: int | None = None
    category: Category | None = None
    severity: Severity | None = None
    priority: Priority | None = None
    channel: Channel | None = None

    def apply(self, filters: TicketFilters) -> None:
        """Narrow `filters` by every slice given (a queue's own team stays if none is)."""
        if self.team_id is not None:
            filters.team_id = self.team_id
        if self.assignee_id is not None:
            filters.assignee_id = self.assignee_id
        for name in ("category", "severity", "priority", "channel"):
            if (value := getattr(self, name)) is not None:
                setattr(filters, name, [value])


def slices_query(
    team_id: Id | None = None,
    assignee_id: Id | None = None,
    category: Category | None = None,
    severity: Severity | None = None,
    priority: Priority | None = None,
    channel: Channel | None = None,
) -> Slices:
    return Slices(team_id, assignee_id, category, severity, priority, channel)


SlicesDep = Annotated[Slices, Depends(slices_query)]
