"""One demo ticket's life as steps in time, each at a moment the desk would have made it.

The parts, in order: the first answer, the customer's part, news while the work goes on, the
resolution, a reopening, the follow-up visits.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Concatenate, ParamSpec

from ticketing import sla
from ticketing.demo.case import Case, Step, priority
from ticketing.demo.data.company import SLA_TARGETS
from ticketing.demo.desk import supervisor
from ticketing.demo.people import FOREVER, awake
from ticketing.demo.world import World
from ticketing.models import Category, Channel, Status

_P = ParamSpec("_P")

_REOPENABLE = (Category.PRODUCT_QUALITY, Category.DELIVERY, Category.PRICE, Category.CONTRACT)


def plan(
    rng: random.Random, case: Case, office: sla.Calendar, always: sla.Calendar, untouched: bool
) -> list[Step]:
    """The life of one ticket, ignoring `now`: the run stops each case at the present."""
    calendar = always if case.person.account is not None else office
    return _Planner(rng, case, calendar).plan(untouched)


def _do(
    method: Callable[Concatenate[World, _P], object], *args: _P.args, **kwargs: _P.kwargs
) -> Callable[[World], object]:
    """A step that calls `method` on the world with these arguments, bound now (a lambda
    would read variables the planner reassigns later)."""
    return lambda world: method(world, *args, **kwargs)


def _scores(rng: random.Random, band: str) -> tuple[int, int]:
    """CSAT (1-5) and NPS (0-10) for an experience; only `bad` is a low score (reopens)."""
    if band == "good":
        return rng.choice((4, 5, 5, 5)), rng.choice((8, 9, 9, 10, 10))
    if band == "mixed":
        return rng.choice((3, 3, 4)), rng.choice((7, 7, 8))
    return rng.choice((1, 2, 2)), rng.randint(0, 5)


def _minutes(target: int, factor: float) -> float:
    return target * factor


class _Planner:
    """Builds one case's steps, part by part; each step is at least a second after the one
    before. The parts draw from `rng` in a fixed order: the seed fixes the whole data set."""

    def __init__(self, rng: random.Random, case: Case, calendar: sla.Calendar) -> None:
        self.rng = rng
        self.case = case
        self.calendar = calendar  # the team's working time
        self.steps: list[Step] = []
        self.t = case.created - timedelta(seconds=1)
        self.company = case.person.account is not None
        self.chat = case.conversation_id is not None
        self.owner = case.owner
        self.supervisor = supervisor(case.team)
        self.major = case.scenario.major or case.scenario.triaged_major
        tier = case.person.tier
        self.first, self.following, self.resolution = SLA_TARGETS[tier][priority(self.major, tier)]

    def add(self, at: datetime, step: Callable[[World], object]) -> datetime:
        at = max(at, self.t + timedelta(seconds=1))
        self.steps.append(Step(at, self.case.index, len(self.steps), step))
        self.t = at
        return at

    def agent_time(self, after: datetime, minutes: float) -> datetime:
        """When a colleague gets to it: `minutes` of the team's working time after `after`."""
        return sla.add_business_time(self.calendar, after, timedelta(minutes=minutes))

    @staticmethod
    def customer_time(after: datetime, hours: float) -> datetime:
        return awake(after + timedelta(hours=hours))

    def reply(self, text: str) -> Callable[[World], object]:
        return _do(World.reply, self.case, self.owner, text)

    def says(self, text: str) -> Callable[[World], object]:
        return _do(World.customer_says, self.case, text)

    def status(self, status: Status) -> Callable[[World], object]:
        return _do(World.set_status, self.case, self.owner, status)

    def plan(self, untouched: bool) -> list[Step]:
        rng, case = self.rng, self.case
        created = self.add(case.created, _do(World.create, case))
        if untouched:
            return self.steps
        slow_first = rng.random() < (0.05 if self.major else 0.1)
        slow_resolution = rng.random() < 0.1
        first_at = self.first_answer(created, slow_first)
        work_from = self.customer_part(first_at)
        if work_from is None:
            return self.steps
        done_by = work_from + timedelta(days=rng.uniform(*case.scenario.days))
        quick_resolution = self.progress(work_from, done_by)
        if rng.random() < 0.06:  # stuck: waiting on a factory, a courier, a lab; no resolution yet
            case.person.free_from[case.channel] = FOREVER
            return self.steps

        # The resolution, when the work is done (or later, when the case was neglected).
        if quick_resolution:
            resolve_at = self.agent_time(self.t, _minutes(self.following, rng.uniform(0.1, 0.7)))
        else:
            resolve_at = max(
                self.agent_time(self.t, rng.uniform(30, 240)),
                self.agent_time(done_by, rng.uniform(5, 60)),
            )
            if slow_resolution:
                resolve_at = max(
                    resolve_at,
                    self.agent_time(created, _minutes(self.resolution, rng.uniform(1.05, 1.6))),
                )
        self.resolve(resolve_at, case.text(case.lines.resolution))
        unhappy = self.reopen() or slow_first or slow_resolution
        self.follow_up(unhappy)
        case.person.free_from[case.channel] = self.t
        return self.steps

    def first_answer(self, created: datetime, slow_first: bool) -> datetime:
        """Who takes it, and the first answer."""
        case, rng = self.case, self.rng
        hello = case.words["hello"]
        if case.channel is Channel.PHONE:
            # The owner took the call and filed the ticket: the call itself was the first answer.
            self.add(created + timedelta(seconds=30), _do(World.claim, case, self.owner))
            first_at = created + timedelta(minutes=rng.uniform(3, 12))
        else:
            if slow_first:
                hello += (
                    "，抱歉让您久等了" if case.language == "zh" else " sorry to keep you waiting."
                )
            first_at = self.pick_up(created, slow_first)
        return self.add(first_at, self.reply(case.text(case.lines.reply, hello=hello)))

    def pick_up(self, created: datetime, slow_first: bool) -> datetime:
        """Triage, assignment or a claim before a written complaint's first answer, and the
        customer chasing a slow one; returns when the first answer goes out."""
        case, rng, agent_time = self.case, self.rng, self.agent_time
        if case.scenario.triaged_major:
            self.add(
                agent_time(created, rng.uniform(10, 40)), _do(World.triage, case, self.supervisor)
            )
        assigned = self.company or self.major or case.scenario.supervisor_owns
        if assigned:
            self.add(
                agent_time(self.t, rng.uniform(3, 15)), _do(World.assign, case, self.supervisor)
            )
        factor = rng.uniform(1.3, 3.0) if slow_first else rng.uniform(0.15, 0.8)
        first_at = max(
            agent_time(created, _minutes(self.first, factor)),
            agent_time(self.t, rng.uniform(3, 10)),
        )
        before: list[tuple[datetime, Callable[[World], object]]] = []
        if slow_first and rng.random() < 0.6:
            chase = case.generic(rng, "chase_ka" if self.company else "chase")
            chase_at = created + (first_at - created) * rng.uniform(0.35, 0.75)
            before.append((chase_at, self.says(chase)))
        if not assigned:
            claim_at = max(
                created + timedelta(minutes=1),
                first_at - timedelta(minutes=rng.uniform(2, 25)),
            )
            before.append((claim_at, _do(World.claim, case, self.owner)))
        for at, step in sorted(before, key=lambda pair: pair[0]):
            self.add(at, step)
        return first_at

    def customer_part(self, first_at: datetime) -> datetime | None:
        """The customer's part: what the first answer asked for. Returns when the work can
        start, or None when the customer never answered and the case was closed."""
        case, rng, lines, agent_time = self.case, self.rng, self.case.lines, self.agent_time
        if not lines.answer:
            self.add(agent_time(self.t, rng.uniform(10, 120)), self.note(case.text(lines.note)))
            return first_at
        if rng.random() < 0.85:  # waiting on the customer pauses the clock
            self.add(first_at + timedelta(minutes=1), self.status(Status.PENDING))
            # Some people never answer: closed after five days or so (not a company's buyer,
            # nor someone with a major complaint).
            if not (self.major or self.company) and rng.random() < 0.2:
                close_at = agent_time(
                    first_at + timedelta(days=rng.uniform(5, 7)), rng.uniform(0, 60)
                )
                self.add(close_at, self.reply(case.generic(rng, "pending_close")))
                self.add(close_at, self.status(Status.CLOSED))
                if self.chat:
                    self.add(close_at, _do(World.hand_back, case, self.owner))
                case.person.free_from[case.channel] = self.t
                return None
        work_from = self.add(
            self.customer_time(first_at, rng.uniform(0.3, 40)), self.says(case.text(lines.answer))
        )
        self.add(agent_time(work_from, rng.uniform(5, 60)), self.note(case.text(lines.note)))
        # The answer started the next-response clock: an update, or at least a word of thanks.
        factor = rng.uniform(1.2, 2.0) if rng.random() < 0.08 else rng.uniform(0.15, 0.8)
        update = case.text(lines.update) if lines.update else case.generic(rng, "thanks")
        self.add(agent_time(work_from, _minutes(self.following, factor)), self.reply(update))
        return work_from

    def note(self, text: str, by: str | None = None) -> Callable[[World], object]:
        return _do(World.note, self.case, by or self.owner, text)

    def progress(self, work_from: datetime, done_by: datetime) -> bool:
        """News while the work goes on; True when the customer agreed to a proposal, so the
        resolution follows quickly."""
        case, rng, lines = self.case, self.rng, self.case.lines
        if lines.update and not lines.answer:  # news on the way, e.g. "the new pair has shipped"
            news_at = work_from + (done_by - work_from) * rng.uniform(0.3, 0.6)
            self.add(
                self.agent_time(news_at, rng.uniform(5, 30)), self.reply(case.text(lines.update))
            )
        if lines.update.rstrip().endswith(
            ("？", "?")
        ):  # the update asked: "does that work for you?"
            agree = case.generic(rng, "agree_ka" if self.company else "agree")
            self.add(self.customer_time(self.t, rng.uniform(0.1, 3)), self.says(agree))
            return True
        if rng.random() < 0.15:
            # The customer asks for news: the next-response clock runs until someone answers.
            asked_at = self.add(
                self.customer_time(self.t, rng.uniform(2, 20)),
                self.says(case.generic(rng, "progress_ask")),
            )
            factor = rng.uniform(1.2, 2.5) if rng.random() < 0.2 else rng.uniform(0.2, 0.9)
            self.add(
                self.agent_time(asked_at, _minutes(self.following, factor)),
                self.reply(case.generic(rng, "progress")),
            )
        return False

    def resolve(self, at: datetime, text: str) -> None:
        """The answer that resolves the case, and a chat handed back to the bot after it."""
        at = self.add(at, self.reply(text))
        self.add(at, self.status(Status.RESOLVED))
        if self.chat:
            self.add(
                self.agent_time(self.t, self.rng.uniform(2, 10)),
                _do(World.hand_back, self.case, self.owner),
            )

    def reopen(self) -> bool:
        """'It still isn't right': the customer's message reopens the case (where goods or money
        move). True when it happened."""
        case, rng, company = self.case, self.rng, self.company
        if case.scenario.category not in _REOPENABLE or rng.random() >= 0.06:
            return False
        again_at = self.add(
            self.customer_time(self.t, rng.uniform(3, 30)),
            self.says(case.generic(rng, "reopen_ka" if company else "reopen")),
        )
        self.add(
            self.agent_time(again_at, rng.uniform(20, 120)),
            self.reply(case.generic(rng, "reopen_reply")),
        )
        self.resolve(
            self.agent_time(self.t, rng.uniform(120, 480)),
            case.generic(rng, "reopen_resolution_ka" if company else "reopen_resolution"),
        )
        return True

    def follow_up(self, unhappy: bool) -> None:
        """The follow-up visit (回访) falls due a day after the resolution; most customers answer
        it: in the chat when the bot asks, or on the phone when an agent works the call-back
        list. A low score reopens the case; then the case is closed, and a major complaint
        gets a second visit a week on."""
        case, rng = self.case, self.rng
        final = self.t
        if rng.random() < 0.65:
            bad = 0.07 + 0.3 * unhappy + 0.15 * self.major
            band = rng.choices(("bad", "mixed", "good"), (bad, 0.25, 1 - bad - 0.25))[0]
            csat, nps = _scores(rng, band)
            comment = case.generic(rng, band)
            survey_at = self.add(
                self.answer_time(final + timedelta(days=1)),
                _do(World.survey, case, csat, nps, comment),
            )
            if band == "bad":  # a low score reopens the case and alerts the supervisors
                quoted = comment.rstrip("。！.!") or "-"
                note = case.generic(rng, "low_note", csat=csat, nps=nps, comment=quoted)
                self.add(
                    self.agent_time(survey_at, rng.uniform(10, 60)),
                    self.note(note, self.supervisor),
                )
                self.add(
                    self.agent_time(self.t, rng.uniform(20, 120)),
                    self.reply(case.generic(rng, "low_reply")),
                )
                self.resolve(
                    self.agent_time(self.t, rng.uniform(60, 240)),
                    case.generic(rng, "low_resolution"),
                )
        if rng.random() < 0.7:
            close_at = self.agent_time(
                self.t + timedelta(hours=rng.uniform(48, 120)), rng.uniform(0, 90)
            )
            self.add(close_at, self.status(Status.CLOSED))
        if self.major and rng.random() < 0.6:  # the second visit of a major complaint, a week on
            csat, nps = _scores(rng, rng.choice(("good", "mixed")))
            comment = case.generic(rng, "good" if csat >= 4 else "mixed")
            self.add(
                self.answer_time(final + timedelta(days=7)),
                _do(World.survey, case, csat, nps, comment),
            )

    def answer_time(self, due: datetime) -> datetime:
        """When the customer answers a follow-up: in the chat, or when an agent calls."""
        if self.chat:
            return self.customer_time(due, self.rng.uniform(0.2, 6))
        return self.agent_time(due, self.rng.uniform(20, 240))
