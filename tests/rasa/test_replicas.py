"""Conversations that outlive a Rasa server, with real servers: two Rasa servers started by the
launcher (bot/assistant/serve.py) on one PostgreSQL tracker database of their own and a Redis
server of this module's own for their locks, in front of the session's action server.

- kill -9 a Rasa server in the middle of a complaint form and start it again: the customer's
  next message continues the form and the ticket comes out whole;
- kill -9 the server a conversation sticks to: the gateway's pool sends the next turn to the
  other one, the form goes on; when the server is back the conversation returns to it;
- Redis down: the servers go on answering, each saying so once in its log.
"""

from __future__ import annotations

import re
import secrets
import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session, sessionmaker

from bot.gateway.rasa_client import BotReply, RasaClient
from bot.gateway.rasa_pool import RasaPool, RedisCheck, rendezvous_order
from tests.conftest import POSTGRES_URL, require_postgres
from tests.servers import (
    ServerProcess,
    free_port,
    kefu_rasa_env,
    launch_kefu_rasa,
    start_kefu_rasa,
    wait_for_rasa,
    write_endpoints,
)
from ticketing import services
from ticketing.db import make_engine, make_session_factory
from ticketing.models import Channel, Ticket

# Four Rasa starts in one module (25-40 s each on 2 idle cores, minutes on a busy machine).
pytestmark = [pytest.mark.rasa, pytest.mark.stack, pytest.mark.timeout(2400)]

DESCRIPTION = "The heel of my new boots snapped off the first time I wore them"
ORDER = "A2024-1190"


def start_redis() -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    process = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", ""],
        stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.05)
    return process, f"redis://127.0.0.1:{port}/0"


@dataclass
class Replicas:
    """Two Kefu Rasa servers sharing their tracker store and lock store."""

    config: pytest.Config
    model: Path
    endpoints: Path
    env: dict[str, str]
    logs: Path
    ports: list[int]
    servers: list[ServerProcess]
    redis: subprocess.Popen[bytes]
    redis_url: str
    starts: int = 0

    @property
    def token(self) -> str:
        return self.env["KEFU_RASA_TOKEN"]

    def url(self, index: int) -> str:
        return f"http://127.0.0.1:{self.ports[index]}"

    def start(self, index: int) -> None:
        self.starts += 1
        self.servers[index] = launch_kefu_rasa(
            self.config,
            f"rasa-replica-{index}-{self.starts}",
            self.model,
            self.ports[index],
            self.endpoints,
            self.env,
            self.logs,
        )

    def kill(self, index: int) -> None:
        self.servers[index].kill()

    def ensure_up(self) -> None:
        for index, server in enumerate(self.servers):
            if server.process.poll() is not None:
                self.start(index)

    def say(self, index: int, sender: str, message: str, metadata: Mapping[str, Any]) -> str:
        response = httpx.post(
            f"{self.url(index)}/webhooks/rest/webhook",
            json={"sender": sender, "message": message, "metadata": dict(metadata)},
            timeout=30,
        )
        response.raise_for_status()
        return "\n".join(str(r.get("text") or "") for r in response.json())


@pytest.fixture(scope="module")
def tracker_database() -> Iterator[str]:
    """A PostgreSQL database of this module's own for Rasa's trackers; dropped afterwards."""
    require_postgres()
    name = f"kefu_rasa_it_{uuid.uuid4().hex[:10]}"
    yield name
    admin = make_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="module")
def replicas(
    request: pytest.FixtureRequest,
    rasa_model: Path,
    action_server: ServerProcess,
    server_logs: Path,
    tracker_database: str,
) -> Iterator[Replicas]:
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    redis, redis_url = start_redis()
    env = {
        **kefu_rasa_env("-" + secrets.token_urlsafe(16), POSTGRES_URL, redis_url),
        "KEFU_RASA_TRACKER_DATABASE": tracker_database,
    }
    endpoints = write_endpoints(server_logs / "endpoints-replicas.yml", action_server.url)
    placeholder: list[ServerProcess] = []
    group = Replicas(
        request.config,
        rasa_model,
        endpoints,
        env,
        server_logs,
        [free_port(), free_port()],
        placeholder,
        redis,
        redis_url,
    )
    try:
        # Both at once (Rasa lets a second server find the database and table the first made).
        for index in range(2):
            group.starts += 1
            placeholder.append(
                start_kefu_rasa(
                    request.config,
                    f"rasa-replica-{index}-{group.starts}",
                    rasa_model,
                    group.ports[index],
                    endpoints,
                    env,
                    server_logs,
                )
            )
        for server in placeholder:
            wait_for_rasa(server, group.token)
        yield group
    finally:
        for server in group.servers:
            server.stop()
        redis.terminate()
        redis.wait()


@pytest.fixture(scope="module")
def store(store_url: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(store_url)
    yield make_session_factory(engine)
    engine.dispose()


def web_customer(store: sessionmaker[Session]) -> tuple[str, dict[str, Any]]:
    """A web chat conversation as the gateway creates it: sender id and message metadata."""
    with store.begin() as session:
        conversation = services.get_or_create_conversation(
            session, Channel.WEB, uuid.uuid4().hex, language="en"
        )
        metadata = {"channel": "web", "customer_id": conversation.customer_id, "language": "en"}
        return conversation.id, metadata


def ticket_of(store: sessionmaker[Session], sender: str) -> Ticket:
    with store() as session:
        return session.scalars(select(Ticket).where(Ticket.conversation_id == sender)).one()


def assert_whole(ticket: Ticket) -> None:
    assert ticket.order_number == ORDER
    assert "heel" in ticket.description.lower()


def test_a_form_goes_on_after_kill_9_and_a_restart(
    replicas: Replicas, store: sessionmaker[Session]
) -> None:
    replicas.ensure_up()
    sender, metadata = web_customer(store)
    assert replicas.say(0, sender, "I want to make a complaint", metadata)
    asked = replicas.say(0, sender, DESCRIPTION, metadata)
    assert "order" in asked.lower()

    replicas.kill(0)
    replicas.start(0)

    summary = replicas.say(0, sender, ORDER, metadata)
    assert ORDER in summary and "heel" in summary.lower(), summary
    filed = replicas.say(0, sender, "/affirm", metadata)
    ticket = ticket_of(store, sender)
    assert ticket.number in filed
    assert_whole(ticket)


class Recorded(RasaClient):
    """A client that notes each turn it carried."""

    def __init__(self, url: str, served: list[str]) -> None:
        super().__init__(url, timeout=30)
        self.served = served

    async def send_message(
        self, sender: str, message: str, metadata: Mapping[str, Any] | None = None
    ) -> list[BotReply]:
        replies = await super().send_message(sender, message, metadata)
        self.served.append(self.base_url)
        return replies


def test_a_conversation_moves_to_the_other_server_and_back(
    replicas: Replicas, store: sessionmaker[Session]
) -> None:
    replicas.ensure_up()
    served: list[str] = []
    urls = [replicas.url(0), replicas.url(1)]
    sender, metadata = web_customer(store)
    home = rendezvous_order(sender, urls)[0]
    other = 1 - home

    async def talk() -> None:
        pool = RasaPool(
            [Recorded(url, served) for url in urls],
            redis=RedisCheck(replicas.redis_url, every=0.0),
            retry_after=0.5,
        )

        async def say(message: str) -> str:
            replies = await pool.send_message(sender, message, metadata)
            return "\n".join(r.text or "" for r in replies)

        try:
            await say("I want to make a complaint")
            assert "order" in (await say(DESCRIPTION)).lower()
            assert served == [urls[home], urls[home]]  # it sticks to its server

            replicas.kill(home)
            summary = await say(ORDER)
            assert ORDER in summary and "heel" in summary.lower(), summary
            filed = await say("/affirm")
            assert served[2:] == [urls[other], urls[other]]  # the other one took over
            ticket = ticket_of(store, sender)
            assert ticket.number in filed
            assert_whole(ticket)

            await anyio.to_thread.run_sync(replicas.start, home)
            await anyio.sleep(0.6)
            await say("thank you")
            assert served[-1] == urls[home]  # back on its own server
        finally:
            await pool.aclose()

    anyio.run(talk)


def test_redis_down_the_servers_still_answer_and_say_so_once(
    replicas: Replicas, store: sessionmaker[Session]
) -> None:
    replicas.ensure_up()
    replicas.redis.terminate()
    replicas.redis.wait()
    sender, metadata = web_customer(store)
    assert replicas.say(0, sender, "I want to make a complaint", metadata)
    assert "order" in replicas.say(0, sender, DESCRIPTION, metadata).lower()
    assert ORDER in replicas.say(0, sender, ORDER, metadata)
    log = replicas.servers[0].log_tail()
    assert len(re.findall("Redis lock store unreachable", log)) == 1, log
