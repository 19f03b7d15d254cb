"""Signing in and out: the OAuth2 password flow gives a bearer token; `me` says who it is.

A sign-in never hashes a password inside a database transaction (see `ticketing.signin`): the
read, the hash and the write are three steps. Attempts are counted per client address and per
username before any hash (429 with Retry-After over the limit), and an account locks for a while
after repeated wrong passwords. Hashes run a few at a time on threads of their own at a lower
CPU priority, so a flood of them takes neither the threads nor the cores the desk's requests
need (argon2 keeps every core busy for a quarter second a hash).
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Annotated, Any

import anyio
from fastapi import APIRouter, Depends, HTTPException, Request, Response, status
from fastapi.security import OAuth2PasswordRequestForm
from sqlalchemy.orm import Session, sessionmaker

from ticketing import audit, signin
from ticketing.api import errors, security
from ticketing.api.deps import ClientAddress, CurrentUser, SessionDep, client_address
from ticketing.api.schemas import Token, UserPublic
from ticketing.api.throttle import LoginThrottle, ThrottleUnavailable
from ticketing.clock import utcnow
from ticketing.config import Settings
from ticketing.db import reading, transaction

router = APIRouter(prefix="/api/auth", tags=["auth"], responses=errors.documented(401, 413, 503))

_WRONG = "wrong username or password"
_HASHING_NICENESS = 10
_TOO_MANY = "too many sign-in attempts; try again in {seconds} s"

_LOGIN_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"description": "Wrong username or password, or the user is deactivated."},
    429: {
        "description": "Too many attempts from this address or for this username, or the "
        "account is locked after repeated wrong passwords; the Retry-After header says when "
        "to try again."
    },
    503: {"description": "The rate limit's shared storage is unreachable; retry shortly."},
}


def _too_many(seconds: int) -> HTTPException:
    return HTTPException(
        status.HTTP_429_TOO_MANY_REQUESTS,
        detail=_TOO_MANY.format(seconds=seconds),
        headers={"Retry-After": str(seconds)},
    )


def _wrong() -> HTTPException:
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED, detail=_WRONG, headers={"WWW-Authenticate": "Bearer"}
    )


def _seconds(wait: timedelta) -> int:
    return max(1, math.ceil(wait.total_seconds()))


def _lower_priority() -> None:
    """In each hashing thread: a higher nice value (per thread on Linux; argon2's own lane
    threads inherit it), so the scheduler serves the desk's request threads first."""
    with contextlib.suppress(OSError, AttributeError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), _HASHING_NICENESS)


class _Desk:
    """What one sign-in needs from the application."""

    def __init__(self, request: Request) -> None:
        state = request.app.state
        self.settings: Settings = state.settings
        self.factory: sessionmaker[Session] = state.session_factory
        if getattr(state, "login_throttle", None) is None:
            state.login_throttle = LoginThrottle(self.settings)
        if getattr(state, "hashing", None) is None:
            state.hashing = ThreadPoolExecutor(
                self.settings.login_hash_concurrency,
                thread_name_prefix="kefu-password-hash",
                initializer=_lower_priority,
            )
        self.throttle: LoginThrottle = state.login_throttle
        self.hashing: ThreadPoolExecutor = state.hashing
        self.policy = signin.LockoutPolicy(
            self.settings.login_lockout_failures, self.settings.login_lockout_minutes
        )

    def look_up(self, username: str) -> signin.Attempt:
        with reading(self.factory) as session:
            return signin.look_up(session, username)

    def succeed(
        self, attempt: signin.Attempt, verdict: signin.Verdict, address: str
    ) -> tuple[int, int] | None:
        with transaction(self.factory) as session:
            user = signin.succeed(session, attempt, verdict, address=address, now=utcnow())
            return (user.id, user.token_version) if user else None

    def fail(self, attempt: signin.Attempt, address: str) -> None:
        with transaction(self.factory) as session:
            signin.fail(session, attempt, self.policy, address=address, now=utcnow())


@router.post("/token", responses=_LOGIN_RESPONSES)
async def login(request: Request, form: Annotated[OAuth2PasswordRequestForm, Depends()]) -> Token:
    """Exchange a username and password for an access token."""
    desk = _Desk(request)
    address = client_address(request)
    try:
        wait = await anyio.to_thread.run_sync(desk.throttle.hit, form.username, address)
    except ThrottleUnavailable:
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE,
            detail="sign-in is unavailable for a moment; retry shortly",
            headers={"Retry-After": "5"},
        ) from None
    if wait is not None:
        raise _too_many(wait)
    attempt = await anyio.to_thread.run_sync(desk.look_up, form.username)
    locked = attempt.locked_for(utcnow())
    if locked is not None:
        raise _too_many(_seconds(locked))
    verdict = await asyncio.get_running_loop().run_in_executor(
        desk.hashing, signin.check, attempt, form.password
    )
    if not verdict.matches:
        await anyio.to_thread.run_sync(desk.fail, attempt, address)
        raise _wrong()
    signed_in = await anyio.to_thread.run_sync(desk.succeed, attempt, verdict, address)
    if signed_in is None:
        raise _wrong()
    user_id, version = signed_in
    return Token(access_token=security.create_access_token(user_id, desk.settings, version=version))


@router.post(
    "/logout",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={401: {"description": "Not signed in, or the token is no longer valid."}},
)
def logout(session: SessionDep, user: CurrentUser, address: ClientAddress) -> Response:
    """Sign out: every token issued to you so far stops working, on every device."""
    user.token_version += 1
    audit.record(
        session, "auth.logout", actor=user, target_type="user", target_id=user.id, address=address
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/me", responses={401: {"description": "Not signed in."}})
def read_me(user: CurrentUser) -> UserPublic:
    """The signed-in user."""
    return UserPublic.model_validate(user)
