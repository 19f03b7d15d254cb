"""Gateway benchmark: web chat customers through the gateway, against the same turns sent
straight to Rasa's REST channel; the gateway's overhead as a ratio.

Run: `make bench` (or `.venv/bin/python -m tests.bench.bench_gateway`). Needs the trained model
(`make model`). Starts, on free localhost ports, the action server, the Rasa server, and the web
application (`bot.gateway.app:create_app` under uvicorn, as the Procfile runs it) on a fresh SQLite
database, and on PostgreSQL too when the test server answers. Each of N = 1, 20, 50 concurrent
customers opens the widget's WebSocket and goes through whole conversations; a turn is timed
from sending the message to the arrival of the turn's last bot reply (the turn ends when the
widget's typing indicator goes off). The same turns then go to Rasa's REST channel with N concurrent
HTTP clients. An error is a turn without a bot reply, an apology (the bot counted as down), or a
failed connection.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import secrets
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from fastapi import FastAPI
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from websockets.asyncio.client import ClientConnection, connect
from websockets.typing import Origin

from bot.gateway.conversation import APOLOGY
from bot.gateway.rasa_client import RasaClient
from scripts.train_model import model_path
from tests.bench.conversations import COMPLAINT_EN, COMPLAINT_ZH
from tests.bench.processes import Process, start, wait_for
from tests.conftest import POSTGRES_URL, migrated_postgres_schema, postgres_reachable
from tests.servers import (
    RASA,
    action_server_argv,
    free_port,
    kefu_rasa_argv,
    kefu_rasa_env,
    write_endpoints,
)
from ticketing import migrate
from ticketing.config import ROOT, Settings
from ticketing.db import make_engine

CONCURRENCY = (1, 20, 50)
TURNS_PER_LEVEL = 200  # about this many measured turns per level and path
TURN_TIMEOUT = 60.0

# The control's turns: the stand-in answers every message alike.
SMALL_TALK = ("你好", "我的鞋子坏了怎么办", "谢谢", "转人工", "再见")
SMALL_TALK_EN = ("hello", "my shoes fell apart, what now", "thanks", "human agent please", "bye")


def app() -> FastAPI:
    """The web application as the Procfile runs it, with the benchmark's Rasa and action
    server ports (uvicorn factory: `tests.bench.bench_gateway:app`)."""
    from bot.gateway.app import create_app

    settings = Settings()
    rasa = RasaClient(
        settings.rasa_url,
        token=settings.rasa_token,
        timeout=TURN_TIMEOUT,
        action_health_url=os.environ["BENCH_ACTION_HEALTH_URL"],
    )
    return create_app(settings, rasa=rasa)


STAND_IN_TURN = 0.03  # seconds: about a real Rasa turn on this machine


def stand_in() -> Starlette:
    """A stand-in for Rasa that answers strictly first come, first served, one turn at a time,
    each taking `STAND_IN_TURN` (uvicorn factory: `tests.bench.bench_gateway:stand_in`). Against
    it the gateway's own cost and fairness show without Rasa competing with it for the CPU."""
    queue: asyncio.Queue[tuple[asyncio.Future[list[dict[str, str]]], dict[str, str]]]
    queue = asyncio.Queue()
    worker: list[asyncio.Task[None]] = []

    async def serve_in_order() -> None:
        while True:
            answer, body = await queue.get()
            await asyncio.sleep(STAND_IN_TURN)
            answer.set_result([{"recipient_id": body["sender"], "text": f"ok: {body['message']}"}])

    async def webhook(request: Request) -> JSONResponse:
        if not worker:
            worker.append(asyncio.create_task(serve_in_order()))
        answer = asyncio.get_running_loop().create_future()
        await queue.put((answer, await request.json()))
        return JSONResponse(await answer)

    async def ok(_request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    return Starlette(
        routes=[
            Route("/webhooks/rest/webhook", webhook, methods=["POST"]),
            Route("/health", ok),
            Route("/status", ok),
        ]
    )


def conversation_scripts() -> tuple[str, list[Sequence[str]]]:
    return "complaint conversations (6 turns)", [COMPLAINT_ZH, COMPLAINT_EN]


@dataclass
class Result:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    turns: int = 0
    wall: float = 0.0
    why: Counter[str] = field(default_factory=Counter)

    def error(self, why: str) -> None:
        self.errors += 1
        self.why[why] += 1

    def line(self) -> str:
        if not self.latencies:
            return f"no turn succeeded; errors {self.errors}/{self.turns}"
        lat = sorted(self.latencies)
        p50 = statistics.median(lat)
        p95 = lat[min(len(lat) - 1, round(0.95 * (len(lat) - 1)))]
        why = f" ({', '.join(f'{k}: {v}' for k, v in self.why.most_common())})" if self.why else ""
        return (
            f"p50 {p50 * 1000:7.1f} ms  p95 {p95 * 1000:7.1f} ms  "
            f"errors {self.errors}/{self.turns}{why}  {self.turns / self.wall:6.1f} msg/s"
        )

    @property
    def p50(self) -> float:
        return statistics.median(self.latencies) if self.latencies else float("nan")

    @property
    def p95(self) -> float:
        lat = sorted(self.latencies)
        return lat[min(len(lat) - 1, round(0.95 * (len(lat) - 1)))] if lat else float("nan")


APOLOGIES = set(APOLOGY.values())


async def widget_turn(ws: ClientConnection, message: str) -> tuple[list[str], float]:
    """Send one message in the widget: the bot's replies, and the seconds until the last of
    them showed (the gateway ends a turn by switching the typing indicator off)."""
    started = time.perf_counter()
    await ws.send(json.dumps({"type": "message", "text": message}))
    replies: list[str] = []
    shown = started
    while True:
        frame = json.loads(await asyncio.wait_for(ws.recv(), TURN_TIMEOUT))
        if frame["type"] == "message" and frame["message"]["sender"] == "bot":
            replies.append(frame["message"]["text"])
            shown = time.perf_counter()
        if frame == {"type": "typing", "on": False}:
            return replies, shown - started


async def widget_customer(
    ws_url: str, scripts: list[Sequence[str]], conversations: int, result: Result, n: int
) -> None:
    """One customer in the widget: conversations one after another, each in a new session."""
    for c in range(conversations):
        script = scripts[(n + c) % len(scripts)]
        try:
            async with connect(
                ws_url,
                open_timeout=TURN_TIMEOUT,
                max_size=2**20,
                origin=Origin(ws_url.replace("ws://", "http://").split("/ws/", 1)[0]),
            ) as ws:
                await ws.send(
                    json.dumps({"type": "hello", "session_id": uuid.uuid4().hex, "language": None})
                )
                history = json.loads(await asyncio.wait_for(ws.recv(), TURN_TIMEOUT))
                assert history["type"] == "history"
                for message in script:
                    result.turns += 1
                    replies, elapsed = await widget_turn(ws, message)
                    if APOLOGIES.intersection(replies):
                        result.error("apology")
                    elif not replies:
                        result.error("no reply")
                    else:
                        result.latencies.append(elapsed)
        except Exception as exc:  # a dropped connection, a timeout: the rest of it failed
            result.error(type(exc).__name__)


async def rest_customer(
    http: httpx.AsyncClient,
    rasa_url: str,
    scripts: list[Sequence[str]],
    conversations: int,
    result: Result,
    n: int,
) -> None:
    """The same customer, straight to Rasa's REST channel."""
    for c in range(conversations):
        script = scripts[(n + c) % len(scripts)]
        sender = f"bench-{uuid.uuid4().hex}"
        for message in script:
            result.turns += 1
            started = time.perf_counter()
            try:
                response = await http.post(
                    f"{rasa_url}/webhooks/rest/webhook", json={"sender": sender, "message": message}
                )
                replies = response.json() if response.status_code == 200 else []
            except httpx.HTTPError as exc:
                result.error(type(exc).__name__)
                continue
            elapsed = time.perf_counter() - started
            if any(r.get("text") for r in replies):
                result.latencies.append(elapsed)
            else:
                result.error("no reply")


async def level(
    n: int, ws_url: str | None, rasa_url: str | None, scripts: list[Sequence[str]]
) -> Result:
    turns = len(scripts[0])
    conversations = max(1, round(TURNS_PER_LEVEL / (n * turns)))
    result = Result()
    started = time.perf_counter()
    if ws_url is not None:
        await asyncio.gather(
            *(widget_customer(ws_url, scripts, conversations, result, i) for i in range(n))
        )
    else:
        assert rasa_url is not None
        limits = httpx.Limits(max_connections=n, max_keepalive_connections=n)
        async with httpx.AsyncClient(timeout=TURN_TIMEOUT, limits=limits, trust_env=False) as http:
            await asyncio.gather(
                *(
                    rest_customer(http, rasa_url, scripts, conversations, result, i)
                    for i in range(n)
                )
            )
    result.wall = time.perf_counter() - started
    return result


@contextlib.contextmanager
def web_app(
    name: str, database_url: str, rasa_url: str, token: str, health: str, logs: Path
) -> Iterator[str]:
    """The composed web application under uvicorn on `database_url` (migrated already);
    yields its ws URL."""
    port = free_port()
    process = start(
        name,
        [
            sys.executable,
            "-m",
            "uvicorn",
            "tests.bench.bench_gateway:app",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        logs,
        {
            "KEFU_DATABASE_URL": database_url,
            "KEFU_SECRET_KEY": secrets.token_urlsafe(32),
            "KEFU_RASA_URL": rasa_url,
            "KEFU_RASA_TOKEN": token,
            "BENCH_ACTION_HEALTH_URL": health,
            # Many sessions from one address, as fast as they go: the limits are not measured.
            "KEFU_CHAT_NEW_SESSION_LIMIT": "1000000 per minute",
            "KEFU_CHAT_MESSAGE_LIMIT": "1000000 per minute",
        },
    )
    try:
        wait_for(process, f"http://127.0.0.1:{port}/healthz", 60)
        yield f"ws://127.0.0.1:{port}/ws/chat"
    finally:
        process.stop()
        # Why the gateway handed conversations off, if it did (it logs each time).
        log = process.log_path.read_text(errors="replace")
        reasons = Counter(
            line.split("bot unavailable (", 1)[1].rsplit(")", 1)[0]
            for line in log.splitlines()
            if "bot unavailable (" in line
        )
        for reason, count in reasons.most_common():
            print(f"    {name}: handed off {count}x because: {reason}")


def show_sample(rasa_url: str, scripts: list[Sequence[str]]) -> None:
    """One conversation of each script straight through Rasa, replies shortened."""
    with httpx.Client(timeout=TURN_TIMEOUT, trust_env=False) as http:
        for script in scripts:
            sender = f"sample-{uuid.uuid4().hex}"
            print("  sample:")
            for message in script:
                replies = http.post(
                    f"{rasa_url}/webhooks/rest/webhook", json={"sender": sender, "message": message}
                ).json()
                said = " | ".join(" ".join(str(r.get("text", "")).split())[:50] for r in replies)
                print(f"    > {message[:40]}\n      {said}")


def run_levels(
    label: str,
    ws_url: str | None,
    rasa_url: str | None,
    scripts: list[Sequence[str]],
    levels: Sequence[int],
) -> dict[int, Result]:
    results = {}
    for n in levels:
        result = asyncio.run(level(n, ws_url, rasa_url, scripts))
        results[n] = result
        print(f"  {label:<22} N={n:<3} {result.line()}")
    return results


def control(levels: Sequence[int]) -> None:
    """The same customers against the first-come-first-served stand-in, straight and through
    the gateway (SQLite)."""
    turn_ms = STAND_IN_TURN * 1000
    print(f"\n  control: a stand-in for Rasa serving one turn at a time, {turn_ms:.0f} ms each")
    scripts: list[Sequence[str]] = [SMALL_TALK, SMALL_TALK_EN]
    with tempfile.TemporaryDirectory(prefix="kefu-bench-control-") as tmp:
        logs = Path(tmp)
        port = free_port()
        fake = start(
            "stand-in",
            [
                sys.executable,
                "-m",
                "uvicorn",
                "tests.bench.bench_gateway:stand_in",
                "--factory",
                "--port",
                str(port),
                "--log-level",
                "warning",
            ],
            logs,
            {},
        )
        url = f"http://127.0.0.1:{port}"
        try:
            wait_for(fake, f"{url}/status", 60)
            direct = run_levels("stand-in directly", None, url, scripts, levels)
            sqlite_url = f"sqlite:///{logs / 'control.db'}"
            engine = make_engine(sqlite_url)
            migrate.upgrade(engine)
            engine.dispose()
            with web_app("web-control", sqlite_url, url, "-", f"{url}/health", logs) as ws_url:
                gateway = run_levels("gateway, SQLite", ws_url, None, scripts, levels)
        finally:
            fake.stop()
    for n in levels:
        p50 = (gateway[n].p50 - direct[n].p50) * 1000
        p95 = (gateway[n].p95 - direct[n].p95) * 1000
        print(f"    N={n:<3} gateway - stand-in: p50 {p50:+7.1f} ms  p95 {p95:+7.1f} ms")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only")
    parser.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only")
    parser.add_argument(
        "--levels", type=int, nargs="+", default=list(CONCURRENCY), help="values of N"
    )
    args = parser.parse_args()
    levels = tuple(args.levels)
    model = model_path()
    stale = ""
    if not model.exists() and (ROOT / "models" / "current.tar.gz").exists():
        # Training data changed since the last `make model`: measure the model there is.
        model, stale = ROOT / "models" / "current.tar.gz", " (older than the training data)"
    if not model.exists() or not RASA.exists():
        print(f"gateway benchmark skipped: no trained model at {model} (run `make model`)")
        return 0
    label, scripts = conversation_scripts()
    print(f"gateway benchmark: {label}")
    print(f"  model {model.name}{stale}; {os.cpu_count()} CPUs; N concurrent customers = {levels}")

    with tempfile.TemporaryDirectory(prefix="kefu-bench-") as tmp:
        logs = Path(tmp)
        sqlite_url = f"sqlite:///{logs / 'kefu.db'}"
        token = secrets.token_urlsafe(16)
        actions_port, rasa_port = free_port(), free_port()
        endpoints = write_endpoints(logs / "endpoints.yml", f"http://127.0.0.1:{actions_port}")
        migrate.upgrade(make_engine(sqlite_url))
        health = f"http://127.0.0.1:{actions_port}/health"

        def start_actions(store_url: str) -> Process:
            # The action server writes tickets to the store the gateway under test uses.
            process = start(
                "action-server",
                action_server_argv(actions_port),
                logs,
                {"SANIC_HOST": "127.0.0.1", "KEFU_DATABASE_URL": store_url},
            )
            wait_for(process, health, 60)
            return process

        actions = start_actions(sqlite_url)
        rasa = start(
            "rasa-server",
            kefu_rasa_argv(model, rasa_port, endpoints),
            logs,
            kefu_rasa_env(token, sqlite_url),
        )
        rasa_url = f"http://127.0.0.1:{rasa_port}"
        try:
            seconds = wait_for(rasa, f"{rasa_url}/status?token={token}", 240)
            print(f"  Rasa server up in {seconds:.0f} s")
            # Warm up (jieba, TensorFlow graphs) before anything is timed, and show what the
            # conversations are.
            asyncio.run(level(1, None, rasa_url, scripts))
            show_sample(rasa_url, scripts)

            direct = run_levels("Rasa REST directly", None, rasa_url, scripts, levels)
            gateways: dict[str, dict[int, Result]] = {}
            if not args.no_sqlite:
                with web_app("web-sqlite", sqlite_url, rasa_url, token, health, logs) as ws_url:
                    asyncio.run(level(1, ws_url, None, scripts))  # warm-up
                    gateways["gateway (SQLite)"] = run_levels(
                        "gateway, SQLite", ws_url, None, scripts, levels
                    )
            reason = None if not args.no_postgres else "--no-postgres"
            reason = reason or postgres_reachable()
            if reason is None:
                with migrated_postgres_schema("kefu_bench") as (schema, pg_engine):
                    pg_engine.dispose()  # the servers under test open their own connections
                    pg_url = f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
                    actions.stop()
                    actions = start_actions(pg_url)
                    try:
                        with web_app(
                            "web-postgres", pg_url, rasa_url, token, health, logs
                        ) as ws_url:
                            asyncio.run(level(1, ws_url, None, scripts))
                            gateways["gateway (PostgreSQL)"] = run_levels(
                                "gateway, PostgreSQL", ws_url, None, scripts, levels
                            )
                    finally:
                        actions.stop()
                        actions = start_actions(sqlite_url)
            else:
                print(f"  gateway, PostgreSQL    not measured: {reason}")
            # Rasa again at the end: the machine is shared, so its drift shows.
            again = run_levels("Rasa REST again", None, rasa_url, scripts, levels)
        finally:
            for process in (rasa, actions):
                process.stop()

    control(levels)

    print("\n  gateway overhead (gateway / Rasa REST, the mean of both Rasa runs):")
    for name, results in gateways.items():
        for n in levels:
            base50 = (direct[n].p50 + again[n].p50) / 2
            base95 = (direct[n].p95 + again[n].p95) / 2
            g = results[n]
            print(
                f"    {name:<22} N={n:<3} p50 x{g.p50 / base50:5.2f} "
                f"({(g.p50 - base50) * 1000:+7.1f} ms)  p95 x{g.p95 / base95:5.2f}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
