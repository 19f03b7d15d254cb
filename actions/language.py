"""Which language the customer writes in, so every reply comes back in it.

The rule itself is ticketing/language.py's, shared with the gateway: a message gets the same
language on its way in and in the bot's reply.
"""

from __future__ import annotations

from typing import Any, Final

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from ticketing.language import (
    DEFAULT_LANGUAGE,
    EXTERNAL_PREFIX,
    is_payload,
    turn_language,
)

__all__ = [
    "DEFAULT_LANGUAGE",
    "EXTERNAL_PREFIX",
    "LANGUAGE_SLOT",
    "ActionSetLanguage",
    "is_payload",
]

LANGUAGE_SLOT: Final = "language"


class ActionSetLanguage(Action):  # type: ignore[misc]  # rasa_sdk ships no type hints
    """Fills the `language` slot from the latest user message (run by a custom slot mapping).

    Kefu's Rasa server runs the same rule itself, without this round trip (the launcher,
    bot/assistant/serve.py); this action answers a Rasa started without the launcher."""

    def name(self) -> str:
        return "action_set_language"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> list[dict[str, Any]]:
        text = tracker.latest_message.get("text") or ""
        language = turn_language(text, tracker.get_slot(LANGUAGE_SLOT), _gateway_language(tracker))
        return [SlotSet(LANGUAGE_SLOT, language)]


def _gateway_language(tracker: Tracker) -> str | None:
    """The conversation's language as the gateway sent it with the latest message."""
    event = tracker.get_last_event_for("user") or {}
    metadata = event.get("metadata")
    language = metadata.get("language") if isinstance(metadata, dict) else None
    return language if isinstance(language, str) else None
