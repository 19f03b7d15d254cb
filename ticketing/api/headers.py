"""What every response carries, set in one place: no MIME sniffing, no Referer (a console URL
names a ticket), no framing (clickjacking), and a content security policy for any response
whose route did not set its own (a JSON or CSV answer, an error). And the access log's
filter: query strings hold search terms and other customer data, so the log shows paths only.
"""

from __future__ import annotations

import logging

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}
# For a response that is not a page: nothing may load or frame it.
DEFAULT_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"


class SecurityHeaders:
    """Add HEADERS, and DEFAULT_CSP unless the route set a policy, to every HTTP response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in HEADERS.items():
                    headers.setdefault(name, value)
                headers.setdefault("Content-Security-Policy", DEFAULT_CSP)
            await send(message)

        await self.app(scope, receive, send_with_headers)


class NoQueryStrings(logging.Filter):
    """Cut the query string from the paths uvicorn logs: its access log
    (`'%s - "%s %s HTTP/%s" %d'`) and its WebSocket lines (`'%s - "WebSocket %s" ...'`)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and any(_has_query(a) for a in record.args):
            record.args = tuple(_path_only(a) for a in record.args)
        return True


def _has_query(value: object) -> bool:
    return isinstance(value, str) and value.startswith("/") and "?" in value


def _path_only(value: object) -> object:
    if isinstance(value, str) and _has_query(value):
        return value.split("?", 1)[0] + "?…"
    return value


def install_log_filter() -> None:
    """Put the filter on uvicorn's loggers (once, however many apps are made)."""
    for name in ("uvicorn.access", "uvicorn.error"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, NoQueryStrings) for f in logger.filters):
            logger.addFilter(NoQueryStrings())
