"""Small helpers that build test data through the service layer."""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import count

from sqlalchemy.orm import Session

from ticketing import accounts, services
from ticketing.models import (
    BusinessCalendar,
    Category,
    Channel,
    Customer,
    Priority,
    Role,
    Severity,
    SlaPolicy,
    Team,
    Ticket,
    Tier,
    User,
)

PASSWORD = "correct-horse-battery"
_serial = count(1)

# Monday 2026-11-23 10:00 in Shanghai
MONDAY_10_SHANGHAI = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


def make_team(session: Session, name: str | None = None) -> Team:
    return accounts.create_team(session, name or f"team-{next(_serial)}")


def make_user(
    session: Session,
    role: Role = Role.AGENT,
    *,
    team: Team | None = None,
    username: str | None = None,
) -> User:
    return accounts.create_user(
        session, username or f"user{next(_serial)}", PASSWORD, role=role, team=team
    )


def make_customer(session: Session, tier: Tier = Tier.REGULAR) -> Customer:
    return services.create_customer(session, f"Customer {next(_serial)}", tier=tier)


def make_office_calendar(session: Session) -> BusinessCalendar:
    calendar = BusinessCalendar(
        name=f"office-{next(_serial)}",
        timezone="Asia/Shanghai",
        periods={str(d): [["09:00", "12:00"], ["13:30", "18:00"]] for d in range(5)},
        holidays=["2026-10-01"],
    )
    session.add(calendar)
    session.flush()
    return calendar


def make_policy(
    session: Session,
    priority: Priority = Priority.NORMAL,
    tier: Tier = Tier.REGULAR,
    *,
    calendar: BusinessCalendar | None = None,
    first_response: int = 60,
    next_response: int | None = 120,
    resolution: int = 8 * 60,
) -> SlaPolicy:
    policy = SlaPolicy(
        name=f"{priority.value}/{tier.value}",
        priority=priority,
        tier=tier,
        first_response_minutes=first_response,
        next_response_minutes=next_response,
        resolution_minutes=resolution,
        calendar=calendar,
    )
    session.add(policy)
    session.flush()
    return policy


def make_ticket(
    session: Session,
    *,
    subject: str = "鞋底开胶了",
    description: str = "穿了两周鞋底就开胶了",
    channel: Channel = Channel.WEB,
    actor: services.Actor | None = None,
    team: Team | None = None,
    customer: Customer | None = None,
    category: Category = Category.OTHER,
    severity: Severity = Severity.GENERAL,
    priority: Priority | None = None,
    conversation_id: str | None = None,
    order_number: str | None = None,
    at: datetime | None = None,
) -> Ticket:
    """A ticket the customer opened (or `actor`), with a sole that came apart as its story."""
    return services.create_ticket(
        session,
        subject=subject,
        description=description,
        channel=channel,
        actor=actor or services.Actor.customer(),
        customer=customer,
        category=category,
        severity=severity,
        team=team,
        priority=priority,
        conversation_id=conversation_id,
        order_number=order_number,
        at=at,
    )
