"""The servers a benchmark starts: each in its own process group, its output in a log file,
waited for until it answers and stopped with every worker it forked."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import httpx

from tests.servers import rasa_env
from ticketing.config import ROOT


@dataclass
class Process:
    name: str
    process: subprocess.Popen[bytes]
    log_path: Path
    log: IO[bytes]

    def stop(self) -> None:
        """SIGTERM to the process group (Sanic forks), SIGKILL if that is not enough."""
        for sig, grace in ((signal.SIGTERM, 15.0), (signal.SIGKILL, 5.0)):
            if self.process.poll() is not None:
                break
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, sig)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=grace)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        self.log.close()


def start(name: str, argv: list[str], logs: Path, env: dict[str, str], cwd: Path = ROOT) -> Process:
    """`argv` started in `cwd` with `env` added to a Rasa environment, logging to
    `logs/<name>.log`."""
    log_path = logs / f"{name}.log"
    log = log_path.open("wb")
    process = subprocess.Popen(
        argv,
        cwd=cwd,
        env={**rasa_env(), **env},
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    return Process(name, process, log_path, log)


def wait_for(process: Process, url: str, timeout: float) -> float:
    """Seconds until `url` answers 200; raises if the process exits or `timeout` passes."""
    started = time.monotonic()
    with httpx.Client(timeout=2.0, trust_env=False) as http:
        while time.monotonic() - started < timeout:
            if process.process.poll() is not None:
                tail = process.log_path.read_text(errors="replace")[-3000:]
                raise RuntimeError(f"{process.name} exited while starting:\n{tail}")
            with contextlib.suppress(httpx.TransportError):
                if http.get(url).status_code == 200:
                    return time.monotonic() - started
            time.sleep(0.5)
    raise RuntimeError(f"{process.name} did not answer {url} within {timeout:.0f} s")
