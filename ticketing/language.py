"""The language a customer writes in, "zh" or "en": one rule for the gateway and the actions.

Pure functions, no Rasa: the gateway (our environment) and the action server both call them, so
a message gets the same language on its way in and in the bot's reply.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final, Literal

Language = Literal["zh", "en"]

LANGUAGES: Final[tuple[Language, ...]] = ("zh", "en")

_CJK: Final = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U000323af]")
# Letters in a token with digits ("A2024-1181", an order number) say nothing of the language.
_LATIN_WORD: Final = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]+(?![A-Za-z0-9])")
# One Chinese character carries about as much as a short English word, so Latin letters are
# counted at a quarter of their number: "我的order 还没到" is Chinese, while an English sentence
# naming a city ("my parcel to 上海 is late") stays English. A tie is Chinese: someone who mixes
# the two reads Chinese.
LATIN_LETTERS_PER_CJK_CHAR: Final = 4


def detect_language(text: str | None) -> Language | None:
    """ "zh" or "en" for what the customer wrote ("我的order 还没到" is Chinese); None when it
    has neither Chinese characters nor Latin words (digits, emoji, an order number)."""
    if not text:
        return None
    # NFKC turns full-width letters (Ｏｒｄｅｒ), common in Chinese input methods, into ASCII.
    normalized = unicodedata.normalize("NFKC", text)
    cjk = len(_CJK.findall(normalized))
    latin = sum(len(word) for word in _LATIN_WORD.findall(normalized))
    if not cjk and not latin:
        return None
    return "zh" if cjk * LATIN_LETTERS_PER_CJK_CHAR >= latin else "en"


def known_language(language: str | None) -> Language | None:
    """A language tag from outside ("zh-CN", "en", a browser's or Telegram's) as "zh" or "en";
    None for any other or none."""
    if not language:
        return None
    short = language.strip().lower()[:2]
    return next((known for known in LANGUAGES if known == short), None)


DEFAULT_LANGUAGE: Final[Language] = "zh"
# Rasa's text for an external intent (trigger_intent), e.g. "EXTERNAL: EXTERNAL_follow_up".
EXTERNAL_PREFIX: Final = "EXTERNAL: "
_PAYLOAD: Final = re.compile(r"^\s*/\w")


def is_payload(text: str) -> bool:
    """A button's payload (/affirm, /inform{...}), sent to Rasa instead of the button's title."""
    return bool(_PAYLOAD.match(text))


def turn_language(text: str | None, slot: str | None, gateway: str | None) -> Language:
    """The language of the bot's reply to a customer's turn (the `language` slot): the message's
    own; for a message of digits or emoji (an order number, a thumbs-up), a button's payload or
    Rasa's "EXTERNAL: ..." text, the conversation's so far (`slot`), else the one the gateway
    sent with the message (a new tracker), else Chinese."""
    if text and (text.startswith(EXTERNAL_PREFIX) or is_payload(text)):
        text = ""
    return (
        detect_language(text) or known_language(slot) or known_language(gateway) or DEFAULT_LANGUAGE
    )
