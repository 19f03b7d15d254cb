"""The entity patterns of data/nlu/entities.yml find what customers write, and nothing else.

RegexEntityExtractor runs each pattern with Python's `re` (case-insensitive) over the message and
EntitySynonymMapper maps the matched text; this test does the same, so it needs no Rasa.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
import yaml

NLU_DATA = Path(__file__).resolve().parents[2] / "data" / "nlu"
ENTITIES_FILE = NLU_DATA / "entities.yml"
# [text](entity) or [text](entity:value), Rasa's short annotation (the only one our data uses)
ANNOTATION = re.compile(r"\[(?P<text>[^\]]+)\]\((?P<entity>[a-z_]+)(?::(?P<value>[^)]+))?\)")


def _examples(block: str) -> list[str]:
    return [line.strip()[2:] for line in block.splitlines() if line.strip().startswith("- ")]


def _load() -> tuple[list[tuple[str, re.Pattern[str]]], dict[str, str]]:
    nlu: list[dict[str, Any]] = yaml.safe_load(ENTITIES_FILE.read_text("utf-8"))["nlu"]
    patterns = [
        (item["regex"], re.compile(pattern, re.IGNORECASE))
        for item in nlu
        if "regex" in item
        for pattern in _examples(item["examples"])
    ]
    synonyms = {
        text.lower(): str(item["synonym"])
        for item in nlu
        if "synonym" in item
        for text in _examples(item["examples"])
    }
    return patterns, synonyms


PATTERNS, SYNONYMS = _load()


def extract(text: str) -> dict[str, list[str]]:
    """Entity values by name, as Rasa would output them for `text`."""
    found: dict[str, list[str]] = defaultdict(list)
    for name, pattern in PATTERNS:
        for match in pattern.finditer(text):
            found[name].append(SYNONYMS.get(match.group().lower(), match.group()))
    return dict(found)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # order numbers, with and without the dash, in a sentence of either language
        ("订单A2024-1181的鞋底开胶了", {"order_number": ["A2024-1181"]}),
        ("my order A2024-0931 arrived with a broken heel", {"order_number": ["A2024-0931"]}),
        ("訂單號b20231234", {"order_number": ["b20231234"]}),
        ("A20241181", {"order_number": ["A20241181"]}),
        ("订单号是 C2025-100234 谢谢", {"order_number": ["C2025-100234"]}),
        # mainland mobiles in the ways people type them, and international numbers
        ("13812345678", {"phone_number": ["13812345678"]}),
        ("我的手机是138 1234 5678", {"phone_number": ["138 1234 5678"]}),
        ("+86 139-1234-5678", {"phone_number": ["+86 139-1234-5678"]}),
        ("call me on +44 7700 900123", {"phone_number": ["+44 7700 900123"]}),
        ("+852 9123 4567", {"phone_number": ["+852 9123 4567"]}),
        # ticket numbers, and an order number with the letter T that is not one
        ("T-000123 处理到哪一步了", {"ticket_number": ["T-000123"]}),
        ("any news on t123?", {"ticket_number": ["t123"]}),
        ("工单号123456", {"ticket_number": ["123456"]}),
        ("ticket number 4521 please", {"ticket_number": ["4521"]}),
        ("T20241181", {"order_number": ["T20241181"]}),
        ("T2024-1181", {"order_number": ["T2024-1181"]}),
        # scores, with Chinese numerals and English words mapped to digits
        ("5分", {"score": ["5"]}),
        ("给10分", {"score": ["10"]}),
        ("4", {"score": ["4"]}),
        ("打8吧", {"score": ["8"]}),
        ("五星好评", {"score": ["5"]}),
        ("给你十分", {"score": ["10"]}),
        ("九分", {"score": ["9"]}),
        ("三", {"score": ["3"]}),
        ("10/10 would recommend", {"score": ["10"]}),
        ("9 out of 10", {"score": ["9"]}),
        ("I'd say 7", {"score": ["7"]}),
        ("five stars", {"score": ["5"]}),
        ("ten", {"score": ["10"]}),
        ("4 stars, the agent was quick", {"score": ["4"]}),
        # category names given as the answer to "which type is it?"
        ("质量问题", {"category": ["product_quality"]}),
        ("是物流的问题", {"category": ["delivery"]}),
        ("服務態度", {"category": ["service"]}),
        ("价格", {"category": ["price"]}),
        ("其他", {"category": ["other"]}),
        ("delivery", {"category": ["delivery"]}),
        ("it's a quality issue", {"category": ["product_quality"]}),
        ("something else", {"category": ["other"]}),
        ("Return policy", {"category": ["policy"]}),
        # typed corrections at the complaint summary
        ("订单号写错了", {"complaint_field": ["order_number"]}),
        ("我要改一下电话", {"complaint_field": ["contact_phone"]}),
        ("類型選錯了", {"complaint_field": ["complaint_category"]}),
        ("修改描述", {"complaint_field": ["complaint_description"]}),
        ("the phone number is wrong", {"complaint_field": ["contact_phone"]}),
        ("the type is wrong", {"complaint_field": ["complaint_category"]}),
        ("can I change the order number", {"complaint_field": ["order_number"]}),
        (
            "电话写错了，应该是13912345678",
            {"complaint_field": ["contact_phone"], "phone_number": ["13912345678"]},
        ),
    ],
)
def test_pattern_finds_the_entity(text: str, expected: dict[str, list[str]]) -> None:
    assert extract(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "十分满意",  # "very satisfied", not ten points
        "十分抱歉",
        "等了五分钟都没人回",  # minutes
        "等了三个星期",  # weeks
        "I waited 3 days for a reply",
        "我的鞋子质量太差了，穿两天就开胶",  # a complaint naming its kind in passing
        "your customer service is terrible",
        "what's your return policy?",
        "订单号是多少在哪看",  # asks where the order number is, changes nothing
        "size 42",
        "我穿38码",
        "A2024",  # too short for an order number
        "12345",  # five digits: neither a phone nor a score
        "积分有500分",  # points balance
        "转人工",
        "你好",
    ],
)
def test_pattern_leaves_other_text_alone(text: str) -> None:
    assert extract(text) == {}


def training_examples() -> list[tuple[str, str]]:
    """(intent, example) for every training example under data/nlu/."""
    examples = []
    for path in sorted(NLU_DATA.glob("*.yml")):
        for item in yaml.safe_load(path.read_text("utf-8")).get("nlu") or []:
            if "intent" in item:
                examples += [(item["intent"], text) for text in _examples(item["examples"])]
    return examples


def annotated(example: str) -> tuple[str, dict[str, list[str]]]:
    """The plain text of a training example and its annotated entity values."""
    entities: dict[str, list[str]] = defaultdict(list)
    for match in ANNOTATION.finditer(example):
        value = match["value"] or SYNONYMS.get(match["text"].lower(), match["text"])
        entities[match["entity"]].append(value)
    return ANNOTATION.sub(lambda match: match["text"], example), dict(entities)


def test_training_examples_are_annotated_as_the_patterns_find() -> None:
    # An entity the patterns find but the example does not annotate (or the reverse) would show
    # as an extraction error in cross-validation, and means the data and the patterns disagree.
    disagreements = []
    for intent, example in training_examples():
        text, entities = annotated(example)
        found = extract(text)
        for values in (found, entities):
            for name in values:
                values[name] = sorted(values[name])
        if found != entities:
            disagreements.append(f"{intent}: {example!r} annotated {entities}, found {found}")
    assert not disagreements, "\n".join(disagreements)
