"""Fixtures for the gateway: a small real HTTP server standing in for Rasa, a recording channel,
and a clock the tests move by hand."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.gateway.channels.base import DeliveryFailed, Outbound
from bot.gateway.channels.telegram.adapter import TelegramAdapter
from bot.gateway.channels.telegram.lifecycle import build_application, running
from bot.gateway.channels.telegram.settings import make_bot
from bot.gateway.conversation import Gateway
from bot.gateway.outbox import OutboxDeliverer, RetryPolicy
from bot.gateway.rasa_client import RasaClient
from tests.bot.fake_telegram import FakeTelegram
from tests.bot.telegram_support import (
    Bot,
    WallClock,
    telegram_settings,
)
from tests.factories import MONDAY_10_SHANGHAI
from ticketing.models import Channel

RASA_TOKEN = "rasa-test-token"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@dataclass
class RasaCall:
    path: str
    query: dict[str, list[str]]
    body: Any


Replier = Callable[[str, str, dict[str, Any]], list[dict[str, Any]]]


def echo_replies(sender: str, message: str, _metadata: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"recipient_id": sender, "text": f"bot heard: {message}"}]


@dataclass
class FakeRasa:
    """A tiny Rasa stand-in on a real localhost port: the REST channel, trigger_intent and
    tracker events, recording every request."""

    replier: Replier = echo_replies
    trigger_replies: list[dict[str, Any]] = field(
        default_factory=lambda: [{"text": "请为本次服务打分 (1-5)", "buttons": []}]
    )
    delay: float = 0.0
    status: int = 200
    actions_up: bool = True
    calls: list[RasaCall] = field(default_factory=list)
    port: int = 0  # 0: any free port
    _server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_port}"

    def webhook_calls(self) -> list[RasaCall]:
        return [c for c in self.calls if c.path == "/webhooks/rest/webhook"]

    def start(self) -> None:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                # The action server's health check, served here for convenience.
                fake.calls.append(RasaCall(urlsplit(self.path).path, {}, None))
                self._send(200 if fake.actions_up else 503, {"status": "ok"})

            def do_POST(self) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"null")
                fake.calls.append(RasaCall(parts.path, parse_qs(parts.query), body))
                if fake.delay:
                    time.sleep(fake.delay)
                if fake.status != 200:
                    self._send(fake.status, {"error": "failing on purpose"})
                elif parts.path == "/webhooks/rest/webhook":
                    metadata = body.get("metadata") or {}
                    self._send(200, fake.replier(body["sender"], body["message"], metadata))
                elif parts.path.endswith("/trigger_intent"):
                    self._send(200, {"tracker": {}, "messages": fake.trigger_replies})
                elif parts.path.endswith("/tracker/events"):
                    self._send(200, {"sender_id": parts.path.split("/")[2], "events": body})
                else:
                    self._send(404, {"error": "no such route"})

            def _send(self, status: int, data: Any) -> None:
                raw = json.dumps(data).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        server.daemon_threads = True
        self._server = server
        threading.Thread(target=server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()


@pytest.fixture
def fake_rasa() -> Iterator[FakeRasa]:
    fake = FakeRasa()
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture
def closed_port_url() -> str:
    """A localhost URL where nothing listens (Rasa is down)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


class RecordingChannel:
    """A channel adapter that keeps what it was given; it can fail its first deliveries."""

    def __init__(self, channel: Channel = Channel.WEB, *, fail_times: int = 0) -> None:
        self.channel = channel
        self.fail_times = fail_times
        self.attempts: list[Outbound] = []
        self.delivered: list[Outbound] = []
        self.typing_for: list[str] = []
        self.pause = 0.0

    async def deliver(self, item: Outbound) -> None:
        import asyncio

        self.attempts.append(item)
        if self.pause:
            await asyncio.sleep(self.pause)
        if self.fail_times > 0:
            self.fail_times -= 1
            raise DeliveryFailed("channel is down")
        self.delivered.append(item)

    async def typing(self, external_id: str) -> None:
        self.typing_for.append(external_id)

    def texts(self) -> list[str]:
        return [d.text for d in self.delivered if d.kind == "text"]

    def events(self) -> list[str | None]:
        return [d.event for d in self.delivered if d.kind == "event"]


class Clock:
    """A clock that moves only when told."""

    def __init__(self, start: datetime = MONDAY_10_SHANGHAI) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def channel() -> RecordingChannel:
    return RecordingChannel()


def make_gateway(
    session_factory: sessionmaker[Session],
    rasa_url: str,
    channel: RecordingChannel,
    clock: Callable[[], datetime],
    *,
    timeout: float = 5.0,
    action_health_url: str | None = None,
) -> Gateway:
    rasa = RasaClient(
        rasa_url,
        token=RASA_TOKEN,
        timeout=timeout,
        connect_timeout=1.0,
        action_health_url=action_health_url,
    )
    adapters = {channel.channel: channel}
    outbox = OutboxDeliverer(
        session_factory, adapters, rasa, clock=clock, retry=RetryPolicy(), send_timeout=5.0
    )
    return Gateway(session_factory, rasa, adapters, outbox=outbox, clock=clock)


@pytest.fixture
def fake_telegram() -> Iterator[FakeTelegram]:
    fake = FakeTelegram()
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture
async def bot(
    session_factory: sessionmaker[Session], fake_rasa: FakeRasa, fake_telegram: FakeTelegram
) -> AsyncIterator[Bot]:
    settings = telegram_settings(fake_telegram)
    clock = WallClock()
    adapters = {Channel.TELEGRAM: TelegramAdapter(make_bot(settings), session_factory)}
    rasa = RasaClient(fake_rasa.url, token=RASA_TOKEN, timeout=5.0, connect_timeout=1.0)
    outbox = OutboxDeliverer(session_factory, adapters, rasa, clock=clock, send_timeout=5.0)
    gateway = Gateway(session_factory, rasa, adapters, outbox=outbox, clock=clock)
    application = build_application(settings, gateway)
    async with running(application, settings):
        yield Bot(gateway, outbox, application, clock)
    await rasa.aclose()
