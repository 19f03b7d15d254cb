"""Liveness and readiness for load balancers, supervisors and the console: no sign-in."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from ticketing import readiness
from ticketing.api import errors
from ticketing.clock import utcnow

router = APIRouter(tags=["health"], responses=errors.documented(503))


@router.get("/healthz")
def healthz(request: Request) -> JSONResponse:
    """200 when the database answers, 503 when it does not."""
    # Its own session, not SessionDep: a failed ping must not become a failed commit.
    factory: sessionmaker[Session] = request.app.state.session_factory
    try:
        with factory() as session:
            session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        return JSONResponse({"status": "unavailable", "database": "down"}, status_code=503)
    return JSONResponse({"status": "ok", "database": "up"})


@router.get("/readyz")
async def readyz(request: Request) -> JSONResponse:
    """Which parts are up: the database (503 without it), the worker's heartbeat, the outbox
    backlog, and whatever the app added (the Rasa and action servers); `assistant` says whether
    the bot answers customers or chats go straight to agents."""
    factory: sessionmaker[Session] = request.app.state.session_factory
    parts = await run_in_threadpool(readiness.database_parts, factory, utcnow())
    probes: list[readiness.Probe] = getattr(request.app.state, "readiness_probes", [])
    for probe in probes:
        parts.extend(await probe())
    code, body = readiness.report(parts)
    return JSONResponse(body, status_code=code, headers={"Cache-Control": "no-store"})
