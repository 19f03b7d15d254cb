"""Signing in: the OAuth2 password flow gives a bearer token; `me` says who it belongs to."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, status
from fastapi.security import OAuth2PasswordRequestForm

from ticketing import accounts
from ticketing.api import errors, security
from ticketing.api.deps import CurrentUser, SessionDep, SettingsDep
from ticketing.api.schemas import Token, UserPublic

router = APIRouter(prefix="/api/auth", tags=["auth"], responses=errors.documented(401, 413, 503))


@router.post("/token")
def login(
    session: SessionDep,
    settings: SettingsDep,
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
) -> Token:
    """Exchange a username and password for an access token."""
    user = accounts.authenticate(session, form.username, form.password)
    if user is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            detail="wrong username or password",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return Token(access_token=security.create_access_token(user.id, settings))


@router.get("/me")
def read_me(user: CurrentUser) -> UserPublic:
    """The signed-in user."""
    return UserPublic.model_validate(user)
