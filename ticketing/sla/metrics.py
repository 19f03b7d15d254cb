"""The SLA metrics, in one table: each clock's deadline, when it counts as met, and its target.

Everything that walks a ticket's clocks reads this table (the checkpoints the worker warns and
breaches at, the overdue test in Python and in SQL, the console's clocks), so a new metric is one
entry here plus its rule in `ticketing.sla.clock`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Column, Table

from ticketing.models import SlaMetric, Ticket

_TICKETS = cast(Table, Ticket.__table__)


@dataclass(frozen=True)
class Metric:
    """One SLA clock of a ticket."""

    metric: SlaMetric
    # The deadline: a field of `SlaState` and the ticket column of the same name.
    due: str
    # The ticket column set when the clock is met once and for all; None for a clock that runs
    # again after it is met (next response starts anew with each customer message).
    met: str | None
    # The field of `Targets` giving its business time.
    target: str

    def due_at(self, holder: Any) -> datetime | None:
        """The deadline on a ticket or an `SlaState`."""
        value: datetime | None = getattr(holder, self.due)
        return value

    def met_at(self, ticket: Ticket) -> datetime | None:
        return getattr(ticket, self.met) if self.met is not None else None

    def target_of(self, targets: Any) -> timedelta | None:
        value: timedelta | None = getattr(targets, self.target)
        return value

    @property
    def due_column(self) -> Column[datetime]:
        return _TICKETS.c[self.due]

    @property
    def met_column(self) -> Column[datetime] | None:
        return _TICKETS.c[self.met] if self.met is not None else None


METRICS: tuple[Metric, ...] = (
    Metric(
        SlaMetric.FIRST_RESPONSE, "first_response_due_at", "first_responded_at", "first_response"
    ),
    Metric(SlaMetric.NEXT_RESPONSE, "next_response_due_at", None, "next_response"),
    Metric(SlaMetric.RESOLUTION, "resolution_due_at", "resolved_at", "resolution"),
)
