"""What setting the language slot inside Rasa saves: the same Kefu model served twice at once, one
Rasa server asking the action server for `action_set_language` on every turn
(KEFU_RASA_REMOTE_LANGUAGE=1, as before) and one running the rule itself (the launcher's
default), measured in turns alternately so a shared machine's load falls on both alike.

Run: `.venv/bin/python -m tests.bench.bench_language_slot` (part of `make bench`). Prints the p50
and p95 of a turn of bench_assistant's complaint conversations through the REST channel at 1 and
20 concurrent conversations, and turns/s, for each, over `--rounds` alternations.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from scripts.train_model import model_path
from tests.bench.bench_assistant import CONVERSATIONS, Turns, kefu_servers, measure, p50, p95
from tests.servers import RASA
from ticketing.config import ROOT

REMOTE = "KEFU_RASA_REMOTE_LANGUAGE"


@contextlib.contextmanager
def remote_language(on: bool) -> Iterator[None]:
    """The environment the next Rasa server starts with: the action server's language or not."""
    before = os.environ.get(REMOTE)
    os.environ[REMOTE] = "1" if on else "0"
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(REMOTE, None)
        else:
            os.environ[REMOTE] = before


def merge(into: Turns, more: Turns) -> None:
    for mine, theirs in zip(into.by_turn, more.by_turn, strict=True):
        mine.extend(theirs)
    into.wall += more.wall
    into.failed += more.failed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--levels", type=int, nargs="+", default=[1, 20])
    args = parser.parse_args()
    model = model_path()
    if not model.exists():
        model = ROOT / "models" / "current.tar.gz"
    if not model.exists() or not RASA.exists():
        print(f"language slot benchmark skipped: no trained model at {model} (make model)")
        return 0
    for n in args.levels:
        CONVERSATIONS.setdefault(n, max(10, 3 * n))
    with tempfile.TemporaryDirectory(prefix="kefu-bench-language-") as tmp:
        work = Path(tmp)
        (work / "remote").mkdir()
        (work / "local").mkdir()
        with contextlib.ExitStack() as servers:
            with remote_language(True):
                remote = servers.enter_context(kefu_servers(model, work / "remote"))
            with remote_language(False):
                local = servers.enter_context(kefu_servers(model, work / "local"))
            print(f"language slot benchmark: {os.cpu_count()} CPUs, REST channel, ms per turn")
            for n in args.levels:
                totals = {"action server": Turns(), "in Rasa": Turns()}
                for _ in range(args.rounds):
                    merge(totals["action server"], asyncio.run(measure(remote, n)))
                    merge(totals["in Rasa"], asyncio.run(measure(local, n)))
                for name, turns in totals.items():
                    print(
                        f"  N={n:<3} language slot {name:<14} p50 {p50(turns.all) * 1000:6.1f} "
                        f"p95 {p95(turns.all) * 1000:6.1f}  "
                        f"{len(turns.all) / turns.wall:5.1f} turns/s  failed {turns.failed}"
                    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
