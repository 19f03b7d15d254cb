"""The whole stack under `python -m ticketing run`: each process is killed with SIGKILL in turn;
the others keep answering and the killed one is back within 60 s (issue 17's "done when").

The Procfile is the project's own, with free ports instead of the fixed ones (so the test runs
beside anything else), the test's model and endpoints file, and the web app built by
tests/e2e/server.py (the production app, asking the action server's health at the test's port).
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from websockets.sync.client import connect
from websockets.typing import Origin

from bot.gateway.conversation import APOLOGY
from tests.e2e.conftest import free_port
from tests.factories import PASSWORD, make_policy, make_ticket
from ticketing import accounts, migrate, services, supervision
from ticketing.clock import utcnow
from ticketing.db import make_engine, make_session_factory, transaction
from ticketing.models import (
    Message,
    OutboxMessage,
    OutboxStatus,
    Role,
    SlaEvent,
    SlaEventKind,
    Ticket,
    WorkerHeartbeat,
)
from ticketing.pseudonyms import web_session_key

pytestmark = [pytest.mark.rasa, pytest.mark.stack]

ROOT = Path(__file__).resolve().parents[2]
BACK_WITHIN = 60.0  # seconds, on 2 cores
STACK_START = 600.0  # Rasa loads its model in 25-40 s on 2 idle cores; far longer on busy ones
SECRET = "stack-signing-key-" + "s" * 40
MEANWHILE = "Hi, this is Zhou: a new pair is on its way."
T = TypeVar("T")


@dataclass
class Stack:
    web: str
    rasa: str
    actions: str
    factory: sessionmaker[Session]
    paths: supervision.Paths
    run: subprocess.Popen[bytes]
    output: Path
    token: str = ""

    def pid(self, name: str) -> int:
        return supervision.pids(self.paths).get(name, 0)

    def log(self) -> str:
        parts = [self.output.read_text(errors="replace")[-4000:]]
        for log in sorted(self.paths.log_dir.glob("*.log")):
            parts.append(f"--- {log.name}\n{log.read_text(errors='replace')[-4000:]}")
        return "\n".join(parts)


def wait_for(what: str, check: Callable[[], T | None], timeout: float, stack: Stack) -> T:
    deadline = time.monotonic() + timeout
    while True:
        try:
            found = check()
        except (httpx.HTTPError, OSError):
            found = None
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}\n{stack.log()}")
        time.sleep(0.5)


def procfile_for_test(tmp: Path, model: Path, ports: dict[str, int]) -> Path:
    """The project's Procfile with this test's ports, model and endpoints file."""
    text = (ROOT / "Procfile").read_text()
    endpoints = tmp / "endpoints.yml"
    endpoints.write_text(
        f'action_endpoint:\n  url: "http://127.0.0.1:{ports["actions"]}/webhook"\n'
    )
    changes = {
        "-p 5005": f"-p {ports['rasa']}",
        "--model models/current.tar.gz": f"--model {model}",
        "--endpoints endpoints.yml": f"--endpoints {endpoints}",
        "-p 5055": f"-p {ports['actions']}",
        "bot.gateway.app:create_app": "tests.e2e.server:create_app",
        "--port 8000": f"--port {ports['web']}",
    }
    for old, new in changes.items():
        assert old in text, f"the Procfile changed: no {old!r} in it; update this test"
        text = text.replace(old, new)
    # It runs in `tmp` (its folder): the environments by their full paths, our code by PYTHONPATH.
    text = text.replace(".venv-rasa/bin/", f"{ROOT}/.venv-rasa/bin/")
    text = re.sub(r"(?<![\w/-])\.venv/bin/", f"{ROOT}/.venv/bin/", text)
    procfile = tmp / "Procfile"
    procfile.write_text(text)
    return procfile


def seed(factory: sessionmaker[Session]) -> None:
    with transaction(factory) as session:
        make_policy(session, first_response=1, next_response=None, resolution=60)
        accounts.create_user(session, "zhou", PASSWORD, role=Role.SUPERVISOR)


@pytest.fixture
def stack(rasa_model: Path) -> Iterator[Stack]:
    with tempfile.TemporaryDirectory(prefix="kefu-stack-") as name:
        tmp = Path(name)  # short: supervisord's UNIX socket lives here
        ports = {p: free_port() for p in ("rasa", "actions", "web")}
        database = f"sqlite:///{tmp / 'kefu.db'}"
        engine = make_engine(database)
        migrate.upgrade(engine)
        factory = make_session_factory(engine)
        seed(factory)
        token = uuid.uuid4().hex
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "KEFU_ENVIRONMENT": "test",
            "KEFU_DATABASE_URL": database,
            "KEFU_SECRET_KEY": SECRET,
            "KEFU_RASA_URL": f"http://127.0.0.1:{ports['rasa']}",
            "KEFU_RASA_TOKEN": token,
            "KEFU_TEST_ACTION_HEALTH_URL": f"http://127.0.0.1:{ports['actions']}/health",
        }
        paths = supervision.Paths(tmp / "sv")
        output = tmp / "run.out"
        procfile = procfile_for_test(tmp, rasa_model, ports)
        argv = [sys.executable, "-m", "ticketing", "run", f"--procfile={procfile}"]
        with output.open("wb") as out:
            run = subprocess.Popen(
                [*argv, f"--state-dir={paths.state_dir}"],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        stack = Stack(
            web=f"http://127.0.0.1:{ports['web']}",
            rasa=env["KEFU_RASA_URL"],
            actions=f"http://127.0.0.1:{ports['actions']}",
            factory=factory,
            paths=paths,
            run=run,
            output=output,
        )
        try:
            yield stack
        finally:
            if run.poll() is None:
                run.send_signal(signal.SIGINT)
                try:
                    run.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    run.kill()
                    run.wait()
            engine.dispose()


# --- what "answering" means for each part ----------------------------------------------------


def ready(stack: Stack) -> dict[str, Any] | None:
    body: dict[str, Any] = httpx.get(f"{stack.web}/readyz", timeout=5).json()
    return body if body["status"] == "ready" else None


def chat(stack: Stack, text: str) -> tuple[str, list[str]]:
    """A new web chat customer says `text`: their session id and the bot's first replies."""
    session_id = uuid.uuid4().hex
    ws_url = stack.web.replace("http://", "ws://") + "/ws/chat"
    with connect(ws_url, open_timeout=10, origin=Origin(stack.web)) as ws:
        ws.send(json.dumps({"type": "hello", "session_id": session_id, "language": None}))
        assert json.loads(ws.recv(timeout=10))["type"] == "history"
        ws.send(json.dumps({"type": "message", "text": text}))
        replies: list[str] = []
        deadline = time.monotonic() + 60
        while not replies and time.monotonic() < deadline:
            frame = json.loads(ws.recv(timeout=60))
            if frame["type"] == "message" and frame["message"]["sender"] == "bot":
                replies.append(frame["message"]["text"])
    return session_id, replies


def history(stack: Stack, session_id: str) -> list[str]:
    """What a returning customer's widget shows after reconnecting."""
    ws_url = stack.web.replace("http://", "ws://") + "/ws/chat"
    with connect(ws_url, open_timeout=10, origin=Origin(stack.web)) as ws:
        ws.send(json.dumps({"type": "hello", "session_id": session_id, "language": "en"}))
        frame = json.loads(ws.recv(timeout=10))
    return [m["text"] for m in frame["messages"]]


def console_lists_tickets(stack: Stack) -> int:
    if not stack.token:
        stack.token = httpx.post(
            f"{stack.web}/api/auth/token", data={"username": "zhou", "password": PASSWORD}
        ).json()["access_token"]
    response = httpx.get(
        f"{stack.web}/api/tickets", headers={"Authorization": f"Bearer {stack.token}"}, timeout=10
    )
    response.raise_for_status()
    return len(response.json()["data"]) + 1  # truthy even when empty


def breach_due_in(stack: Stack, seconds: float) -> tuple[int, datetime]:
    """A ticket whose first response is due `seconds` from now (the policy allows 1 minute)."""
    due = utcnow() + timedelta(seconds=seconds)
    with transaction(stack.factory) as session:
        ticket = make_ticket(session, subject="鞋底开胶了", at=due - timedelta(minutes=1))
        return ticket.id, due


def breach_recorded(stack: Stack, ticket_id: int) -> datetime | None:
    with stack.factory() as session:
        return session.scalar(
            select(SlaEvent.at).where(
                SlaEvent.ticket_id == ticket_id, SlaEvent.kind == SlaEventKind.BREACH
            )
        )


def worker_beat_since(stack: Stack, since: datetime) -> bool:
    with stack.factory() as session:
        last = session.scalar(select(func.max(WorkerHeartbeat.beat_at)))
    return last is not None and last > since


def web_key(session_id: str) -> str:
    """The web chat's conversation key for a browser session id (the gateway's pseudonym)."""
    return web_session_key(SECRET, session_id)


def answers(url: str) -> bool:
    return httpx.get(url, timeout=3).status_code == 200


# --- the test ----------------------------------------------------------------------------------


def kill(stack: Stack, name: str) -> tuple[int, float, datetime]:
    pid = stack.pid(name)
    assert pid, f"{name} is not running\n{stack.log()}"
    os.kill(pid, signal.SIGKILL)
    return pid, time.monotonic(), utcnow()


def back(stack: Stack, name: str, old_pid: int, check: Callable[[], bool], killed: float) -> float:
    wait_for(f"{name} to be restarted", lambda: stack.pid(name) not in {0, old_pid}, 30, stack)
    wait_for(f"{name} to answer again", check, BACK_WITHIN + 300, stack)  # measured, then asserted
    took = time.monotonic() - killed
    print(f"{name}: back {took:.1f} s after SIGKILL")
    return took


@pytest.mark.timeout(1200)
def test_each_killed_process_comes_back_while_the_others_serve(stack: Stack) -> None:
    wait_for("the whole stack to be ready", lambda: ready(stack), STACK_START, stack)
    _, replies = chat(stack, "hello, where is my order?")
    assert replies and replies[0] not in APOLOGY.values()
    took: dict[str, float] = {}

    # Rasa dies (as the OOM killer would): the chat apologises in English, the console lists
    # tickets, the worker records a breach that falls due meanwhile.
    pid, killed, _ = kill(stack, "rasa")
    ticket, due = breach_due_in(stack, 10)
    wait_for("Rasa to be down", lambda: not answers_at_all(stack.rasa), 10, stack)
    session_id, replies = chat(stack, "hello, I want to complain about my shoes")
    assert replies == [APOLOGY["en"]]
    assert httpx.get(f"{stack.web}/readyz").json()["assistant"] == "offline"
    assert console_lists_tickets(stack)
    breached = wait_for("the breach", lambda: breach_recorded(stack, ticket), 40, stack)
    assert breached >= due
    took["rasa"] = back(stack, "rasa", pid, lambda: answers(stack.rasa), killed)

    # The action server dies: it is back in seconds, and the chat answers meanwhile (the bot,
    # or, once the gateway has noticed the dead action server, the apology and a person).
    pid, killed, _ = kill(stack, "actions")
    _, replies = chat(stack, "hello, I want to return my shoes")
    assert replies
    assert console_lists_tickets(stack)
    took["actions"] = back(
        stack, "actions", pid, lambda: answers(f"{stack.actions}/health"), killed
    )

    # The web process dies: the worker keeps the SLA clock and Rasa keeps answering; an agent
    # reply written meanwhile (another web process, say) is waiting in the outbox.
    pid, killed, _ = kill(stack, "web")
    ticket, due = breach_due_in(stack, 5)
    with transaction(stack.factory) as session:
        handed_off = session.scalars(
            select(Ticket).where(Ticket.conversation_id == f"web:{web_key(session_id)}")
        ).one()
        zhou = accounts.get_user(session, "zhou")
        assert zhou is not None
        meanwhile = services.reply_to_customer(
            session,
            handed_off,
            services.Actor.of(zhou),
            "Hi, this is Zhou: a new pair is on its way.",
        ).id
    assert answers(stack.rasa)
    wait_for("the breach without the web", lambda: breach_recorded(stack, ticket), 40, stack)
    took["web"] = back(stack, "web", pid, lambda: answers(f"{stack.web}/healthz"), killed)
    # The customer's widget reconnects and shows what was said meanwhile; the outbox item is
    # delivered by the new process, not lost.
    assert MEANWHILE in history(stack, session_id)
    wait_for("the outbox to deliver", lambda: outbox_done(stack, meanwhile), 30, stack)

    # The worker dies: chat and console go on; a breach due while it is down is recorded
    # once it is back.
    pid, killed, since = kill(stack, "worker")
    ticket, due = breach_due_in(stack, 3)
    _, replies = chat(stack, "hello, where is my order?")
    assert replies and replies[0] not in APOLOGY.values()
    assert console_lists_tickets(stack)
    took["worker"] = back(stack, "worker", pid, lambda: worker_beat_since(stack, since), killed)
    wait_for("the breach after the restart", lambda: breach_recorded(stack, ticket), 40, stack)

    print("back after SIGKILL (s):", {k: round(v, 1) for k, v in took.items()})
    assert all(v < BACK_WITHIN for v in took.values()), took

    # Ctrl-C stops everything within a few seconds.
    started = time.monotonic()
    stack.run.send_signal(signal.SIGINT)
    stack.run.wait(timeout=30)
    assert time.monotonic() - started < 15
    assert not answers_at_all(stack.web) and not answers_at_all(stack.rasa)


def outbox_done(stack: Stack, message_id: int) -> bool:
    with stack.factory() as session:
        rows = session.scalars(select(OutboxMessage)).all()
        mine = [r for r in rows if r.payload.get("message_id") == message_id]
        assert session.get(Message, message_id) is not None
    return bool(mine) and all(r.status is OutboxStatus.SENT for r in mine)


def assistant_offline(stack: Stack) -> bool:
    return bool(httpx.get(f"{stack.web}/readyz", timeout=5).json()["assistant"] == "offline")


def answers_at_all(url: str) -> bool:
    try:
        httpx.get(url, timeout=2)
    except httpx.HTTPError:
        return False
    return True
