"""Kefu's Rasa launcher (bot/assistant/serve.py) fills the `language` slot in Rasa's own process:
action_extract_slots sets it from each message with the action server unreachable, by the same
rule as action_set_language (ticketing/language.py); the action server's responses are checked
against Rasa's schema by a validator built once. Run in the Rasa environment."""

from __future__ import annotations

import json
import subprocess

import pytest

from tests.servers import RASA_PYTHON, ROOT

pytestmark = pytest.mark.rasa

SCRIPT = r"""
import asyncio, json, sys
from rasa.core.actions.action import ActionExtractSlots
from rasa.core.channels import CollectingOutputChannel
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from bot.assistant.serve import _set_language_in_process

_set_language_in_process()
domain = Domain.load("bot/assistant/domain")
nowhere = EndpointConfig("http://127.0.0.1:9/webhook")  # nothing listens on port 9


async def language(text, slot, metadata):
    events = [SlotSet("language", slot)] if slot else []
    events.append(UserUttered(text, metadata=metadata))
    tracker = DialogueStateTracker.from_events("test", events, slots=domain.slots)
    out = await ActionExtractSlots(nowhere).run(
        CollectingOutputChannel(), TemplatedNaturalLanguageGenerator(domain.responses),
        tracker, domain,
    )
    return [e.value for e in out if isinstance(e, SlotSet) and e.key == "language"]


cases = json.loads(sys.argv[1])
languages = [asyncio.run(language(*case)) for case in cases]

from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from bot.assistant.serve import _validate_action_responses_faster

_validate_action_responses_faster()
action = RemoteAction("action_test", nowhere)
valid = action._validate_action_result(
    {"events": [{"event": "slot", "name": "language", "value": "en"}], "responses": []}
)
try:
    action._validate_action_result({"events": [{"event": "slot", "name": 5}]})
    refused = ""
except ValidationError as error:
    refused = error.message
print(json.dumps({"languages": languages, "valid": valid, "refused": refused}))
"""

CASES = [
    (["hello there", None, {}], ["en"]),
    (["你好，我要投诉", "en", {}], ["zh"]),
    (["A2024-1181", "en", {}], ["en"]),  # an order number alone keeps the language we had
    (["13812345678", None, {"language": "en"}], ["en"]),  # a new tracker: the gateway's
    (["/affirm", "en", {}], ["en"]),  # a button's payload is not English
    (["12345", None, {}], ["zh"]),
]


def test_the_language_slot_is_set_without_the_action_server_and_responses_are_checked() -> None:
    result = subprocess.run(
        [str(RASA_PYTHON), "-c", SCRIPT, json.dumps([case for case, _ in CASES])],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    found = json.loads(result.stdout.strip().splitlines()[-1])
    assert found["languages"] == [want for _, want in CASES]
    # The action server's responses are still checked against Rasa's schema, as Rasa does.
    assert found["valid"] is True
    assert "Failed to validate Action server response" in found["refused"]
