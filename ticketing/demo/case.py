"""One demo ticket before it is played: who, what, where, in which words, and its steps."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from ticketing.demo.data.catalogue import COURIERS, HEELS, MONTHS_EN, PRODUCTS, STORES
from ticketing.demo.data.customers import KEY_ACCOUNTS_LIST
from ticketing.demo.data.phrases import GENERIC, WAITING
from ticketing.demo.data.scenario import Lines, Scenario
from ticketing.demo.desk import TEAM, USER
from ticketing.demo.people import ZONE, Person
from ticketing.models import Channel, Priority, Ticket, Tier

if TYPE_CHECKING:
    from ticketing.demo.world import World


@dataclass
class Case:
    """One demo ticket: who, what, where, and (once created) the ticket itself."""

    index: int
    scenario: Scenario
    language: str
    person: Person
    channel: Channel
    created: datetime
    team: str
    owner: str
    subject: str
    description: str
    order_number: str | None
    words: dict[str, str]
    ticket: Ticket | None = None

    @property
    def external_id(self) -> str | None:
        return self.person.chat_id(self.channel)

    @property
    def conversation_id(self) -> str | None:
        external = self.external_id
        return f"{self.channel.value}:{external}" if external is not None else None

    @property
    def lines(self) -> Lines:
        return self.scenario.zh if self.language == "zh" else self.scenario.en

    def text(self, template: str, **extra: object) -> str:
        return template.format_map({**self.words, **extra})

    def generic(self, rng: random.Random, key: str, **extra: object) -> str:
        return self.text(rng.choice(GENERIC[key][self.language]), **extra)


@dataclass(frozen=True)
class Step:
    at: datetime
    case: int
    seq: int
    do: Callable[[World], object]


_DAYS_AGO = {"late_dispatch": (4, 9), "e_invoice": (5, 12)}


def make_words(
    rng: random.Random,
    scenario: Scenario,
    person: Person,
    language: str,
    owner: str,
    team: str,
    created: datetime,
) -> dict[str, str]:
    zh = language == "zh"
    product = rng.choice(scenario.products) if scenario.products else rng.randrange(len(PRODUCTS))
    product_zh, product_en, price = PRODUCTS[product]
    price2 = price * rng.choice((70, 75, 80, 85)) // 1000 * 10 - 1
    size = rng.randint(35, 39) if product == HEELS else rng.randint(36, 44)
    courier = rng.choice(COURIERS)
    store = rng.choice(STORES)
    low, high = _DAYS_AGO.get(scenario.key, (6, 25))
    days = rng.randint(low, high)
    local = created.astimezone(ZONE)
    month = (local.month - 2) % 12 + 1
    agent = USER[owner]
    words = {
        "product": product_zh if zh else product_en,
        "price": str(price),
        "price2": str(price2),
        "diff": str(price - price2),
        "size": str(size),
        "size2": str(size + 1),
        "days": str(days),
        "order": f"BY{local - timedelta(days=days):%y%m%d}{rng.randrange(10_000):04d}",
        "courier": courier[0] if zh else courier[1],
        "tracking": f"{courier[2]}{rng.randrange(10**11, 10**12)}",
        "tracking2": f"{courier[2]}{rng.randrange(10**11, 10**12)}",
        "store": store[0] if zh else store[1],
        "coupon": str(rng.choice((50, 80, 100))),
        "points": str(rng.randrange(1200, 8600, 100)),
        "short": str(rng.randrange(120, 480, 10)),
        "hello": person.hello,
        "agent": agent.display_name if zh else agent.name_en,
        "team": TEAM[team].zh if zh else TEAM[team].en,
        "waiting": WAITING[team][0 if zh else 1],
        "month": str(month),
        "month_en": MONTHS_EN[month - 1],
    }
    account = person.account
    if account is not None:
        quantity = account.quantity
        rest = round(quantity * rng.uniform(0.5, 0.6) / 10) * 10
        ka_product = account.product_zh if zh else account.product_en
        words |= {
            "contact": account.contact,
            "you": account.you,
            "ka_product": ka_product,
            "ka_product_cap": ka_product[:1].upper() + ka_product[1:],
            "contract": f"HT-{local.year}-{KEY_ACCOUNTS_LIST.index(account) * 37 + 105:03d}",
            "qty": str(quantity),
            "rest": str(rest),
            "first_batch": str(round(rest * 0.6 / 10) * 10),
            "extra": str(rng.randrange(40, 130, 10)),
            "po": f"PO{local:%Y%m%d}-{rng.randint(1, 30):02d}",
            "invoice": str(rng.randrange(10**7, 10**8)),
            "amount": f"{rng.randrange(80_000, 400_000, 10):,}",
            "gap": f"{rng.randrange(2_000, 12_000, 10):,}",
        }
    return words


def describe(
    case_words: dict[str, str], lines: Lines, channel: Channel, language: str, company: bool
) -> str:
    text = lines.description.format_map(case_words)
    zh = language == "zh"
    if channel is Channel.PHONE:
        return (
            f"（来电记录）客户称：「{text}」" if zh else f'(Phone call) The customer said: "{text}"'
        )
    if channel is Channel.API:
        if company:
            return f"【企业采购平台】{text}" if zh else f"[Procurement portal] {text}"
        return f"【天猫旗舰店售后同步】{text}" if zh else f"[Synced from our Tmall store] {text}"
    return text


def priority(major: bool, tier: Tier) -> Priority:
    # The default of services.create_ticket, which the demo leaves to it: the planner only needs
    # it to know the targets it is planning against.
    if major:
        return Priority.URGENT if tier is Tier.KEY_ACCOUNT else Priority.HIGH
    return Priority.HIGH if tier is Tier.KEY_ACCOUNT else Priority.NORMAL
