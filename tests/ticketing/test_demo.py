"""The demo retailer: a month of tickets that looks like a live desk, the same every time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.factories import make_user
from ticketing import accounts, demo, services
from ticketing.errors import Conflict
from ticketing.models import (
    CallbackStatus,
    CallbackTask,
    Category,
    Channel,
    Conversation,
    Customer,
    EventKind,
    FollowUp,
    IdentityKind,
    MessageKind,
    OutboxMessage,
    OutboxStatus,
    Role,
    Severity,
    SlaEvent,
    SlaEventKind,
    Status,
    SurveyResponse,
    Ticket,
    TicketEvent,
    Tier,
    User,
)

# Monday 2026-11-23, 11:51 in Shanghai: the desk is open.
NOW = datetime(2026, 11, 23, 3, 51, tzinfo=UTC)


def tickets_of(session: Session) -> list[Ticket]:
    return list(session.scalars(select(Ticket).order_by(Ticket.created_at, Ticket.id)))


def test_demo_is_a_live_month_of_every_kind(session: Session) -> None:
    # One load, looked at from every side (a load takes seconds; each check is named below).
    mine = make_user(session, Role.AGENT, username="li.na")
    summary = demo.load_demo(session, now=NOW)
    tickets = tickets_of(session)
    assert len(tickets) == summary.tickets == demo.TICKETS

    every_kind_of_ticket_over_the_month(tickets)
    demo_users_share_one_password_and_existing_users_are_kept(session, summary, mine)
    every_ticket_has_a_consistent_history(session, tickets)
    some_are_breached_and_the_worker_recorded_it(session, summary)
    follow_ups_have_surveys_detractors_and_call_backs(session, summary)
    demo_identities_reach_nobody_real(session)
    new_tickets_go_to_their_categorys_team(session)


def every_kind_of_ticket_over_the_month(tickets: list[Ticket]) -> None:
    assert all(NOW - timedelta(days=demo.DAYS) <= t.created_at <= NOW for t in tickets)
    assert {t.category for t in tickets} == set(Category)
    assert {t.status for t in tickets} == set(Status)
    assert {t.channel for t in tickets} == set(Channel)
    assert {t.customer.tier for t in tickets if t.customer} == set(Tier)
    assert sum(t.language == "zh" for t in tickets) == demo.TICKETS * 3 // 5
    assert {t.language for t in tickets} == {"zh", "en"}
    assert sum(t.severity is Severity.MAJOR for t in tickets) >= 5


def demo_users_share_one_password_and_existing_users_are_kept(
    session: Session, summary: demo.DemoSummary, mine: User
) -> None:
    admin = accounts.authenticate(session, demo.DEMO_USERS[-1].username, demo.DEMO_PASSWORD)
    assert admin is not None and admin.role is Role.ADMIN
    for team in (demo.AFTER_SALES, demo.LOGISTICS, demo.KEY_ACCOUNTS):
        roles = session.scalars(select(User.role).where(User.team.has(name=team))).all()
        assert Role.SUPERVISOR in roles and roles.count(Role.AGENT) >= 3, team
    assert summary.kept_users == ("li.na",)
    assert accounts.get_user(session, "li.na") is mine
    assert accounts.authenticate(session, "li.na", demo.DEMO_PASSWORD) is None


def every_ticket_has_a_consistent_history(session: Session, tickets: list[Ticket]) -> None:
    created = set(
        session.scalars(select(TicketEvent.ticket_id).where(TicketEvent.kind == EventKind.CREATED))
    )
    assert created == {t.id for t in tickets}
    for ticket in tickets:
        if ticket.status in (Status.RESOLVED, Status.CLOSED):
            assert ticket.resolved_at is not None, ticket.number
        if ticket.status is Status.CLOSED:
            assert ticket.closed_at is not None, ticket.number
        if ticket.status is not Status.NEW:
            assert ticket.assignee is not None, ticket.number
        for message in ticket.messages:
            if message.kind is MessageKind.AGENT:
                # Agents answer in the customer's language.
                chinese = any("\u4e00" <= ch <= "\u9fff" for ch in message.body)
                assert chinese == (ticket.language == "zh"), (ticket.number, message.body)


def some_are_breached_and_the_worker_recorded_it(
    session: Session, summary: demo.DemoSummary
) -> None:
    admin = accounts.get_user(session, "admin")
    assert admin is not None
    overdue = services.list_tickets(session, admin, services.TicketFilters(breached=True), now=NOW)
    assert overdue.count == summary.overdue_now > 0
    breaches = select(func.count(SlaEvent.id)).where(SlaEvent.kind == SlaEventKind.BREACH)
    assert session.scalar(breaches) == summary.sla_breaches > 0
    # The replayed worker left nothing overdue for the real one to catch up on.
    assert session.scalar(select(func.count(Ticket.id)).where(Ticket.next_sla_check_at <= NOW)) == 0
    assert (
        session.scalar(select(func.count(FollowUp.id)).where(FollowUp.next_action_at <= NOW)) == 0
    )


def follow_ups_have_surveys_detractors_and_call_backs(
    session: Session, summary: demo.DemoSummary
) -> None:
    surveys = session.scalars(select(SurveyResponse)).all()
    assert len(surveys) == summary.surveys >= 30
    assert {s.csat for s in surveys} >= {1, 2, 4, 5}
    assert any(s.nps is not None and s.nps <= 6 for s in surveys)  # detractors
    assert any(s.nps is not None and s.nps >= 9 for s in surveys)  # promoters
    assert session.scalar(select(func.count(Ticket.id)).where(Ticket.reopen_count > 0))
    assert CallbackStatus.DONE in session.scalars(select(CallbackTask.status)).all()
    # The month's chat was delivered back then: the deliverer has none of it to replay.
    pending = select(func.count(OutboxMessage.id)).where(
        OutboxMessage.status == OutboxStatus.PENDING
    )
    assert session.scalar(pending) == 0
    assert session.scalar(select(func.count(Conversation.id))) == summary.conversations > 0


def demo_identities_reach_nobody_real(session: Session) -> None:
    customers = session.scalars(select(Customer)).all()
    assert sum(c.tier is Tier.KEY_ACCOUNT for c in customers) == len(demo.KEY_ACCOUNTS_LIST)
    for customer in customers:
        for identity in customer.identities:
            if identity.kind is IdentityKind.PHONE:
                assert identity.value.startswith("+86-000-"), identity.value
            elif identity.kind is IdentityKind.EMAIL:
                assert identity.value.endswith("@example.com"), identity.value
            elif identity.kind is IdentityKind.TELEGRAM:
                assert not identity.value.lstrip("-").isdigit(), identity.value


def new_tickets_go_to_their_categorys_team(session: Session) -> None:
    routed = {category: team.name for category, team in accounts.routes(session).items()}
    assert routed == {
        **dict.fromkeys(Category, demo.AFTER_SALES),
        Category.DELIVERY: demo.LOGISTICS,
        Category.CONTRACT: demo.KEY_ACCOUNTS,
    }
    parcel = services.create_ticket(
        session,
        subject="快递一周没到",
        channel=Channel.WEB,
        actor=services.Actor.bot(),
        category=Category.DELIVERY,
        at=NOW,
    )
    assert parcel.team is not None and parcel.team.name == demo.LOGISTICS


def test_same_seed_and_moment_replay_the_same_month(session: Session) -> None:
    def fingerprint() -> list[tuple[str, str, str, int]]:
        return [
            (t.subject, t.status.value, t.channel.value, len(t.events)) for t in tickets_of(session)
        ]

    demo.load_demo(session, seed=7, now=NOW)
    first = fingerprint()
    session.rollback()
    demo.load_demo(session, seed=7, now=NOW)
    assert fingerprint() == first


def test_a_database_with_the_demo_customers_is_refused(session: Session) -> None:
    services.create_customer(
        session,
        "someone",
        identities={IdentityKind.EMAIL: demo.KEY_ACCOUNTS_LIST[0].email},
    )
    with pytest.raises(Conflict, match="loaded already"):
        demo.load_demo(session, now=NOW)


def test_login_lines_name_every_demo_user_and_the_password() -> None:
    text = "\n".join(demo.login_lines())
    assert demo.DEMO_PASSWORD in text
    assert all(user.username in text for user in demo.DEMO_USERS)
