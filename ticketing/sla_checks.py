"""When to look at a ticket's SLA clocks next: warning instants and deadlines, as pure functions.

The worker reads `tickets.next_sla_check_at` from its index; the service layer sets it from
`next_check_at` whenever it sets the SLA state, so a restart or a second worker loses nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from ticketing import sla
from ticketing.models import SlaEventKind, SlaMetric

DEFAULT_WARNING_PERCENT = 75
_ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class Checkpoint:
    """One instant at which a clock warns or breaches."""

    metric: SlaMetric
    kind: SlaEventKind
    at: datetime  # when the warning or the breach falls due
    due_at: datetime  # the clock's deadline


def subtract_business_time(
    calendar: sla.Calendar | None, end: datetime, duration: timedelta
) -> datetime:
    """The earliest instant from which only `duration` of business time is left until `end`.

    The inverse of `sla.add_business_time`: from an instant inside a closed stretch before the
    answer, the same business time remains, so the earliest one (a period's close) is taken.
    """
    finish = end.astimezone(UTC)
    if duration < timedelta(0):
        raise ValueError(f"duration must not be negative, got {duration}")
    if calendar is None or calendar.always_open:
        return finish - duration
    if not any(calendar.periods.values()):
        raise ValueError(f"calendar in {calendar.timezone} has no opening periods")
    if not duration:
        return finish
    remaining = duration
    day = finish.astimezone(calendar.zone).date() + _ONE_DAY
    while True:
        for opens, closes in reversed(calendar._open_intervals(day)):
            if opens >= finish:
                continue
            counted_to = min(closes, finish)
            if not remaining:
                return counted_to
            available = counted_to - opens
            if remaining < available:
                return counted_to - remaining
            remaining -= available
        day -= _ONE_DAY


def checkpoints(
    state: sla.SlaState,
    targets: sla.Targets | None,
    calendar: sla.Calendar | None,
    warning_percent: int = DEFAULT_WARNING_PERCENT,
) -> list[Checkpoint]:
    """The warnings and breaches of the running clocks, earliest first; none while paused."""
    if state.paused_at is not None or targets is None:
        return []
    found: list[Checkpoint] = []
    clocks = (
        (SlaMetric.FIRST_RESPONSE, state.first_response_due_at, targets.first_response),
        (SlaMetric.NEXT_RESPONSE, state.next_response_due_at, targets.next_response),
        (SlaMetric.RESOLUTION, state.resolution_due_at, targets.resolution),
    )
    for metric, due, target in clocks:
        if due is None:
            continue
        found.append(Checkpoint(metric, SlaEventKind.BREACH, due, due))
        if target and 0 < warning_percent < 100:
            left = target * (100 - warning_percent) / 100
            warn_at = subtract_business_time(calendar, due, left)
            if warn_at < due:
                found.append(Checkpoint(metric, SlaEventKind.WARNING, warn_at, due))
    return sorted(found, key=lambda c: (c.at, c.kind != SlaEventKind.WARNING))


def next_check_at(
    state: sla.SlaState,
    targets: sla.Targets | None,
    calendar: sla.Calendar | None,
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
