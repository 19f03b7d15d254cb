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

from ticketing.language import Language, detect_language

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
        # A message of digits or emoji (an order number, a thumbs-up) keeps the language we had.
        language = detect_language(text) or tracker.get_slot(LANGUAGE_SLOT) or DEFAULT_LANGUAGE
        return [SlotSet(LANGUAGE_SLOT, language)]
