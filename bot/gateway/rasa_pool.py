"""Several Rasa servers behind the gateway: each conversation sticks to one while it is up.

`KEFU_RASA_URLS=http://127.0.0.1:5005,http://127.0.0.1:5006` (with `KEFU_REDIS_URL`, the lock
store the servers share, and their shared SQL tracker store: bot/assistant/serve.py). Which
server a conversation uses is rendezvous hashing of its id over the servers: every gateway
process picks the same one with no coordination, a conversation stays on its server while that
answers, moves to the next in its own order when it does not, and comes back to it when it
answers again (tried again `retry_after` seconds after it failed). The tracker store is shared,
so a conversation continues its form on whichever server takes the turn.

Only a turn that never reached a server (refused or connect timeout) goes to another one: a
turn that timed out or failed after it was sent may have run its actions, and sending it again
could file a ticket twice. That turn gets the gateway's apology and a person instead.

Without Redis the servers cannot see each other's conversation locks: every turn then goes to
one server (the first of the list that answers), and the gateway says so in its log once per
change. Redis is asked (PING) at most every `redis_check_every` seconds.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, TypeVar

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from bot.gateway.rasa_client import BotReply, RasaClient, RasaNotReached

log = logging.getLogger(__name__)

T = TypeVar("T")


def rendezvous_order(conversation_id: str, urls: Sequence[str]) -> list[int]:
    """Indexes of `urls` in the order this conversation prefers them (highest hash first)."""

    def weight(index: int) -> bytes:
        key = f"{urls[index]}\x00{conversation_id}".encode()
        return hashlib.blake2b(key, digest_size=8).digest()

    return sorted(range(len(urls)), key=weight, reverse=True)


class RedisCheck:
    """Whether Redis answers a PING, asked at most every `every` seconds."""

    def __init__(
        self, url: str, *, every: float = 5.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.url = url
        self.every = every
        self.clock = clock
        self._client: aioredis.Redis = aioredis.Redis.from_url(
            url, socket_timeout=0.5, socket_connect_timeout=0.5
        )
        self._checked: tuple[float, bool] | None = None

    async def up(self) -> bool:
        now = self.clock()
        if self._checked is not None and now - self._checked[0] < self.every:
            return self._checked[1]
        try:
            # redis-py 7's async client types ping() as "Awaitable[bool] | bool"; it awaits.
            healthy = bool(await self._client.ping())  # type: ignore[misc]
        except (RedisError, OSError):
            healthy = False
        self._checked = (self.clock(), healthy)
        return healthy

    async def aclose(self) -> None:
        await self._client.aclose()


class RasaPool:
    """The `RasaClient` interface over several Rasa servers (see the module doc)."""

    def __init__(
        self,
        clients: Sequence[RasaClient],
        *,
        redis: RedisCheck | None = None,
        retry_after: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not clients:
            raise ValueError("a pool needs at least one Rasa server")
        self.clients = list(clients)
        self.urls = [client.base_url for client in self.clients]
        self.redis = redis
        self.retry_after = retry_after
        self.clock = clock
        self._down_until: dict[int, float] = {}
        self._single: bool | None = None  # whether turns go to one server (last logged)

    async def aclose(self) -> None:
        for client in self.clients:
            await client.aclose()
        if self.redis is not None:
            await self.redis.aclose()

    async def actions_healthy(self) -> bool:
        # One action server (or one address in front of several) for every Rasa server.
        return await self.clients[0].actions_healthy()

    def is_down(self, index: int) -> bool:
        return self.clock() < self._down_until.get(index, 0.0)

    async def order_for(self, conversation_id: str) -> list[int]:
        """The servers to try for this conversation's turn, in order: up ones first."""
        if await self._one_server_only():
            order = list(range(len(self.clients)))
        else:
            order = rendezvous_order(conversation_id, self.urls)
        return [i for i in order if not self.is_down(i)] + [i for i in order if self.is_down(i)]

    async def _one_server_only(self) -> bool:
        single = len(self.clients) > 1 and (self.redis is None or not await self.redis.up())
        if single != self._single and len(self.clients) > 1:
            if single:
                log.warning(
                    "Rasa servers cannot share conversation locks (%s): every turn goes to "
                    "one Rasa server",
                    "no KEFU_REDIS_URL" if self.redis is None else "Redis does not answer",
                )
            elif self._single is not None:
                log.warning("Redis answers again: turns are spread over the Rasa servers")
        self._single = single
        return single

    async def _call(self, conversation_id: str, call: Callable[[RasaClient], Awaitable[T]]) -> T:
        failure: RasaNotReached | None = None
        for index in await self.order_for(conversation_id):
            try:
                result = await call(self.clients[index])
            except RasaNotReached as exc:
                self._mark_down(index, exc)
                failure = exc
                continue
            self._mark_up(index)
            return result
        assert failure is not None
        raise failure

    def _mark_down(self, index: int, exc: Exception) -> None:
        if index not in self._down_until:
            log.warning(
                "Rasa server %s does not answer (%s): its conversations go to the others",
                self.urls[index],
                exc,
            )
        self._down_until[index] = self.clock() + self.retry_after

    def _mark_up(self, index: int) -> None:
        if self._down_until.pop(index, None) is not None:
            log.warning("Rasa server %s answers again", self.urls[index])

    async def send_message(
        self, sender: str, message: str, metadata: Mapping[str, Any] | None = None
    ) -> list[BotReply]:
        return await self._call(sender, lambda c: c.send_message(sender, message, metadata))

    async def trigger_intent(
        self, conversation_id: str, intent: str, entities: Mapping[str, Any] | None = None
    ) -> list[BotReply]:
        return await self._call(
            conversation_id, lambda c: c.trigger_intent(conversation_id, intent, entities)
        )

    async def resume(self, conversation_id: str) -> None:
        await self._call(conversation_id, lambda c: c.resume(conversation_id))
