"""Which language the customer writes in, so every reply comes back in it.

The rule itself is ticketing/language.py's, shared with the gateway: a message gets the same
language on its way in and in the bot's reply.
"""

from __future__ import annotations

import re
from typing import Any, Final

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from ticketing.language import Language, detect_language, known_language

LANGUAGE_SLOT: Final = "language"
# Rasa's text for an external intent (trigger_intent), e.g. "EXTERNAL: EXTERNAL_follow_up".
EXTERNAL_PREFIX: Final = "EXTERNAL: "
DEFAULT_LANGUAGE: Final[Language] = "zh"

_PAYLOAD: Final = re.compile(r"^\s*/\w")


def is_payload(text: str) -> bool:
    """A button's payload (/affirm, /inform{...}), sent to Rasa instead of the button's title."""
    return bool(_PAYLOAD.match(text))


class ActionSetLanguage(Action):  # type: ignore[misc]  # rasa_sdk ships no type hints
    """Fills the `language` slot from the latest user message (run by a custom slot mapping)."""

    def name(self) -> str:
        return "action_set_language"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> list[dict[str, Any]]:
        text = tracker.latest_message.get("text") or ""
        if text.startswith(EXTERNAL_PREFIX) or is_payload(text):
            # Rasa's "EXTERNAL: EXTERNAL_follow_up" and a button's "/affirm" are not the
            # customer's English.
            text = ""
        # A message of digits or emoji (an order number, a thumbs-up) keeps the language we had,
        # else takes the one the gateway knows for the conversation (a new tracker, e.g. after
        # Rasa set an unreadable one aside: bot/assistant/tracker_store.py).
        language: Language = (
            detect_language(text)
            or known_language(tracker.get_slot(LANGUAGE_SLOT))
            or known_language(_gateway_language(tracker))
            or DEFAULT_LANGUAGE
        )
        return [SlotSet(LANGUAGE_SLOT, language)]


def _gateway_language(tracker: Tracker) -> str | None:
    """The conversation's language as the gateway sent it with the latest message."""
    event = tracker.get_last_event_for("user") or {}
    metadata = event.get("metadata")
    language = metadata.get("language") if isinstance(metadata, dict) else None
    return language if isinstance(language, str) else None
