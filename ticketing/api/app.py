"""The desk API application: `uvicorn ticketing.api.app:create_app --factory`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from ticketing.api import errors
from ticketing.api.headers import SecurityHeaders, install_log_filter
from ticketing.api.limits import LimitBodySize
from ticketing.api.routes import (
    admin_calendars,
    admin_policies,
    admin_settings,
    admin_users,
    audit,
    auth,
    bulk,
    canned,
    console,
    console_stream,
    digests,
    docs,
    health,
    knowledge,
    personal_data,
    presence,
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
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        # The sign-in's password-hashing threads (made at the first sign-in).
        hashing = getattr(app.state, "hashing", None)
        if hashing is not None:
            app.state.hashing = None  # a later start makes a new pool
            hashing.shutdown(wait=False)
        if own_engine is not None:
            own_engine.dispose()

    docs_on = settings.docs_enabled()
    app = FastAPI(
        title="Kefu desk API",
        summary="Tickets for the 客服 desk: agents, supervisors and admins.",
        version="0.1.0",
        lifespan=lifespan,
        # FastAPI's own pages load Swagger UI from a CDN: routes.docs serves ours instead.
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json" if docs_on else None,
    )
    app.state.settings = settings
    app.state.session_factory = session_factory
    errors.install(app)
    app.add_middleware(LimitBodySize, max_bytes=settings.max_body_bytes)
    # Outermost, so the refusals above carry the headers too.
    app.add_middleware(SecurityHeaders)
    install_log_filter()
    routers = (
        auth,
        audit,
        admin_users,
        admin_settings,
        admin_calendars,
        admin_policies,
        bulk,
        canned,
        knowledge,
        tickets,
        users,
        health,
        presence,
        reports,
        digests,
        worklists,
        console,
        console_stream,
        personal_data,
    )
    for module in routers:
        app.include_router(module.router)
    if docs_on:
        app.include_router(docs.router)
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
