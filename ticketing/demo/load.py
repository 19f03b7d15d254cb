"""Loads the demo retailer: the desk, the customers, and a month of tickets played in time."""

from __future__ import annotations

import logging
import random
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from ticketing import churn, followups, notifications, services, sla
from ticketing.clock import utcnow
from ticketing.demo import desk
from ticketing.demo.case import Case
from ticketing.demo.data.company import DAYS, TIMEZONE
from ticketing.demo.month import deal
from ticketing.demo.people import Person, make_people
from ticketing.demo.world import World, faq_conversations
from ticketing.errors import Conflict
from ticketing.models import (
    CallbackStatus,
    CallbackTask,
    FollowUp,
    FollowUpStatus,
    IdentityKind,
    Notification,
    OutboxMessage,
    OutboxStatus,
    Severity,
    SlaEvent,
    SlaEventKind,
    Status,
    SurveyResponse,
    User,
)
from ticketing.sla import escalations


@dataclass(frozen=True)
class DemoSummary:
    """What `load_demo` made, in counts."""

    teams: int
    users: int
    kept_users: tuple[str, ...]
    customers: int
    key_accounts: int
    conversations: int
    tickets: int
    by_status: dict[str, int]
    by_language: dict[str, int]
    by_channel: dict[str, int]
    by_category: dict[str, int]
    major: int
    overdue_now: int
    sla_breaches: int
    surveys: int
    csat_average: float | None
    detractors: int
    surveys_waiting: int  # asked in a chat, not answered yet
    callbacks_open: int
    callbacks_done: int
    seconds: float

    def lines(self) -> list[str]:
        def counts(values: dict[str, int]) -> str:
            return ", ".join(f"{name} {n}" for name, n in values.items())

        lines = [
            f"Demo retailer 鞋履零售 loaded in {self.seconds:.1f} s: {self.teams} teams, "
            f"{self.users} users, {self.customers} customers ({self.key_accounts} key accounts), "
            f"{self.conversations} chat conversations",
            f"{self.tickets} tickets over the last {DAYS} days: {counts(self.by_status)}",
            f"  languages: {counts(self.by_language)}; channels: {counts(self.by_channel)}",
            f"  categories: {counts(self.by_category)}",
            f"  {self.major} major; {self.overdue_now} past an SLA deadline now; "
            f"{self.sla_breaches} SLA breaches recorded",
            f"  {self.surveys} follow-up surveys answered (CSAT average "
            + (f"{self.csat_average:.1f}" if self.csat_average is not None else "-")
            + f", {self.detractors} detractors); {self.surveys_waiting} waiting for an answer; "
            f"call-backs: {self.callbacks_done} made, {self.callbacks_open} to make",
        ]
        if self.kept_users:
            lines.append(
                "  kept the existing users " + ", ".join(self.kept_users) + " (their passwords "
                "are unchanged)"
            )
        return lines


def load_demo(session: Session, *, seed: int = 7, now: datetime | None = None) -> DemoSummary:
    """Load the demo retailer into `session` (the caller commits): teams, users, calendars, SLA
    policies, customers, chats and a month of tickets ending at `now`. Teams, users, calendars
    and policies that exist already are kept; demo customers that exist already are refused."""
    started = utcnow()
    now = (now or started).astimezone(UTC)
    rng = random.Random(seed)  # noqa: S311 (made-up data, not secrets)
    people, spare = make_people(rng, now)
    marker = people[0].identities[IdentityKind.EMAIL]
    if services.find_customer(session, IdentityKind.EMAIL, marker) is not None:
        raise Conflict("the demo data is loaded already: load it into an empty database")
    outbox_before = session.scalar(select(func.max(OutboxMessage.id))) or 0

    rows = desk.set_up(session, now)

    for person in people:
        person.customer = services.create_customer(
            session,
            person.name,
            tier=person.tier,
            lifecycle=person.lifecycle,
            language=person.language,
            identities=person.identities,
            at=person.since,
        )

    office = sla.calendar_of(rows.office) or desk.office_calendar()
    always = sla.calendar_of(rows.always) or sla.Calendar.twenty_four_seven(TIMEZONE)
    cases, steps = deal(rng, people, now, office, always)
    faq = faq_conversations(session, rng, spare, now)

    world = World(session, rows.users, seed=seed, office=office, always=always)
    with _quiet(escalations.log, followups.log):
        for step in sorted(steps, key=lambda s: (s.at, s.case, s.seq)):
            if step.at > now:
                continue  # the rest of this case's life has not happened yet
            world.run(step, cases[step.case])
        world.catch_up(now)
    churn.refresh(session, now)
    _settle(session, outbox_before, now)
    # Routes last: the month replayed above sets its teams itself, as it happened.
    desk.route_categories(session, rows.teams)
    return _summary(session, rows, people, cases, faq, now, started)


@contextmanager
def _quiet(*loggers: logging.Logger) -> Iterator[None]:
    """The replayed worker logs a line per warning, breach and visit: a month of history is
    not news, so only its warnings and errors are shown."""
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(max(logger.getEffectiveLevel(), logging.WARNING))
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


def _settle(session: Session, outbox_before: int, now: datetime) -> None:
    """What a running desk would have done meanwhile: delivered the past month's chat messages
    (else the deliverer would replay them all at start) and read last month's notifications."""
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id > outbox_before, OutboxMessage.status == OutboxStatus.PENDING)
        .values(status=OutboxStatus.SENT, attempts=1, sent_at=OutboxMessage.created_at)
        .execution_options(synchronize_session=False)
    )
    yesterday = now - timedelta(days=1)
    for user in session.scalars(select(User)).all():
        old = session.scalars(
            select(Notification.id).where(
                Notification.user_id == user.id,
                Notification.created_at < yesterday,
            )
        ).all()
        if old:
            notifications.mark_read(session, user, old, yesterday)


def _summary(
    session: Session,
    rows: desk.Desk,
    people: list[Person],
    cases: list[Case],
    faq: int,
    now: datetime,
    started: datetime,
) -> DemoSummary:
    tickets = [case.ticket for case in cases if case.ticket is not None]
    ids = [t.id for t in tickets]
    statuses = Counter(t.status.value for t in tickets)
    surveys = session.scalars(select(SurveyResponse).where(SurveyResponse.ticket_id.in_(ids))).all()
    csats = [s.csat for s in surveys if s.csat is not None]
    tasks: dict[CallbackStatus, int] = dict(
        session.execute(
            select(CallbackTask.status, func.count(CallbackTask.id))
            .where(CallbackTask.ticket_id.in_(ids))
            .group_by(CallbackTask.status)
        ).all()
    )
    conversations = {c.conversation_id for c in cases if c.conversation_id}
    return DemoSummary(
        teams=len(rows.teams),
        users=len(rows.users),
        kept_users=tuple(rows.kept),
        customers=len(people) + faq,
        key_accounts=sum(1 for p in people if p.account is not None),
        conversations=len(conversations) + faq,
        tickets=len(tickets),
        by_status={s.value: statuses.get(s.value, 0) for s in Status},
        by_language=dict(Counter(t.language for t in tickets).most_common()),
        by_channel=dict(Counter(t.channel.value for t in tickets).most_common()),
        by_category=dict(Counter(t.category.value for t in tickets).most_common()),
        major=sum(1 for t in tickets if t.severity is Severity.MAJOR),
        overdue_now=sum(1 for t in tickets if any(sla.sla_breaches(t, now).values())),
        sla_breaches=session.scalar(
            select(func.count(SlaEvent.id)).where(
                SlaEvent.kind == SlaEventKind.BREACH, SlaEvent.ticket_id.in_(ids)
            )
        )
        or 0,
        surveys=len(surveys),
        csat_average=sum(csats) / len(csats) if csats else None,
        detractors=sum(1 for s in surveys if s.nps is not None and s.nps <= 6),
        surveys_waiting=session.scalar(
            select(func.count(FollowUp.id)).where(
                FollowUp.status == FollowUpStatus.SURVEY_SENT, FollowUp.ticket_id.in_(ids)
            )
        )
        or 0,
        callbacks_open=tasks.get(CallbackStatus.OPEN, 0),
        callbacks_done=tasks.get(CallbackStatus.DONE, 0),
        seconds=(utcnow() - started).total_seconds(),
    )
