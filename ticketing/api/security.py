"""Access tokens for the desk: signed JWTs (HS256) whose subject is the user id and whose `ver`
is the user's token version when it was issued (a raised version revokes the token)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import jwt

from ticketing.clock import utcnow
from ticketing.config import Settings

ALGORITHM = "HS256"
_MAX_USER_ID = 2**31 - 1


@dataclass(frozen=True)
class TokenSubject:
    user_id: int
    version: int


def create_access_token(
    user_id: int, settings: Settings, *, version: int = 0, now: datetime | None = None
) -> str:
    """A token for `user_id` at token `version` that expires after
    `settings.access_token_minutes`."""
    issued = now or utcnow()
    payload = {
        "sub": str(user_id),
        "ver": version,
        "iat": issued,
        "exp": issued + timedelta(minutes=settings.access_token_minutes),
    }
    return jwt.encode(payload, settings.secret(), algorithm=ALGORITHM)


def read_token(token: str, settings: Settings) -> TokenSubject | None:
    """Whom a valid, unexpired token names, at which version; None for anything else."""
    try:
        payload = jwt.decode(
            token,
            settings.secret(),
            algorithms=[ALGORITHM],
            options={"require": ["exp", "iat", "sub", "ver"]},
        )
    except jwt.InvalidTokenError:
        return None
    subject, version = payload.get("sub"), payload.get("ver")
    if not isinstance(subject, str) or not subject.isascii() or not subject.isdigit():
        return None
    if len(subject) > 10 or not 1 <= int(subject) <= _MAX_USER_ID:
        return None
    if type(version) is not int or not 0 <= version <= _MAX_USER_ID:
        return None
    return TokenSubject(int(subject), version)
