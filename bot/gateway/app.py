"""The web application: the desk API plus the gateway's web chat, with the outbox deliverer.

`uvicorn bot.gateway.app:create_app --factory`. On start-up the outbox deliverer and the web chat's
catch-up loop start; on shutdown they stop (whatever they had claimed is retried by the next
process once its lease runs out).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path

import yaml
from fastapi import FastAPI
from sqlalchemy.orm import Session, sessionmaker

from bot.gateway.channels import telegram
from bot.gateway.channels.base import ChannelAdapter
from bot.gateway.channels.webchat import WebChat
from bot.gateway.conversation import Gateway
from bot.gateway.outbox import OutboxDeliverer, StoreRunner
from bot.gateway.rasa_client import RasaClient
from ticketing.api.app import create_app as create_desk_app
from ticketing.clock import utcnow
from ticketing.config import ROOT, Settings
from ticketing.models import Channel

log = logging.getLogger(__name__)

RASA_TIMEOUT = 10.0  # seconds for one customer turn, custom actions included


def create_app(
    settings: Settings | None = None,
    session_factory: sessionmaker[Session] | None = None,
    *,
    rasa: RasaClient | None = None,
    adapters: Mapping[Channel, ChannelAdapter] | None = None,
    background: bool = True,
    clock: Callable[[], datetime] = utcnow,
) -> FastAPI:
    """The desk API with the gateway mounted: `/ws/chat`, `/widget.js`, `/widget.css`, `/shop`.

    `adapters` adds channels beside the web chat (Telegram); `background=False` leaves the
    deliverer loops off (tests drive them by hand).
    """
    app = create_desk_app(settings, session_factory)
    settings = app.state.settings
    factory: sessionmaker[Session] = app.state.session_factory
    rasa = rasa or RasaClient(
        settings.rasa_url,
        token=settings.rasa_token,
        timeout=RASA_TIMEOUT,
        action_health_url=action_health_url(),
    )
    webchat = WebChat(factory, clock=clock)
    channels: dict[Channel, ChannelAdapter] = {Channel.WEB: webchat, **(adapters or {})}
    channels = {**telegram.adapters(settings, factory), **channels}  # none without a token
    store = StoreRunner.for_store(factory)
    outbox = OutboxDeliverer(factory, channels, rasa, clock=clock, store=store)
    gateway = Gateway(factory, rasa, channels, outbox=outbox, clock=clock)
    app.state.gateway = gateway
    app.state.webchat = webchat
    app.state.outbox = outbox
    app.include_router(webchat.router())

    desk_lifespan = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(application: FastAPI) -> AsyncIterator[None]:
        async with desk_lifespan(application):
            tasks = []
            if background:
                tasks = [
                    asyncio.create_task(outbox.run(), name="outbox"),
                    asyncio.create_task(webchat.run_sync(), name="webchat-sync"),
                ]
            try:
                yield
            finally:
                await webchat.finish_turns()
                for task in tasks:
                    task.cancel()
                for task in tasks:
                    with contextlib.suppress(asyncio.CancelledError):
                        await task
                await rasa.aclose()
                store.shutdown()

    app.router.lifespan_context = lifespan
    telegram.install(app)  # its route and its start and stop in the lifespan, with a token
    return app


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
