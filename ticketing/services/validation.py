"""Checks on what callers give the service layer: text fields and the time of a change.

One rule for text, wherever it comes from (the desk API, a chat channel, a Rasa action): no
control characters but line feed, carriage return and tab, and no lone surrogates. NUL cannot
be stored in PostgreSQL at all, and the others (escape sequences, backspaces, bidi-breaking C1
codes) only ever hide or fake what a reader sees. Text holding one is refused with its field
named (a 422 from the API; the chat channels tell the customer, politely, in their language),
never stored silently changed. Names a channel reports about a customer (Telegram's profile
name) are the exception: the customer cannot fix those, so they are cleaned instead
(`without_control_characters`).
"""

from __future__ import annotations

import re
from datetime import datetime

from ticketing.clock import utcnow
from ticketing.errors import InvalidInput

SUBJECT_MAX = 200


BODY_MAX = 10_000


DESCRIPTION_MAX = 20_000


# C0 controls but \t \n \r, DEL, C1 controls, and surrogates (UTF-8 cannot encode a lone one).
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
CONTROL_CHARACTERS_MESSAGE = "must not contain control characters (line breaks and tabs are fine)"


def has_control_characters(value: str) -> bool:
    return CONTROL_CHARACTERS.search(value) is not None


def check_text(value: str, field_name: str) -> str:
    """`value` unchanged when it holds no control characters; InvalidInput naming the field
    otherwise."""
    if has_control_characters(value):
        raise InvalidInput(f"{field_name} {CONTROL_CHARACTERS_MESSAGE}", field=field_name)
    return value


def without_control_characters(value: str) -> str:
    """`value` with its control characters removed: only for names a channel reports."""
    return CONTROL_CHARACTERS.sub("", value)


def text_field(value: str | None, field_name: str, *, max_len: int, required: bool = True) -> str:
    text = check_text((value or "").strip(), field_name)
    if required and not text:
        raise InvalidInput(f"{field_name} must not be empty", field=field_name)
    if len(text) > max_len:
        raise InvalidInput(f"{field_name} is longer than {max_len} characters", field=field_name)
    return text


def at_or_now(at: datetime | None) -> datetime:
    return at if at is not None else utcnow()
