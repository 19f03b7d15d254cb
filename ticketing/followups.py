"""Follow-up visits (回访) after a case, and key-account care visits: rows with due times.

A resolved ticket gets a follow-up (a second one for a major complaint). When it falls due the
worker asks the bot to run the satisfaction survey on a chat channel that reaches the customer
(an outbox row the gateway turns into Rasa's `trigger_intent`); with no such channel, or no
answer in time, it becomes a call-back task for an agent. Key accounts also get periodic care
calls. Nothing here is a timer: a restart, or a second worker, loses or repeats nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload, sessionmaker

from ticketing import channels
from ticketing.counts import Counts
from ticketing.db import locked_batch
from ticketing.models import (
    CallbackReason,
    CallbackTask,
    Conversation,
    Customer,
    FollowUp,
    FollowUpStatus,
    OutboxMessage,
    Severity,
    Status,
    SurveyResponse,
    Ticket,
    Tier,
)

log = logging.getLogger(__name__)

DEFAULT_DELAY = timedelta(hours=24)
DEFAULT_SECOND_DELAY = timedelta(days=7)  # major complaints only
DEFAULT_SURVEY_TIMEOUT = timedelta(hours=24)
# How often each tier gets a care call (大客户定期回访); tiers not listed get none.
DEFAULT_CARE_EVERY: Mapping[Tier, timedelta] = {
    Tier.KEY_ACCOUNT: timedelta(days=30),
    Tier.GOLD: timedelta(days=90),
}
SURVEY_INTENT = "EXTERNAL_follow_up"
BATCH = 200

# --- scheduling: called by the service layer when a ticket changes status -----------------------


def status_changed(
    session: Session, ticket: Ticket, previous: Status, status: Status, at: datetime
) -> None:
    """Schedule the follow-ups of a case that is now handled; cancel them if it reopens."""
    handled = (Status.RESOLVED, Status.CLOSED)
    if status in handled and previous not in handled:
        schedule(session, ticket, at)
    elif status is Status.OPEN and previous in handled:
        cancel(session, ticket)


def schedule(session: Session, ticket: Ticket, at: datetime) -> list[FollowUp]:
    """The follow-ups of this resolution (once per resolution round)."""
    if ticket.customer_id is None and ticket.conversation_id is None:
        return []  # nobody to visit
    policy = ticket.sla_policy
    delays = [timedelta(minutes=policy.follow_up_minutes) if policy else DEFAULT_DELAY]
    if ticket.severity is Severity.MAJOR:
        if policy is None:
            delays.append(DEFAULT_SECOND_DELAY)
        elif policy.second_follow_up_minutes is not None:
            delays.append(timedelta(minutes=policy.second_follow_up_minutes))
    existing = set(
        session.scalars(
            select(FollowUp.sequence).where(
                FollowUp.ticket_id == ticket.id, FollowUp.round == ticket.reopen_count
            )
        )
    )
    rows = [
        FollowUp(
            ticket_id=ticket.id,
            customer_id=ticket.customer_id,
            round=ticket.reopen_count,
            sequence=sequence,
            status=FollowUpStatus.SCHEDULED,
            due_at=at + delay,
            next_action_at=at + delay,
            created_at=at,
        )
        for sequence, delay in enumerate(delays, start=1)
        if sequence not in existing
    ]
    session.add_all(rows)
    return rows


def cancel(session: Session, ticket: Ticket) -> None:
    """The case reopened: visits not yet made are off (a new resolution schedules new ones)."""
    for row in session.scalars(
        select(FollowUp).where(
            FollowUp.ticket_id == ticket.id,
            FollowUp.status.in_([FollowUpStatus.SCHEDULED, FollowUpStatus.SURVEY_SENT]),
        )
    ):
        row.status = FollowUpStatus.CANCELLED
        row.next_action_at = None


# --- surveys ------------------------------------------------------------------------------------


def store_survey(
    session: Session,
    ticket: Ticket,
    csat: int | None,
    nps: int | None,
    comment: str,
    at: datetime,
    *,
    follow_up: FollowUp | None = None,
) -> SurveyResponse:
    """Keep the answers and close the follow-up they answer (by default the latest one asked)."""
    if follow_up is None:
        follow_up = session.scalars(
            select(FollowUp)
            .where(
                FollowUp.ticket_id == ticket.id,
                FollowUp.status.in_(
                    [FollowUpStatus.SURVEY_SENT, FollowUpStatus.CALLBACK, FollowUpStatus.SCHEDULED]
                ),
            )
            .order_by(FollowUp.status != FollowUpStatus.SURVEY_SENT, FollowUp.due_at)
        ).first()
    if follow_up is not None and follow_up.status is not FollowUpStatus.DONE:
        follow_up.status = FollowUpStatus.ANSWERED
        follow_up.answered_at = at
        follow_up.completed_at = at
        follow_up.next_action_at = None
    response = SurveyResponse(
        ticket_id=ticket.id,
        customer_id=ticket.customer_id,
        follow_up_id=follow_up.id if follow_up else None,
        csat=csat,
        nps=nps,
        comment=comment,
        created_at=at,
    )
    session.add(response)
    session.flush()
    return response


# --- the worker's part --------------------------------------------------------------------------


@dataclass
class FollowUpResult(Counts):
    surveys: int = 0
    callbacks: int = 0
    care_visits: int = 0


def reachable_conversation(session: Session, ticket: Ticket) -> Conversation | None:
    """The chat conversation on which the bot can reach the ticket's customer, if any."""
    reachable = channels.follow_up_channels()
    if ticket.conversation_id is not None:
        own = session.get(Conversation, ticket.conversation_id)
        if own is not None and own.channel in reachable:
            return own
    if ticket.customer_id is None:
        return None
    return session.scalars(
        select(Conversation)
        .where(
            Conversation.customer_id == ticket.customer_id,
            Conversation.channel.in_(reachable),
        )
        .order_by(Conversation.last_message_at.desc())
        .limit(1)
    ).first()


def process_due(
    factory: sessionmaker[Session],
    now: datetime,
    *,
    survey_timeout: timedelta = DEFAULT_SURVEY_TIMEOUT,
    batch: int = BATCH,
) -> FollowUpResult:
    """Start every follow-up due by `now`, and turn unanswered surveys into call-backs."""
    total = FollowUpResult()
    while True:
        with factory.begin() as session:
            rows = locked_batch(
                session,
                select(FollowUp)
                .where(FollowUp.next_action_at <= now)
                .order_by(FollowUp.next_action_at)
                .options(selectinload(FollowUp.ticket).selectinload(Ticket.customer)),
                batch,
            )
            for row in rows:
                total += _act(session, row, now, survey_timeout)
        if len(rows) < batch:
            return total


def _act(
    session: Session, row: FollowUp, now: datetime, survey_timeout: timedelta
) -> FollowUpResult:
    ticket = row.ticket
    if row.status is FollowUpStatus.SCHEDULED:
        conversation = reachable_conversation(session, ticket)
        if conversation is not None:
            session.add(
                OutboxMessage(
                    conversation_id=conversation.id,
                    channel=conversation.channel,
                    kind="trigger_intent",
                    payload={
                        "intent": SURVEY_INTENT,
                        "entities": {"ticket_number": ticket.number, "follow_up_id": row.id},
                    },
                    next_attempt_at=now,
                    created_at=now,
                )
            )
            row.status = FollowUpStatus.SURVEY_SENT
            row.conversation_id = conversation.id
            row.survey_sent_at = now
            row.next_action_at = now + survey_timeout
            log.info("follow-up %s: survey asked on %s", row.id, conversation.channel.value)
            return FollowUpResult(surveys=1)
        _callback_for(session, row, ticket, CallbackReason.UNREACHABLE, now)
        return FollowUpResult(callbacks=1)
    if row.status is FollowUpStatus.SURVEY_SENT:
        _callback_for(session, row, ticket, CallbackReason.NO_ANSWER, now)
        return FollowUpResult(callbacks=1)
    row.next_action_at = None  # answered or cancelled meanwhile: nothing left to do
    return FollowUpResult()


def _callback_for(
    session: Session, row: FollowUp, ticket: Ticket, reason: CallbackReason, now: datetime
) -> None:
    customer = ticket.customer
    language = (customer.language if customer else None) or ticket.language
    session.add(
        CallbackTask(
            dedupe_key=f"follow_up:{row.id}",
            reason=reason,
            customer_id=ticket.customer_id,
            ticket_id=ticket.id,
            follow_up_id=row.id,
            team_id=ticket.team_id,
            language=language,
            summary=case_summary(ticket),
            script=follow_up_script(language, customer.name if customer else "", ticket),
            due_at=now,
            created_at=now,
        )
    )
    row.status = FollowUpStatus.CALLBACK
    row.next_action_at = None
    log.info("follow-up %s: call-back task (%s)", row.id, reason.value)


def case_summary(ticket: Ticket) -> str:
    """One line for the agent: number, category, severity, subject, and the resolution date."""
    resolved = ticket.resolved_at.date().isoformat() if ticket.resolved_at else "-"
    return (
        f"{ticket.number} · {ticket.category.value} · {ticket.severity.value} · "
        f"{ticket.subject} · resolved {resolved}"
    )


def follow_up_script(language: str, name: str, ticket: Ticket) -> str:
    """What the agent says on a follow-up call, in the customer's language."""
    if language.startswith("zh"):
        return (
            f"{name or '客户'}您好，我是客服中心的回访专员。关于您的工单 {ticket.number}"
            f"（{ticket.subject}），我们已经处理完毕，想占用您一分钟做个回访：\n"
            "1. 您对这次处理满意吗？请从 1 到 5 打分（5 为非常满意）。\n"
            "2. 您有多大可能把我们推荐给亲友？请从 0 到 10 打分。\n"
            "3. 还有什么需要我们改进的地方吗？\n"
            "感谢您的支持，祝您生活愉快！"
        )
    return (
        f"Hello {name or 'there'}, this is the customer-care team following up on your case "
        f"{ticket.number} ({ticket.subject}), which we have resolved. May I take one minute?\n"
        "1. How satisfied are you with how we handled it, from 1 to 5 (5 = very satisfied)?\n"
        "2. How likely are you to recommend us to a friend, from 0 to 10?\n"
        "3. Is there anything we should do better?\n"
        "Thank you for your time!"
    )


def care_script(language: str, name: str) -> str:
    """What the account manager says on a periodic care call."""
    if language.startswith("zh"):
        return (
            f"{name or '客户'}您好，我是您的专属客户经理，今天是例行关怀回访：\n"
            "1. 最近使用我们的产品和服务还顺利吗？\n"
            "2. 有没有需要我们跟进的问题或新的需求？\n"
            "3. 对我们的服务有什么建议？\n"
            "感谢您一直以来的信任与支持！"
        )
    return (
        f"Hello {name or 'there'}, this is your account manager with our regular care call.\n"
        "1. How have our products and service been working for you lately?\n"
        "2. Is there anything we should follow up on, or anything new you need?\n"
        "3. Any suggestions for us?\n"
        "Thank you for your continued trust!"
    )


def process_care_visits(
    factory: sessionmaker[Session],
    now: datetime,
    *,
    every: Mapping[Tier, timedelta] = DEFAULT_CARE_EVERY,
    batch: int = BATCH,
) -> int:
    """Plan care visits for customers of the scheduled tiers; make the due ones call-backs."""
    tiers = list(every)
    created = 0
    while True:
        with factory.begin() as session:
            fresh = locked_batch(
                session,
                select(Customer).where(
                    Customer.tier.in_(tiers), Customer.next_care_visit_at.is_(None)
                ),
                batch,
            )
            for customer in fresh:
                # A long-standing key account is due at once; a new one after one interval.
                customer.next_care_visit_at = max(customer.created_at + every[customer.tier], now)
            due = locked_batch(
                session,
                select(Customer)
                .where(Customer.next_care_visit_at <= now)
                .order_by(Customer.next_care_visit_at),
                batch,
            )
            for customer in due:
                created += _care_visit(session, customer, now, every)
        if len(fresh) < batch and len(due) < batch:
            return created


def _care_visit(
    session: Session, customer: Customer, now: datetime, every: Mapping[Tier, timedelta]
) -> int:
    due_at = customer.next_care_visit_at
    interval = every.get(customer.tier)
    if due_at is None or interval is None:
        customer.next_care_visit_at = None  # no longer a tier with care visits
        return 0
    key = f"care:{customer.id}:{due_at.isoformat()}"
    exists = session.scalar(select(CallbackTask.id).where(CallbackTask.dedupe_key == key))
    if exists is None:
        session.add(
            CallbackTask(
                dedupe_key=key,
                reason=CallbackReason.CARE_VISIT,
                customer_id=customer.id,
                language=customer.language,
                summary=f"{customer.tier.value} care visit",
                script=care_script(customer.language, customer.name),
                due_at=due_at,
                created_at=now,
            )
        )
    following = due_at + interval
    customer.next_care_visit_at = following if following > now else now + interval
    return 0 if exists is not None else 1
