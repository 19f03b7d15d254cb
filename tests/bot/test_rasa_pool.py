"""Several Rasa servers behind the gateway (bot/gateway/rasa_pool.py), against stand-in Rasa
servers on real localhost ports and a real Redis server of the test's own."""

from __future__ import annotations

import logging
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from bot.gateway.app import make_assistant
from bot.gateway.rasa_client import RasaClient, RasaNotReached, RasaUnavailable
from bot.gateway.rasa_pool import RasaPool, RedisCheck, rendezvous_order
from tests.bot.conftest import FakeRasa
from ticketing.config import Settings

pytestmark = pytest.mark.anyio


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def redis_url() -> Iterator[str]:
    """A Redis server of this test's own on a free port (it stops it to play an outage)."""
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
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
    yield f"redis://127.0.0.1:{port}/0"
    process.terminate()
    process.wait()


@pytest.fixture
def two_fakes() -> Iterator[tuple[FakeRasa, FakeRasa]]:
    fakes = (FakeRasa(), FakeRasa())
    for fake in fakes:
        fake.start()
    yield fakes
    for fake in fakes:
        fake.stop()


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def served_by(fakes: tuple[FakeRasa, ...], sender: str) -> list[int]:
    return [
        i
        for i, fake in enumerate(fakes)
        for call in fake.webhook_calls()
        if call.body["sender"] == sender
    ]


def conversation_preferring(index: int, urls: list[str]) -> str:
    return next(f"web:{n}" for n in range(1000) if rendezvous_order(f"web:{n}", urls)[0] == index)


def test_rendezvous_order_is_stable_and_spreads_conversations() -> None:
    urls = ["http://127.0.0.1:5005", "http://127.0.0.1:5006"]
    assert rendezvous_order("web:abc", urls) == rendezvous_order("web:abc", list(urls))
    firsts = [rendezvous_order(f"web:{n}", urls)[0] for n in range(200)]
    assert 60 < firsts.count(0) < 140
    # Adding a third server moves only the conversations that now prefer it.
    three = [*urls, "http://127.0.0.1:5007"]
    for n in range(200):
        first = rendezvous_order(f"web:{n}", three)[0]
        assert first == 2 or first == firsts[n]


async def test_a_conversation_sticks_to_its_server(
    two_fakes: tuple[FakeRasa, FakeRasa], redis_url: str
) -> None:
    pool = RasaPool([RasaClient(f.url) for f in two_fakes], redis=RedisCheck(redis_url))
    senders = [f"web:{n}" for n in range(12)]
    for _ in range(3):
        for sender in senders:
            await pool.send_message(sender, "hi")
    await pool.aclose()
    for sender in senders:
        assert len(set(served_by(two_fakes, sender))) == 1  # always the same server
    assert two_fakes[0].webhook_calls() and two_fakes[1].webhook_calls()  # both serve


async def test_a_server_that_is_down_is_skipped_and_used_again_when_back(
    two_fakes: tuple[FakeRasa, FakeRasa], redis_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    down_port = free_port()
    down_url = f"http://127.0.0.1:{down_port}"
    clock = Clock()
    pool = RasaPool(
        [RasaClient(down_url), RasaClient(two_fakes[1].url)],
        redis=RedisCheck(redis_url),
        retry_after=5.0,
        clock=clock,
    )
    sender = conversation_preferring(0, pool.urls)
    with caplog.at_level(logging.WARNING, logger="bot.gateway.rasa_pool"):
        for _ in range(3):
            replies = await pool.send_message(sender, "我要投诉")
            assert replies[0].text == "bot heard: 我要投诉"
    assert served_by(two_fakes, sender) == [1, 1, 1]
    warnings = [r.getMessage() for r in caplog.records if "does not answer" in r.getMessage()]
    assert len(warnings) == 1 and down_url in warnings[0]

    back = FakeRasa(port=down_port)  # the first server returns on its address
    back.start()
    try:
        await pool.send_message(sender, "still skipped until the retry time")
        assert not back.webhook_calls()
        clock.now += 5.0
        await pool.send_message(sender, "back to its own server")
        assert [c.body["message"] for c in back.webhook_calls()] == ["back to its own server"]
        assert any("answers again" in r.getMessage() for r in caplog.records)
    finally:
        back.stop()
        await pool.aclose()


async def test_a_turn_that_reached_a_server_is_never_sent_to_another(
    two_fakes: tuple[FakeRasa, FakeRasa], redis_url: str
) -> None:
    first, second = two_fakes
    pool = RasaPool([RasaClient(f.url) for f in two_fakes], redis=RedisCheck(redis_url))
    sender = conversation_preferring(0, pool.urls)
    first.status = 500  # it may have run the turn's actions: sending it again could repeat them
    with pytest.raises(RasaUnavailable) as failure:
        await pool.send_message(sender, "/affirm")
    assert not isinstance(failure.value, RasaNotReached)
    assert not second.webhook_calls()
    await pool.aclose()


async def test_every_server_down_is_rasa_unavailable() -> None:
    pool = RasaPool([RasaClient(f"http://127.0.0.1:{free_port()}") for _ in range(2)])
    with pytest.raises(RasaUnavailable):
        await pool.send_message("web:x", "hello")
    await pool.aclose()


async def test_without_redis_every_turn_goes_to_one_server(
    two_fakes: tuple[FakeRasa, FakeRasa], redis_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    redis = RedisCheck(redis_url, every=0.0)
    pool = RasaPool([RasaClient(f.url) for f in two_fakes], redis=redis)
    sender = conversation_preferring(1, pool.urls)
    await pool.send_message(sender, "spread while Redis answers")
    assert served_by(two_fakes, sender) == [1]

    port = urlsplit(redis_url).port
    subprocess.run(["redis-cli", "-p", str(port), "shutdown", "nosave"], check=False)
    with caplog.at_level(logging.WARNING, logger="bot.gateway.rasa_pool"):
        for _ in range(3):
            await pool.send_message(sender, "Redis is down")
    assert sorted(served_by(two_fakes, sender)) == [0, 0, 0, 1]  # then all to the first server
    lock_warnings = [r for r in caplog.records if "cannot share conversation locks" in r.message]
    assert len(lock_warnings) == 1 and "Redis does not answer" in lock_warnings[0].message
    await pool.aclose()

    unconfigured = RasaPool([RasaClient(f.url) for f in two_fakes])
    await unconfigured.send_message(sender, "no Redis configured")
    assert sorted(served_by(two_fakes, sender)) == [0, 0, 0, 0, 1]
    await unconfigured.aclose()


def test_settings_make_one_client_or_a_pool() -> None:
    one = make_assistant(Settings(rasa_url="http://127.0.0.1:5005"))
    assert isinstance(one, RasaClient) and one.base_url == "http://127.0.0.1:5005"
    pool = make_assistant(
        Settings(
            rasa_urls="http://127.0.0.1:5005, http://127.0.0.1:5006",
            redis_url="redis://127.0.0.1:6379/0",
        )
    )
    assert isinstance(pool, RasaPool)
    assert pool.urls == ["http://127.0.0.1:5005", "http://127.0.0.1:5006"]
    assert pool.redis is not None
