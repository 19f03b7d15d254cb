"""Trackers as Rasa sends them to the action server, the real domain, and running an action."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

DOMAIN_DIR = Path(__file__).resolve().parents[2] / "bot" / "assistant" / "domain"
WEB_SENDER = "web:test-session"


@cache
def _domain() -> dict[str, Any]:
    merged: dict[str, Any] = {
        "slots": {},
        "forms": {},
        "responses": {},
        "intents": [],
        "entities": [],
        "actions": [],
    }
    for path in sorted(DOMAIN_DIR.glob("*.yml")):
        part = yaml.safe_load(path.read_text("utf-8")) or {}
        for key in ("slots", "forms", "responses"):
            merged[key].update(part.get(key) or {})
        for key in ("intents", "entities", "actions"):
            merged[key].extend(part.get(key) or [])
    return merged


def domain(**overrides: Any) -> dict[str, Any]:
    """The merged bot/assistant/domain/*.yml as a dict (as Rasa sends it), with top-level
    overrides."""
    return {**_domain(), **overrides}


def make_tracker(
    text: str | None = "",
    *,
    intent: str | None = None,
    entities: Sequence[Mapping[str, Any]] = (),
    slots: Mapping[str, Any] | None = None,
    sender_id: str = WEB_SENDER,
    active_loop: str | None = None,
    candidates: Mapping[str, Any] | None = None,
    history: Sequence[dict[str, Any]] = (),
    metadata: Mapping[str, Any] | None = None,
    latest_action_name: str = "action_listen",
) -> Tracker:
    """A tracker whose latest event is the customer's message `text`. For a form's validation
    action, `active_loop` names the form and `candidates` are the slot values Rasa asks it to
    validate (appended as trailing SlotSet events, as Rasa's form does)."""
    message = {
        "text": text,
        "intent": {"name": intent, "confidence": 1.0} if intent else {},
        "entities": [dict(entity) for entity in entities],
    }
    events: list[dict[str, Any]] = [
        *history,
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": text, "parse_data": message, "metadata": dict(metadata or {})},
    ]
    all_slots = {"language": "zh", **(slots or {})}
    if active_loop:
        events.append({"event": "action", "name": active_loop})
    for name, value in (candidates or {}).items():
        events.append({"event": "slot", "name": name, "value": value})
        all_slots[name] = value
    return Tracker(
        sender_id=sender_id,
        slots=all_slots,
        latest_message=message,
        events=events,
        paused=False,
        followup_action=None,
        active_loop={"name": active_loop} if active_loop else {},
        latest_action_name=latest_action_name,
    )


def bot_turn(*actions: str, text: str = "earlier message") -> list[dict[str, Any]]:
    """Events of an earlier turn: the customer's message, then the bot's actions."""
    return [
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": text, "parse_data": {"text": text}},
        *({"event": "action", "name": name} for name in actions),
    ]


@dataclass
class Ran:
    events: list[dict[str, Any]]
    messages: list[dict[str, Any]]

    @property
    def responses(self) -> list[str | None]:
        return [message.get("response") for message in self.messages]

    def slots(self) -> dict[str, Any]:
        """The slot values the action set (the last one wins)."""
        return {e["name"]: e["value"] for e in self.events if e.get("event") == "slot"}

    def message(self, response: str) -> dict[str, Any]:
        found = [m for m in self.messages if m.get("response") == response]
        assert found, f"no {response} in {self.responses}"
        return found[0]


def run(action: Action, tracker: Tracker, domain_dict: dict[str, Any] | None = None) -> Ran:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker, domain_dict or domain()))
    return Ran(list(events), list(dispatcher.messages))
