"""A cap on request body size, so one request cannot make the server read without end."""

from __future__ import annotations

import json

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class BodyTooLarge(HTTPException):
    """Raised from `receive` once a body passes the cap; FastAPI turns it into the 413."""

    def __init__(self, max_bytes: int) -> None:
        super().__init__(413, f"request body is larger than {max_bytes} bytes")


class LimitBodySize:
    """Refuse a body over `max_bytes` with 413, by its Content-Length and by counting what
    arrives: a chunked body has no Content-Length, and a client may send more than it said."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    def _refusal(self, declared: int | None) -> tuple[int, str] | None:
        """The status and detail that refuse a request by its declared length, if any."""
        if declared == -1:
            return 400, "Content-Length is not a number"
        if declared is not None and declared > self.max_bytes:
            return 413, BodyTooLarge(self.max_bytes).detail
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        refusal = self._refusal(_content_length(scope))
        if refusal is not None:
            await _respond(send, *refusal)
            return

        received = 0
        response_started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge(self.max_bytes)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal response_started
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyTooLarge as exc:
            # Reached only when the body was read outside FastAPI's request handling.
            if response_started:
                raise
            await _respond(send, 413, exc.detail)


def _content_length(scope: Scope) -> int | None:
    """The declared length; None when absent, -1 when it is not a number."""
    for name, value in scope["headers"]:
        if name == b"content-length":
            text = value.decode("latin-1").strip()
            if not text.isascii() or not text.isdigit():
                return -1
            # Longer than any body we would take; spares int() a huge digit string.
            return int(text) if len(text) <= 18 else 10**18
    return None


async def _respond(send: Send, status: int, detail: str) -> None:
    body = json.dumps({"detail": detail}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
