"""Signing in on the web, in three steps so no password is hashed inside a write transaction:

1. `look_up` reads the user (a read-only transaction: on SQLite it takes no write lock);
2. `check` verifies the password (argon2: a quarter second of a core) outside any transaction,
   and makes the new hash when the stored one's parameters are out of date;
3. `succeed` or `fail` writes the outcome in a short transaction: the failure count, a lockout
   after `LockoutPolicy.failures` wrong passwords in a row, the new hash, and the audit trail.

The count and the lock are rows, so they hold across restarts and several web processes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from ticketing import accounts, audit, passwords
from ticketing.models import User


@dataclass(frozen=True)
class LockoutPolicy:
    failures: int
    minutes: int


@dataclass(frozen=True)
class Attempt:
    """What step 1 found for the username typed."""

    username: str
    user_id: int | None
    password_hash: str | None
    active: bool
    locked_until: datetime | None

    def locked_for(self, now: datetime) -> timedelta | None:
        """How long sign-in stays locked, or None when it is not."""
        if self.locked_until is None or self.locked_until <= now:
            return None
        return self.locked_until - now


@dataclass(frozen=True)
class Verdict:
    """What step 2 decided: whether the password matched, and a fresher hash of it if due."""

    matches: bool
    new_hash: str | None = None


def look_up(session: Session, username: str) -> Attempt:
    user = accounts.find_user(session, username)
    if user is None:
        return Attempt(username, None, None, False, None)
    return Attempt(username, user.id, user.password_hash, user.is_active, user.locked_until)


def check(attempt: Attempt, password: str) -> Verdict:
    """Verify the password (a dummy hash for an unknown user, so both take as long)."""
    matches = passwords.verify_password(attempt.password_hash, password)
    if not (matches and attempt.active and attempt.password_hash):
        return Verdict(False)
    if passwords.needs_rehash(attempt.password_hash):
        return Verdict(True, passwords.hash_password(password))
    return Verdict(True)


def _claimed_name(username: str) -> str:
    # What was typed is kept only if a username could be it (not a password typed by mistake).
    return username if accounts.USERNAME.match(username) else "(not a username)"


def succeed(
    session: Session, attempt: Attempt, verdict: Verdict, *, address: str | None, now: datetime
) -> User | None:
    """Record a good sign-in; None when the user was deactivated or locked meanwhile."""
    user = session.get(User, attempt.user_id, with_for_update=True) if attempt.user_id else None
    if user is None or not user.is_active:
        return None
    if user.locked_until is not None and user.locked_until > now:
        return None
    user.failed_logins = 0
    user.locked_until = None
    if verdict.new_hash is not None and user.password_hash == attempt.password_hash:
        user.password_hash = verdict.new_hash
    audit.record(
        session, "auth.login", actor=user, target_type="user", target_id=user.id, address=address
    )
    return user


def fail(
    session: Session,
    attempt: Attempt,
    policy: LockoutPolicy,
    *,
    address: str | None,
    now: datetime,
) -> datetime | None:
    """Record a wrong password (or unknown user); lock the account when this failure is one too
    many, and return until when it is locked."""
    user = session.get(User, attempt.user_id, with_for_update=True) if attempt.user_id else None
    failures = None
    if user is not None:
        user.failed_logins += 1
        failures = user.failed_logins
    audit.record(
        session,
        "auth.login_failed",
        actor=_claimed_name(attempt.username),
        target_type="user" if user else "",
        target_id=user.id if user else "",
        address=address,
        after={"failures": failures} if failures is not None else None,
    )
    if user is None or user.failed_logins < policy.failures:
        return None
    if user.locked_until is not None and user.locked_until > now:
        return user.locked_until  # locked by a concurrent attempt already
    user.locked_until = now + timedelta(minutes=policy.minutes)
    audit.record(
        session,
        "auth.lockout",
        actor=audit.SYSTEM,
        target_type="user",
        target_id=user.id,
        address=address,
        after={"failures": user.failed_logins, "locked_until": user.locked_until.isoformat()},
    )
    return user.locked_until
