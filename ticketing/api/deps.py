"""Request dependencies: a session per request, the signed-in user and their role."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy.orm import Session, sessionmaker

from ticketing import services
from ticketing.api import security
from ticketing.config import Settings
from ticketing.db import reading
from ticketing.models import User


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(get_settings)]


def get_session(request: Request) -> Iterator[Session]:
    """One transaction per request: committed when the view returns, rolled back on error."""
    factory: sessionmaker[Session] = request.app.state.session_factory
    with factory() as session, session.begin():
        yield session


# scope="function": the commit happens before the response is sent, so a failing commit (a
# version clash, say) reaches the error handlers instead of following a 200 the client has seen.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]

_bearer = OAuth2PasswordBearer(tokenUrl="/api/auth/token", auto_error=False)


def _unauthorized(detail: str, error: str | None = None) -> HTTPException:
    challenge = f'Bearer error="{error}"' if error else "Bearer"
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED, detail=detail, headers={"WWW-Authenticate": challenge}
    )


def _signed_in(session: Session, settings: Settings, token: str | None) -> User:
    if not token:
        raise _unauthorized("not signed in")
    subject = security.read_token(token, settings)
    user = session.get(User, subject.user_id) if subject is not None else None
    # A raised token version (sign-out; password, role or active state changed) revokes it.
    if (
        user is None
        or not user.is_active
        or subject is None
        or subject.version != user.token_version
    ):
        raise _unauthorized("the token is invalid or has expired; sign in again", "invalid_token")
    return user


def get_current_user(
    session: SessionDep, settings: SettingsDep, token: Annotated[str | None, Depends(_bearer)]
) -> User:
    """The active user the bearer token names; 401 otherwise."""
    return _signed_in(session, settings, token)


CurrentUser = Annotated[User, Depends(get_current_user, scope="function")]


def get_reading_session(request: Request, settings: SettingsDep) -> Iterator[Session]:
    """For a route that only reads: on SQLite a deferred transaction (`db.reading`) that takes
    no write lock, so the desk's lists neither wait behind writers (sign-ins, chat messages, the
    worker) nor hold them up; rolled back at the end."""
    if not settings.deferred_reads:
        yield from get_session(request)
        return
    with reading(request.app.state.session_factory) as session:
        yield session


ReadingSessionDep = Annotated[Session, Depends(get_reading_session, scope="function")]


def get_reading_user(
    session: ReadingSessionDep,
    settings: SettingsDep,
    token: Annotated[str | None, Depends(_bearer)],
) -> User:
    """`get_current_user` on the read-only route's own session (one transaction a request)."""
    return _signed_in(session, settings, token)


ReadingUser = Annotated[User, Depends(get_reading_user, scope="function")]


def client_address(request: Request) -> str:
    """The client's address as the server saw it (behind a proxy: uvicorn --proxy-headers)."""
    return request.client.host if request.client else "unknown"


ClientAddress = Annotated[str, Depends(client_address)]


def get_current_supervisor(user: CurrentUser) -> User:
    """The signed-in user when a supervisor or an admin; 403 otherwise."""
    if not services.is_supervisor(user):
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="supervisors and admins only")
    return user


CurrentSupervisor = Annotated[User, Depends(get_current_supervisor, scope="function")]


def get_current_admin(user: CurrentUser) -> User:
    """The signed-in user when an admin; 403 otherwise."""
    if not services.is_admin(user):
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="admins only")
    return user


CurrentAdmin = Annotated[User, Depends(get_current_admin, scope="function")]
