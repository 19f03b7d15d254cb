"""The service layer: each change with its history, SLA bookkeeping and permissions."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from tests.factories import (
    MONDAY_10_SHANGHAI,
    make_customer,
    make_office_calendar,
    make_policy,
    make_team,
    make_ticket,
    make_user,
)
from ticketing import services
from ticketing.db import make_session_factory
from ticketing.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from ticketing.models import (
    Channel,
    EventKind,
    MessageKind,
    Priority,
    Role,
    SlaMetric,
    Status,
    Ticket,
    TicketEvent,
    Tier,
    format_ticket_number,
    parse_ticket_number,
)

T0 = MONDAY_10_SHANGHAI


def _event_kinds(session: Session, ticket: Ticket) -> list[EventKind]:
    rows = session.scalars(
        select(TicketEvent.kind).where(TicketEvent.ticket_id == ticket.id).order_by(TicketEvent.id)
    )
    return list(rows)


def test_ticket_numbers_round_trip() -> None:
    assert format_ticket_number(123) == "T-000123"
    assert parse_ticket_number("T-000123") == 123
    assert parse_ticket_number("t123") == 123
    assert parse_ticket_number("123") == 123
    assert parse_ticket_number("T-12a") is None
    assert parse_ticket_number("'; DROP TABLE tickets; --") is None


def test_create_ticket_starts_sla_clock_and_records_history(session: Session) -> None:
    calendar = make_office_calendar(session)
    make_policy(session, calendar=calendar, first_response=60, resolution=8 * 60)
    ticket = make_ticket(session, at=T0)
    session.commit()

    assert ticket.number == f"T-{ticket.id:06d}"
    assert ticket.status is Status.NEW
    assert ticket.first_response_due_at == T0 + timedelta(hours=1)
    # 8 business hours from Monday 10:00: 2h + 4.5h on Monday, 1.5h on Tuesday -> Tue 10:30.
    assert ticket.resolution_due_at == T0 + timedelta(days=1, minutes=30)
    assert ticket.next_deadline_at == ticket.first_response_due_at
    assert _event_kinds(session, ticket) == [EventKind.CREATED]


def test_agent_reply_meets_first_response_and_opens_ticket(session: Session) -> None:
    make_policy(session)
    agent = make_user(session)
    ticket = make_ticket(session, at=T0)
    services.reply_to_customer(
        session,
        ticket,
        services.Actor.of(agent),
        "您好，我们马上处理",
        at=T0 + timedelta(minutes=5),
    )
    session.commit()

    assert ticket.status is Status.OPEN
    assert ticket.first_responded_at == T0 + timedelta(minutes=5)
    assert ticket.first_response_due_at is None
    assert ticket.next_deadline_at == ticket.resolution_due_at
    assert _event_kinds(session, ticket) == [
        EventKind.CREATED,
        EventKind.MESSAGE,
        EventKind.STATUS_CHANGED,
    ]


def test_customer_message_after_reply_starts_next_response_clock(session: Session) -> None:
    make_policy(session, next_response=120)
    agent = make_user(session)
    ticket = make_ticket(session, at=T0)
    services.reply_to_customer(session, ticket, services.Actor.of(agent), "在的", at=T0)
    services.add_customer_message(session, ticket, "还没收到", at=T0 + timedelta(hours=1))
    session.commit()

    assert ticket.next_response_due_at == T0 + timedelta(hours=3)
    assert ticket.next_deadline_at == T0 + timedelta(hours=3)


def test_pending_pauses_clock_and_customer_answer_resumes_it(session: Session) -> None:
    make_policy(session, resolution=8 * 60)  # calendar time
    agent = make_user(session)
    ticket = make_ticket(session, at=T0)
    services.reply_to_customer(session, ticket, services.Actor.of(agent), "请提供照片", at=T0)
    due = ticket.resolution_due_at
    assert due is not None
    services.change_status(
        session, ticket, Status.PENDING, services.Actor.of(agent), at=T0 + timedelta(hours=1)
    )
    assert ticket.next_deadline_at is None  # nothing runs while waiting on the customer

    services.add_customer_message(session, ticket, "照片发了", at=T0 + timedelta(hours=4))
    session.commit()
    assert ticket.status is Status.OPEN
    assert ticket.resolution_due_at == due + timedelta(hours=3)


def test_reopened_ticket_keeps_its_resolution_verdict_and_runs_no_clock(session: Session) -> None:
    """One verdict per deadline: the resolution decided it, so a reopen starts no new one."""
    make_policy(session, resolution=8 * 60)
    agent = make_user(session)
    actor = services.Actor.of(agent)
    ticket = make_ticket(session, at=T0)
    due = ticket.resolution_due_at
    assert due is not None
    services.resolve_ticket(session, ticket, actor, at=T0 + timedelta(hours=2))
    assert ticket.resolved_at == T0 + timedelta(hours=2)
    services.reopen_ticket(session, ticket, actor, at=T0 + timedelta(hours=26))
    session.commit()

    assert ticket.status is Status.OPEN
    assert ticket.reopen_count == 1
    assert ticket.resolved_at is None
    assert ticket.resolution_due_at is None
    assert [(v.metric, v.breached, v.business_seconds) for v in ticket.sla_verdicts] == [
        (SlaMetric.FIRST_RESPONSE, True, 2 * 3600),  # 1 h target, resolved unanswered at 2 h
        (SlaMetric.RESOLUTION, False, 2 * 3600),
    ]


def test_transition_not_allowed_is_a_conflict(session: Session) -> None:
    ticket = make_ticket(session, at=T0)
    actor = services.Actor.system()
    services.close_ticket(session, ticket, actor, at=T0)
    with pytest.raises(Conflict):
        services.change_status(session, ticket, Status.PENDING, actor, at=T0)
    with pytest.raises(Conflict):
        services.reply_to_customer(session, ticket, actor, "hello", at=T0)


def test_empty_or_oversized_text_names_the_field(session: Session) -> None:
    with pytest.raises(InvalidInput) as empty:
        make_ticket(session, subject="   ")
    assert empty.value.field == "subject"
    ticket = make_ticket(session)
    with pytest.raises(InvalidInput) as huge:
        services.add_note(session, ticket, services.Actor.system(), "x" * 10_001)
    assert huge.value.field == "body"


def test_a_triage_confidence_outside_zero_to_one_names_the_field(session: Session) -> None:
    with pytest.raises(InvalidInput) as wrong:
        services.create_ticket(
            session,
            subject="鞋底开胶了",
            channel=Channel.WEB,
            actor=services.Actor.bot(),
            triage_confidence=1.5,
        )
    assert wrong.value.field == "triage_confidence"


def test_major_key_account_complaint_is_urgent(session: Session) -> None:
    from ticketing.models import Severity

    customer = make_customer(session, Tier.KEY_ACCOUNT)
    ticket = make_ticket(
        session, subject="鞋跟断裂导致摔伤", customer=customer, severity=Severity.MAJOR
    )
    assert ticket.priority is Priority.URGENT


def test_agent_sees_own_team_and_unassigned_only(session: Session) -> None:
    after_sales, logistics = make_team(session, "after-sales"), make_team(session, "logistics")
    agent = make_user(session, team=after_sales)
    supervisor = make_user(session, Role.SUPERVISOR)
    mine = make_ticket(session, team=after_sales)
    floating = make_ticket(session)
    theirs = make_ticket(session, team=logistics)
    session.commit()

    assert services.access_ticket(session, agent, mine.number) is mine
    assert services.access_ticket(session, agent, floating.id) is floating
    with pytest.raises(NotFound):
        services.access_ticket(session, agent, theirs.number)
    assert services.access_ticket(session, supervisor, theirs.number) is theirs
    page = services.list_tickets(session, agent, services.TicketFilters())
    assert {t.id for t in page.tickets} == {mine.id, floating.id}


def test_only_supervisors_assign(session: Session) -> None:
    team = make_team(session)
    agent = make_user(session, team=team)
    other = make_user(session, team=team)
    supervisor = make_user(session, Role.SUPERVISOR)
    ticket = make_ticket(session, team=team)
    with pytest.raises(PermissionDenied):
        services.assign_ticket(session, ticket, other, services.Actor.of(agent))
    services.assign_ticket(session, ticket, other, services.Actor.of(supervisor))
    session.commit()
    assert ticket.assignee_id == other.id
    assert _event_kinds(session, ticket)[-1] is EventKind.ASSIGNED


def test_second_claim_loses(session: Session) -> None:
    team = make_team(session)
    first, second = make_user(session, team=team), make_user(session, team=team)
    ticket = make_ticket(session, team=team)
    services.claim_ticket(session, ticket, first)
    with pytest.raises(Conflict, match="already claimed"):
        services.claim_ticket(session, ticket, second)
    session.commit()
    assert ticket.assignee_id == first.id
    assert ticket.status is Status.OPEN


def test_history_is_append_only(session: Session) -> None:
    ticket = make_ticket(session)
    session.commit()
    event = session.scalars(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id)).one()
    event.data = {"forged": True}
    with pytest.raises(ValueError, match="append-only"):
        session.flush()


def test_notes_are_messages_of_their_own_kind(session: Session) -> None:
    agent = make_user(session)
    ticket = make_ticket(session)
    note = services.add_note(session, ticket, services.Actor.of(agent), "客户情绪激动，注意语气")
    session.commit()
    assert note.kind is MessageKind.NOTE
    assert ticket.first_responded_at is None  # a note is no answer to the customer


def test_keyset_pages_walk_every_ticket_once(session: Session) -> None:
    supervisor = make_user(session, Role.SUPERVISOR)
    made = {make_ticket(session, at=T0 + timedelta(minutes=i % 7)).id for i in range(23)}
    session.commit()
    for sort in services.SORTS:
        seen: list[int] = []
        cursor = None
        while True:
            page = services.list_tickets(
                session, supervisor, services.TicketFilters(), sort=sort, cursor=cursor, limit=5
            )
            seen += [t.id for t in page.tickets]
            cursor = page.next_cursor
            if cursor is None:
                break
        assert sorted(seen) == sorted(made), sort
        assert len(seen) == len(set(seen))


def test_search_matches_chinese_and_english_words(session: Session) -> None:
    supervisor = make_user(session, Role.SUPERVISOR)
    zh = make_ticket(session, subject="鞋底开胶", description="跑步鞋穿了两周")
    en = make_ticket(session, subject="Parcel lost", description="order 100% missing_box")
    session.commit()

    def found(q: str) -> set[int]:
        page = services.list_tickets(session, supervisor, services.TicketFilters(q=q))
        return {t.id for t in page.tickets}

    assert found("开胶") == {zh.id}
    assert found("parcel LOST") == {en.id}
    assert found("100%") == {en.id}
    assert found("_box") == {en.id}
    assert found(zh.number) == {zh.id}


@pytest.mark.postgres
def test_concurrent_claims_on_postgres_have_one_winner(postgres_engine: Engine) -> None:
    """Eight agents claim one ticket at the same instant from their own connections."""
    from tests.conftest import empty_database

    factory: sessionmaker[Session] = make_session_factory(postgres_engine)
    with factory.begin() as session:
        team = make_team(session)
        agents = [make_user(session, team=team).id for _ in range(8)]
        ticket_id = make_ticket(session, team=team).id
    barrier = threading.Barrier(len(agents))
    outcomes: dict[int, str] = {}

    def claim(agent_id: int) -> None:
        from ticketing.models import User

        with factory() as session:
            agent = session.get_one(User, agent_id)
            ticket = session.get_one(Ticket, ticket_id)
            barrier.wait()
            try:
                services.claim_ticket(session, ticket, agent)
                session.commit()
                outcomes[agent_id] = "won"
            except Conflict:
                session.rollback()
                outcomes[agent_id] = "lost"

    try:
        threads = [threading.Thread(target=claim, args=(a,)) for a in agents]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert sorted(outcomes.values()) == ["lost"] * 7 + ["won"]
        winner = next(a for a, o in outcomes.items() if o == "won")
        with factory() as session:
            ticket = session.get_one(Ticket, ticket_id)
            assert ticket.assignee_id == winner
            claims = session.scalars(
                select(TicketEvent).where(
                    TicketEvent.ticket_id == ticket_id, TicketEvent.kind == EventKind.CLAIMED
                )
            ).all()
            assert len(claims) == 1
    finally:
        empty_database(postgres_engine)
