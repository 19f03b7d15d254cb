"""Load and failure benchmark (issue 12): web chat customers through the gateway on the default
stack and on the replicated one with a Rasa server killed mid-run, against the bare `rasa init`
assistant through Rasa's REST channel in the same run.

Run: `make bench-load` (or `.venv/bin/python -m tests.bench.bench_load`). Needs the trained model
(`make model`), redis-server and the PostgreSQL test server for (b). It starts, on free localhost
ports, and prints for each part per-turn p50/p95, turns/s, errors, conversations that lost their
place, duplicated replies, the RSS of every process and the Rasa servers' ready times:

- the reference: the assistant `rasa init --no-prompt` trains, through the REST channel at 1 and
  20 concurrent conversations (bench_assistant's complaint conversations: it understands none of
  them, so it is the cost of a turn through Rasa alone);
- Kefu's Rasa through the same REST channel (the ratios the issue's targets are about);
- (a) the default stack: one Rasa server (SQLite tracker store), the action server, the web app
  and the SLA worker on a SQLite store; 1 then 20 web chat customers through the gateway's
  WebSocket, `--conversations` conversations in all at 20 (the RSS is read after them);
- (b) PostgreSQL + Redis + 2 Rasa servers (shared tracker and lock stores) + the action server
  with 2 workers + the web app with both Rasa URLs: 20 customers; once a third of the run is
  done one Rasa server is killed with SIGKILL (its whole process group) and started again; the
  customers go on until it is back and `--after` more conversations have finished.

A conversation lost its place when it filed no ticket although every turn had an answer that
was not the apology, or when a later turn repeats an earlier turn's reply (the form started
again); a duplicated reply is the same bot text twice in one turn, or a second ticket.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from fastapi import FastAPI
from sqlalchemy import func, select, text
from websockets.asyncio.client import ClientConnection, connect
from websockets.typing import Origin

from bot.gateway.conversation import APOLOGY
from scripts.train_model import model_path
from tests.bench.bench_assistant import bare_server, init_bare, measure, p50, p95
from tests.bench.bench_gateway import Result, widget_turn
from tests.bench.conversations import COMPLAINT_EN, COMPLAINT_ZH
from tests.bench.processes import Process, start, wait_for
from tests.conftest import POSTGRES_URL, migrated_postgres_schema, postgres_reachable
from tests.factories import make_policy
from tests.servers import (
    RASA,
    STORE_FIRST_RESPONSE_MINUTES,
    action_server_argv,
    free_port,
    kefu_rasa_argv,
    kefu_rasa_env,
    make_action_store,
    write_endpoints,
)
from ticketing.config import ROOT, Settings
from ticketing.db import make_engine, make_session_factory
from ticketing.models import Priority, Ticket
from ticketing.pseudonyms import web_session_key

SCRIPTS: tuple[Sequence[str], ...] = (COMPLAINT_ZH, COMPLAINT_EN)
TURN_TIMEOUT = 60.0
RASA_START = 600.0  # minutes on a busy 2-core machine
APOLOGIES = set(APOLOGY.values())


def app() -> FastAPI:
    """The web app as production builds it (one Rasa client, or the pool over KEFU_RASA_URLS),
    with the benchmark's action server health URL (uvicorn factory)."""
    from bot.gateway.app import RASA_TIMEOUT, create_app
    from bot.gateway.rasa_client import RasaClient
    from bot.gateway.rasa_pool import RasaPool, RedisCheck

    settings = Settings()
    health = os.environ["BENCH_ACTION_HEALTH_URL"]
    clients = [
        RasaClient(url, token=settings.rasa_token, timeout=RASA_TIMEOUT, action_health_url=health)
        for url in settings.rasa_server_urls()
    ]
    if len(clients) == 1:
        return create_app(settings, rasa=clients[0])
    redis = RedisCheck(settings.redis_url) if settings.redis_url else None
    return create_app(settings, rasa=RasaPool(clients, redis=redis))


# --- processes ----------------------------------------------------------------------------------


def rss_mb(process: Process) -> float:
    """Resident memory of the process and every process of its group (Sanic forks), in MB."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[2]) == process.process.pid:  # the process group id
                total += int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
    return total / 2**20


def print_rss(processes: Sequence[Process]) -> None:
    sizes = {p.name: rss_mb(p) for p in processes}
    each = ", ".join(f"{name} {mb:.0f}" for name, mb in sizes.items())
    print(f"    RSS (MB): {each}; whole stack {sum(sizes.values()):.0f}")


@dataclass
class Stack:
    """The servers of one stack and the URLs a customer and the benchmark need."""

    logs: Path
    store_url: str
    secret: str
    processes: list[Process] = field(default_factory=list)
    rasa: list[Process] = field(default_factory=list)
    rasa_ports: list[int] = field(default_factory=list)
    rasa_env: dict[str, str] = field(default_factory=dict)
    ready: list[float] = field(default_factory=list)
    ws_url: str = ""

    def stop(self) -> None:
        for process in reversed(self.processes):
            process.stop()


@contextlib.contextmanager
def kefu_stack(
    name: str,
    logs: Path,
    model: Path,
    store_url: str,
    *,
    replicas: int = 1,
    rasa_db: str = "",
    redis_url: str = "",
    tracker_db: str | None = None,
) -> Iterator[Stack]:
    """The action server, `replicas` Rasa servers, the web app and the worker on `store_url`."""
    secret = secrets.token_urlsafe(32)
    stack = Stack(logs, store_url, secret)
    token = secrets.token_urlsafe(16)
    actions_port = free_port()
    health = f"http://127.0.0.1:{actions_port}/health"
    endpoints = write_endpoints(logs / f"{name}-endpoints.yml", f"http://127.0.0.1:{actions_port}")
    try:
        workers = {"ACTION_SERVER_SANIC_WORKERS": "2"} if replicas > 1 else {}
        actions = start(
            f"{name}-actions",
            action_server_argv(actions_port),
            logs,
            {"SANIC_HOST": "127.0.0.1", "KEFU_DATABASE_URL": store_url, **workers},
        )
        stack.processes.append(actions)
        stack.rasa_env = kefu_rasa_env(token, rasa_db or store_url, redis_url or None)
        if tracker_db:
            stack.rasa_env["KEFU_RASA_TRACKER_DATABASE"] = tracker_db
        ports = stack.rasa_ports = [free_port() for _ in range(replicas)]
        started = time.monotonic()
        for index, port in enumerate(ports):
            argv = kefu_rasa_argv(model, port, endpoints)
            process = start(f"{name}-rasa{index + 1}", argv, logs, stack.rasa_env)
            stack.rasa.append(process)
            stack.processes.append(process)
        wait_for(actions, health, 120)
        for process, port in zip(stack.rasa, ports, strict=True):
            wait_for(process, f"http://127.0.0.1:{port}/status?token={token}", RASA_START)
            stack.ready.append(time.monotonic() - started)
        urls = ",".join(f"http://127.0.0.1:{port}" for port in ports)
        web_port = free_port()
        web_env = {
            "KEFU_DATABASE_URL": store_url,
            "KEFU_SECRET_KEY": secret,
            "KEFU_RASA_URL": urls.split(",")[0],
            "KEFU_RASA_URLS": urls if replicas > 1 else "",
            "KEFU_REDIS_URL": redis_url,
            "KEFU_RASA_TOKEN": token,
            "BENCH_ACTION_HEALTH_URL": health,
            "KEFU_CHAT_NEW_SESSION_LIMIT": "1000000 per minute",
            "KEFU_CHAT_MESSAGE_LIMIT": "1000000 per minute",
        }
        web_argv = [sys.executable, "-m", "uvicorn", "tests.bench.bench_load:app", "--factory"]
        web_argv += ["--host", "127.0.0.1", "--port", str(web_port), "--log-level", "warning"]
        web = start(f"{name}-web", web_argv, logs, web_env)
        stack.processes.append(web)
        worker_argv = [sys.executable, "-m", "ticketing", "worker"]
        stack.processes.append(
            start(f"{name}-worker", worker_argv, logs, {"KEFU_DATABASE_URL": store_url})
        )
        wait_for(web, f"http://127.0.0.1:{web_port}/healthz", 120)
        stack.ws_url = f"ws://127.0.0.1:{web_port}/ws/chat"
        yield stack
    finally:
        stack.stop()


# --- customers ----------------------------------------------------------------------------------


@dataclass
class Conversation:
    session_id: str
    replies: list[list[str]] = field(default_factory=list)
    apologised: bool = False
    failed: bool = False
    duplicated: int = 0
    examples: list[str] = field(default_factory=list)


@dataclass
class Load:
    """What the customers of one run saw."""

    result: Result = field(default_factory=Result)
    conversations: list[Conversation] = field(default_factory=list)
    stop: asyncio.Event = field(default_factory=asyncio.Event)


async def turn(ws: ClientConnection, message: str, conversation: Conversation, load: Load) -> None:
    load.result.turns += 1
    replies, elapsed = await widget_turn(ws, message)
    conversation.replies.append(replies)
    twice = [text for text, count in Counter(replies).items() if count > 1]
    conversation.duplicated += len(replies) - len(set(replies))
    conversation.examples += [text[:60].replace("\n", " ") for text in twice]
    if APOLOGIES.intersection(replies):
        conversation.apologised = True
        load.result.error("apology")
    elif not replies:
        # After the apology the conversation waits for a person: the bot stays silent.
        load.result.error("silent, with a person" if conversation.apologised else "no reply")
    else:
        load.result.latencies.append(elapsed)


async def customer(ws_url: str, n: int, load: Load, conversations: int | None) -> None:
    """One customer: conversations one after another, each in a new widget session, until
    `conversations` are done or (None) the load's stop event is set."""
    c = 0
    while (c < conversations) if conversations is not None else not load.stop.is_set():
        script = SCRIPTS[(n + c) % len(SCRIPTS)]
        c += 1
        conversation = Conversation(uuid.uuid4().hex)
        load.conversations.append(conversation)
        try:
            async with connect(
                ws_url,
                open_timeout=TURN_TIMEOUT,
                origin=Origin(ws_url.split("/ws/")[0].replace("ws://", "http://")),
            ) as ws:
                await ws.send(
                    json.dumps(
                        {"type": "hello", "session_id": conversation.session_id, "language": None}
                    )
                )
                history = json.loads(await asyncio.wait_for(ws.recv(), TURN_TIMEOUT))
                assert history["type"] == "history"
                for message in script:
                    await turn(ws, message, conversation, load)
        except Exception as exc:  # a dropped connection, a timeout: the rest of it failed
            conversation.failed = True
            load.result.error(type(exc).__name__)


def customers(ws_url: str, n: int, conversations: int) -> Load:
    async def run() -> Load:
        load = Load()
        per = max(1, conversations // n)
        started = time.perf_counter()
        await asyncio.gather(*(customer(ws_url, i, load, per) for i in range(n)))
        load.result.wall = time.perf_counter() - started
        return load

    return asyncio.run(run())


def places(stack: Stack, load: Load) -> tuple[int, int]:
    """Conversations that lost their place, and second tickets, from the replies and store."""
    engine = make_engine(stack.store_url)
    try:
        with make_session_factory(engine)() as session:
            counts = dict(
                session.execute(
                    select(Ticket.conversation_id, func.count()).group_by(Ticket.conversation_id)
                ).all()
            )
    finally:
        engine.dispose()
    lost = extra = 0
    for conversation in load.conversations:
        key = f"web:{web_session_key(stack.secret, conversation.session_id)}"
        tickets = counts.get(key, 0)
        extra += max(0, tickets - 1)
        whole = not (conversation.failed or conversation.apologised)
        seen = [" ".join(r) for r in conversation.replies]
        repeated = any(s and s in seen[:i] for i, s in enumerate(seen) if i > 1)
        if (whole and len(seen) == len(SCRIPTS[0]) and tickets == 0) or repeated:
            lost += 1
    return lost, extra


def report(label: str, stack: Stack, load: Load) -> None:
    lost, extra = places(stack, load)
    duplicated = sum(c.duplicated for c in load.conversations) + extra
    print(f"  {label:<34} {load.result.line()}")
    if not load.result.latencies:
        print(f"    why: {dict(load.result.why)}")
    examples = Counter(e for c in load.conversations for e in c.examples)
    for example, count in examples.most_common(3):
        print(f"    said twice in one turn ({count}x): {example}")
    print(
        f"    conversations {len(load.conversations)}, lost their place {lost}, "
        f"duplicated replies {duplicated}"
    )


# --- the runs -----------------------------------------------------------------------------------


def reference(model: Path, work: Path, levels: Sequence[int]) -> None:
    """The bare `rasa init` assistant and Kefu's Rasa through the REST channel."""
    print("\nREST channel, 6-turn complaint conversations (bench_assistant), ms per turn")
    project, bare_model, seconds = init_bare(work)
    print(f"  rasa init (trains the bare assistant): {seconds:.0f} s")
    results = {}
    started = time.monotonic()
    with bare_server(project, bare_model, work) as url:
        print(f"  bare Rasa ready in {time.monotonic() - started:.0f} s")
        results["bare"] = {n: asyncio.run(measure(url, n)) for n in levels}
    store = make_action_store(f"sqlite:///{work / 'rest.db'}")
    with kefu_stack("rest", work, model, store) as stack:
        print(f"  Kefu Rasa ready in {stack.ready[0]:.0f} s")
        url = f"http://127.0.0.1:{stack.rasa_ports[0]}"
        results["kefu"] = {n: asyncio.run(measure(url, n)) for n in levels}
    for n in levels:
        kefu, bare = results["kefu"][n], results["bare"][n]
        k50, b50 = p50(kefu.all), p50(bare.all)
        k_tps, b_tps = len(kefu.all) / kefu.wall, len(bare.all) / bare.wall
        print(
            f"  N={n:<3} kefu p50 {k50 * 1000:6.0f} p95 {p95(kefu.all) * 1000:6.0f} "
            f"{k_tps:5.1f} turns/s, failed {kefu.failed}  |  bare p50 {b50 * 1000:6.0f} "
            f"p95 {p95(bare.all) * 1000:6.0f} {b_tps:5.1f} turns/s  |  "
            f"p50 x{k50 / b50:.2f}, throughput x{k_tps / b_tps:.2f}"
        )


def default_stack(model: Path, work: Path, conversations: int) -> None:
    print("\n(a) the default stack: one Rasa server, SQLite, through the gateway's WebSocket")
    store = make_action_store(f"sqlite:///{work / 'kefu.db'}")
    with kefu_stack("default", work, model, store) as stack:
        print(f"  Rasa ready in {stack.ready[0]:.0f} s after start")
        customers(stack.ws_url, 1, 2)  # warm-up
        for n, count in ((1, 10), (20, conversations)):
            load = customers(stack.ws_url, n, count)
            if n == 1:
                sample(load.conversations[:2])
            report(f"N={n} ({count} conversations)", stack, load)
        print_rss(stack.processes)


def sample(conversations: Sequence[Conversation]) -> None:
    """What the first customers saw, shortened: the conversations the figures are about."""
    for conversation in conversations:
        print(
            "  sample:",
            " | ".join(" ".join(r)[:40].replace("\n", " ") for r in conversation.replies),
        )


def restart(stack: Stack, index: int) -> float:
    """SIGKILL Rasa server `index` (its whole group) and start it again; seconds to ready."""
    old = stack.rasa[index]
    with contextlib.suppress(ProcessLookupError):
        os.killpg(old.process.pid, 9)
    old.process.wait()
    old.log.close()
    argv = [str(a) for a in old.process.args]  # type: ignore[union-attr]
    started = time.monotonic()
    new = start(f"{old.name}-again", argv, stack.logs, stack.rasa_env)
    stack.rasa[index] = new
    stack.processes[stack.processes.index(old)] = new
    wait_for(new, f"http://127.0.0.1:{stack.rasa_ports[index]}/", RASA_START)
    return time.monotonic() - started


def replicated_stack(model: Path, work: Path, after: int) -> None:
    print("\n(b) PostgreSQL + Redis + 2 Rasa servers; one killed (SIGKILL) and restarted mid-run")
    reason = postgres_reachable()
    if reason is not None or shutil.which("redis-server") is None:
        print(f"  not measured: {reason or 'redis-server is not installed'}")
        return
    redis_port = free_port()
    redis = subprocess.Popen(
        ["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--save", ""],
        stdout=subprocess.DEVNULL,
    )
    tracker_db = f"kefu_bench_rasa_{uuid.uuid4().hex[:10]}"
    try:
        with migrated_postgres_schema("kefu_bench_load") as (schema, engine):
            with make_session_factory(engine).begin() as session:
                for priority in Priority:
                    make_policy(session, priority, first_response=STORE_FIRST_RESPONSE_MINUTES)
            engine.dispose()
            store = f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
            with kefu_stack(
                "replicas",
                work,
                model,
                store,
                replicas=2,
                rasa_db=POSTGRES_URL,
                redis_url=f"redis://127.0.0.1:{redis_port}/0",
                tracker_db=tracker_db,
            ) as stack:
                print("  Rasa ready in " + ", ".join(f"{s:.0f} s" for s in stack.ready))
                customers(stack.ws_url, 2, 2)  # warm-up
                load, back = asyncio.run(failover(stack, after))
                report("N=20, Rasa 2 killed and restarted", stack, load)
                print(f"    the killed Rasa server ready again {back:.0f} s after SIGKILL")
                print_rss(stack.processes)
    finally:
        redis.terminate()
        redis.wait()
        admin = make_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{tracker_db}" WITH (FORCE)'))
        admin.dispose()


async def failover(stack: Stack, after: int) -> tuple[Load, float]:
    load = Load()
    started = time.perf_counter()
    running = [asyncio.create_task(customer(stack.ws_url, i, load, None)) for i in range(20)]
    while len(load.conversations) < 40:
        await asyncio.sleep(0.5)
    back = await asyncio.to_thread(restart, stack, 1)
    done = len(load.conversations)
    while len(load.conversations) < done + after:
        await asyncio.sleep(0.5)
    load.stop.set()
    await asyncio.gather(*running)
    load.result.wall = time.perf_counter() - started
    return load, back


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=200, help="at N=20 on stack (a)")
    parser.add_argument("--after", type=int, default=40, help="(b): conversations after restart")
    parser.add_argument("--skip", nargs="*", default=[], choices=["reference", "a", "b"])
    args = parser.parse_args()
    model = model_path()
    if not model.exists() and (ROOT / "models" / "current.tar.gz").exists():
        model = ROOT / "models" / "current.tar.gz"
    if not model.exists() or not RASA.exists():
        print(f"load benchmark skipped: no trained model at {model} (run `make model`)")
        return 0
    print(f"load benchmark: model {model.name}; {os.cpu_count()} CPUs")
    work = Path(tempfile.mkdtemp(prefix="kefu-bench-load-"))
    try:
        if "a" not in args.skip:
            default_stack(model, work, args.conversations)
        if "b" not in args.skip:
            replicated_stack(model, work, args.after)
        if "reference" not in args.skip:
            reference(model, work, (1, 20))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("\nwhy turns failed, by kind: see each line's errors (apology = the bot counted as down)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
