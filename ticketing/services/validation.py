"""Checks on what callers give the service layer: text fields and the time of a change."""

from __future__ import annotations

from datetime import datetime

from ticketing.clock import utcnow
from ticketing.errors import InvalidInput

SUBJECT_MAX = 200


BODY_MAX = 10_000


DESCRIPTION_MAX = 20_000


def text_field(value: str | None, field_name: str, *, max_len: int, required: bool = True) -> str:
    text = (value or "").strip()
    if required and not text:
        raise InvalidInput(f"{field_name} must not be empty", field=field_name)
    if len(text) > max_len:
        raise InvalidInput(f"{field_name} is longer than {max_len} characters", field=field_name)
    return text


def at_or_now(at: datetime | None) -> datetime:
    return at if at is not None else utcnow()
