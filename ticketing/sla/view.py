"""A ticket's SLA clocks as a person reads them: due, met, overdue, or at risk of a breach."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ticketing.models import SlaEventKind, SlaMetric, Ticket
from ticketing.sla.checkpoints import checkpoints
from ticketing.sla.metrics import METRICS
from ticketing.sla.overdue import sla_breaches
from ticketing.sla.policy import calendar_of, targets_of
from ticketing.sla.ticket_state import state_of


@dataclass(frozen=True)
class ClockView:
    metric: SlaMetric
    due_at: datetime | None  # None once met
    warn_at: datetime | None  # when the worker warns, None once met
    met_at: datetime | None
    breached: bool
    at_risk: bool  # running, not yet overdue, past its warning point


def warning_points(ticket: Ticket) -> dict[SlaMetric, datetime]:
    """When the worker warns on each running clock of the ticket."""
    policy = ticket.sla_policy
    if policy is None:
        return {}
    try:
        points = checkpoints(
            state_of(ticket),
            targets_of(policy),
            calendar_of(policy.calendar),
            policy.warning_percent,
        )
    except ValueError:  # a calendar with no opening hours: no warning point to show
        return {}
    return {p.metric: p.at for p in points if p.kind is SlaEventKind.WARNING}


def clocks(ticket: Ticket, now: datetime) -> list[ClockView]:
    """The ticket's SLA clocks with their warning points, as the worker would warn; clocks
    that never ran are left out."""
    warn_at = warning_points(ticket)
    breached = sla_breaches(ticket, now)
    running = ticket.sla_paused_at is None
    result = []
    for metric in METRICS:
        due, met = metric.due_at(ticket), metric.met_at(ticket)
        if due is None and met is None:
            continue
        warn = warn_at.get(metric.metric)
        late = breached[metric.metric]
        result.append(
            ClockView(
                metric=metric.metric,
                due_at=due if met is None else None,
                warn_at=warn if met is None else None,
                met_at=met,
                breached=late,
                at_risk=bool(running and met is None and not late and warn and warn <= now),
            )
        )
    return result
