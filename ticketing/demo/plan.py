"""One demo ticket's life as steps in time, each at a moment the desk would have made it."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Concatenate, ParamSpec

from ticketing import sla
from ticketing.demo import desk
from ticketing.demo.case import Case, Step, priority
from ticketing.demo.data.company import SLA_TARGETS
from ticketing.demo.people import FOREVER, awake
from ticketing.demo.world import World
from ticketing.models import Category, Channel, Status

_P = ParamSpec("_P")


class _Timeline:
    """Builds one case's steps; each step is at least a second after the one before."""

    def __init__(self, case: Case, calendar: sla.Calendar) -> None:
        self.case = case
        self.calendar = calendar
        self.steps: list[Step] = []
        self.t = case.created - timedelta(seconds=1)

    def add(self, at: datetime, do: Callable[[World], object]) -> datetime:
        at = max(at, self.t + timedelta(seconds=1))
        self.steps.append(Step(at, self.case.index, len(self.steps), do))
        self.t = at
        return at

    def agent_time(self, after: datetime, minutes: float) -> datetime:
        """When a colleague gets to it: `minutes` of the team's working time after `after`."""
        return sla.add_business_time(self.calendar, after, timedelta(minutes=minutes))

    @staticmethod
    def customer_time(after: datetime, hours: float) -> datetime:
        return awake(after + timedelta(hours=hours))


def _do(
    method: Callable[Concatenate[World, _P], object], *args: _P.args, **kwargs: _P.kwargs
) -> Callable[[World], object]:
    """A step that calls `method` on the world with these arguments, bound now (a lambda
    would read variables the planner reassigns later)."""
    return lambda world: method(world, *args, **kwargs)


def _minutes(target: int, factor: float) -> float:
    return target * factor


def plan(rng: random.Random, case: Case, office: sla.Calendar, always: sla.Calendar,
         untouched: bool) -> list[Step]:  # fmt: skip
    """The life of one ticket, ignoring `now`: the run stops each case at the present."""
    w = World
    scenario, lines, person = case.scenario, case.lines, case.person
    company = person.account is not None
    timeline = _Timeline(case, always if company else office)
    add, agent_time, customer_time = timeline.add, timeline.agent_time, timeline.customer_time
    chat = case.conversation_id is not None
    owner = case.owner
    supervisor = desk.supervisor(case.team)
    created = add(case.created, _do(w.create, case))
    if untouched:
        return timeline.steps

    major = scenario.major or scenario.triaged_major
    first, following, resolution = SLA_TARGETS[person.tier][priority(major, person.tier)]
    slow_first = rng.random() < (0.05 if major else 0.1)
    slow_resolution = rng.random() < 0.1
    hello = case.words["hello"]

    # Who takes it, and the first answer.
    if case.channel is Channel.PHONE:
        # The owner took the call and filed the ticket: the call itself was the first answer.
        add(created + timedelta(seconds=30), _do(w.claim, case, owner))
        first_at = created + timedelta(minutes=rng.uniform(3, 12))
    else:
        if slow_first:
            hello += "，抱歉让您久等了" if case.language == "zh" else " sorry to keep you waiting."
        if scenario.triaged_major:
            add(agent_time(created, rng.uniform(10, 40)), _do(w.triage, case, supervisor))
        assigned = company or major or scenario.supervisor_owns
        if assigned:
            add(agent_time(timeline.t, rng.uniform(3, 15)), _do(w.assign, case, supervisor))
        factor = rng.uniform(1.3, 3.0) if slow_first else rng.uniform(0.15, 0.8)
        first_at = max(
            agent_time(created, _minutes(first, factor)),
            agent_time(timeline.t, rng.uniform(3, 10)),
        )
        before: list[tuple[datetime, Callable[[World], object]]] = []
        if slow_first and rng.random() < 0.6:
            chase = case.generic(rng, "chase_ka" if company else "chase")
            chase_at = created + (first_at - created) * rng.uniform(0.35, 0.75)
            before.append((chase_at, _do(w.customer_says, case, chase)))
        if not assigned:
            claim_at = max(
                created + timedelta(minutes=1),
                first_at - timedelta(minutes=rng.uniform(2, 25)),
            )
            before.append((claim_at, _do(w.claim, case, owner)))
        for at, step in sorted(before, key=lambda pair: pair[0]):
            add(at, step)
    first_at = add(first_at, _do(w.reply, case, owner, case.text(lines.reply, hello=hello)))

    # The customer's part: what the first answer asked for.
    work_from = first_at
    if lines.answer:
        if rng.random() < 0.85:  # waiting on the customer pauses the clock
            add(first_at + timedelta(minutes=1), _do(w.set_status, case, owner, Status.PENDING))
            # Some people never answer: closed after five days or so (not a company's buyer,
            # nor someone with a major complaint).
            if not (major or company) and rng.random() < 0.2:
                close_at = agent_time(
                    first_at + timedelta(days=rng.uniform(5, 7)), rng.uniform(0, 60)
                )
                add(close_at, _do(w.reply, case, owner, case.generic(rng, "pending_close")))
                add(close_at, _do(w.set_status, case, owner, Status.CLOSED))
                if chat:
                    add(close_at, _do(w.hand_back, case, owner))
                person.free_from[case.channel] = timeline.t
                return timeline.steps
        work_from = add(
            customer_time(first_at, rng.uniform(0.3, 40)),
            _do(w.customer_says, case, case.text(lines.answer)),
        )
        add(
            agent_time(work_from, rng.uniform(5, 60)),
            _do(w.note, case, owner, case.text(lines.note)),
        )
        # The answer started the next-response clock: an update, or at least a word of thanks.
        factor = rng.uniform(1.2, 2.0) if rng.random() < 0.08 else rng.uniform(0.15, 0.8)
        update = case.text(lines.update) if lines.update else case.generic(rng, "thanks")
        add(agent_time(work_from, _minutes(following, factor)), _do(w.reply, case, owner, update))
    else:
        add(
            agent_time(timeline.t, rng.uniform(10, 120)),
            _do(w.note, case, owner, case.text(lines.note)),
        )
    done_by = work_from + timedelta(days=rng.uniform(*scenario.days))
    if lines.update and not lines.answer:  # news on the way, e.g. "the new pair has shipped"
        add(
            agent_time(
                work_from + (done_by - work_from) * rng.uniform(0.3, 0.6), rng.uniform(5, 30)
            ),
            _do(w.reply, case, owner, case.text(lines.update)),
        )
    quick_resolution = False
    if lines.update.rstrip().endswith(("？", "?")):  # the update asked: "does that work for you?"
        agree = case.generic(rng, "agree_ka" if company else "agree")
        add(customer_time(timeline.t, rng.uniform(0.1, 3)), _do(w.customer_says, case, agree))
        quick_resolution = True
    elif rng.random() < 0.15:
        # The customer asks for news: the next-response clock runs until someone answers.
        asked_at = add(
            customer_time(timeline.t, rng.uniform(2, 20)),
            _do(w.customer_says, case, case.generic(rng, "progress_ask")),
        )
        factor = rng.uniform(1.2, 2.5) if rng.random() < 0.2 else rng.uniform(0.2, 0.9)
        add(
            agent_time(asked_at, _minutes(following, factor)),
            _do(w.reply, case, owner, case.generic(rng, "progress")),
        )

    if rng.random() < 0.06:  # stuck: waiting on a factory, a courier, a lab; no resolution yet
        person.free_from[case.channel] = FOREVER
        return timeline.steps

    # The resolution, when the work is done (or later, when the case was neglected).
    if quick_resolution:
        resolve_at = agent_time(timeline.t, _minutes(following, rng.uniform(0.1, 0.7)))
    else:
        resolve_at = max(
            agent_time(timeline.t, rng.uniform(30, 240)), agent_time(done_by, rng.uniform(5, 60))
        )
        if slow_resolution:
            resolve_at = max(
                resolve_at, agent_time(created, _minutes(resolution, rng.uniform(1.05, 1.6)))
            )
    resolved_at = add(resolve_at, _do(w.reply, case, owner, case.text(lines.resolution)))
    add(resolved_at, _do(w.set_status, case, owner, Status.RESOLVED))
    if chat:
        add(agent_time(timeline.t, rng.uniform(2, 10)), _do(w.hand_back, case, owner))
    unhappy = slow_first or slow_resolution
    # "It still isn't right": the customer's message reopens the case (where goods or money move).
    if scenario.category in _REOPENABLE and rng.random() < 0.06:
        again_at = add(
            customer_time(timeline.t, rng.uniform(3, 30)),
            _do(w.customer_says, case, case.generic(rng, "reopen_ka" if company else "reopen")),
        )
        add(
            agent_time(again_at, rng.uniform(20, 120)),
            _do(w.reply, case, owner, case.generic(rng, "reopen_reply")),
        )
        fixed_at = add(
            agent_time(timeline.t, rng.uniform(120, 480)),
            _do(
                w.reply,
                case,
                owner,
                case.generic(rng, "reopen_resolution_ka" if company else "reopen_resolution"),
            ),
        )
        add(fixed_at, _do(w.set_status, case, owner, Status.RESOLVED))
        if chat:
            add(agent_time(timeline.t, rng.uniform(2, 10)), _do(w.hand_back, case, owner))
        unhappy = True

    # The follow-up visit (回访) falls due a day after the resolution; most customers answer it:
    # in the chat when the bot asks, or on the phone when an agent works the call-back list.
    final = timeline.t

    def answer_time(due: datetime) -> datetime:
        if chat:
            return customer_time(due, rng.uniform(0.2, 6))
        return agent_time(due, rng.uniform(20, 240))

    if rng.random() < 0.65:
        bad = 0.07 + 0.3 * unhappy + 0.15 * major
        band = rng.choices(("bad", "mixed", "good"), (bad, 0.25, 1 - bad - 0.25))[0]
        csat, nps = _scores(rng, band)
        comment = case.generic(rng, band)
        survey_at = add(
            answer_time(final + timedelta(days=1)), _do(w.survey, case, csat, nps, comment)
        )
        if band == "bad":  # a low score reopens the case and alerts the supervisors
            quoted = comment.rstrip("。！.!") or "-"
            note = case.generic(rng, "low_note", csat=csat, nps=nps, comment=quoted)
            add(agent_time(survey_at, rng.uniform(10, 60)), _do(w.note, case, supervisor, note))
            add(
                agent_time(timeline.t, rng.uniform(20, 120)),
                _do(w.reply, case, owner, case.generic(rng, "low_reply")),
            )
            done_at = add(
                agent_time(timeline.t, rng.uniform(60, 240)),
                _do(w.reply, case, owner, case.generic(rng, "low_resolution")),
            )
            add(done_at, _do(w.set_status, case, owner, Status.RESOLVED))
            if chat:
                add(agent_time(timeline.t, rng.uniform(2, 10)), _do(w.hand_back, case, owner))
    if rng.random() < 0.7:
        close_at = agent_time(
            timeline.t + timedelta(hours=rng.uniform(48, 120)), rng.uniform(0, 90)
        )
        add(close_at, _do(w.set_status, case, owner, Status.CLOSED))
    if major and rng.random() < 0.6:  # the second visit of a major complaint, a week on
        csat, nps = _scores(rng, rng.choice(("good", "mixed")))
        comment = case.generic(rng, "good" if csat >= 4 else "mixed")
        add(answer_time(final + timedelta(days=7)), _do(w.survey, case, csat, nps, comment))
    person.free_from[case.channel] = timeline.t
    return timeline.steps


_REOPENABLE = (Category.PRODUCT_QUALITY, Category.DELIVERY, Category.PRICE, Category.CONTRACT)


def _scores(rng: random.Random, band: str) -> tuple[int, int]:
    """CSAT (1-5) and NPS (0-10) for an experience; only `bad` is a low score (reopens)."""
    if band == "good":
        return rng.choice((4, 5, 5, 5)), rng.choice((8, 9, 9, 10, 10))
    if band == "mixed":
        return rng.choice((3, 3, 4)), rng.choice((7, 7, 8))
    return rng.choice((1, 2, 2)), rng.randint(0, 5)


# --- choosing the cases -------------------------------------------------------------------------
