"""Rasa's SQL tracker store, a conversation whose stored tracker cannot be read starting afresh.

`bot.assistant.serve` configures it (SQLite beside our database, or a PostgreSQL database of its
own). Rasa's `SQLTrackerStore` cannot read a corrupt row (bad JSON, an event or a form an older
model knew): bad JSON even stops the whole server (its session scope takes the error for a
missing schema and exits), and any other failure would fail every later turn of that
conversation, Rasa's fail-safe wrapper starting a new tracker the old rows still count against.
Here the unreadable rows are set aside under another sender id (kept for a look, never read
again) and Rasa starts the conversation afresh, as for a new customer: the bot answers the
message in the customer's language (the gateway's metadata gives it when the message does not,
actions/language.py). Other conversations are untouched. This module runs in .venv-rasa.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore  # type: ignore[import-not-found]
from rasa.shared.core.trackers import DialogueStateTracker  # type: ignore[import-not-found]

log = logging.getLogger(__name__)

SENDER_ID_MAX = 255  # Rasa's events.sender_id column


class UnreadableTracker(Exception):
    """The stored events deserialise, but into a state this model cannot continue."""


class KefuSQLTrackerStore(SQLTrackerStore):  # type: ignore[misc]
    """`SQLTrackerStore` that sets an unreadable conversation aside and restarts it."""

    async def _retrieve(self, sender_id: str, fetch_events_from_all_sessions: bool) -> Any:
        # Rasa's own `_retrieve` parses the rows inside `session_scope`, which reads any
        # ValueError (a JSON error too) as a missing PostgreSQL schema and exits the server.
        with self.session_scope() as session:
            query = self._event_query(
                session, sender_id, fetch_events_from_all_sessions=fetch_events_from_all_sessions
            )
            rows = [row.data for row in query.all()]
        if not rows or self.domain is None:
            return None
        try:
            events = [json.loads(row) for row in rows]
            tracker = DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)
            self._check_readable(tracker)
        except Exception as exc:  # whatever its rows hold, one conversation must not stop
            log.warning(
                "conversation %s: its stored tracker cannot be read (%s); set aside, the "
                "conversation starts again",
                sender_id,
                type(exc).__name__,
            )
            self._set_aside(sender_id)
            return None  # Rasa creates a new tracker and starts a session
        return tracker

    def _check_readable(self, tracker: Any) -> None:
        loop = tracker.active_loop_name
        if self.domain is not None and loop and loop not in self.domain.form_names:
            raise UnreadableTracker(f"the active form {loop!r} is not in this model")

    def _set_aside(self, sender_id: str) -> None:
        aside = f"{sender_id}~unreadable~{int(time.time())}"[-SENDER_ID_MAX:]
        with self.session_scope() as session:
            session.execute(
                sa.update(self.SQLEvent)
                .where(self.SQLEvent.sender_id == sender_id)
                .values(sender_id=aside)
            )
            session.commit()
