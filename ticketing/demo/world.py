"""The demo replay: each planned step as one service-layer call at its past moment.

Between the steps the worker's SLA checkpoints and follow-up visits run, and agents make their
calls, each at its own moment; the bot-only FAQ chats are here too.
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from ticketing import callbacks, followups, scores, services, sla
from ticketing.demo.case import Case, Step, priority
from ticketing.demo.data.company import DAYS, WORKING_DAY
from ticketing.demo.data.phrases import CALL_NOTES, FAQ, GENERIC, NO_PHONE_NOTE, SURVEY_CHAT
from ticketing.demo.desk import office_calendar
from ticketing.demo.people import FOREVER, awake
from ticketing.models import (
    OPEN_STATUSES,
    CallbackOutcome,
    CallbackStatus,
    CallbackTask,
    Channel,
    Conversation,
    ConversationState,
    FollowUp,
    FollowUpStatus,
    IdentityKind,
    Severity,
    Status,
    Ticket,
    User,
)
from ticketing.sla import escalations

_DAWN = datetime.min.replace(tzinfo=UTC)


class World:
    """The database side of the steps: each is one service-layer call at its past moment.
    Between steps the worker runs at its own moments (SLA checkpoints, follow-up visits), and
    agents work the call-back list, so the month reads as if the desk had been running."""

    def __init__(
        self,
        session: Session,
        users: dict[str, User],
        *,
        seed: int,
        office: sla.Calendar,
        always: sla.Calendar,
    ) -> None:
        self.session = session
        self.users = users
        self.seed = seed
        self.office = office
        self.always = always
        self.at = _DAWN  # the moment of the step being run
        self.case_of: dict[int, Case] = {}  # by ticket id
        # The worker's follow-up part opens its own sessions: here they join this transaction,
        # each batch in a savepoint.
        self.worker_sessions = sessionmaker(
            bind=session.connection(), join_transaction_mode="create_savepoint"
        )
        # When an agent calls: (at, task id, outcome, agent, note), a heap.
        self.calls: list[tuple[datetime, int, CallbackOutcome, str, str]] = []
        self.tasks_seen = session.scalar(select(func.max(CallbackTask.id))) or 0
        # Nothing the worker looks at is due before these (lower bounds, so most steps need no
        # query): a step can only bring its own ticket's checkpoint or follow-up forward.
        self.next_check = _DAWN
        self.next_visit = _DAWN

    def run(self, step: Step, case: Case) -> None:
        self.catch_up(step.at)
        self.at = step.at
        step.do(self)
        ticket = case.ticket
        if ticket is None:
            return
        if ticket.next_sla_check_at is not None:
            self.next_check = min(self.next_check, ticket.next_sla_check_at)
        if ticket.status in (Status.RESOLVED, Status.CLOSED):  # follow-ups were scheduled
            visit = self.session.scalar(
                select(func.min(FollowUp.next_action_at)).where(FollowUp.ticket_id == ticket.id)
            )
            if visit is not None:
                self.next_visit = min(self.next_visit, visit)

    @staticmethod
    def ticket(case: Case) -> Ticket:
        if case.ticket is None:
            raise AssertionError(f"case {case.index} has no ticket yet")
        return case.ticket

    def actor(self, username: str) -> services.Actor:
        return services.Actor.of(self.users[username])

    def create(self, case: Case) -> None:
        session, at = self.session, self.at
        conversation_id = case.conversation_id
        if conversation_id is not None and case.external_id is not None:
            # The customer told the bot; the bot filed the complaint and handed over.
            services.record_inbound_message(
                session,
                case.channel,
                case.external_id,
                case.description,
                display_name=case.person.name,
                language=case.language,
                at=at - timedelta(seconds=90),
            )
            actor = services.Actor.bot()
        elif case.channel is Channel.PHONE:
            actor = self.actor(case.owner)
        else:
            actor = services.Actor.system()  # the mailbox or the integration
        ticket = case.ticket = services.create_ticket(
            session,
            subject=case.subject,
            description=case.description,
            channel=case.channel,
            actor=actor,
            customer=case.person.customer,
            category=case.scenario.category,
            severity=Severity.MAJOR if case.scenario.major else Severity.GENERAL,
            team=self.users[case.owner].team,
            conversation_id=conversation_id,
            order_number=case.order_number,
            language=case.language,
            at=at,
        )
        self.case_of[ticket.id] = case
        if conversation_id is not None:
            conversation = session.get(Conversation, conversation_id)
            if conversation is None:
                raise AssertionError(f"no conversation {conversation_id}")
            ack = GENERIC["bot_ack"][case.language][0].format(number=ticket.number)
            if case.person.account is None and not office_calendar().is_open(at):
                ack += ("" if case.language == "zh" else " ") + GENERIC["bot_after_hours"][
                    case.language
                ][0]
            services.record_bot_reply(session, conversation, ack, at=at)
            services.hand_off_conversation(
                session, conversation, services.Actor.bot(), reason="complaint", at=at
            )

    def triage(self, case: Case, supervisor: str) -> None:
        services.triage_ticket(
            self.session,
            self.ticket(case),
            self.actor(supervisor),
            severity=Severity.MAJOR,
            priority=priority(True, case.person.tier),
            at=self.at,
        )

    def assign(self, case: Case, supervisor: str) -> None:
        services.assign_ticket(
            self.session,
            self.ticket(case),
            self.users[case.owner],
            self.actor(supervisor),
            at=self.at,
        )

    def claim(self, case: Case, agent: str) -> None:
        services.claim_ticket(self.session, self.ticket(case), self.users[agent], at=self.at)

    def reply(self, case: Case, agent: str, text: str) -> None:
        services.reply_to_customer(
            self.session, self.ticket(case), self.actor(agent), text, at=self.at
        )

    def note(self, case: Case, agent: str, text: str) -> None:
        services.add_note(self.session, self.ticket(case), self.actor(agent), text, at=self.at)

    def customer_says(self, case: Case, text: str) -> None:
        ticket = self.ticket(case)
        if case.external_id is not None and ticket.status in OPEN_STATUSES:
            # Through the chat, as the gateway stores it: it lands on the open ticket.
            record = services.record_inbound_message(
                self.session,
                case.channel,
                case.external_id,
                text,
                language=case.language,
                at=self.at,
            )
            if record.ticket is not ticket:
                raise AssertionError(f"case {case.index}: the chat has another open ticket")
        else:
            services.add_customer_message(self.session, ticket, text, at=self.at)

    def set_status(self, case: Case, agent: str, status: Status) -> None:
        services.change_status(
            self.session, self.ticket(case), status, self.actor(agent), at=self.at
        )

    def hand_back(self, case: Case, agent: str) -> None:
        """The agent gives the chat back to the bot once the case is handled."""
        if case.conversation_id is None:
            return
        conversation = self.session.get(Conversation, case.conversation_id)
        if conversation is None or conversation.state is ConversationState.BOT:
            return
        services.hand_back_conversation(self.session, conversation, self.actor(agent), at=self.at)
        services.complete_hand_back(self.session, conversation.id, at=self.at)

    def survey(self, case: Case, csat: int, nps: int, comment: str) -> None:
        """The customer's follow-up answers: on the phone if the visit became a call-back, else
        in the chat the bot asked in (or however else they reached us)."""
        session, ticket = self.session, self.ticket(case)
        task = session.scalars(
            select(CallbackTask)
            .where(
                CallbackTask.ticket_id == ticket.id,
                CallbackTask.status == CallbackStatus.OPEN,
                CallbackTask.follow_up_id.is_not(None),
            )
            .order_by(CallbackTask.due_at, CallbackTask.id)
        ).first()
        if task is not None:
            callbacks.record_outcome(
                session,
                task,
                self.users[case.owner],
                CallbackOutcome.REACHED,
                note=comment,
                csat=csat,
                nps=nps,
                at=self.at,
            )
            return
        asked = session.scalars(
            select(FollowUp)
            .where(FollowUp.ticket_id == ticket.id, FollowUp.status == FollowUpStatus.SURVEY_SENT)
            .order_by(FollowUp.due_at)
        ).first()
        if asked is not None and asked.conversation_id and asked.survey_sent_at:
            self._survey_chat(case, asked.conversation_id, asked.survey_sent_at, csat, nps, comment)
        services.record_survey(session, ticket, csat, nps, comment, at=self.at, follow_up=asked)

    def _survey_chat(
        self,
        case: Case,
        conversation_id: str,
        asked_at: datetime,
        csat: int,
        nps: int,
        comment: str,
    ) -> None:
        """What the bot's survey looked like in the chat (worded as in bot/assistant/domain/)."""
        session, at, language = self.session, self.at, case.language
        conversation = session.get(Conversation, conversation_id)
        if conversation is None:
            return
        external = conversation_id.split(":", 1)[1]
        texts = SURVEY_CHAT[language]
        number = self.ticket(case).number

        def bot(text: str, when: datetime, scale: int = 0) -> None:
            buttons = [{"title": str(n), "payload": f'/rate_service{{"score":"{n}"}}'} for n in
                       range(1 if scale == 5 else 0, scale + 1)] if scale else []  # fmt: skip
            services.record_bot_reply(session, conversation, text, buttons=buttons, at=when)

        def customer(text: str, when: datetime) -> None:
            services.record_inbound_message(
                session, conversation.channel, external, text, language=language, at=when
            )

        minute = timedelta(minutes=1)
        bot(texts["intro"].format(number=number) + "\n" + texts["csat"], asked_at, scale=5)
        customer(str(csat), at - 4 * minute)
        bot(texts["nps"], at - 4 * minute, scale=10)
        customer(str(nps), at - 3 * minute)
        bot(texts["comment"], at - 3 * minute)
        customer(comment or texts["skip"], at - 2 * minute)
        low = scores.is_low_score(csat, nps)
        bot(texts["sorry" if low else "thanks"], at - minute)

    def catch_up(self, until: datetime) -> None:
        """Everything due up to `until` besides the steps, each at its own moment: the worker's
        SLA checkpoints (warnings, breaches) and follow-up visits, and agents' calls."""
        sla_due = select(func.min(Ticket.next_sla_check_at)).scalar_subquery()
        visit_due = select(func.min(FollowUp.next_action_at)).scalar_subquery()
        while True:
            next_call = self.calls[0][0] if self.calls else None
            if min(self.next_check, self.next_visit) > until and (
                next_call is None or next_call > until
            ):
                return
            next_check, next_visit = self.session.execute(select(sla_due, visit_due)).one()
            self.next_check = next_check or FOREVER
            self.next_visit = next_visit or FOREVER
            due = min(
                (
                    at
                    for at in (next_check, next_visit, next_call)
                    if at is not None and at <= until
                ),
                default=None,
            )
            if due is None:
                return
            if due == next_check:
                while escalations.sweep_batch(self.session, due, batch=500).tickets == 500:
                    pass
                self.next_check = _DAWN  # look again
            elif due == next_visit:
                self._visit(due)
                self.next_visit = _DAWN
            else:
                self._call()

    def _visit(self, due: datetime) -> None:
        session = self.session
        session.flush()
        followups.process_due(self.worker_sessions, due)
        # The worker's own session changed follow-up rows this session may hold.
        for row in list(session.identity_map.values()):
            if isinstance(row, FollowUp):
                session.expire(row)
        for task in session.scalars(
            select(CallbackTask).where(CallbackTask.id > self.tasks_seen).order_by(CallbackTask.id)
        ).all():
            self.tasks_seen = task.id
            case = self.case_of.get(task.ticket_id) if task.ticket_id is not None else None
            follow_up = session.get(FollowUp, task.follow_up_id) if task.follow_up_id else None
            if case is None or follow_up is None:
                continue
            # Someone in the team calls within a working day or two; a planned answer (the
            # survey step) comes sooner and finds the task still open.
            rng = random.Random(  # noqa: S311
                f"{self.seed}:{case.index}:{follow_up.round}:{follow_up.sequence}"
            )
            calendar = self.always if case.person.account is not None else self.office
            call_at = sla.add_business_time(
                calendar, task.due_at, timedelta(minutes=rng.uniform(WORKING_DAY, 2 * WORKING_DAY))
            )
            outcome = rng.choices(
                (
                    CallbackOutcome.NO_ANSWER,
                    CallbackOutcome.DECLINED,
                    CallbackOutcome.REACHED,
                    CallbackOutcome.WRONG_NUMBER,
                ),
                (55, 25, 15, 5),
            )[0]
            language = "zh" if task.language.startswith("zh") else "en"
            if IdentityKind.PHONE in case.person.identities:
                note = CALL_NOTES[outcome][language]
            else:
                outcome, note = CallbackOutcome.NO_ANSWER, NO_PHONE_NOTE[language]
            heapq.heappush(self.calls, (call_at, task.id, outcome, case.owner, note))

    def _call(self) -> None:
        at, task_id, outcome, agent, note = heapq.heappop(self.calls)
        task = self.session.get(CallbackTask, task_id)
        if task is None or task.status is not CallbackStatus.OPEN:
            return
        callbacks.record_outcome(self.session, task, self.users[agent], outcome, note=note, at=at)


def faq_conversations(
    session: Session, rng: random.Random, spare: Sequence[tuple[str, str]], now: datetime
) -> int:
    """Would-be customers who asked the bot something and needed nobody: no ticket."""
    count = 0
    for language in ("zh", "en"):
        for n, (question, answer) in enumerate(FAQ[language]):
            name = spare[n][0 if language == "zh" else 1]
            channel = Channel.TELEGRAM if language == "en" and n % 2 else Channel.WEB
            external = (
                f"demo-tg-faq-{n}"
                if channel is Channel.TELEGRAM
                else f"demo-{rng.getrandbits(64):016x}"
            )
            at = awake(now - timedelta(hours=rng.uniform(2, DAYS * 24)))
            record = services.record_inbound_message(
                session, channel, external, question, display_name=name, language=language, at=at
            )
            services.record_bot_reply(
                session, record.conversation, answer, at=at + timedelta(seconds=2)
            )
            count += 1
    return count
