"""Choosing a ticket's SLA policy, and the targets and calendar that policy stands for."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ticketing.models import BusinessCalendar, Priority, SlaPolicy, Tier
from ticketing.sla.calendar import Calendar
from ticketing.sla.clock import Targets


def calendar_of(row: BusinessCalendar | None) -> Calendar | None:
    if row is None:
        return None
    if row.always_open:
        return Calendar.twenty_four_seven(row.timezone)
    return Calendar.from_config(row.timezone, row.periods, row.holidays, overrides=row.overrides)


def _minutes(value: int | None) -> timedelta | None:
    return None if value is None else timedelta(minutes=value)


def targets_of(policy: SlaPolicy) -> Targets:
    return Targets(
        first_response=_minutes(policy.first_response_minutes),
        next_response=_minutes(policy.next_response_minutes),
        resolution=_minutes(policy.resolution_minutes),
        next_response_before_first_reply=bool(policy.next_response_before_first_reply),
    )


def find_policy(session: Session, priority: Priority, tier: Tier) -> SlaPolicy | None:
    """The SLA policy for a priority and customer tier (falling back to the regular tier)."""
    policies = session.scalars(
        select(SlaPolicy).where(
            SlaPolicy.priority == priority, SlaPolicy.tier.in_([tier, Tier.REGULAR])
        )
    ).all()
    by_tier = {p.tier: p for p in policies}
    return by_tier.get(tier) or by_tier.get(Tier.REGULAR)
