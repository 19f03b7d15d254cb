"""Rasa 3.6.21 and the action server on rasa-sdk 3.21.1 talk to each other, and replies come in the
customer's language: the language slot, set in Rasa's own process by its launcher
(bot/assistant/serve.py), picks each response's variation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.servers import RasaServer

pytestmark = pytest.mark.rasa

DOMAIN = Path(__file__).resolve().parents[2] / "bot" / "assistant" / "domain"


def response_texts(language: str, utter: str | None = None) -> set[str]:
    """The texts of the domain's response variations for one language (of one response)."""
    responses: dict[str, list[dict[str, Any]]] = {}
    for path in sorted(DOMAIN.glob("*.yml")):
        responses.update(yaml.safe_load(path.read_text("utf-8")).get("responses") or {})
    return {
        variation["text"]
        for name, variations in responses.items()
        if utter in (None, name)
        for variation in variations
        if {"type": "slot", "name": "language", "value": language} in variation.get("condition", [])
    }


def reply_texts(replies: list[dict[str, Any]]) -> list[str]:
    texts = [reply["text"] for reply in replies if "text" in reply]
    assert texts, f"the bot said nothing: {replies}"
    return texts


def language_slot(rasa_server: RasaServer, sender_id: str) -> Any:
    return rasa_server.tracker(sender_id)["slots"]["language"]


def test_server_runs_the_model_make_model_built(rasa_server: RasaServer) -> None:
    assert rasa_server.status()["model_file"] == rasa_server.model.name


def test_chinese_greeting_gets_a_chinese_reply(rasa_server: RasaServer, sender_id: str) -> None:
    texts = reply_texts(rasa_server.say(sender_id, "你好"))

    assert set(texts) <= response_texts("zh", "utter_greet")
    assert language_slot(rasa_server, sender_id) == "zh"


def test_english_greeting_gets_an_english_reply(rasa_server: RasaServer, sender_id: str) -> None:
    texts = reply_texts(rasa_server.say(sender_id, "hello there"))

    assert set(texts) <= response_texts("en", "utter_greet")
    assert language_slot(rasa_server, sender_id) == "en"


def test_mixed_chinese_and_english_is_answered_in_chinese(
    rasa_server: RasaServer, sender_id: str
) -> None:
    texts = reply_texts(rasa_server.say(sender_id, "我的order 还没到"))

    assert set(texts) <= response_texts("zh")
    assert language_slot(rasa_server, sender_id) == "zh"


def test_reply_language_follows_the_customer_turn_by_turn(
    rasa_server: RasaServer, sender_id: str
) -> None:
    english = reply_texts(rasa_server.say(sender_id, "hi"))
    chinese = reply_texts(rasa_server.say(sender_id, "谢谢"))

    assert set(english) <= response_texts("en")
    assert set(chinese) <= response_texts("zh", "utter_you_are_welcome")
    assert language_slot(rasa_server, sender_id) == "zh"
