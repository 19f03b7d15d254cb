"""One source of truth for the FAQ wording: the domain's utter_faq texts are the seed's."""

from __future__ import annotations

from typing import Any

import yaml

from ticketing.config import ROOT
from ticketing.knowledge.faq_seed import FAQ_ARTICLES


def _domain_answers() -> dict[str, dict[str, str]]:
    path = ROOT / "bot" / "assistant" / "domain" / "faq.yml"
    responses: dict[str, list[dict[str, Any]]] = yaml.safe_load(path.read_text("utf-8"))[
        "responses"
    ]
    answers: dict[str, dict[str, str]] = {}
    for name, variations in responses.items():
        key = name.removeprefix("utter_faq/")
        for variation in variations:
            for condition in variation.get("condition") or []:
                answers.setdefault(key, {})[condition["value"]] = variation["text"]
    return answers


def test_the_domain_and_the_seed_say_the_same_answers() -> None:
    domain = _domain_answers()
    seed = {a.faq_key: {"zh": a.answer_zh, "en": a.answer_en} for a in FAQ_ARTICLES}
    assert seed == domain


def test_every_seed_article_is_valid_and_has_examples_in_both_languages() -> None:
    assert len(FAQ_ARTICLES) == 10
    for article in FAQ_ARTICLES:
        assert 0 < len(article.examples_zh) <= 20 and 0 < len(article.examples_en) <= 20
        assert len(article.title) <= 200 and len(article.category) <= 50
