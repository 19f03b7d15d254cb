"""SLA policies as admins edit them: targets per priority and customer tier, counted in business
time (a calendar) or calendar time (none); every change audited, and a change to the targets
queues the re-targeting of the open tickets the policy governs."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ticketing.errors import Conflict, InvalidInput, NotFound
from ticketing.models import BusinessCalendar, Priority, SlaPolicy, Ticket, Tier
from ticketing.services.settings_audit import Editor, check_version
from ticketing.sla.recompute import enqueue

NAME_MAX = 120
TARGET_MAX = 366 * 24 * 60  # a year, in minutes


@dataclass(frozen=True)
class PolicyFields:
    """A policy as an admin gives it. Targets are minutes, None where the clock does not run;
    `calendar_id` None counts calendar (elapsed) time."""

    name: str
    priority: Priority
    tier: Tier
    first_response_minutes: int | None
    next_response_minutes: int | None
    resolution_minutes: int | None
    calendar_id: int | None
    warning_percent: int = 75


def snapshot(row: SlaPolicy) -> dict[str, Any]:
    return {
        "name": row.name,
        "priority": row.priority.value,
        "tier": row.tier.value,
        "first_response_minutes": row.first_response_minutes,
        "next_response_minutes": row.next_response_minutes,
        "resolution_minutes": row.resolution_minutes,
        "calendar_id": row.calendar_id,
        "warning_percent": row.warning_percent,
        "version": row.version,
    }


def _checked(session: Session, fields: PolicyFields, row_id: int | None) -> dict[str, Any]:
    name = fields.name.strip()
    if not name or len(name) > NAME_MAX:
        raise InvalidInput(f"name must be 1 to {NAME_MAX} characters", field="name")
    for target in ("first_response_minutes", "next_response_minutes", "resolution_minutes"):
        minutes = getattr(fields, target)
        if minutes is not None and not 0 < minutes <= TARGET_MAX:
            raise InvalidInput(
                f"{target} must be more than 0 and at most {TARGET_MAX} minutes", field=target
            )
    if not 0 <= fields.warning_percent <= 100:
        raise InvalidInput("warning_percent must be 0 to 100", field="warning_percent")
    if fields.calendar_id is not None and session.get(BusinessCalendar, fields.calendar_id) is None:
        raise InvalidInput(f"no calendar {fields.calendar_id}", field="calendar_id")
    same_cell = session.scalar(
        select(SlaPolicy.id).where(
            SlaPolicy.priority == fields.priority, SlaPolicy.tier == fields.tier
        )
    )
    if same_cell is not None and same_cell != row_id:
        raise Conflict(
            f"the {fields.priority.value} / {fields.tier.value} policy exists already "
            f"(id {same_cell}): edit that one",
            field="priority",
        )
    return {**asdict(fields), "name": name}


def get_policy(session: Session, policy_id: int) -> SlaPolicy:
    row = session.get(SlaPolicy, policy_id)
    if row is None:
        raise NotFound(f"no SLA policy {policy_id}")
    return row


def list_policies(session: Session) -> list[SlaPolicy]:
    return list(session.scalars(select(SlaPolicy).order_by(SlaPolicy.tier, SlaPolicy.priority)))


def create_policy(session: Session, editor: Editor, fields: PolicyFields) -> SlaPolicy:
    row = SlaPolicy(**_checked(session, fields, None))
    session.add(row)
    session.flush()
    editor.record(session, "sla_policy.create", "sla_policy", row.id, after=snapshot(row))
    # Open tickets of its priority may have had no policy, or the regular tier's.
    enqueue(session, reason="sla_policy.create", priority=row.priority)
    return row


def update_policy(
    session: Session, editor: Editor, policy_id: int, fields: PolicyFields, *, version: int | None
) -> SlaPolicy:
    """Replace the policy's settings; `version` is the one the editor loaded (409 if stale)."""
    row = get_policy(session, policy_id)
    check_version(f"SLA policy {row.name}", row.version, version)
    values = _checked(session, fields, row.id)
    before = snapshot(row)
    for key, value in values.items():
        setattr(row, key, value)
    session.flush()
    after = snapshot(row)
    if after != before:
        editor.record(
            session, "sla_policy.update", "sla_policy", row.id, before=before, after=after
        )
    if {**after, "name": "", "version": 0} != {**before, "name": "", "version": 0}:
        enqueue(session, reason="sla_policy.update", policy_id=row.id)
        if (after["priority"], after["tier"]) != (before["priority"], before["tier"]):
            enqueue(session, reason="sla_policy.update", priority=row.priority)
    return row


def delete_policy(session: Session, editor: Editor, policy_id: int, *, version: int | None) -> None:
    row = get_policy(session, policy_id)
    check_version(f"SLA policy {row.name}", row.version, version)
    used = session.scalar(select(func.count(Ticket.id)).where(Ticket.sla_policy_id == policy_id))
    if used:
        raise Conflict(f"SLA policy {row.name} governs {used} tickets; change its targets instead")
    editor.record(session, "sla_policy.delete", "sla_policy", row.id, before=snapshot(row))
    session.delete(row)
    session.flush()
