"""Sets up the demo desk in the database: teams, users, calendars, SLA policies, routes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ticketing import accounts, passwords, sla
from ticketing.demo.data.company import (
    ALWAYS_OPEN,
    DEMO_PASSWORD,
    DEMO_USERS,
    HOLIDAYS_2026,
    OFFICE,
    OFFICE_PERIODS,
    ROUTES,
    SLA_TARGETS,
    TEAMS,
    TIMEZONE,
)
from ticketing.models import BusinessCalendar, Role, SlaPolicy, Team, Tier, User

TEAM = {team.name: team for team in TEAMS}
USER = {user.username: user for user in DEMO_USERS}


def agents(team: str) -> list[str]:
    return [u.username for u in DEMO_USERS if u.team == team and u.role is Role.AGENT]


def supervisor(team: str) -> str:
    return next(u.username for u in DEMO_USERS if u.team == team and u.role is Role.SUPERVISOR)


def login_lines() -> list[str]:
    """The demo logins, for the console after `demo load` and `run`."""
    lines = [f"Demo logins (password {DEMO_PASSWORD}, for a demo database only):"]
    for user in DEMO_USERS:
        lines.append(
            f"  {user.username:<12} {user.role.value:<11} {user.team or '-':<13} "
            f"{user.display_name} ({user.title})"
        )
    return lines


def office_calendar() -> sla.Calendar:
    return sla.Calendar.from_config(TIMEZONE, OFFICE_PERIODS, HOLIDAYS_2026)


@dataclass(frozen=True)
class Desk:
    """The desk's rows: teams and users by name, and the two calendars."""

    teams: dict[str, Team]
    users: dict[str, User]
    kept: list[str]  # users that existed already
    office: BusinessCalendar
    always: BusinessCalendar


def set_up(session: Session, now: datetime) -> Desk:
    """Teams, users, calendars and SLA policies; those that exist already are kept."""
    teams: dict[str, Team] = {}
    for spec in TEAMS:
        teams[spec.name] = accounts.get_team(session, spec.name) or accounts.create_team(
            session, spec.name, spec.description
        )
    # One argon2 hash for every demo user: hashing takes a quarter of a second each.
    password_hash = passwords.hash_password(DEMO_PASSWORD)
    users: dict[str, User] = {}
    kept: list[str] = []
    for user_spec in DEMO_USERS:
        existing = accounts.get_user(session, user_spec.username)
        if existing is not None:
            users[user_spec.username] = existing
            kept.append(user_spec.username)
            continue
        user = User(
            username=user_spec.username,
            display_name=user_spec.display_name,
            role=user_spec.role,
            password_hash=password_hash,
            team=teams[user_spec.team] if user_spec.team else None,
            is_active=True,
            created_at=now - timedelta(days=180),
        )
        session.add(user)
        users[user_spec.username] = user
    session.flush()

    office_row = _get_or_create_calendar(
        session,
        OFFICE,
        timezone=TIMEZONE,
        always_open=False,
        periods=OFFICE_PERIODS,
        holidays=list(HOLIDAYS_2026),
    )
    always_row = _get_or_create_calendar(
        session, ALWAYS_OPEN, timezone=TIMEZONE, always_open=True, periods={}, holidays=[]
    )
    _add_policies(session, office_row, always_row)
    return Desk(teams, users, kept, office_row, always_row)


def _get_or_create_calendar(session: Session, name: str, **values: object) -> BusinessCalendar:
    row = session.scalars(select(BusinessCalendar).where(BusinessCalendar.name == name)).first()
    if row is None:
        row = BusinessCalendar(name=name, **values)
        session.add(row)
        session.flush()
    return row


def _add_policies(session: Session, office: BusinessCalendar, always: BusinessCalendar) -> None:
    existing_policies = {(p.tier, p.priority) for p in session.scalars(select(SlaPolicy)).all()}
    for tier, targets in SLA_TARGETS.items():
        for priority, (first, following, resolution) in targets.items():
            if (tier, priority) in existing_policies:
                continue
            session.add(
                SlaPolicy(
                    name=f"{tier.value} · {priority.value}",
                    priority=priority,
                    tier=tier,
                    first_response_minutes=first,
                    next_response_minutes=following,
                    resolution_minutes=resolution,
                    calendar=always if tier is Tier.KEY_ACCOUNT else office,
                )
            )
    session.flush()


def route_categories(session: Session, teams: dict[str, Team]) -> None:
    """Where new tickets go by category (`python -m ticketing team route`)."""
    for category, team_name in ROUTES.items():
        accounts.route_category(session, category, teams[team_name])
    session.flush()
