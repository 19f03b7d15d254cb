"""Access tokens for the desk: signed JWTs (HS256) whose subject is the user id."""

from __future__ import annotations

from datetime import datetime, timedelta

import jwt

from ticketing.clock import utcnow
from ticketing.config import Settings

ALGORITHM = "HS256"
_MAX_USER_ID = 2**31 - 1


def create_access_token(user_id: int, settings: Settings, *, now: datetime | None = None) -> str:
    """A token for `user_id` that expires after `settings.access_token_minutes`."""
    issued = now or utcnow()
    payload = {
        "sub": str(user_id),
        "iat": issued,
        "exp": issued + timedelta(minutes=settings.access_token_minutes),
    }
    return jwt.encode(payload, settings.secret(), algorithm=ALGORITHM)


def user_id_from_token(token: str, settings: Settings) -> int | None:
    """The user id a valid, unexpired token names; None for anything else."""
    try:
        payload = jwt.decode(
            token,
            settings.secret(),
            algorithms=[ALGORITHM],
            options={"require": ["exp", "iat", "sub"]},
        )
    except jwt.InvalidTokenError:
        return None
    subject = payload.get("sub")
    if not isinstance(subject, str) or not subject.isascii() or not subject.isdigit():
        return None
    if len(subject) > 10 or not 1 <= int(subject) <= _MAX_USER_ID:
        return None
    return int(subject)
