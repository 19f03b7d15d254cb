"""Exception handlers: each domain error to one HTTP status, and nothing internal leaks out."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request, status
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from ticketing.errors import Conflict, InvalidInput, NotFound, PermissionDenied, TicketingError

logger = logging.getLogger("ticketing.api")


class ErrorPublic(BaseModel):
    """What every refusal but a 422 carries."""

    detail: str


class ConflictPublic(ErrorPublic):
    """A 409: `detail` says why; `loc`, when the conflict is about one field (a name taken, a
    stale version), names it as a 422's `loc` does, so a form shows it beside that input."""

    loc: list[str | int] = Field(
        default_factory=list, description='e.g. ["body", "name"]; absent when no field'
    )


_MEANING = {
    401: "not signed in, or the token is invalid or has expired",
    403: "your role does not allow this",
    404: "no such thing, or not one you may see",
    409: "conflicts with the current state, or with a change made meanwhile",
    413: "the request body is too large",
    503: "the database is busy or unavailable; retry shortly",
}


def documented(*codes: int) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI `responses` for the refusals a router's routes may give (FastAPI documents
    422 itself), so a client reads every status it can get in the API's description."""
    return {
        code: {
            "model": ConflictPublic if code == 409 else ErrorPublic,
            "description": _MEANING[code],
        }
        for code in codes
    }


def validation_detail(loc: Sequence[str | int], msg: str) -> list[dict[str, Any]]:
    """The 422 body FastAPI uses, so clients read one shape whoever refused the value."""
    return [{"loc": list(loc), "msg": msg, "type": "value_error"}]


def _where(request: Request, field: str) -> str:
    if field in request.path_params:
        return "path"
    if field in request.query_params:
        return "query"
    return "body"


async def _invalid_input(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, InvalidInput)
    loc = [_where(request, exc.field), exc.field] if exc.field else ["body"]
    return JSONResponse(
        {"detail": validation_detail(loc, exc.message)},
        status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
    )


def _domain(status_code: int) -> Any:
    async def handler(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, TicketingError)
        return JSONResponse({"detail": exc.message}, status_code=status_code)

    return handler


async def _conflict(request: Request, exc: Exception) -> JSONResponse:
    # `detail` stays the string every client reads; `loc` is added only when a field is named.
    assert isinstance(exc, Conflict)
    body: dict[str, Any] = {"detail": exc.message}
    if exc.field:
        body["loc"] = [_where(request, str(exc.field)), str(exc.field)]
    return JSONResponse(body, status_code=status.HTTP_409_CONFLICT)


async def _request_validation(_request: Request, exc: Exception) -> JSONResponse:
    # FastAPI's own shape minus `input` and `ctx`: no echo of a message body or a huge string.
    assert isinstance(exc, RequestValidationError)
    detail = [
        {"loc": list(error["loc"]), "msg": error["msg"], "type": error["type"]}
        for error in exc.errors()
    ]
    return JSONResponse({"detail": detail}, status_code=status.HTTP_422_UNPROCESSABLE_CONTENT)


async def _http(request: Request, exc: Exception) -> Any:
    # FastAPI answers a JSON body that is not UTF-8 with a bare 400 ("error parsing the body"),
    # unlike every other malformed body (422): give it the 422 that names the body.
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == status.HTTP_400_BAD_REQUEST and isinstance(
        exc.__cause__, UnicodeDecodeError
    ):
        return JSONResponse(
            {"detail": validation_detail(["body"], "the body is not UTF-8 encoded JSON")},
            status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
        )
    return await http_exception_handler(request, exc)


async def _stale(request: Request, _exc: Exception) -> JSONResponse:
    # Tickets, and the settings (calendars, SLA policies) admins edit, carry a version column.
    what = "the setting" if request.url.path.startswith("/api/admin/") else "the ticket"
    return JSONResponse(
        {"detail": f"{what} was changed by someone else at the same time; reload and retry"},
        status_code=status.HTTP_409_CONFLICT,
    )


def _kind(exc: Exception) -> str:
    """The driver's error class: database messages quote the values, which may be personal."""
    return type(getattr(exc, "orig", None) or exc).__name__


async def _integrity(request: Request, exc: Exception) -> JSONResponse:
    logger.warning("integrity error on %s %s: %s", request.method, request.url.path, _kind(exc))
    return JSONResponse(
        {"detail": "the change conflicts with data stored meanwhile; reload and retry"},
        status_code=status.HTTP_409_CONFLICT,
    )


async def _data_error(request: Request, exc: Exception) -> JSONResponse:
    # A value the database refused that validation let through: still the client's input.
    logger.warning(
        "database refused a value on %s %s: %s", request.method, request.url.path, _kind(exc)
    )
    return JSONResponse(
        {"detail": validation_detail(["body"], "a value is out of range or not acceptable")},
        status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
    )


async def _unavailable(request: Request, exc: Exception) -> JSONResponse:
    logger.error("database unavailable on %s %s: %s", request.method, request.url.path, _kind(exc))
    return JSONResponse(
        {"detail": "the database is busy or unavailable; retry shortly"},
        status_code=status.HTTP_503_SERVICE_UNAVAILABLE,
        headers={"Retry-After": "5"},
    )


async def _internal(request: Request, exc: Exception) -> JSONResponse:
    logger.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return JSONResponse(
        {"detail": "internal error"}, status_code=status.HTTP_500_INTERNAL_SERVER_ERROR
    )


def install(app: FastAPI) -> None:
    """Register every handler on `app`."""
    app.add_exception_handler(NotFound, _domain(status.HTTP_404_NOT_FOUND))
    app.add_exception_handler(Conflict, _conflict)
    app.add_exception_handler(PermissionDenied, _domain(status.HTTP_403_FORBIDDEN))
    app.add_exception_handler(InvalidInput, _invalid_input)
    app.add_exception_handler(RequestValidationError, _request_validation)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(StaleDataError, _stale)
    app.add_exception_handler(IntegrityError, _integrity)
    app.add_exception_handler(DataError, _data_error)
    app.add_exception_handler(OperationalError, _unavailable)
    app.add_exception_handler(Exception, _internal)
