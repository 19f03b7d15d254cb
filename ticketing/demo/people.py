"""The demo customers: who they are, how they reach the desk, and when they write."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from ticketing import channels
from ticketing.demo.data.company import TIMEZONE
from ticketing.demo.data.customers import (
    EN_FIRST,
    EN_LAST,
    KEY_ACCOUNTS_LIST,
    ZH_GIVEN,
    ZH_SURNAMES,
    KeyAccount,
)
from ticketing.demo.data.phrases import FAQ
from ticketing.models import Channel, Customer, IdentityKind, Lifecycle, Tier

ZONE = ZoneInfo(TIMEZONE)
FOREVER = datetime.max.replace(tzinfo=UTC)


@dataclass
class Person:
    """A demo customer before and after it is stored."""

    name: str
    language: str
    tier: Tier
    lifecycle: Lifecycle
    since: datetime
    identities: dict[IdentityKind, str]
    hello: str
    account: KeyAccount | None = None
    tickets: int = 0
    # A chat conversation carries one open ticket at a time: when each is free again.
    free_from: dict[Channel, datetime] = field(default_factory=dict)
    customer: Customer | None = None

    def chat_id(self, channel: Channel) -> str | None:
        chat = channels.lookup(channel)
        return self.identities.get(chat.identity) if chat is not None else None


def _phone(number: int) -> str:
    return f"+86-000-0000-{number:04d}"


def _unique(slug: str, taken: set[str]) -> str:
    candidate, n = slug, 1
    while candidate in taken:
        n += 1
        candidate = f"{slug}{n}"
    taken.add(candidate)
    return candidate


def make_people(rng: random.Random, now: datetime) -> tuple[list[Person], list[tuple[str, str]]]:
    """The customers, and spare names (Chinese, English) for the bot-only conversations."""
    people: list[Person] = []
    for account in KEY_ACCOUNTS_LIST:
        new = account.lifecycle is Lifecycle.NEW
        people.append(
            Person(
                name=account.name,
                language=account.language,
                tier=Tier.KEY_ACCOUNT,
                lifecycle=account.lifecycle,
                since=now - timedelta(days=rng.randint(45, 80) if new else rng.randint(400, 1500)),
                identities={
                    IdentityKind.EMAIL: account.email,
                    IdentityKind.PHONE: _phone(len(people) + 1),
                },
                hello=account.hello,
                account=account,
            )
        )
    zh_names = [(s + g, f"{sp}.{gp}") for s, sp in ZH_SURNAMES for g, gp in ZH_GIVEN]
    en_names = [(f"{f} {last}", f"{f}.{last}".lower()) for f in EN_FIRST for last in EN_LAST]
    rng.shuffle(zh_names)
    rng.shuffle(en_names)
    taken: set[str] = set()
    for language, names in (("zh", zh_names[:110]), ("en", en_names[:70])):
        for name, slug in names:
            tier = rng.choices((Tier.REGULAR, Tier.SILVER, Tier.GOLD), (55, 25, 20))[0]
            stages = (
                Lifecycle.POTENTIAL,
                Lifecycle.NEW,
                Lifecycle.MATURE,
                Lifecycle.DECLINING,
                Lifecycle.CHURNED,
            )
            weights = (0, 10, 60, 25, 5) if tier is Tier.GOLD else (10, 25, 35, 20, 10)
            lifecycle = rng.choices(stages, weights)[0]
            years = {Lifecycle.MATURE: 400, Lifecycle.DECLINING: 300, Lifecycle.CHURNED: 500}
            since = now - timedelta(
                days=rng.randint(years[lifecycle], 1500)
                if lifecycle in years
                else rng.randint(31, 75),
                minutes=rng.randint(0, 24 * 60),
            )
            number = len(people) + 1
            identities: dict[IdentityKind, str] = {}
            chinese = language == "zh"
            if rng.random() < (0.6 if chinese else 0.45):
                identities[IdentityKind.WEB] = f"demo-{rng.getrandbits(64):016x}"
            if rng.random() < (0.08 if chinese else 0.45):
                identities[IdentityKind.TELEGRAM] = f"demo-tg-{number:04d}"
            if rng.random() < (0.95 if chinese else 0.8):  # an order needs a phone number
                identities[IdentityKind.PHONE] = _phone(number)
            if rng.random() < (0.4 if chinese else 0.85) or not identities:
                identities[IdentityKind.EMAIL] = f"{_unique(slug, taken)}@example.com"
            people.append(
                Person(
                    name=name,
                    language=language,
                    tier=tier,
                    lifecycle=lifecycle,
                    since=since,
                    identities=identities,
                    hello="您好" if chinese else f"Hi {name.split()[0]},",
                )
            )
    spare = [(zh_names[110 + n][0], en_names[70 + n][0]) for n in range(len(FAQ["zh"]))]
    return people, spare


def awake(at: datetime) -> datetime:
    """Customers write by day: a night-time moment moves to 07:00 local, same minutes."""
    local = at.astimezone(ZONE)
    if local.hour < 7:
        return local.replace(hour=7).astimezone(UTC)
    return at


def reaches(person: Person, channel: Channel, at: datetime) -> bool:
    if channels.lookup(channel) is not None:
        free = person.free_from.get(channel, person.since)
        return person.chat_id(channel) is not None and free < at
    if channel is Channel.PHONE:
        return IdentityKind.PHONE in person.identities
    if channel is Channel.EMAIL:
        return IdentityKind.EMAIL in person.identities
    return True  # an API integration files for anyone
