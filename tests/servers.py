"""Real Rasa and action servers for end-to-end tests (marker `rasa`), a pytest plugin that
tests/conftest.py loads, so the assistant, gateway and browser tests share one pair of servers.

`rasa_server` starts, once per test session, the action server (this environment's rasa-sdk) and a
Rasa server (.venv-rasa) with the model `make model` built for the current training data, each on
a free localhost port, and stops both at the end. Tests talk to it through `RasaServer.say` and
`RasaServer.tracker`, each with its own conversation from the `sender_id` fixture. A failing
test's report ends with both servers' logs. The action server writes to its own migrated SQLite
store, `store_url` (with an SLA policy for every priority), which tests read to find what the
actions did and the web app under test uses as its database.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import httpx
import pytest

from scripts.train_model import model_path
from tests.factories import make_policy
from ticketing import migrate
from ticketing.db import make_engine, make_session_factory
from ticketing.models import Priority

ROOT = Path(__file__).resolve().parents[1]
RASA = ROOT / ".venv-rasa" / "bin" / "rasa"
RASA_PYTHON = ROOT / ".venv-rasa" / "bin" / "python"
ACTION_SERVER_START_TIMEOUT = 60.0
# 25-40 s on 2 idle cores; a busy shared machine may need KEFU_TEST_RASA_START_TIMEOUT
RASA_START_TIMEOUT = float(os.environ.get("KEFU_TEST_RASA_START_TIMEOUT", "240"))
LOG_TAIL_CHARS = 20_000
STORE_FIRST_RESPONSE_MINUTES = 30
SERVERS = pytest.StashKey[list["ServerProcess"]]()


@dataclass
class ServerProcess:
    """A server running as its own process group, its output going to a log file."""

    name: str
    url: str
    process: subprocess.Popen[bytes]
    log_path: Path
    log_file: IO[bytes]

    def log_tail(self) -> str:
        text = self.log_path.read_text(encoding="utf-8", errors="replace")
        return text[-LOG_TAIL_CHARS:]

    def stop(self) -> None:
        """SIGTERM to the whole group (Sanic forks workers), SIGKILL if that is not enough."""
        for sig, grace in ((signal.SIGTERM, 15.0), (signal.SIGKILL, 5.0)):
            if self.process.poll() is not None:
                break
            try:
                os.killpg(self.process.pid, sig)
            except ProcessLookupError:
                break
            try:
                self.process.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                continue
        # Children the leader left behind die with the group even when the leader exited first.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        self.log_file.close()

    def kill(self) -> None:
        """kill -9 the whole group at once: a crash, nothing cleaned up."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        self.log_file.close()


@dataclass
class RasaServer:
    """A running Rasa server with its API enabled, and the action server behind it."""

    url: str
    token: str
    model: Path
    actions: ServerProcess
    rasa: ServerProcess
    http: httpx.Client = field(repr=False)

    def say(
        self, sender_id: str, text: str, metadata: dict[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        """Send one customer message through the REST channel (with the gateway's `metadata`,
        if given); the bot's replies."""
        body: dict[str, Any] = {"sender": sender_id, "message": text}
        if metadata is not None:
            body["metadata"] = metadata
        response = self.http.post(f"{self.url}/webhooks/rest/webhook", json=body)
        response.raise_for_status()
        replies: list[dict[str, Any]] = response.json()
        return replies

    def tracker(self, sender_id: str) -> dict[str, Any]:
        """The conversation's tracker as Rasa's HTTP API returns it."""
        response = self.http.get(
            f"{self.url}/conversations/{sender_id}/tracker", params={"token": self.token}
        )
        response.raise_for_status()
        tracker: dict[str, Any] = response.json()
        return tracker

    def status(self) -> dict[str, Any]:
        response = self.http.get(f"{self.url}/status", params={"token": self.token})
        response.raise_for_status()
        status: dict[str, Any] = response.json()
        return status


def rasa_env() -> dict[str, str]:
    """This process's environment for a Rasa command: Rasa must not phone home from tests."""
    return {**os.environ, "RASA_TELEMETRY_ENABLED": "false"}


def run_rasa(*args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    """`rasa <args>` (.venv-rasa) run to completion in the project folder, output captured."""
    return subprocess.run(
        [str(RASA), *args],
        cwd=ROOT,
        env=rasa_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def action_server_argv(port: int) -> list[str]:
    """Kefu's action server (this environment's rasa-sdk) on `port`."""
    return [sys.executable, "-m", "rasa_sdk", "--actions", "actions", "-p", str(port)]


def rasa_run_argv(model: Path, port: int, *, endpoints: Path | None = None) -> list[str]:
    """Plain `rasa run` serving `model` on localhost:`port`, HTTP API off (the bare `rasa init`
    assistant of the benchmarks); with `endpoints`, the action server that file names."""
    argv = [str(RASA), "run", "-i", "127.0.0.1", "-p", str(port), "--model", str(model)]
    return [*argv, "--endpoints", str(endpoints)] if endpoints else argv


def kefu_rasa_argv(model: Path, port: int, endpoints: Path) -> list[str]:
    """Kefu's Rasa server as the Procfile starts it: the launcher (bot/assistant/serve.py), API
    on behind the token `kefu_rasa_env` gives it, tracker store from its KEFU_DATABASE_URL."""
    return [
        str(RASA_PYTHON),
        "-m",
        "bot.assistant.serve",
        "-i",
        "127.0.0.1",
        "-p",
        str(port),
        "--model",
        str(model),
        "--endpoints",
        str(endpoints),
    ]


def kefu_rasa_env(token: str, database_url: str, redis_url: str | None = None) -> dict[str, str]:
    """The environment `kefu_rasa_argv` reads: the API token, the database its tracker store
    sits beside, and Redis for the lock store (none: in-process locks)."""
    return {
        "KEFU_RASA_TOKEN": token,
        "KEFU_DATABASE_URL": database_url,
        "KEFU_REDIS_URL": redis_url or "",
    }


def write_endpoints(path: Path, action_server_url: str) -> Path:
    """An endpoints.yml at `path` pointing Rasa at the action server."""
    path.write_text(f'action_endpoint:\n  url: "{action_server_url}/webhook"\n')
    return path


def make_action_store(url: str) -> str:
    """Migrates the store at `url` and gives it an SLA policy for every priority (a first
    response within 30 minutes), so the action server can file tickets there; `url`."""
    engine = make_engine(url)
    migrate.upgrade(engine)
    with make_session_factory(engine).begin() as session:
        for priority in Priority:
            make_policy(session, priority, first_response=STORE_FIRST_RESPONSE_MINUTES)
    engine.dispose()
    return url


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def start_server(
    config: pytest.Config,
    name: str,
    argv: list[str],
    url: str,
    log_dir: Path,
    env: dict[str, str] | None = None,
) -> ServerProcess:
    log_path = log_dir / f"{name}.log"
    log_file = log_path.open("wb")
    process = subprocess.Popen(
        argv,
        cwd=ROOT,
        env={**rasa_env(), **(env or {})},
        stdin=subprocess.DEVNULL,
        stdout=log_file,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group, so stop() reaches every worker
    )
    server = ServerProcess(name, url, process, log_path, log_file)
    config.stash.setdefault(SERVERS, []).append(server)
    return server


def wait_until_ready(server: ServerProcess, probe: Callable[[], bool], timeout: float) -> float:
    """Seconds until `probe` holds; fails early if the server exits, with its log."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if server.process.poll() is not None:
            pytest.fail(
                f"{server.name} exited with code {server.process.returncode} while starting; "
                f"log {server.log_path}:\n{server.log_tail()}"
            )
        try:
            if probe():
                return time.monotonic() - started
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    pytest.fail(
        f"{server.name} did not answer within {timeout:.0f} s; "
        f"log {server.log_path}:\n{server.log_tail()}"
    )


def start_kefu_rasa(
    config: pytest.Config,
    name: str,
    model: Path,
    port: int,
    endpoints: Path,
    env: dict[str, str],
    log_dir: Path,
) -> ServerProcess:
    """Kefu's Rasa server through its launcher on `port` (`env` from `kefu_rasa_env`); not
    waited for (`wait_for_rasa`)."""
    return start_server(
        config,
        name,
        kefu_rasa_argv(model, port, endpoints),
        f"http://127.0.0.1:{port}",
        log_dir,
        env=env,
    )


def wait_for_rasa(server: ServerProcess, token: str) -> None:
    """Until the Rasa server's API answers; stops it and fails if it does not in time."""
    try:
        with httpx.Client(timeout=30.0) as http:
            wait_until_ready(
                server,
                lambda: (
                    http.get(f"{server.url}/status", params={"token": token}).status_code == 200
                ),
                RASA_START_TIMEOUT,
            )
    except BaseException:
        server.stop()
        raise


def launch_kefu_rasa(
    config: pytest.Config,
    name: str,
    model: Path,
    port: int,
    endpoints: Path,
    env: dict[str, str],
    log_dir: Path,
) -> ServerProcess:
    """`start_kefu_rasa`, then `wait_for_rasa`."""
    server = start_kefu_rasa(config, name, model, port, endpoints, env, log_dir)
    wait_for_rasa(server, env["KEFU_RASA_TOKEN"])
    return server


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    uses_servers = {"rasa_server", "action_server"} & set(getattr(item, "fixturenames", ()))
    if report.failed and uses_servers:
        for server in item.config.stash.get(SERVERS, []):
            report.sections.append((f"{server.name} log ({server.log_path})", server.log_tail()))
    return report


@pytest.fixture(scope="session")
def rasa_model() -> Path:
    """The model `make model` trained from the current config, domain and data."""
    model = model_path()
    if not model.exists():
        message = (
            f"no Rasa model for the current training data ({model.relative_to(ROOT)}): "
            "run `make model`"
        )
        if os.environ.get("CI"):
            pytest.fail(f"CI must run `make model` before the tests: {message}")
        pytest.skip(message)
    if not RASA.exists():
        pytest.fail(f"{RASA} is missing: run `make .venv-rasa/.installed`")
    return model


@pytest.fixture(scope="session")
def server_logs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("server-logs")


@pytest.fixture(scope="session")
def store_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The ticket store of this session's action server: a migrated SQLite file with an SLA
    policy for every priority (a first response within 30 minutes)."""
    return make_action_store(f"sqlite:///{tmp_path_factory.mktemp('store') / 'kefu.db'}")


@pytest.fixture(scope="session")
def action_server(
    request: pytest.FixtureRequest, rasa_model: Path, server_logs: Path, store_url: str
) -> Iterator[ServerProcess]:
    """Kefu's action server (rasa-sdk from this environment), answering /health."""
    port = free_port()
    server = start_server(
        request.config,
        "action-server",
        action_server_argv(port),
        f"http://127.0.0.1:{port}",
        server_logs,
        env={"SANIC_HOST": "127.0.0.1", "KEFU_DATABASE_URL": store_url},
    )
    try:
        with httpx.Client(timeout=2.0) as http:
            wait_until_ready(
                server,
                lambda: http.get(f"{server.url}/health").status_code == 200,
                ACTION_SERVER_START_TIMEOUT,
            )
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def rasa_server(
    request: pytest.FixtureRequest,
    rasa_model: Path,
    action_server: ServerProcess,
    server_logs: Path,
    store_url: str,
) -> Iterator[RasaServer]:
    """Rasa 3.6 (.venv-rasa) serving the model, calling the action server, API behind a token,
    conversations in the SQL tracker store beside `store_url` (as `make run` starts it)."""
    port = free_port()
    # token_urlsafe starts one token in 64 with "-": every run proves such a token works.
    token = "-" + secrets.token_urlsafe(16)
    endpoints = write_endpoints(server_logs / "endpoints.yml", action_server.url)
    env = kefu_rasa_env(token, store_url)
    server = launch_kefu_rasa(
        request.config, "rasa-server", rasa_model, port, endpoints, env, server_logs
    )
    try:
        with httpx.Client(timeout=30.0) as http:
            yield RasaServer(server.url, token, rasa_model, action_server, server, http)
    finally:
        server.stop()


@pytest.fixture
def sender_id() -> str:
    """A new conversation for each test."""
    return f"test-{uuid.uuid4().hex}"
