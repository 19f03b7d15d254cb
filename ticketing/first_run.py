"""`python -m ticketing init`: a desk of the shop's own, without demo data.

The first admin, a default business calendar (Asia/Shanghai, Monday to Friday 09:00-18:00, with
China's official holidays and make-up days of the current year when the library has them) and
default SLA targets for every priority, all of which the admin then changes in the settings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ticketing import accounts
from ticketing.audit import CLI
from ticketing.models import BusinessCalendar, Priority, Role, SlaPolicy, Tier, User
from ticketing.services import calendars, sla_policies
from ticketing.services.settings_audit import Editor
from ticketing.sla import official

DEFAULT_CALENDAR = "默认工作时间 Office hours"
TIMEZONE = "Asia/Shanghai"
OFFICE_HOURS = {str(day): [["09:00", "18:00"]] for day in range(5)}
# Business minutes: (first response, next response, resolution), for the regular tier; other
# tiers fall back to these until the admin gives them their own.
DEFAULT_TARGETS: dict[Priority, tuple[int, int, int]] = {
    Priority.URGENT: (30, 60, 4 * 60),
    Priority.HIGH: (60, 2 * 60, 9 * 60),
    Priority.NORMAL: (2 * 60, 4 * 60, 3 * 9 * 60),
    Priority.LOW: (4 * 60, 8 * 60, 5 * 9 * 60),
}
EDITOR = Editor(CLI)


@dataclass
class InitSummary:
    lines: list[str] = field(default_factory=list)


def has_admin(session: Session) -> bool:
    return session.scalar(select(func.count(User.id)).where(User.role == Role.ADMIN)) != 0


def create_admin(session: Session, username: str, password: str, summary: InitSummary) -> None:
    user = accounts.create_user(session, username, password, role=Role.ADMIN)
    EDITOR.record(
        session,
        "user.create",
        "user",
        user.id,
        after={"username": user.username, "role": user.role.value},
    )
    summary.lines.append(f"added admin {user.username}")


def default_calendar(session: Session, summary: InitSummary, today: date) -> BusinessCalendar:
    existing = session.scalars(select(BusinessCalendar).order_by(BusinessCalendar.id)).first()
    if existing is not None:
        summary.lines.append(f"calendar {existing.name} exists already: kept")
        return existing
    row = calendars.create_calendar(
        session,
        EDITOR,
        calendars.CalendarFields(name=DEFAULT_CALENDAR, timezone=TIMEZONE, periods=OFFICE_HOURS),
    )
    summary.lines.append(f"added calendar {row.name}: {TIMEZONE}, Monday-Friday 09:00-18:00")
    if today.year in official.covered_years():
        calendars.import_official_year(session, EDITOR, row.id, today.year, version=row.version)
        summary.lines.append(
            f"  with China's official holidays and make-up days of {today.year} ({official.SOURCE})"
        )
    return row


def default_policies(session: Session, calendar: BusinessCalendar, summary: InitSummary) -> None:
    if session.scalar(select(func.count(SlaPolicy.id))):
        summary.lines.append("SLA policies exist already: kept")
        return
    for priority, (first, following, resolution) in DEFAULT_TARGETS.items():
        sla_policies.create_policy(
            session,
            EDITOR,
            sla_policies.PolicyFields(
                name=f"默认 Default · {priority.value}",
                priority=priority,
                tier=Tier.REGULAR,
                first_response_minutes=first,
                next_response_minutes=following,
                resolution_minutes=resolution,
                calendar_id=calendar.id,
            ),
        )
    summary.lines.append(
        "added default SLA policies (business time): "
        + ", ".join(f"{p.value} first reply {t[0]} min" for p, t in DEFAULT_TARGETS.items())
    )


def set_up_defaults(session: Session, summary: InitSummary, today: date) -> None:
    """The default calendar and policies, each only when there is none yet."""
    calendar = default_calendar(session, summary, today)
    default_policies(session, calendar, summary)
