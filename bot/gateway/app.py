"""The web application: the desk API plus the gateway and its chat channels, with the outbox
deliverer.

`uvicorn bot.gateway.app:create_app --factory`. Every chat channel registered in
ticketing/channels.py is loaded by its plug-in path. On start-up the outbox deliverer and the
channels' background work (the web chat's catch-up loop, Telegram) start; on shutdown they stop
(whatever they had claimed is retried by the next process once its lease runs out).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import datetime
from functools import partial
from pathlib import Path

import yaml
from fastapi import FastAPI
from sqlalchemy.orm import Session, sessionmaker

from bot.gateway.blocking import BlockingRunner
from bot.gateway.channels.base import ChannelAdapter, ChannelContext, load_plugin
from bot.gateway.conversation import Gateway
from bot.gateway.outbox import OutboxDeliverer
from bot.gateway.rasa_client import Assistant, RasaClient
from bot.gateway.rasa_pool import RasaPool, RedisCheck
from ticketing import channels
from ticketing.api.app import create_app as create_desk_app
from ticketing.clock import utcnow
from ticketing.config import ROOT, Settings
from ticketing.models import Channel
from ticketing.readiness import Part

log = logging.getLogger(__name__)

RASA_TIMEOUT = 10.0  # seconds for one customer turn, custom actions included


def create_app(
    settings: Settings | None = None,
    session_factory: sessionmaker[Session] | None = None,
    *,
    rasa: Assistant | None = None,
    adapters: Mapping[Channel, ChannelAdapter] | None = None,
    background: bool = True,
    clock: Callable[[], datetime] = utcnow,
) -> FastAPI:
    """The desk API with the gateway and every registered chat channel mounted (the web chat:
    `/ws/chat`, `/widget.js`, `/widget.css`, `/shop`).

    `adapters` replaces channels' adapters (tests); `background=False` leaves the deliverer
    loops off (tests drive them by hand).
    """
    app = create_desk_app(settings, session_factory)
    settings = app.state.settings
    factory: sessionmaker[Session] = app.state.session_factory
    rasa = rasa or make_assistant(settings)
    context = ChannelContext(settings, factory, clock, background)
    plugins = [load_plugin(spec.plugin)(context) for spec in channels.chat_channels()]
    found = {p.adapter.channel: p.adapter for p in plugins if p.adapter is not None}
    live: dict[Channel, ChannelAdapter] = {**found, **(adapters or {})}
    run_blocking = BlockingRunner.for_database(factory)
    outbox = OutboxDeliverer(factory, live, rasa, clock=clock, run_blocking=run_blocking)
    gateway = Gateway(factory, rasa, live, outbox=outbox, clock=clock)
    app.state.gateway = gateway
    app.state.outbox = outbox
    app.state.readiness_probes = [partial(assistant_parts, rasa)]
    for plugin in plugins:
        plugin.install(app, gateway)

    desk_lifespan = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(application: FastAPI) -> AsyncIterator[None]:
        async with desk_lifespan(application):
            deliverer = asyncio.create_task(outbox.run(), name="outbox") if background else None
            try:
                # The channels stop first, in reverse order: the turns they took are finished
                # before the deliverer and the Rasa client go.
                async with AsyncExitStack() as running:
                    for plugin in plugins:
                        await running.enter_async_context(plugin.running())
                    yield
            finally:
                if deliverer is not None:
                    deliverer.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await deliverer
                await rasa.aclose()
                run_blocking.shutdown()

    app.router.lifespan_context = lifespan
    return app


def make_assistant(settings: Settings) -> Assistant:
    """The client of the Rasa server the settings name, or a pool over several."""
    health = action_health_url()
    clients = [
        RasaClient(url, token=settings.rasa_token, timeout=RASA_TIMEOUT, action_health_url=health)
        for url in settings.rasa_server_urls()
    ]
    if len(clients) == 1:
        return clients[0]
    redis = RedisCheck(settings.redis_url) if settings.redis_url else None
    return RasaPool(clients, redis=redis)


def _rasa_clients(rasa: Assistant) -> list[RasaClient]:
    if isinstance(rasa, RasaPool):
        return rasa.clients
    return [rasa] if isinstance(rasa, RasaClient) else []


async def assistant_parts(rasa: Assistant) -> list[Part]:
    """Readiness of the assistant: each Rasa server, and the action server behind them."""
    clients = _rasa_clients(rasa)
    parts = []
    for index, client in enumerate(clients):
        up = await client.server_up()
        name = "rasa" if len(clients) == 1 else f"rasa{index + 1}"
        parts.append(Part(name, up, "answers" if up else "does not answer: chats go to agents"))
    if clients and clients[0].action_health_url is not None:
        healthy = await rasa.actions_healthy()
        detail = "answers" if healthy else "does not answer: chats go to agents"
        parts.append(Part("actions", healthy, detail))
    return parts


def action_health_url(endpoints: Path = ROOT / "endpoints.yml") -> str | None:
    """The action server's `/health`, from the endpoints file Rasa itself reads."""
    try:
        config = yaml.safe_load(endpoints.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        return None
    url = (config.get("action_endpoint") or {}).get("url")
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        return None
    return url.rstrip("/").removesuffix("/webhook") + "/health"
