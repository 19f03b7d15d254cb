"""Assistant benchmark: Kefu's Rasa assistant against a bare `rasa init` one, in the same run.

Run: `make bench` (or `.venv/bin/python -m tests.bench.bench_assistant`). Prints, for Kefu's
assistant (config.yml, bot/assistant/domain/, data/, the action server on a fresh SQLite store)
and for the assistant `rasa init --no-prompt` creates in a temporary folder:

- the `rasa train` time (a fresh training of each, no cache; for the bare assistant the time of
  `rasa init`, which trains it);
- the p50/p95 latency of each turn of a 6-turn complaint conversation (Chinese and English, one
  after the other) through the REST channel, with 1 and 20 conversations at once. The bare
  assistant gets the same messages: it understands none of them, so its figures are the cost of
  a turn through Rasa alone, and the ratio is what Kefu's NLU, forms, actions and store add.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tests.bench.conversations import COMPLAINT_EN, COMPLAINT_ZH
from tests.bench.processes import start, wait_for
from tests.servers import (
    RASA,
    action_server_argv,
    free_port,
    kefu_rasa_argv,
    kefu_rasa_env,
    make_action_store,
    rasa_env,
    rasa_run_argv,
    write_endpoints,
)
from ticketing.config import ROOT

LEVELS = (1, 20)
CONVERSATIONS = {1: 10, 20: 60}  # conversations measured per level (6 turns each)
TURN_TIMEOUT = 60.0
START_TIMEOUT = 300.0

# A REST client the gateway never saw: the bot asks for a phone number.
SCRIPTS = (COMPLAINT_ZH, COMPLAINT_EN)
TURN_NAMES = ("greeting", "complaint", "phone", "confirm", "thanks", "goodbye")


def timed(argv: list[str], cwd: Path, log: Path, env: dict[str, str] | None = None) -> float:
    """Run a command to completion; its wall time in seconds."""
    started = time.perf_counter()
    with log.open("wb") as out:
        subprocess.run(
            argv,
            cwd=cwd,
            env={**rasa_env(), **(env or {})},
            stdout=out,
            stderr=subprocess.STDOUT,
            check=True,
        )
    return time.perf_counter() - started


# --- the assistants -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Inputs:
    config: Path
    domain: Path
    data: Path


def train_kefu(work: Path, inputs: Inputs) -> tuple[Path, float]:
    """A fresh `rasa train` of Kefu's assistant into `work`."""
    seconds = timed(
        [
            str(RASA),
            "train",
            "--config",
            str(inputs.config),
            "--domain",
            str(inputs.domain),
            "--data",
            str(inputs.data),
            "--out",
            str(work),
            "--fixed-model-name",
            "kefu-bench",
        ],
        ROOT,
        work / "train-kefu.log",
        # Rasa caches trained components under the working directory's .rasa/cache, which
        # `make model` has filled: an empty cache of its own makes this a fresh training.
        {"RASA_CACHE_DIRECTORY": str(work / "rasa-cache")},
    )
    return work / "kefu-bench.tar.gz", seconds


def init_bare(work: Path) -> tuple[Path, Path, float]:
    """`rasa init --no-prompt` in a new folder (it trains the moodbot); its model and time."""
    project = work / "bare"
    project.mkdir()
    seconds = timed([str(RASA), "init", "--no-prompt"], project, work / "init-bare.log")
    models = sorted((project / "models").glob("*.tar.gz"))
    if not models:
        raise RuntimeError(f"rasa init trained no model; see {work / 'init-bare.log'}")
    return project, models[-1], seconds


@contextlib.contextmanager
def kefu_servers(model: Path, work: Path) -> Iterator[str]:
    """Kefu's action server on a fresh store with SLA policies, and Rasa; yields Rasa's URL."""
    store = make_action_store(f"sqlite:///{work / 'kefu.db'}")
    actions_port, rasa_port = free_port(), free_port()
    endpoints = write_endpoints(work / "endpoints-kefu.yml", f"http://127.0.0.1:{actions_port}")
    actions = start(
        "kefu-actions",
        action_server_argv(actions_port),
        work,
        {"SANIC_HOST": "127.0.0.1", "KEFU_DATABASE_URL": store},
    )
    rasa = start(
        "kefu-rasa",
        kefu_rasa_argv(model, rasa_port, endpoints),
        work,
        kefu_rasa_env(secrets.token_urlsafe(16), store),
    )
    try:
        wait_for(actions, f"http://127.0.0.1:{actions_port}/health", START_TIMEOUT)
        wait_for(rasa, f"http://127.0.0.1:{rasa_port}/", START_TIMEOUT)
        yield f"http://127.0.0.1:{rasa_port}"
    finally:
        rasa.stop()
        actions.stop()


@contextlib.contextmanager
def bare_server(project: Path, model: Path, work: Path) -> Iterator[str]:
    port = free_port()
    rasa = start("bare-rasa", rasa_run_argv(model, port), work, {}, cwd=project)
    try:
        wait_for(rasa, f"http://127.0.0.1:{port}/", START_TIMEOUT)
        yield f"http://127.0.0.1:{port}"
    finally:
        rasa.stop()


# --- the conversations --------------------------------------------------------------------------


@dataclass
class Turns:
    """Latencies by turn index, and the turns the bot answered with nothing."""

    by_turn: list[list[float]] = field(default_factory=lambda: [[] for _ in TURN_NAMES])
    silent: int = 0
    failed: int = 0
    wall: float = 0.0

    @property
    def all(self) -> list[float]:
        return [latency for turn in self.by_turn for latency in turn]


def p50(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def p95(values: Sequence[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))] if ordered else 0.0


async def conversation(
    http: httpx.AsyncClient, url: str, script: Sequence[str], turns: Turns | None
) -> None:
    sender = f"bench-{uuid.uuid4().hex}"
    for index, message in enumerate(script):
        started = time.perf_counter()
        try:
            response = await http.post(
                f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": message}
            )
            response.raise_for_status()
            replies = response.json()
        except httpx.HTTPError:
            if turns is not None:
                turns.failed += 1
            continue
        if turns is None:
            continue
        turns.by_turn[index].append(time.perf_counter() - started)
        if not any(reply.get("text") for reply in replies):
            turns.silent += 1


async def measure(url: str, concurrent: int) -> Turns:
    """`concurrent` customers at once, each going through conversations one after another."""
    turns = Turns()
    limits = httpx.Limits(max_connections=concurrent, max_keepalive_connections=concurrent)
    async with httpx.AsyncClient(timeout=TURN_TIMEOUT, limits=limits, trust_env=False) as http:
        for script in SCRIPTS:  # warm-up: first calls load lazily (jieba, triage, the store)
            await conversation(http, url, script, None)
        per_customer = max(1, CONVERSATIONS[concurrent] // concurrent)

        async def customer(n: int) -> None:
            for c in range(per_customer):
                await conversation(http, url, SCRIPTS[(n + c) % len(SCRIPTS)], turns)

        started = time.perf_counter()
        await asyncio.gather(*(customer(n) for n in range(concurrent)))
        turns.wall = time.perf_counter() - started
    return turns


def ms(seconds: float) -> str:
    return f"{seconds * 1000:7.1f}"


def report(levels: Sequence[int], kefu: dict[int, Turns], bare: dict[int, Turns]) -> None:
    for n in levels:
        ours, theirs = kefu[n], bare[n]
        print(
            f"\n  N={n} concurrent conversations ({len(ours.all)} turns each; "
            f"silent turns kefu {ours.silent}, bare {theirs.silent}; "
            f"failed kefu {ours.failed}, bare {theirs.failed})"
        )
        print(
            f"    {'turn':<13}{'kefu p50':>9}{'p95':>9}  {'bare p50':>9}{'p95':>9}"
            f"  {'ratio p50':>9}{'p95':>7}"
        )
        rows = [
            (f"{i + 1} {name}", ours.by_turn[i], theirs.by_turn[i])
            for i, name in enumerate(TURN_NAMES)
        ]
        rows.append(("all turns", ours.all, theirs.all))
        for label, a, b in rows:
            print(
                f"    {label:<13}{ms(p50(a)):>9}{ms(p95(a)):>9}  {ms(p50(b)):>9}{ms(p95(b)):>9}"
                f"  {p50(a) / p50(b):>9.2f}{p95(a) / p95(b):>7.2f}"
            )
        print(
            f"    throughput   kefu {len(ours.all) / ours.wall:.1f} turns/s, "
            f"bare {len(theirs.all) / theirs.wall:.1f} turns/s"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--levels", type=int, nargs="+", default=list(LEVELS))
    parser.add_argument("--keep", action="store_true", help="keep the work folder (logs, models)")
    parser.add_argument("--config", type=Path, default=ROOT / "config.yml")
    parser.add_argument("--domain", type=Path, default=ROOT / "bot" / "assistant" / "domain")
    parser.add_argument("--data", type=Path, default=ROOT / "data")
    args = parser.parse_args()
    levels = tuple(args.levels)
    for n in levels:
        CONVERSATIONS.setdefault(n, max(10, 3 * n))
    if not RASA.exists():
        print(f"assistant benchmark skipped: {RASA} is missing (make install)")
        return 0

    work = Path(tempfile.mkdtemp(prefix="kefu-bench-assistant-"))
    try:
        print(f"assistant benchmark: {os.cpu_count()} CPUs; work folder {work}")
        kefu_model, kefu_train = train_kefu(work, Inputs(args.config, args.domain, args.data))
        print(f"  rasa train, Kefu:            {kefu_train:6.1f} s")
        project, bare_model, bare_train = init_bare(work)
        print(
            f"  rasa init (trains), bare:    {bare_train:6.1f} s"
            f"   ratio {kefu_train / bare_train:.2f}"
        )

        print("\n6-turn complaint conversation through the REST channel, latency per turn in ms")
        kefu: dict[int, Turns] = {}
        bare: dict[int, Turns] = {}
        with kefu_servers(kefu_model, work) as url:
            for n in levels:
                kefu[n] = asyncio.run(measure(url, n))
        with bare_server(project, bare_model, work) as url:
            for n in levels:
                bare[n] = asyncio.run(measure(url, n))
        report(levels, kefu, bare)
    finally:
        if args.keep:
            print(f"\nkept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
