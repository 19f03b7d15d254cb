"""Business calendars as admins edit them: validated by `sla.Calendar`, audited, and a change
to their hours queues the re-targeting of the open tickets counted in them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ticketing.errors import Conflict, InvalidInput, NotFound
from ticketing.models import BusinessCalendar, SlaPolicy
from ticketing.services.settings_audit import Editor, check_version
from ticketing.sla.calendar import Calendar, CalendarError
from ticketing.sla.official import with_official_year
from ticketing.sla.recompute import enqueue

NAME_MAX = 80
DAYS_MAX = 1000  # holidays or overrides in one calendar: decades of them


@dataclass(frozen=True)
class CalendarFields:
    """A calendar as an admin gives it, in JSON form."""

    name: str
    timezone: str
    periods: Mapping[str, Sequence[Sequence[str]]]
    holidays: Sequence[str] = ()
    overrides: Mapping[str, Sequence[Sequence[str]]] = field(default_factory=dict)
    always_open: bool = False


def snapshot(row: BusinessCalendar) -> dict[str, Any]:
    """The calendar as the audit trail and the API show it."""
    return {
        "name": row.name,
        "timezone": row.timezone,
        "always_open": row.always_open,
        "periods": row.periods,
        "holidays": row.holidays,
        "overrides": row.overrides,
        "version": row.version,
    }


def _checked(session: Session, fields: CalendarFields, row_id: int | None) -> dict[str, Any]:
    """The column values for `fields`, or InvalidInput naming the field at fault."""
    name = fields.name.strip()
    if not name or len(name) > NAME_MAX:
        raise InvalidInput(f"name must be 1 to {NAME_MAX} characters", field="name")
    same_name = session.scalar(select(BusinessCalendar.id).where(BusinessCalendar.name == name))
    if same_name is not None and same_name != row_id:
        raise Conflict(f"a calendar named {name} exists already", field="name")
    for what in ("holidays", "overrides"):
        if len(getattr(fields, what)) > DAYS_MAX:
            raise InvalidInput(f"{what} can list at most {DAYS_MAX} days", field=what)
    try:
        calendar = Calendar.from_config(
            fields.timezone, fields.periods, fields.holidays, fields.always_open, fields.overrides
        )
    except CalendarError as exc:
        raise InvalidInput(str(exc), field=exc.field) from None
    config = calendar.to_config()
    return {"name": name, **config}


def get_calendar(session: Session, calendar_id: int) -> BusinessCalendar:
    row = session.get(BusinessCalendar, calendar_id)
    if row is None:
        raise NotFound(f"no calendar {calendar_id}")
    return row


def list_calendars(session: Session) -> list[BusinessCalendar]:
    return list(session.scalars(select(BusinessCalendar).order_by(BusinessCalendar.name)))


def create_calendar(session: Session, editor: Editor, fields: CalendarFields) -> BusinessCalendar:
    row = BusinessCalendar(**_checked(session, fields, None))
    session.add(row)
    session.flush()
    editor.record(session, "calendar.create", "calendar", row.id, after=snapshot(row))
    return row


def _hours(values: dict[str, Any]) -> dict[str, Any]:
    """What business time depends on: everything but the name and the version."""
    return {k: v for k, v in values.items() if k not in ("name", "version")}


def _save(
    session: Session, editor: Editor, row: BusinessCalendar, values: dict[str, Any], action: str
) -> BusinessCalendar:
    before = snapshot(row)
    for key, value in values.items():
        setattr(row, key, value)
    session.flush()
    after = snapshot(row)
    if after != before:
        editor.record(session, action, "calendar", row.id, before=before, after=after)
    if _hours(after) != _hours(before):
        enqueue(session, reason=action, calendar_id=row.id)
    return row


def update_calendar(
    session: Session,
    editor: Editor,
    calendar_id: int,
    fields: CalendarFields,
    *,
    version: int | None,
) -> BusinessCalendar:
    """Replace the calendar's settings; `version` is the one the editor loaded (409 if stale)."""
    row = get_calendar(session, calendar_id)
    check_version(f"calendar {row.name}", row.version, version)
    return _save(session, editor, row, _checked(session, fields, row.id), "calendar.update")


def import_official_year(
    session: Session, editor: Editor, calendar_id: int, year: int, *, version: int | None
) -> BusinessCalendar:
    """Add China's official days off and make-up days of `year` (422 for a year without data)."""
    row = get_calendar(session, calendar_id)
    check_version(f"calendar {row.name}", row.version, version)
    try:
        merged = with_official_year(
            Calendar.from_config(row.timezone, row.periods, row.holidays, False, row.overrides),
            year,
        )
    except CalendarError as exc:
        raise InvalidInput(str(exc), field=exc.field) from None
    config = merged.to_config()
    values = {"holidays": config["holidays"], "overrides": config["overrides"]}
    return _save(session, editor, row, values, "calendar.import_official")


def delete_calendar(
    session: Session, editor: Editor, calendar_id: int, *, version: int | None
) -> None:
    row = get_calendar(session, calendar_id)
    check_version(f"calendar {row.name}", row.version, version)
    used = session.scalar(
        select(func.count(SlaPolicy.id)).where(SlaPolicy.calendar_id == calendar_id)
    )
    if used:
        raise Conflict(
            f"calendar {row.name} is used by {used} SLA policies; give them another calendar first"
        )
    editor.record(session, "calendar.delete", "calendar", row.id, before=snapshot(row))
    session.delete(row)
    session.flush()
