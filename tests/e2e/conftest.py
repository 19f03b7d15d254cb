"""Browser tests: the real composed app (`bot.gateway.app:create_app`) under uvicorn in a
subprocess, and Debian's Chromium driven by Playwright. Nothing is downloaded: Playwright is
pointed at /usr/bin/chromium. `live_app` runs on a fresh SQLite database with a Rasa stand-in (for
the console's own behaviour); `live_app_with_rasa` on the real Rasa and action servers
(tests/servers.py) and their store, for the whole customer-to-agent journey."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.orm import Session, sessionmaker

from tests.bot.conftest import FakeRasa
from tests.factories import PASSWORD
from tests.servers import RasaServer
from ticketing import accounts, migrate, services
from ticketing.db import make_engine, make_session_factory, transaction
from ticketing.models import Conversation, Priority, Role, SlaPolicy, Team, Tier, User

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "e2e"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SECRET = "e2e-signing-key-" + "s" * 40
HANDOFF = re.compile(r"人工|human|agent", re.IGNORECASE)
HANDOFF_REPLY = "好的，正在为您转接人工客服，请稍候。"
BOT_REPLY = "您好，我是智能助手。请告诉我您的订单号，我来帮您查询。"


def require_chromium() -> None:
    """Skip without Debian's Chromium; on CI that is a failure (make test installs it)."""
    if CHROMIUM.exists():
        return
    if os.environ.get("CI"):
        pytest.fail(f"CI must have Chromium at {CHROMIUM} (make test installs it with apt-get)")
    pytest.skip(f"no Chromium at {CHROMIUM}: apt-get install chromium")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Desk:
    team: Team
    agent: User  # 李娜
    other_agent: User  # 王伟
    supervisor: User  # 周主管


@dataclass
class LiveApp:
    url: str
    factory: sessionmaker[Session]
    desk: Desk
    log: Path
    rasa: FakeRasa | None = None  # the stand-in, when the app talks to one


def seed(factory: sessionmaker[Session], *, policies: bool = True) -> Desk:
    with transaction(factory) as session:
        team = accounts.create_team(session, "售后一组")
        agent = accounts.create_user(
            session, "lina", PASSWORD, display_name="李娜", team=team, role=Role.AGENT
        )
        other = accounts.create_user(
            session, "wangwei", PASSWORD, display_name="王伟", team=team, role=Role.AGENT
        )
        supervisor = accounts.create_user(
            session, "zhou", PASSWORD, display_name="周主管", team=team, role=Role.SUPERVISOR
        )
        targets = (
            (Priority.NORMAL, 30, 8 * 60),
            (Priority.HIGH, 15, 4 * 60),
            (Priority.URGENT, 10, 2 * 60),
            (Priority.LOW, 60, 24 * 60),
        )
        for priority, first, resolution in targets if policies else ():
            session.add(
                SlaPolicy(
                    name=f"{priority.value}/regular",
                    priority=priority,
                    tier=Tier.REGULAR,
                    first_response_minutes=first,
                    next_response_minutes=first * 2,
                    resolution_minutes=resolution,
                )
            )
        return Desk(team, agent, other, supervisor)


def rasa_stand_in(factory: sessionmaker[Session]) -> FakeRasa:
    """Answers like the assistant would; asked for a human, it hands the conversation off in
    the store, as the action server's handoff action does."""

    def reply(sender: str, message: str, _metadata: dict[str, Any]) -> list[dict[str, Any]]:
        if HANDOFF.search(message):
            with transaction(factory) as session:
                conversation = session.get(Conversation, sender)
                assert conversation is not None
                services.hand_off_conversation(
                    session, conversation, services.Actor.bot(), reason="request"
                )
            return [{"recipient_id": sender, "text": HANDOFF_REPLY}]
        return [{"recipient_id": sender, "text": BOT_REPLY}]

    return FakeRasa(replier=reply)


def wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the app exited early:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the app did not start:\n{log.read_text()[-3000:]}")


@contextmanager
def serve(
    database: str, rasa_url: str, tmp_path: Path, env: dict[str, str] | None = None
) -> Iterator[tuple[str, Path]]:
    """The whole web app on a free port over `database`, talking to the Rasa at `rasa_url`:
    its URL and log file."""
    port = free_port()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    log = tmp_path / "server.log"
    env = {
        **os.environ,
        "KEFU_ENVIRONMENT": "test",
        "KEFU_DATABASE_URL": database,
        "KEFU_SECRET_KEY": SECRET,
        "KEFU_RASA_URL": rasa_url,
        "PYTHONUNBUFFERED": "1",
        **(env or {}),
    }
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "tests.e2e.server:create_app",
        "--factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        # An open console stream would hold a graceful shutdown for its remaining seconds.
        "--timeout-graceful-shutdown",
        "1",
    ]
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(url, process, log)
        yield url, log
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        (ARTIFACTS / "last-server.log").write_bytes(log.read_bytes())


@pytest.fixture
def live_app(tmp_path: Path) -> Iterator[LiveApp]:
    """The whole web app on a free port, with a fresh database and a Rasa stand-in."""
    require_chromium()
    database = f"sqlite:///{tmp_path / 'kefu.db'}"
    engine = make_engine(database)
    migrate.upgrade(engine)
    factory = make_session_factory(engine)
    desk = seed(factory)
    rasa = rasa_stand_in(factory)
    rasa.start()
    try:
        with serve(database, rasa.url, tmp_path) as (url, log):
            yield LiveApp(url, factory, desk, log, rasa)
    finally:
        rasa.stop()
        engine.dispose()


@pytest.fixture(scope="session")
def rasa_desk(store_url: str) -> Desk:
    """The desk's team and people in the real action server's store (its SLA policies are
    tests/servers.py's)."""
    engine = make_engine(store_url)
    try:
        return seed(make_session_factory(engine), policies=False)
    finally:
        engine.dispose()


@pytest.fixture
def live_app_with_rasa(
    tmp_path: Path, rasa_server: RasaServer, store_url: str, rasa_desk: Desk
) -> Iterator[LiveApp]:
    """The whole web app in front of the real Rasa and action servers, on their store."""
    require_chromium()
    engine = make_engine(store_url)
    env = {
        "KEFU_RASA_TOKEN": rasa_server.token,
        "KEFU_TEST_ACTION_HEALTH_URL": f"{rasa_server.actions.url}/health",
    }
    try:
        with serve(store_url, rasa_server.url, tmp_path, env) as (url, log):
            yield LiveApp(url, make_session_factory(engine), rasa_desk, log)
    finally:
        engine.dispose()


# Package scope, not session: Playwright's sync API keeps an event loop running in the main
# thread while it is open, and the async tests that run after tests/e2e (tests/security's
# Telegram ones) could not start theirs.
@pytest.fixture(scope="package")
def browser() -> Iterator[Any]:
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


Shot = Callable[[Any, str], None]


@pytest.fixture
def shot(request: pytest.FixtureRequest) -> Shot:
    """Save a screenshot of a page as test-artifacts/e2e/<test>-<name>.png."""
    test = re.sub(r"[^A-Za-z0-9_-]+", "_", request.node.name)

    def take(page: Any, name: str) -> None:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{test}-{name}.png"), full_page=False)

    return take
