"""The shape of a demo story: a kind of complaint, and how it is written and answered."""

from __future__ import annotations

from dataclasses import dataclass

from ticketing.models import Category


@dataclass(frozen=True)
class Lines:
    """One complaint as a customer writes it and a good agent answers it, in one language.
    Fields are format strings over the words of `_words`."""

    subject: str
    description: str
    reply: str  # the first answer; with `answer` set it asks the customer for something
    note: str  # internal, for colleagues
    resolution: str
    answer: str = ""  # the customer's answer to the first reply's question
    update: str = ""  # a progress message between the first answer and the resolution


@dataclass(frozen=True)
class Scenario:
    key: str
    category: Category
    team: str
    weight: float
    zh: Lines
    en: Lines
    major: bool = False
    triaged_major: bool = False  # filed as general; the supervisor finds it major on triage
    key_account: bool = False
    kitchens_only: bool = False
    regular_only: bool = False  # e.g. a customer downgraded to regular
    products: tuple[int, ...] = ()  # the story needs one of these products
    supervisor_owns: bool = False  # the team's supervisor takes it personally
    # How many days the work takes in the real world, from the customer's last input to the
    # resolution: a courier, a lab, a factory do not care about SLA targets.
    days: tuple[float, float] = (1, 3)
