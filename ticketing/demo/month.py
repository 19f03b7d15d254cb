"""The demo month's cases: which story, when, from whom, through which channel, for whom.

`deal` picks them and plans each one's steps (`plan.plan`).
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from ticketing import sla
from ticketing.demo.case import Case, Step, describe, make_words
from ticketing.demo.data.company import DAYS, KEY_ACCOUNTS, NEWEST_UNTOUCHED, TICKETS
from ticketing.demo.data.scenario import Scenario
from ticketing.demo.data.scenarios_orders import ORDER_STORIES
from ticketing.demo.data.scenarios_products import PRODUCT_STORIES
from ticketing.demo.data.scenarios_service import SERVICE_STORIES
from ticketing.demo.desk import agents, supervisor
from ticketing.demo.people import ZONE, Person, reaches
from ticketing.demo.plan import plan
from ticketing.models import Channel, Tier

# The deck is dealt from this order, so the order is part of what the seed fixes.
SCENARIOS: tuple[Scenario, ...] = (*PRODUCT_STORIES, *ORDER_STORIES, *SERVICE_STORIES)

_PERSONAL = (Channel.WEB, Channel.TELEGRAM, Channel.PHONE, Channel.EMAIL, Channel.API)
# How people reach the desk: Chinese customers rarely use Telegram; companies write or call.
_CHANNELS: dict[str, tuple[tuple[Channel, ...], tuple[int, ...]]] = {
    "zh": (_PERSONAL, (36, 4, 24, 14, 12)),
    "en": (_PERSONAL, (26, 24, 10, 28, 12)),
    "company": ((Channel.EMAIL, Channel.PHONE, Channel.API), (5, 3, 2)),
}


def deal(
    rng: random.Random,
    people: list[Person],
    now: datetime,
    office: sla.Calendar,
    always: sla.Calendar,
) -> tuple[list[Case], list[Step]]:
    # Every story at least once, the rest by weight.
    deck = list(SCENARIOS) + rng.choices(
        SCENARIOS, [s.weight for s in SCENARIOS], k=TICKETS - len(SCENARIOS)
    )
    rng.shuffle(deck)
    times = _created_times(rng, now)
    # Three in five tickets are in Chinese: a quota, not a coin, so every seed gets that split.
    chinese = TICKETS * 3 // 5
    languages = ["zh"] * chinese + ["en"] * (TICKETS - chinese)
    rng.shuffle(languages)
    cases: list[Case] = []
    steps: list[Step] = []
    for index, (scenario, created, language) in enumerate(zip(deck, times, languages, strict=True)):
        mix = _CHANNELS["company" if scenario.key_account else language]
        channel = rng.choices(mix[0], mix[1])[0]
        if channel is Channel.PHONE and not scenario.key_account and not office.is_open(created):
            channel = Channel.EMAIL  # the hotline keeps office hours
        person, language, channel = _customer(rng, people, scenario, created, language, channel)
        person.tickets += 1
        team = KEY_ACCOUNTS if person.account is not None else scenario.team
        owner = _owner(rng, person, scenario, team)
        words = make_words(rng, scenario, person, language, owner, team, created)
        lines = scenario.zh if language == "zh" else scenario.en
        if person.account is None:
            order_number: str | None = words["order"]
        else:
            order_number = words["po"] if scenario.key == "size_mix" else words["contract"]
        case = Case(
            index=index,
            scenario=scenario,
            language=language,
            person=person,
            channel=channel,
            created=created,
            team=team,
            owner=owner,
            subject=lines.subject.format_map(words),
            description=describe(words, lines, channel, language, person.account is not None),
            order_number=order_number,
            words=words,
        )
        cases.append(case)
        untouched = index >= TICKETS - NEWEST_UNTOUCHED
        steps += plan(rng, case, office, always, untouched)
    return cases, steps


def _created_times(rng: random.Random, now: datetime) -> list[datetime]:
    times: list[datetime] = []
    for _ in range(TICKETS - NEWEST_UNTOUCHED):
        at = now - timedelta(seconds=rng.uniform(45 * 60, DAYS * 86_400))
        if at.astimezone(ZONE).hour < 7 and rng.random() < 0.8:  # few complain at night
            at = min(at + timedelta(hours=8), now - timedelta(minutes=45))
        times.append(at)
    times += [now - timedelta(minutes=rng.uniform(4, 40)) for _ in range(NEWEST_UNTOUCHED)]
    return sorted(times)


def _customer(
    rng: random.Random,
    people: list[Person],
    scenario: Scenario,
    created: datetime,
    language: str,
    channel: Channel,
) -> tuple[Person, str, Channel]:
    """Who files the case, and in which language and through which channel they can: the
    ones asked for first, then the other language and the channels anyone has."""
    for language_tried in (language, "en" if language == "zh" else "zh"):
        for channel_tried in (channel, Channel.EMAIL, Channel.PHONE, Channel.API):
            fits = [
                p
                for p in people
                if p.language == language_tried
                and (p.account is not None) == scenario.key_account
                and (not scenario.kitchens_only or (p.account and p.account.kitchens))
                and (not scenario.regular_only or p.tier is Tier.REGULAR)
                and p.since < created
                and reaches(p, channel_tried, created)
            ]
            if fits:
                fresh = [p for p in fits if not p.tickets]
                # Most complaints come from someone new to the desk; some come back.
                pool = fresh if fresh and rng.random() < 0.8 else fits
                return rng.choice(pool), language_tried, channel_tried
    raise AssertionError(f"no demo customer fits {scenario.key}")  # a data bug


def _owner(rng: random.Random, person: Person, scenario: Scenario, team: str) -> str:
    """Who in the team handles it: a key account's manager, else the story's supervisor or an
    agent."""
    if person.account is not None:
        return person.account.manager
    if scenario.supervisor_owns:
        return supervisor(team)
    return rng.choice(agents(team))
