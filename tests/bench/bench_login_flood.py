"""Login-flood benchmark (issue 13, finding 4): does a flood of wrong sign-ins stall the desk?

Run: `make bench` (or `.venv/bin/python -m tests.bench.bench_login_flood`). Starts the desk API
under uvicorn (as the Procfile runs it, production argon2 parameters) on a fresh SQLite file with
one agent and 200 tickets in the agent's team. The agent signs in, then lists tickets (GET
/api/tickets) one request after another, first alone (baseline) and then while 150 wrong
sign-ins arrive, 40 at a time, from one address, for the agent's username and a few unknown
ones. Prints the agent's ticket-list p50/p95/max and the count of 503s, and what the flood got.

The scenario `limits` runs the defaults (attempts limited per address and per username,
lockout). With `--no-limits` a second server has limits and lockout set out of reach, which
shows what hashing outside the write transaction, a few at a time at low CPU priority, does on
its own (150 argon2 hashes: minutes on a busy machine). With `--immediate-reads` each scenario
first runs the old way, the ticket list in a `BEGIN IMMEDIATE` transaction that queues behind
every sign-in's write (KEFU_DEFERRED_READS=false), then as shipped (a deferred, lock-free read),
so one run prints both. Target: p95 < 100 ms, 0 503s.
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.bench.processes import Process, start, wait_for
from tests.factories import make_team, make_ticket
from tests.servers import free_port
from ticketing import accounts, migrate
from ticketing.db import make_engine, make_session_factory, transaction
from ticketing.models import Role

FLOOD = 150
AT_ONCE = 40
BASELINE = 60
TICKETS = 200
AGENT, PASSWORD = "lina", "plum-kettle-orbit-49"
TARGETS = (AGENT, "wangwei", "admin", "zhou", "root")
SCENARIOS: dict[str, dict[str, str]] = {
    "limits": {},
    "no-limits": {
        "KEFU_LOGIN_LIMIT_PER_ADDRESS": "1000000/minute",
        "KEFU_LOGIN_LIMIT_PER_USER": "1000000/minute",
        "KEFU_LOGIN_LOCKOUT_FAILURES": "1000",
    },
}


def prepare(database: Path) -> str:
    url = f"sqlite:///{database}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    with transaction(make_session_factory(engine)) as session:
        team = make_team(session, "售后一组")
        accounts.create_user(session, AGENT, PASSWORD, role=Role.AGENT, team=team)
        for _ in range(TICKETS):
            make_ticket(session, team=team)
    engine.dispose()
    return url


@dataclass
class Figures:
    latencies: list[float]
    statuses: Counter[int]

    def line(self, label: str) -> str:
        ms = sorted(x * 1000 for x in self.latencies)
        p95 = ms[max(0, round(0.95 * len(ms)) - 1)]
        return (
            f"  {label:<22} n={len(ms):<4} p50={statistics.median(ms):7.1f} ms  "
            f"p95={p95:7.1f} ms  max={ms[-1]:7.1f} ms  503s={self.statuses[503]}  "
            f"statuses={dict(sorted(self.statuses.items()))}"
        )


async def list_tickets(base: str, token: str, stop: asyncio.Event, minimum: int) -> Figures:
    figures = Figures([], Counter())
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base, timeout=60, trust_env=False) as http:
        while not stop.is_set() or len(figures.latencies) < minimum:
            started = time.perf_counter()
            response = await http.get("/api/tickets", headers=headers)
            figures.latencies.append(time.perf_counter() - started)
            figures.statuses[response.status_code] += 1
            await asyncio.sleep(0.02)
    return figures


async def flood(base: str) -> tuple[Counter[int], float]:
    statuses: Counter[int] = Counter()
    gate = asyncio.Semaphore(AT_ONCE)
    limits = httpx.Limits(max_connections=AT_ONCE)

    async def one(http: httpx.AsyncClient, i: int) -> None:
        async with gate:
            data = {"username": TARGETS[i % len(TARGETS)], "password": f"wrong-{i}"}
            statuses[(await http.post("/api/auth/token", data=data)).status_code] += 1

    started = time.perf_counter()
    async with httpx.AsyncClient(base_url=base, timeout=900, limits=limits, trust_env=False) as h:
        await asyncio.gather(*(one(h, i) for i in range(FLOOD)))
    return statuses, time.perf_counter() - started


async def measure(base: str) -> tuple[Figures, Figures, Counter[int], float]:
    async with httpx.AsyncClient(base_url=base, timeout=60, trust_env=False) as http:
        signed_in = await http.post(
            "/api/auth/token", data={"username": AGENT, "password": PASSWORD}
        )
        signed_in.raise_for_status()
        token = signed_in.json()["access_token"]
    done = asyncio.Event()
    done.set()
    alone = await list_tickets(base, token, done, BASELINE)
    stop = asyncio.Event()
    agent = asyncio.create_task(list_tickets(base, token, stop, 30))
    await asyncio.sleep(0.2)
    statuses, seconds = await flood(base)
    stop.set()
    return alone, await agent, statuses, seconds


def scenario(name: str, env: dict[str, str], workdir: Path) -> None:
    url = prepare(workdir / f"{name.replace(', ', '-').replace(' ', '-')}.db")
    port = free_port()
    server: Process = start(
        f"api-{name}",
        [
            sys.executable,
            "-m",
            "uvicorn",
            "ticketing.api.app:create_app",
            "--factory",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        workdir,
        {"KEFU_DATABASE_URL": url, "KEFU_SECRET_KEY": secrets.token_hex(32), **env},
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(server, f"{base}/healthz", 60)
        alone, during, statuses, seconds = asyncio.run(measure(base))
    finally:
        server.stop()
    print(f"scenario {name}:")
    print(alone.line("ticket list, alone"))
    print(during.line("ticket list, flood"))
    print(
        f"  flood: {FLOOD} wrong sign-ins, {AT_ONCE} at a time, in {seconds:.1f} s: "
        f"{dict(sorted(statuses.items()))}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-limits", action="store_true", help="also run without limits")
    parser.add_argument(
        "--immediate-reads", action="store_true", help="also run with the old locking reads"
    )
    args = parser.parse_args()
    names = ["limits", "no-limits"] if args.no_limits else ["limits"]
    with tempfile.TemporaryDirectory(prefix="kefu-bench-login-") as tmp:
        for name in names:
            if args.immediate_reads:
                old_way = {**SCENARIOS[name], "KEFU_DEFERRED_READS": "false"}
                scenario(f"{name}, immediate reads", old_way, Path(tmp))
            scenario(name, SCENARIOS[name], Path(tmp))


if __name__ == "__main__":
    main()
