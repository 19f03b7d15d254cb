"""The gateway's client for the Rasa server: the REST channel and the few HTTP API calls it needs.

Rasa listens on 127.0.0.1 with its API behind a token (bot/assistant/serve.py); only the gateway
talks to it. The REST channel (`/webhooks/rest/webhook`) needs no token; the conversation API
does (`?token=`). Several Rasa servers: bot/gateway/rasa_pool.py.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import quote

import httpx

from bot.gateway.channels.base import Button

log = logging.getLogger(__name__)

# Resuming a paused conversation: `resume` alone makes the bot predict a fallback and pause
# again; `action_listen` after it leaves the bot waiting for the customer's next message.
RESUME_EVENTS: list[dict[str, str]] = [
    {"event": "resume"},
    {"event": "action", "name": "action_listen"},
]


class RasaUnavailable(Exception):
    """The Rasa server (or its action server) did not answer usefully: down, slow or failing."""


class RasaNotReached(RasaUnavailable):
    """No connection to the Rasa server: the request surely never arrived, so another server
    may take it (a timeout or an error after sending might have been acted on)."""


@dataclass(frozen=True)
class BotReply:
    """One message the bot sent back."""

    text: str | None = None
    buttons: Sequence[Button] = ()
    image: str | None = None
    custom: Mapping[str, Any] | None = field(default=None, hash=False)

    @classmethod
    def from_rasa(cls, raw: Mapping[str, Any]) -> BotReply:
        buttons = [
            Button(title=str(b.get("title", "")), payload=str(b.get("payload", "")))
            for b in raw.get("buttons") or []
            if isinstance(b, Mapping)
        ]
        custom = raw.get("custom")
        return cls(
            text=str(raw["text"]) if raw.get("text") else None,
            buttons=tuple(buttons),
            image=str(raw["image"]) if raw.get("image") else None,
            custom=custom if isinstance(custom, Mapping) else None,
        )

    @property
    def is_empty(self) -> bool:
        return not (self.text or self.image or self.buttons)


class Assistant(Protocol):
    """What the gateway and the outbox need of the bot: one Rasa server (`RasaClient`) or
    several (`bot.gateway.rasa_pool.RasaPool`)."""

    async def send_message(
        self, sender: str, message: str, metadata: Mapping[str, Any] | None = None
    ) -> list[BotReply]: ...

    async def trigger_intent(
        self, conversation_id: str, intent: str, entities: Mapping[str, Any] | None = None
    ) -> list[BotReply]: ...

    async def resume(self, conversation_id: str) -> None: ...

    async def actions_healthy(self) -> bool: ...

    async def aclose(self) -> None: ...


class RasaClient:
    """Async HTTP client for one Rasa server. Every failure is `RasaUnavailable`.

    `action_health_url` (the action server's `/health`) lets the gateway notice a dead action
    server: Rasa itself still answers then, with replies that skip every custom action.
    """

    def __init__(
        self,
        base_url: str,
        *,
        token: str | None = None,
        timeout: float = 10.0,
        connect_timeout: float = 2.0,
        action_health_url: str | None = None,
        health_every: float = 5.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.action_health_url = action_health_url
        self.health_every = health_every
        self._health: tuple[float, bool] | None = None  # (monotonic time checked, healthy)
        self._client = httpx.AsyncClient(
            base_url=self.base_url,
            timeout=httpx.Timeout(timeout, connect=connect_timeout),
            # One connection per concurrent customer turn; Rasa serialises each sender anyway.
            limits=httpx.Limits(max_connections=200, max_keepalive_connections=200),
            transport=transport,
            trust_env=False,  # the bot is on localhost: never through a proxy from the env
        )

    async def aclose(self) -> None:
        await self._client.aclose()

    async def actions_healthy(self) -> bool:
        """Whether the action server answers its health check; asked at most every
        `health_every` seconds (True when no health URL is configured)."""
        if self.action_health_url is None:
            return True
        now = time.monotonic()
        if self._health is not None and now - self._health[0] < self.health_every:
            return self._health[1]
        try:
            response = await self._client.get(self.action_health_url, timeout=1.0)
            healthy = response.status_code == 200
        except httpx.HTTPError:
            healthy = False
        if not healthy:
            log.warning("the action server does not answer its health check")
        self._health = (time.monotonic(), healthy)
        return healthy

    async def server_up(self) -> bool:
        """Whether the Rasa server answers at all (its root says hello without a token)."""
        try:
            response = await self._client.get("/", timeout=2.0)
        except httpx.HTTPError:
            return False
        return response.status_code == 200

    def _api_params(self) -> dict[str, str]:
        return {"token": self.token} if self.token else {}

    async def _post(self, path: str, body: Any, params: Mapping[str, str] | None = None) -> Any:
        try:
            response = await self._client.post(path, json=body, params=params)
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            raise RasaNotReached(f"Rasa unreachable ({type(exc).__name__})") from exc
        except httpx.TimeoutException as exc:
            raise RasaUnavailable(f"Rasa timed out ({type(exc).__name__})") from exc
        except httpx.HTTPError as exc:
            raise RasaUnavailable(f"Rasa unreachable ({type(exc).__name__})") from exc
        if response.status_code >= 300:
            raise RasaUnavailable(f"Rasa answered {response.status_code} on {path.split('?')[0]}")
        try:
            return response.json()
        except ValueError as exc:
            raise RasaUnavailable("Rasa answered something that is not JSON") from exc

    async def send_message(
        self, sender: str, message: str, metadata: Mapping[str, Any] | None = None
    ) -> list[BotReply]:
        """One customer turn through the REST channel; the bot's replies, in order."""
        body = {"sender": sender, "message": message, "metadata": dict(metadata or {})}
        data = await self._post("/webhooks/rest/webhook", body)
        if not isinstance(data, list):
            raise RasaUnavailable("Rasa's REST channel answered something that is not a list")
        return [BotReply.from_rasa(item) for item in data if isinstance(item, Mapping)]

    async def trigger_intent(
        self, conversation_id: str, intent: str, entities: Mapping[str, Any] | None = None
    ) -> list[BotReply]:
        """Fire an external intent (e.g. `EXTERNAL_follow_up`); the bot's replies, collected."""
        data = await self._post(
            f"/conversations/{_path(conversation_id)}/trigger_intent",
            {"name": intent, "entities": dict(entities or {})},
            self._api_params(),
        )
        messages = data.get("messages") if isinstance(data, Mapping) else None
        if not isinstance(messages, list):
            raise RasaUnavailable("Rasa's trigger_intent answered without messages")
        return [BotReply.from_rasa(item) for item in messages if isinstance(item, Mapping)]

    async def resume(self, conversation_id: str) -> None:
        """Hand a paused conversation back to the bot: `resume` then `action_listen`."""
        await self._post(
            f"/conversations/{_path(conversation_id)}/tracker/events",
            RESUME_EVENTS,
            self._api_params(),
        )


def _path(conversation_id: str) -> str:
    return quote(conversation_id, safe=":")
