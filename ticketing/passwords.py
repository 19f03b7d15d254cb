"""Passwords: argon2 hashes, and the strength a new password must have.

Strength is zxcvbn's estimate (the Dropbox estimator, maintained on PyPI as `zxcvbn`): it knows
common passwords, names, keyboard patterns, dates and l33t spellings, and scores a password 0-4
by the guesses it would take. A new password needs at least `MIN_LENGTH` characters and a score
of `MIN_SCORE`; the username and display name count as guessable words.
"""

from __future__ import annotations

from collections.abc import Iterable

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn

from ticketing.errors import InvalidInput

MIN_LENGTH = 12
# argon2 takes any length; a cap keeps a megabyte "password" from being hashed at all.
MAX_LENGTH = 128
MIN_SCORE = 3  # zxcvbn: "safely unguessable: moderate protection from offline slow-hash attacks"
# zxcvbn's run time grows with length; it refuses more than this, and the rest adds strength.
_ZXCVBN_MAX = 72

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether `password` matches; None (no such user) says no after hashing the password with
    the same parameters, so an unknown username takes as long as a known one."""
    if password_hash is None:
        _hasher.hash(password)
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Whether the hash was made with weaker parameters than the current ones."""
    return _hasher.check_needs_rehash(password_hash)


def check_strength(password: str, user_inputs: Iterable[str] = ()) -> None:
    """Refuse (422, field `password`) a password too short, too long or too guessable."""
    if len(password) < MIN_LENGTH:
        raise InvalidInput(f"password must have at least {MIN_LENGTH} characters", field="password")
    if len(password) > MAX_LENGTH:
        raise InvalidInput(f"password must have at most {MAX_LENGTH} characters", field="password")
    if "\x00" in password:
        raise InvalidInput("password must not contain NUL characters", field="password")
    result = zxcvbn(password[:_ZXCVBN_MAX], user_inputs=[w for w in user_inputs if w])
    if result["score"] < MIN_SCORE:
        feedback = result["feedback"]
        hint = feedback["warning"] or " ".join(feedback["suggestions"])
        message = "password is too easy to guess"
        raise InvalidInput(f"{message}: {hint}" if hint else message, field="password")
