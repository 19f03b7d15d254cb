"""The session's Rasa server as `make run` starts it (bot/assistant/serve.py), real servers: the
API token off every command line, conversations in the SQLite tracker store beside the
database, and a tracker row that cannot be read restarting only its own conversation, politely
and in the customer's language."""

from __future__ import annotations

import os
import re
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.assistant.serve import tracker_store_config
from tests.servers import RasaServer
from ticketing import services
from ticketing.db import make_engine, make_session_factory
from ticketing.models import Channel

pytestmark = pytest.mark.rasa

HAN = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def store(store_url: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(store_url)
    yield make_session_factory(engine)
    engine.dispose()


@pytest.fixture(scope="module")
def trackers(store_url: str) -> Path:
    """The SQLite file the launcher gave Rasa's tracker store, beside the store."""
    config = tracker_store_config({"KEFU_DATABASE_URL": store_url})
    assert config is not None
    return Path(config["db"])


def web_customer(store: sessionmaker[Session], language: str) -> tuple[str, dict[str, Any]]:
    with store.begin() as session:
        conversation = services.get_or_create_conversation(
            session, Channel.WEB, uuid.uuid4().hex, language=language
        )
        metadata = {"channel": "web", "customer_id": conversation.customer_id}
        return conversation.id, {**metadata, "language": language}


def said(replies: list[dict[str, Any]]) -> str:
    return "\n".join(str(reply.get("text") or "") for reply in replies)


def group_command_lines(pid: int) -> list[str]:
    """The command line of every process in `pid`'s process group, as `ps` shows them."""
    lines = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if os.getpgid(int(entry.name)) != pid:
                continue
            lines.append((entry / "cmdline").read_bytes().replace(b"\0", b" ").decode())
        except (OSError, ProcessLookupError):
            continue
    return lines


def test_the_api_token_is_on_no_command_line(rasa_server: RasaServer) -> None:
    lines = group_command_lines(rasa_server.rasa.process.pid)
    assert any("bot.assistant.serve" in line for line in lines), lines
    assert not any(rasa_server.token in line for line in lines)
    assert rasa_server.status()  # and the API still wants, and takes, that token


def test_conversations_are_kept_in_the_sqlite_tracker_store(
    rasa_server: RasaServer, trackers: Path, sender_id: str
) -> None:
    rasa_server.say(sender_id, "hello")
    with sqlite3.connect(trackers) as db:
        (rows,) = db.execute("SELECT count(*) FROM events WHERE sender_id = ?", (sender_id,))
    assert rows[0] > 0


def test_an_unreadable_tracker_restarts_its_conversation_politely(
    rasa_server: RasaServer, store: sessionmaker[Session], trackers: Path
) -> None:
    broken, broken_meta = web_customer(store, "zh")
    fine, fine_meta = web_customer(store, "en")
    assert said(rasa_server.say(broken, "我要投诉", broken_meta))
    assert said(rasa_server.say(fine, "I want to make a complaint", fine_meta))
    with sqlite3.connect(trackers) as db:
        db.execute(
            'UPDATE events SET data = \'{"event": "slot", "name": \' WHERE id = '
            "(SELECT max(id) FROM events WHERE sender_id = ?)",
            (broken,),
        )

    # Out of its lost form, "A2024-1181" gets the bot's polite "please rephrase", in the
    # customer's language though the message has none (the gateway's metadata says zh).
    restarted = said(rasa_server.say(broken, "A2024-1181", broken_meta))
    assert HAN.search(restarted), restarted
    assert not rasa_server.tracker(broken)["active_loop"].get("name")
    # The conversation goes on from its new start; its unreadable rows are kept aside.
    assert said(rasa_server.say(broken, "我要投诉", broken_meta))
    assert rasa_server.tracker(broken)["active_loop"].get("name") == "complaint_form"
    with sqlite3.connect(trackers) as db:
        (aside,) = db.execute(
            "SELECT count(*) FROM events WHERE sender_id LIKE ?", (f"{broken}~unreadable~%",)
        )
    assert aside[0] > 0

    # The other conversation never noticed.
    asked = said(rasa_server.say(fine, "The heel of my boots snapped off", fine_meta))
    assert "order number" in asked.lower() and not HAN.search(asked)
