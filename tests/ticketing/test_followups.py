"""Follow-up visits (回访): surveys through the bot, call-backs, low scores, care visits."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.factories import MONDAY_10_SHANGHAI, make_policy, make_team, make_user
from ticketing import callbacks, followups, services, worker
from ticketing.errors import Conflict, InvalidInput
from ticketing.models import (
    CallbackOutcome,
    CallbackReason,
    CallbackStatus,
    CallbackTask,
    Channel,
    Conversation,
    Customer,
    FollowUp,
    FollowUpStatus,
    IdentityKind,
    Notification,
    NotificationKind,
    OutboxMessage,
    Role,
    Severity,
    Status,
    SurveyResponse,
    Ticket,
    Tier,
)

T0 = MONDAY_10_SHANGHAI
DAY = timedelta(days=1)
SECOND = timedelta(seconds=1)
PHONE = "13800138000"


def customer_with(
    session: Session,
    *,
    chat: Channel | None = None,
    language: str = "zh",
    tier: Tier = Tier.REGULAR,
    name: str = "王小明",
) -> tuple[Customer, str | None]:
    customer = services.create_customer(
        session,
        name,
        tier=tier,
        language=language,
        identities={IdentityKind.PHONE: f"{PHONE}{len(name)}{tier.value}{chat}"},
        at=T0 - timedelta(days=60),
    )
    conversation_id = None
    if chat is not None:
        conversation_id = f"{chat.value}:{customer.id}"
        session.add(
            Conversation(
                id=conversation_id,
                channel=chat,
                customer_id=customer.id,
                created_at=T0,
                last_message_at=T0,
            )
        )
        session.flush()
    return customer, conversation_id


def resolved_ticket(
    session: Session,
    customer: Customer,
    conversation_id: str | None = None,
    *,
    severity: Severity = Severity.GENERAL,
    team_id: int | None = None,
) -> Ticket:
    ticket = services.create_ticket(
        session,
        subject="鞋底开胶了",
        channel=Channel.TELEGRAM if conversation_id else Channel.PHONE,
        actor=services.Actor.customer(),
        customer=customer,
        severity=severity,
        conversation_id=conversation_id,
        team=None,
        at=T0 - DAY,
    )
    ticket.team_id = team_id
    services.resolve_ticket(session, ticket, services.Actor.system(), at=T0)
    return ticket


def test_resolving_schedules_one_visit_and_two_for_a_major_complaint(session: Session) -> None:
    make_policy(session)
    customer, _ = customer_with(session)
    general = resolved_ticket(session, customer)
    major = resolved_ticket(session, customer, severity=Severity.MAJOR)
    session.flush()

    def due(ticket: Ticket) -> list[object]:
        return list(
            session.scalars(
                select(FollowUp.due_at).where(FollowUp.ticket_id == ticket.id).order_by("sequence")
            )
        )

    assert due(general) == [T0 + DAY]
    assert due(major) == [T0 + DAY, T0 + 7 * DAY]


def test_follow_up_asks_the_bot_then_calls_back_when_unanswered(
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory.begin() as session:
        customer, conversation_id = customer_with(session, chat=Channel.TELEGRAM)
        ticket_id = resolved_ticket(session, customer, conversation_id).id
        number = session.get_one(Ticket, ticket_id).number

    assert worker.tick(session_factory, T0 + DAY - SECOND).follow_ups.surveys == 0
    assert worker.tick(session_factory, T0 + DAY).follow_ups.surveys == 1
    assert worker.tick(session_factory, T0 + DAY).follow_ups.surveys == 0  # once
    with session_factory() as session:
        outbox = session.scalars(select(OutboxMessage)).one()
        assert (outbox.kind, outbox.conversation_id) == ("trigger_intent", conversation_id)
        assert outbox.payload["intent"] == "EXTERNAL_follow_up"
        assert outbox.payload["entities"]["ticket_number"] == number

    # Nobody answers within a day: an agent calls instead.
    assert worker.tick(session_factory, 2 * DAY + T0 - SECOND).follow_ups.callbacks == 0
    assert worker.tick(session_factory, T0 + 2 * DAY).follow_ups.callbacks == 1
    with session_factory() as session:
        agent = make_user(session)
        [view] = callbacks.list_callbacks(session, agent)
        assert view.task.reason is CallbackReason.NO_ANSWER
        assert view.phone is not None and view.phone.startswith(PHONE)
        assert number in view.task.summary
        assert "请从 1 到 5 打分" in view.task.script  # the customer's language
        follow_up = session.scalars(select(FollowUp)).one()
        assert follow_up.status is FollowUpStatus.CALLBACK


def test_customer_no_chat_reaches_gets_a_call_back_in_their_language(
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory.begin() as session:
        customer, _ = customer_with(session, language="en", name="Alice")
        resolved_ticket(session, customer)
    result = worker.tick(session_factory, T0 + DAY)
    assert (result.follow_ups.surveys, result.follow_ups.callbacks) == (0, 1)
    with session_factory() as session:
        task = session.scalars(select(CallbackTask)).one()
        assert task.reason is CallbackReason.UNREACHABLE
        assert task.script.startswith("Hello Alice")
        assert session.scalars(select(OutboxMessage)).all() == []


def test_survey_answer_completes_the_follow_up(session_factory: sessionmaker[Session]) -> None:
    with session_factory.begin() as session:
        customer, conversation_id = customer_with(session, chat=Channel.WEB)
        ticket_id = resolved_ticket(session, customer, conversation_id).id
    worker.tick(session_factory, T0 + DAY)
    with session_factory.begin() as session:
        ticket = session.get_one(Ticket, ticket_id)
        services.record_survey(session, ticket, 5, 10, "很满意", at=T0 + DAY + SECOND)
        assert ticket.status is Status.RESOLVED
    # The answered survey never becomes a call-back.
    assert worker.tick(session_factory, T0 + 3 * DAY).follow_ups.callbacks == 0
    with session_factory() as session:
        assert session.scalars(select(FollowUp.status)).one() is FollowUpStatus.ANSWERED


@pytest.mark.parametrize(("csat", "nps"), [(2, None), (None, 6), (1, 0)])
def test_low_score_reopens_the_ticket_and_alerts_the_supervisor(
    session: Session, csat: int | None, nps: int | None
) -> None:
    make_policy(session)
    team = make_team(session)
    supervisor = make_user(session, Role.SUPERVISOR, team=team)
    customer, conversation_id = customer_with(session, chat=Channel.WEB)
    ticket = resolved_ticket(
        session, customer, conversation_id, severity=Severity.MAJOR, team_id=team.id
    )
    services.record_survey(session, ticket, csat, nps, "鞋子还是坏的", at=T0 + DAY)
    session.flush()

    assert ticket.status is Status.OPEN
    assert ticket.reopen_count == 1
    alert = session.scalars(select(Notification)).one()
    assert (alert.user_id, alert.kind) == (supervisor.id, NotificationKind.LOW_SCORE)
    assert alert.data["ticket_number"] == ticket.number
    statuses = session.scalars(select(FollowUp.status).order_by(FollowUp.sequence)).all()
    assert statuses == [FollowUpStatus.ANSWERED, FollowUpStatus.CANCELLED]


def test_good_scores_leave_the_ticket_resolved(session: Session) -> None:
    customer, _ = customer_with(session)
    ticket = resolved_ticket(session, customer)
    services.record_survey(session, ticket, 3, 7, at=T0 + DAY)
    assert ticket.status is Status.RESOLVED
    assert session.scalars(select(Notification)).all() == []


def test_scores_out_of_range_are_refused(session: Session) -> None:
    customer, _ = customer_with(session)
    ticket = resolved_ticket(session, customer)
    for csat, nps, field in [(0, None, "csat"), (6, None, "csat"), (None, 11, "nps")]:
        with pytest.raises(InvalidInput) as error:
            services.record_survey(session, ticket, csat, nps)
        assert error.value.field == field
    with pytest.raises(InvalidInput):
        services.record_survey(session, ticket, None, None)


def test_reopen_cancels_visits_and_a_new_resolution_schedules_new_ones(session: Session) -> None:
    customer, _ = customer_with(session)
    ticket = resolved_ticket(session, customer)
    services.reopen_ticket(session, ticket, services.Actor.customer(), at=T0 + SECOND)
    services.resolve_ticket(session, ticket, services.Actor.system(), at=T0 + DAY)
    session.flush()
    rows = session.execute(select(FollowUp.round, FollowUp.status).order_by(FollowUp.id)).all()
    assert rows == [(0, FollowUpStatus.CANCELLED), (1, FollowUpStatus.SCHEDULED)]


def test_call_back_outcome_closes_task_and_keeps_the_scores(
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory.begin() as session:
        customer, _ = customer_with(session)
        ticket_id = resolved_ticket(session, customer).id
    worker.tick(session_factory, T0 + DAY)
    with session_factory.begin() as session:
        agent = make_user(session)
        task = session.scalars(select(CallbackTask)).one()
        callbacks.record_outcome(
            session, task, agent, CallbackOutcome.REACHED, csat=4, nps=9, at=T0 + 2 * DAY
        )
        with pytest.raises(Conflict):
            callbacks.record_outcome(session, task, agent, CallbackOutcome.REACHED, at=T0 + 2 * DAY)
    with session_factory() as session:
        task = session.scalars(select(CallbackTask)).one()
        assert (task.status, task.outcome) == (CallbackStatus.DONE, CallbackOutcome.REACHED)
        assert session.scalars(select(FollowUp.status)).one() is FollowUpStatus.DONE
        survey = session.scalars(select(SurveyResponse)).one()
        assert (survey.ticket_id, survey.csat, survey.nps) == (ticket_id, 4, 9)
        assert session.get_one(Ticket, ticket_id).status is Status.RESOLVED


def test_key_accounts_get_care_visits_on_their_tier_schedule(
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory.begin() as session:
        key, _ = customer_with(session, tier=Tier.KEY_ACCOUNT, name="大客户")
        customer_with(session, tier=Tier.REGULAR, name="普通")
        key_id = key.id
    # A key account of 60 days is due at once, then every 30 days; a regular customer never.
    assert worker.tick(session_factory, T0).follow_ups.care_visits == 1
    assert worker.tick(session_factory, T0 + 29 * DAY).follow_ups.care_visits == 0
    assert worker.tick(session_factory, T0 + 30 * DAY).follow_ups.care_visits == 1
    with session_factory() as session:
        tasks = session.scalars(select(CallbackTask).order_by(CallbackTask.id)).all()
        assert [(t.customer_id, t.reason) for t in tasks] == [
            (key_id, CallbackReason.CARE_VISIT),
            (key_id, CallbackReason.CARE_VISIT),
        ]
        assert "专属客户经理" in tasks[0].script
        assert followups.DEFAULT_CARE_EVERY[Tier.KEY_ACCOUNT] == 30 * DAY
