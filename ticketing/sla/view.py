"""A ticket's SLA clocks as a person reads them: due, met, overdue, or at risk of a breach."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ticketing.models import SlaEventKind, SlaMetric, SlaVerdict, Ticket
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
    breached: bool  # overdue now, or its verdict says missed
    at_risk: bool  # running, not yet overdue, past its warning point
    # The stored verdict of the metric's latest deadline: "met", "missed", or None (undecided).
    verdict: str | None = None
    business_minutes: float | None = None  # the time it took, once stopped
    elapsed_minutes: float | None = None


def warning_points(ticket: Ticket) -> dict[SlaMetric, datetime]:
    """When the worker warns on each running clock of the ticket."""
    policy = ticket.sla_policy
    if policy is None:
        return {}
    points = checkpoints(
        state_of(ticket),
        targets_of(policy),
        calendar_of(policy.calendar),
        policy.warning_percent,
    )
    return {p.metric: p.at for p in points if p.kind is SlaEventKind.WARNING}


def _minutes(seconds: int | None) -> float | None:
    return None if seconds is None else round(seconds / 60, 1)


def _latest_verdicts(ticket: Ticket) -> dict[SlaMetric, SlaVerdict]:
    return {v.metric: v for v in ticket.sla_verdicts}  # in the order decided: the last wins


def clocks(ticket: Ticket, now: datetime) -> list[ClockView]:
    """The ticket's SLA clocks with their warning points, as the worker would warn, and the
    stored verdict of each metric's latest deadline; clocks that never ran are left out."""
    warn_at = warning_points(ticket)
    overdue = sla_breaches(ticket, now)
    verdicts = _latest_verdicts(ticket)
    running = ticket.sla_paused_at is None
    result = []
    for metric in METRICS:
        due = metric.due_at(ticket)
        verdict = verdicts.get(metric.metric)
        if due is not None and verdict is not None and verdict.stopped_at is not None:
            verdict = None  # a new deadline of this metric runs, not yet decided
        met = metric.met_at(ticket) or (verdict.stopped_at if verdict else None)
        if due is None and met is None and verdict is None:
            continue
        warn = warn_at.get(metric.metric)
        late = overdue[metric.metric] or bool(verdict and verdict.breached)
        result.append(
            ClockView(
                metric=metric.metric,
                due_at=due if met is None else None,
                warn_at=warn if met is None else None,
                met_at=met,
                breached=late,
                at_risk=bool(running and met is None and not late and warn and warn <= now),
                verdict=None if verdict is None else ("missed" if verdict.breached else "met"),
                business_minutes=_minutes(verdict.business_seconds) if verdict else None,
                elapsed_minutes=_minutes(verdict.elapsed_seconds) if verdict else None,
            )
        )
    return result
