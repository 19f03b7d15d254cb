"""Which language the customer writes in, so every reply comes back in it."""

from __future__ import annotations

import re
import unicodedata
from typing import Any, Final, Literal

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

Language = Literal["zh", "en"]

LANGUAGE_SLOT: Final = "language"
# Rasa's text for an external intent (trigger_intent), e.g. "EXTERNAL: EXTERNAL_follow_up".
EXTERNAL_PREFIX: Final = "EXTERNAL: "
DEFAULT_LANGUAGE: Final[Language] = "zh"

# One Chinese character carries about as much as a short English word, so Latin letters are
# counted at a quarter of their number: "我的order 还没到" is Chinese, while an English sentence
# naming a city ("my parcel to 上海 is late") stays English.
LATIN_LETTERS_PER_CJK_CHAR: Final = 4

_PAYLOAD: Final = re.compile(r"^\s*/\w")

_CJK_RANGES: Final = (
    (0x3400, 0x4DBF),  # CJK Unified Ideographs Extension A
    (0x4E00, 0x9FFF),  # CJK Unified Ideographs (Simplified and Traditional)
    (0xF900, 0xFAFF),  # CJK Compatibility Ideographs
    (0x20000, 0x323AF),  # Extensions B to H
)


def is_payload(text: str) -> bool:
    """A button's payload (/affirm, /inform{...}), sent to Rasa instead of the button's title."""
    return bool(_PAYLOAD.match(text))


def _is_cjk(char: str) -> bool:
    code = ord(char)
    return any(low <= code <= high for low, high in _CJK_RANGES)


def _is_latin_letter(char: str) -> bool:
    return char.isalpha() and unicodedata.name(char, "").startswith("LATIN ")


def detect_language(text: str) -> Language | None:
    """Return "zh" or "en" for a message, None if it has no Chinese characters or Latin letters.

    Ties go to Chinese: someone who mixes the two reads Chinese.
    """
    # NFKC turns full-width letters (Ｏｒｄｅｒ), common in Chinese input methods, into ASCII.
    normalized = unicodedata.normalize("NFKC", text)
    cjk = sum(1 for char in normalized if _is_cjk(char))
    latin = sum(1 for char in normalized if _is_latin_letter(char))
    if cjk == 0 and latin == 0:
        return None
    return "zh" if cjk * LATIN_LETTERS_PER_CJK_CHAR >= latin else "en"


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
