"""Filing a customer's report on a conversation: onto its open ticket, or a new one."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import empty_database
from tests.factories import (
    MONDAY_10_SHANGHAI,
    make_customer,
    make_policy,
    make_team,
    make_ticket,
    make_user,
)
from ticketing import services
from ticketing.db import make_session_factory
from ticketing.models import (
    Category,
    Channel,
    Conversation,
    EventKind,
    Message,
    MessageKind,
    Priority,
    Severity,
    Status,
    TeamRoute,
    Ticket,
    TicketEvent,
    Tier,
)

T0 = MONDAY_10_SHANGHAI
SENDER = "c0ffee"
CONVERSATION = f"web:{SENDER}"

REPORT = services.Report(
    subject="鞋底开胶了",
    description="订单A2024-1181的鞋底开胶了",
    category=Category.PRODUCT_QUALITY,
    order_number="A2024-1181",
    triage_confidence=0.91,
    triage_runner_up=Category.SERVICE,
)


def handed_off(session: Session, text: str = "我要投诉，在吗") -> Ticket:
    """A conversation the gateway handed to a person, with the ticket it opened for it."""
    record = services.record_inbound_message(session, Channel.WEB, SENDER, text, at=T0)
    return services.hand_off_conversation(
        session, record.conversation, services.Actor.system(), reason="bot_unavailable", at=T0
    )


def file(session: Session, report: services.Report = REPORT) -> services.Filing:
    conversation = session.get(Conversation, CONVERSATION)
    customer = conversation.customer if conversation is not None else None
    return services.file_on_conversation(
        session,
        report,
        conversation_id=CONVERSATION,
        channel=Channel.WEB,
        actor=services.Actor.bot(),
        customer=customer,
        at=T0,
    )


def notes(session: Session, ticket: Ticket) -> list[str]:
    return list(
        session.scalars(
            select(Message.body).where(
                Message.ticket_id == ticket.id, Message.kind == MessageKind.NOTE
            )
        )
    )


def test_a_conversation_without_an_open_ticket_gets_a_new_one(session: Session) -> None:
    services.get_or_create_conversation(session, Channel.WEB, SENDER)

    filing = file(session)

    assert filing.created
    assert filing.ticket.order_number == "A2024-1181"
    assert filing.ticket.category is Category.PRODUCT_QUALITY
    conversation = session.get(Conversation, CONVERSATION)
    assert conversation is not None and conversation.ticket is filing.ticket


def test_a_report_on_a_handed_off_conversation_goes_on_its_ticket(session: Session) -> None:
    team = make_team(session, "质量组")
    session.add(TeamRoute(category=Category.PRODUCT_QUALITY, team=team))
    ticket = handed_off(session)
    transcript = ticket.description

    filing = file(session)

    assert not filing.created
    assert filing.ticket is ticket
    assert session.scalars(select(Ticket)).all() == [ticket]
    # empty fields are filled; what the hand-off wrote stays
    assert ticket.order_number == "A2024-1181"
    assert ticket.category is Category.PRODUCT_QUALITY
    assert ticket.team is team  # an unassigned ticket follows its new category's route
    assert ticket.triage_confidence == 0.91
    assert ticket.triage_runner_up is Category.SERVICE
    assert ticket.description == transcript
    assert ticket.subject.startswith("在线咨询")
    assert ticket.handed_off
    # the whole complaint is a note in the history, the category change a triage entry
    [note] = notes(session, ticket)
    assert "订单A2024-1181的鞋底开胶了" in note
    assert "A2024-1181" in note and "product_quality" in note
    events = session.scalars(
        select(TicketEvent).where(TicketEvent.ticket_id == ticket.id).order_by(TicketEvent.id)
    ).all()
    triaged = [e.data for e in events if e.kind is EventKind.TRIAGED]
    assert triaged == [{"category": ["other", "product_quality"], "team": [None, "质量组"]}]
    assert events[-1].kind is EventKind.NOTE
    # no customer text in the history rows: a customer's erasure reaches messages, not events
    assert not any("鞋底" in str(e.data) or "A2024" in str(e.data) for e in events)


def test_what_the_ticket_already_says_is_kept(session: Session) -> None:
    ticket = handed_off(session)
    services.triage_ticket(session, ticket, services.Actor.system(), category=Category.DELIVERY)
    ticket.order_number = "A2024-0001"

    file(session)

    assert ticket.category is Category.DELIVERY
    assert ticket.order_number == "A2024-0001"
    assert ticket.triage_confidence is None
    assert "A2024-1181" in notes(session, ticket)[0]  # the agent still sees what was reported


def test_a_major_report_raises_severity_and_priority_but_never_lowers_them(
    session: Session,
) -> None:
    make_policy(session, Priority.NORMAL, first_response=60)
    make_policy(session, Priority.HIGH, first_response=15)
    ticket = handed_off(session)

    file(
        session,
        services.Report(subject="x", description="店员推了我，我受伤了", severity=Severity.MAJOR),
    )

    triaged = session.scalars(
        select(TicketEvent.data).where(TicketEvent.kind == EventKind.TRIAGED)
    ).all()
    assert triaged == [{"severity": ["general", "major"], "priority": ["normal", "high"]}]
    assert ticket.sla_policy is not None and ticket.sla_policy.first_response_minutes == 15

    file(session, REPORT)  # a general one after it

    assert ticket.severity is Severity.MAJOR
    assert ticket.priority is Priority.HIGH


def test_a_ticket_without_a_customer_gets_the_reports(session: Session) -> None:
    # A sender the gateway never saw (Rasa's REST channel): the hand-off ticket has no customer.
    ticket = make_ticket(
        session, conversation_id="rest-1", channel=Channel.API, actor=services.Actor.bot()
    )
    key_account = make_customer(session, Tier.KEY_ACCOUNT)

    filing = services.file_on_conversation(
        session,
        REPORT,
        conversation_id="rest-1",
        channel=Channel.API,
        actor=services.Actor.bot(),
        customer=key_account,
        at=T0,
    )

    assert filing.ticket is ticket
    assert ticket.customer is key_account
    assert ticket.priority is Priority.HIGH  # a key account's general complaint


def test_a_closed_ticket_is_not_reused(session: Session) -> None:
    ticket = handed_off(session)
    services.close_ticket(session, ticket, services.Actor.system())

    filing = file(session)

    assert filing.created
    assert filing.ticket is not ticket
    assert ticket.status is Status.CLOSED


def test_the_answer_promised_is_the_next_one_once_an_agent_has_replied(session: Session) -> None:
    make_policy(session, Priority.NORMAL, first_response=60, next_response=30)
    ticket = handed_off(session)
    assert ticket.first_response_due_at is not None
    assert file(session).due_at == ticket.first_response_due_at

    agent = make_user(session)
    services.reply_to_customer(session, ticket, services.Actor.of(agent), "您好", at=T0)
    services.record_inbound_message(session, Channel.WEB, SENDER, "鞋底开胶了", at=T0)

    assert ticket.next_response_due_at is not None
    assert file(session).due_at == ticket.next_response_due_at


@pytest.mark.postgres
def test_a_report_racing_the_gateways_hand_off_waits_and_finds_its_ticket(
    postgres_engine: Engine,
) -> None:
    """The action server has read the conversation (no ticket yet) when the gateway's hand-off
    takes it; the report waits for the hand-off to commit and goes onto its ticket."""
    factory: sessionmaker[Session] = make_session_factory(postgres_engine)
    with factory.begin() as session:
        services.get_or_create_conversation(session, Channel.WEB, SENDER)
    filed: list[services.Filing] = []
    try:
        with factory() as gateway, factory() as action:
            seen = action.get_one(Conversation, CONVERSATION)  # as find_caller reads it
            assert seen.ticket is None
            locked = gateway.get_one(Conversation, CONVERSATION, with_for_update=True)
            ticket_id = services.hand_off_conversation(
                gateway, locked, services.Actor.system(), reason="bot_unavailable", at=T0
            ).id

            def report() -> None:
                filed.append(
                    services.file_on_conversation(
                        action,
                        REPORT,
                        conversation_id=CONVERSATION,
                        channel=Channel.WEB,
                        actor=services.Actor.bot(),
                        at=T0,
                    )
                )
                action.commit()

            thread = threading.Thread(target=report)
            thread.start()
            thread.join(timeout=0.5)
            assert thread.is_alive()  # waiting for the gateway's lock
            gateway.commit()
            thread.join(timeout=30)
        assert [(f.ticket.id, f.created) for f in filed] == [(ticket_id, False)]
        with factory() as session:
            assert session.scalars(select(Ticket.id)).all() == [ticket_id]
    finally:
        empty_database(postgres_engine)
