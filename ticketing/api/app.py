"""The desk API application: `uvicorn ticketing.api.app:create_app --factory`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from ticketing.api import errors
from ticketing.api.limits import LimitBodySize
from ticketing.api.routes import (
    audit,
    auth,
    console,
    console_stream,
    health,
    personal_data,
    reports,
    tickets,
    users,
    worklists,
)
from ticketing.config import Settings, get_settings
from ticketing.db import make_engine, make_session_factory


def create_app(
    settings: Settings | None = None, session_factory: sessionmaker[Session] | None = None
) -> FastAPI:
    """The API on `session_factory`, or on an engine for `settings.database_url`."""
    settings = settings or get_settings()
    # Fail at start-up, not at the first sign-in, when production has no signing key.
    settings.secret()
    own_engine: Engine | None = None
    if session_factory is None:
        own_engine = make_engine(settings.database_url)
        session_factory = make_session_factory(own_engine)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        if own_engine is not None:
            own_engine.dispose()

    app = FastAPI(
        title="Kefu desk API",
        summary="Tickets for the 客服 desk: agents, supervisors and admins.",
        version="0.1.0",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.session_factory = session_factory
    errors.install(app)
    app.add_middleware(LimitBodySize, max_bytes=settings.max_body_bytes)
    routers = (
        auth,
        audit,
        tickets,
        users,
        health,
        reports,
        worklists,
        console,
        console_stream,
        personal_data,
    )
    for module in routers:
        app.include_router(module.router)
    return app


_app: FastAPI | None = None


def __getattr__(name: str) -> FastAPI:
    # `ticketing.api.app:app` built on first use, so importing this module reads no settings.
    global _app
    if name != "app":
        raise AttributeError(name)
    if _app is None:
        _app = create_app()
    return _app
