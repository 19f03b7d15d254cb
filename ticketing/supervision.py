"""`python -m ticketing run`: the Procfile's processes under supervisord.

supervisord (the `supervisor` package) starts each process and restarts it when it dies, while
the others keep serving. A process that dies within `startsecs` of being started counts as a
failed start: supervisord tries again after 1, 2, 3... seconds and, after `START_RETRIES` failed
starts in a row, leaves it down in the FATAL state. This module writes supervisord's
configuration from the Procfile, runs supervisord in the foreground, watches its processes over
its private UNIX socket and says in plain words what happened. Ctrl-C (or SIGTERM) stops
supervisord, which stops every process at once: SIGTERM, then SIGKILL after `STOP_WAIT` seconds.

Each process's output goes to `<state dir>/log/<name>.log` (rotated); supervisord's own log to
`<state dir>/log/supervisord.log`.
"""

from __future__ import annotations

import contextlib
import ctypes
import http.client
import os
import shlex
import signal
import socket
import subprocess
import sys
import time
import xmlrpc.client
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

from ticketing.config import VAR_DIR

GROUP = "kefu"
START_SECS = 10  # a process that dies sooner has failed to start
# Rasa loads its model for 25-40 s on 2 cores: a crash while loading is a failed start too.
START_SECS_BY_NAME: Mapping[str, int] = {"rasa": 90}
START_RETRIES = 4  # failed starts in a row before a process is left down (FATAL)
STOP_WAIT = 5  # seconds between SIGTERM and SIGKILL when stopping
POLL_EVERY = 1.0
LOG_MAX_BYTES = 10 * 1024 * 1024
LOG_BACKUPS = 3
PR_SET_PDEATHSIG = 1


@dataclass(frozen=True)
class Paths:
    """Where supervisord keeps its configuration, socket and logs."""

    state_dir: Path

    @property
    def config(self) -> Path:
        return self.state_dir / "supervisord.conf"

    @property
    def socket(self) -> Path:
        return self.state_dir / "supervisor.sock"

    @property
    def log_dir(self) -> Path:
        return self.state_dir / "log"

    def log(self, name: str) -> Path:
        return self.log_dir / f"{name}.log"


def _ini(value: str) -> str:
    """A value for supervisord's configuration: `%` is its expansion character."""
    return value.replace("%", "%%")


def program_command(command: str) -> str:
    """A Procfile command as supervisord runs it: through /bin/sh (the Procfile's `${VAR}` and
    `VAR=value` prefixes), which `exec`s `env` and so the program itself, so the process that
    supervisord watches and signals is the program, not a shell."""
    return shlex.join(["/bin/sh", "-c", f"exec env {command}"])


def supervisord_config(programs: Mapping[str, str], root: Path, paths: Paths) -> str:
    """supervisord's configuration for `programs` (name: Procfile command), run in `root`."""
    lines = [
        "; written by `python -m ticketing run` on every start: edit the Procfile instead",
        "[unix_http_server]",
        f"file={_ini(str(paths.socket))}",
        "chmod=0700",
        "",
        "[supervisord]",
        "nodaemon=true",
        "silent=true",  # its log goes to the file; `run` says what happened in plain words
        f"logfile={_ini(str(paths.log('supervisord')))}",
        f"logfile_maxbytes={LOG_MAX_BYTES}",
        f"logfile_backups={LOG_BACKUPS}",
        f"pidfile={_ini(str(paths.state_dir / 'supervisord.pid'))}",
        f"directory={_ini(str(root))}",
        "",
        "[rpcinterface:supervisor]",
        "supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface",
        "",
        "[supervisorctl]",
        f"serverurl=unix://{_ini(str(paths.socket))}",
        "",
        # One group: Ctrl-C stops its processes all at once, not one after the other.
        f"[group:{GROUP}]",
        f"programs={','.join(programs)}",
    ]
    for name, command in programs.items():
        lines += [
            "",
            f"[program:{name}]",
            f"command={_ini(program_command(command))}",
            f"directory={_ini(str(root))}",
            "autostart=true",
            "autorestart=true",
            f"startsecs={START_SECS_BY_NAME.get(name, START_SECS)}",
            f"startretries={START_RETRIES}",
            "stopsignal=TERM",
            f"stopwaitsecs={STOP_WAIT}",
            # Sanic (Rasa, the action server) forks: signals go to the whole process group.
            "stopasgroup=true",
            "killasgroup=true",
            "redirect_stderr=true",
            f"stdout_logfile={_ini(str(paths.log(name)))}",
            f"stdout_logfile_maxbytes={LOG_MAX_BYTES}",
            f"stdout_logfile_backups={LOG_BACKUPS}",
        ]
    return "\n".join(lines) + "\n"


# --- talking to supervisord -----------------------------------------------------------------


class _UnixConnection(http.client.HTTPConnection):
    def __init__(self, path: Path, timeout: float) -> None:
        super().__init__("localhost", timeout=timeout)
        self._path = path

    def connect(self) -> None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.settimeout(self.timeout)
            sock.connect(str(self._path))
        except OSError:
            sock.close()
            raise
        self.sock = sock


class _UnixTransport(xmlrpc.client.Transport):
    def __init__(self, path: Path, timeout: float) -> None:
        super().__init__()
        self._path = path
        self._timeout = timeout

    def make_connection(self, host: Any) -> http.client.HTTPConnection:
        # Kept where `close()` looks for it, so the socket is closed with the proxy.
        connection = _UnixConnection(self._path, self._timeout)
        self._connection = (host, connection)
        return connection


def rpc(paths: Paths, timeout: float = 5.0) -> Any:
    """supervisord's XML-RPC interface over its UNIX socket (`.supervisor.getAllProcessInfo()`)."""
    return xmlrpc.client.ServerProxy(
        "http://localhost/RPC2", transport=_UnixTransport(paths.socket, timeout)
    )


def process_states(paths: Paths) -> dict[str, dict[str, Any]] | None:
    """Each process's info as supervisord reports it; None when supervisord does not answer."""
    try:
        with rpc(paths) as proxy:
            infos = proxy.supervisor.getAllProcessInfo()
    except (OSError, xmlrpc.client.Error, http.client.HTTPException):
        return None
    return {str(info["name"]): info for info in infos}


# --- saying what happened -------------------------------------------------------------------


@dataclass
class Reporter:
    """Turns supervisord's process states into plain-word lines, one per change."""

    paths: Paths
    echo: Callable[[str], None]
    seen: dict[str, str] = field(default_factory=dict)
    ran: set[str] = field(default_factory=set)  # those that have been RUNNING once
    pids: dict[str, int] = field(default_factory=dict)

    def update(self, states: Mapping[str, Mapping[str, Any]]) -> None:
        for name, info in states.items():
            self.reap(name, int(info["pid"] or 0))
            state = str(info["statename"])
            before = self.seen.get(name)
            if state == before:
                continue
            self.seen[name] = state
            line = self.describe(name, state, before, info)
            if line:
                self.echo(line)

    def reap(self, name: str, pid: int) -> None:
        """When a process died (its pid changed or is gone), kill what it left behind: Sanic's
        worker processes outlive a SIGKILLed parent and would keep its port. supervisord starts
        each process as the leader of its own process group, so the group is the old pid."""
        old = self.pids.get(name)
        if pid:
            self.pids[name] = pid
        if old and old != pid:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(old, signal.SIGKILL)

    def describe(
        self, name: str, state: str, before: str | None, info: Mapping[str, Any]
    ) -> str | None:
        log = self.paths.log(name)
        if state == "RUNNING":
            again = " again" if name in self.ran else ""
            self.ran.add(name)
            return f"{name} is running{again} (pid {info['pid']})"
        if state == "BACKOFF":
            return f"{name} stopped while starting; trying again shortly (its log: {log})"
        if state == "EXITED" or (state == "STARTING" and before == "RUNNING"):
            return f"{name} stopped unexpectedly; restarting it (its log: {log})"
        if state == "FATAL":
            return (
                f"{name} keeps crashing: it is left down after {START_RETRIES} tries in a row. "
                f"Its log: {log}. Once fixed: .venv/bin/supervisorctl -c {self.paths.config} "
                f"start {GROUP}:{name}"
            )
        return None


# --- running --------------------------------------------------------------------------------


def _die_with_parent() -> None:
    """In the child: SIGTERM when `run` itself dies (even by SIGKILL), so supervisord stops
    every process instead of living on unseen (Linux's PR_SET_PDEATHSIG)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def supervisord_argv(paths: Paths) -> list[str]:
    return [sys.executable, "-m", "supervisor.supervisord", "-n", "-c", str(paths.config)]


def supervise(
    programs: Mapping[str, str],
    root: Path,
    env: Mapping[str, str],
    paths: Paths,
    echo: Callable[[str], None],
) -> int:
    """Run `programs` under supervisord until Ctrl-C or SIGTERM; supervisord's exit status."""
    paths.log_dir.mkdir(parents=True, exist_ok=True)
    paths.config.write_text(supervisord_config(programs, root, paths), encoding="utf-8")
    paths.config.chmod(0o600)
    # Its own session: Ctrl-C reaches supervisord once, from us, not from the terminal too.
    argv = supervisord_argv(paths)  # this interpreter and our own configuration file
    supervisord = subprocess.Popen(  # noqa: S603
        argv, env=dict(env), start_new_session=True, preexec_fn=_die_with_parent
    )
    stopping = False

    def _stop(_signum: int, _frame: FrameType | None) -> None:
        nonlocal stopping
        if not stopping:
            stopping = True
            echo("stopping every process...")
            with contextlib.suppress(ProcessLookupError):
                supervisord.terminate()

    previous = {sig: signal.signal(sig, _stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    reporter = Reporter(paths, echo)
    try:
        while supervisord.poll() is None:
            states = None if stopping else process_states(paths)
            if states is not None:
                reporter.update(states)
            time.sleep(POLL_EVERY)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if supervisord.poll() is None:
            supervisord.terminate()
        code = supervisord.wait()
    echo("every process has stopped")
    return 0 if stopping else code


def pids(paths: Paths) -> dict[str, int]:
    """The running processes' ids (tests and operators)."""
    return {n: int(i["pid"]) for n, i in (process_states(paths) or {}).items() if i["pid"]}


def default_paths(state_dir: Path | None = None) -> Paths:
    return Paths(state_dir or VAR_DIR / "supervisor")
