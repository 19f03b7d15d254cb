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


def get_current_user(
    session: SessionDep, settings: SettingsDep, token: Annotated[str | None, Depends(_bearer)]
) -> User:
    """The active user the bearer token names; 401 otherwise."""
    if not token:
        raise _unauthorized("not signed in")
    user_id = security.user_id_from_token(token, settings)
    user = session.get(User, user_id) if user_id is not None else None
    if user is None or not user.is_active:
        raise _unauthorized("the token is invalid or has expired; sign in again", "invalid_token")
    return user


CurrentUser = Annotated[User, Depends(get_current_user, scope="function")]


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
