"""The drill-down query parameters, shared by the ticket list and the console's queues: the
dashboard links each figure to the tickets behind it with these (services/drilldown.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import Depends, Query

from ticketing.models import SlaMetric, Tier
from ticketing.services.drilldown import DrillDown


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
    )


DrillDownDep = Annotated[DrillDown, Depends(drilldown_query)]
