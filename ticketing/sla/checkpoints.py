"""When to look at a ticket's SLA clocks next: warning instants and deadlines, as pure functions.

The worker reads `tickets.next_sla_check_at` from its index; `ticketing.sla.policy.set_state`
sets it from `next_check_at` whenever it sets the SLA state, so a restart or a second worker loses
nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ticketing.models import SlaEventKind, SlaMetric
from ticketing.sla.calendar import Calendar, subtract_business_time
from ticketing.sla.clock import SlaState, Targets
from ticketing.sla.metrics import METRICS

DEFAULT_WARNING_PERCENT = 75


@dataclass(frozen=True)
class Checkpoint:
    """One instant at which a clock warns or breaches."""

    metric: SlaMetric
    kind: SlaEventKind
    at: datetime  # when the warning or the breach falls due
    due_at: datetime  # the clock's deadline


def checkpoints(
    state: SlaState,
    targets: Targets | None,
    calendar: Calendar | None,
    warning_percent: int = DEFAULT_WARNING_PERCENT,
) -> list[Checkpoint]:
    """The warnings and breaches of the running clocks, earliest first. While paused only the
    breaches of clocks that paused after their due time: they are overdue however long the
    pause, and the worker must say so whenever it looks."""
    if targets is None:
        return []
    found: list[Checkpoint] = []
    for metric in METRICS:
        due = metric.due_at(state)
        if due is None or (state.paused_at is not None and due >= state.paused_at):
            continue
        found.append(Checkpoint(metric.metric, SlaEventKind.BREACH, due, due))
        if state.paused_at is not None:
            continue
        target = metric.target_of(targets)
        if target and 0 < warning_percent < 100:
            left = target * (100 - warning_percent) / 100
            warn_at = subtract_business_time(calendar, due, left)
            if warn_at < due:
                found.append(Checkpoint(metric.metric, SlaEventKind.WARNING, warn_at, due))
    return sorted(found, key=lambda c: (c.at, c.kind != SlaEventKind.WARNING))


def next_check_at(
    state: SlaState,
    targets: Targets | None,
    calendar: Calendar | None,
    warning_percent: int = DEFAULT_WARNING_PERCENT,
    *,
    after: datetime | None = None,
) -> datetime | None:
    """The earliest checkpoint (after `after`, when given); None when no clock runs."""
    return min(
        (
            c.at
            for c in checkpoints(state, targets, calendar, warning_percent)
            if after is None or c.at > after
        ),
        default=None,
    )
