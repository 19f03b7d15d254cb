"""The shared language detector (ticketing/language.py) and action_set_language, without any
server."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.language import ActionSetLanguage
from ticketing.language import detect_language, turn_language


@pytest.mark.parametrize(
    "text",
    [
        "你好",
        "我的订单还没到",
        "我的訂單還沒到",  # Traditional
        "我的order 还没到",
        "hi 你好",
        "订单号 A12345 还没发货",
        "iPhone 屏幕坏了",
        "Ｏｒｄｅｒ怎么还没到",  # full-width letters from a Chinese input method
    ],
)
def test_chinese_and_mixed_messages_are_chinese(text: str) -> None:
    assert detect_language(text) == "zh"


@pytest.mark.parametrize(
    "text",
    [
        "hello",
        "Where is my order?",
        "my parcel to 上海 is three days late",
        "Café order, déjà vu",
        "OK",
    ],
)
def test_english_messages_are_english(text: str) -> None:
    assert detect_language(text) == "en"


@pytest.mark.parametrize("text", ["", "   ", "12345", "👍", "?!", "ありがとう"])
def test_messages_without_chinese_or_latin_letters_have_no_language(text: str) -> None:
    assert detect_language(text) is None


def make_tracker(text: str, slots: dict[str, Any] | None = None) -> Tracker:
    return Tracker(
        sender_id="test",
        slots=slots or {},
        latest_message={"text": text, "intent": {"name": "greet"}},
        events=[],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


def run_action(tracker: Tracker) -> list[dict[str, Any]]:
    return asyncio.run(ActionSetLanguage().run(CollectingDispatcher(), tracker, {}))


def test_action_is_named_for_the_domain() -> None:
    assert ActionSetLanguage().name() == "action_set_language"


def test_action_sets_the_slot_from_the_message() -> None:
    assert run_action(make_tracker("我的order 还没到")) == [SlotSet("language", "zh")]
    assert run_action(make_tracker("where is my order")) == [SlotSet("language", "en")]


def test_action_keeps_the_language_for_a_message_without_words() -> None:
    tracker = make_tracker("12345", slots={"language": "en"})
    assert run_action(tracker) == [SlotSet("language", "en")]


def test_action_defaults_to_chinese_when_nothing_is_known() -> None:
    assert run_action(make_tracker("👍")) == [SlotSet("language", "zh")]


def test_an_order_number_alone_keeps_the_language_we_had() -> None:
    # Once read as English: a Chinese customer who sent only an order number got English replies.
    assert detect_language("A2024-1181") is None
    assert run_action(make_tracker("A2024-1181", slots={"language": "zh"})) == [
        SlotSet("language", "zh")
    ]
    assert run_action(make_tracker("A2024-1181", slots={"language": "en"})) == [
        SlotSet("language", "en")
    ]


def _with_gateway_language(text: str, language: str, slots: dict[str, Any]) -> Tracker:
    tracker = make_tracker(text, slots=slots)
    tracker.events = [{"event": "user", "text": text, "metadata": {"language": language}}]
    return tracker


def test_without_words_or_slot_the_gateways_language_is_used() -> None:
    assert run_action(_with_gateway_language("A2024-1181", "en", {})) == [SlotSet("language", "en")]
    # The slot, once set, still wins over the conversation's stored language.
    tracker = _with_gateway_language("A2024-1181", "en", {"language": "zh"})
    assert run_action(tracker) == [SlotSet("language", "zh")]


@pytest.mark.parametrize(
    ("text", "slot", "gateway", "expected"),
    [
        ("hello", "zh", None, "en"),
        ("A2024-1181", "en", "zh", "en"),
        ("EXTERNAL: EXTERNAL_follow_up", "en", None, "en"),
        ('/inform{"score": "9"}', None, "en-GB", "en"),
        ("👍", None, None, "zh"),
    ],
)
def test_turn_language_is_the_messages_then_the_slots_then_the_gateways(
    text: str, slot: str | None, gateway: str | None, expected: str
) -> None:
    assert turn_language(text, slot, gateway) == expected
