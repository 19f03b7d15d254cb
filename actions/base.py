"""What every Kefu action shares: the error boundary, reading the tracker, and who is writing.

An action never lets an exception out: rasa-sdk would log it with the request (customer text,
phone numbers) and Rasa would send the customer nothing. `guarded` logs the error's type only,
tells the customer politely in their language, and lets the conversation go on.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session

from actions.language import DEFAULT_LANGUAGE, LANGUAGE_SLOT
from ticketing import channels
from ticketing.models import Channel, Conversation, Customer, Tier

log = logging.getLogger(__name__)

Events = list[dict[str, Any]]
Domain = dict[str, Any]

FAILED_RESPONSE: Final = "utter_action_failed"
# Actions Rasa runs around every turn; "what did the bot do last turn" skips them.
BOOKKEEPING_ACTIONS: Final = frozenset(
    {"action_listen", "action_extract_slots", "action_session_start", "action_set_language"}
)
CONVERSATION_ID_MAX: Final = 128


async def guarded(
    name: str,
    dispatcher: CollectingDispatcher,
    work: Awaitable[Events],
    on_failure: Callable[[], Events] = list,
    *,
    apology: str = FAILED_RESPONSE,
) -> Events:
    """The action boundary: `work`'s events, or the `apology` response and `on_failure()` if it
    raised. Only the error's type is logged: its message may quote customer text."""
    try:
        return await work
    except Exception as exc:  # the boundary: whatever went wrong, the customer gets a reply
        log.error("%s failed: %s", name, type(exc).__name__)
        dispatcher.messages.clear()  # half a reply would confuse more than the apology
        dispatcher.utter_message(response=apology)
        return on_failure()


class KefuAction(Action, ABC):  # type: ignore[misc]  # rasa_sdk ships no type hints
    """An action whose `act` runs inside the error boundary."""

    apology: str = FAILED_RESPONSE

    @abstractmethod
    def name(self) -> str: ...

    @abstractmethod
    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Domain
    ) -> Events: ...

    def events_on_failure(self, tracker: Tracker) -> Events:
        """What to return when `act` failed; by default nothing changes."""
        return []

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Domain
    ) -> Events:
        return await guarded(
            self.name(),
            dispatcher,
            self.act(dispatcher, tracker, domain),
            lambda: self.events_on_failure(tracker),
            apology=self.apology,
        )


# --- reading the tracker ------------------------------------------------------------------------


def language_of(tracker: Tracker) -> str:
    language = tracker.get_slot(LANGUAGE_SLOT)
    return language if language in ("zh", "en") else DEFAULT_LANGUAGE


def latest_text(tracker: Tracker) -> str:
    text = (tracker.latest_message or {}).get("text")
    return text if isinstance(text, str) else ""


def latest_intent(tracker: Tracker) -> str | None:
    intent = (tracker.latest_message or {}).get("intent") or {}
    name = intent.get("name") if isinstance(intent, Mapping) else None
    return name if isinstance(name, str) else None


def latest_entity_values(tracker: Tracker, entity: str) -> list[Any]:
    entities = (tracker.latest_message or {}).get("entities") or []
    return [
        item.get("value")
        for item in entities
        if isinstance(item, Mapping) and item.get("entity") == entity
    ]


def latest_metadata(tracker: Tracker) -> dict[str, Any]:
    """The metadata the gateway sent with the latest message ({channel, customer_id, ...})."""
    for event in reversed(tracker.events or []):
        if event.get("event") == "user":
            metadata = event.get("metadata")
            return dict(metadata) if isinstance(metadata, Mapping) else {}
    return {}


def previous_bot_actions(tracker: Tracker) -> list[str]:
    """What the bot did between the customer's previous message and the latest one."""
    actions: list[str] = []
    seen_latest_user = False
    for event in reversed(tracker.events or []):
        kind = event.get("event")
        if kind == "user":
            if seen_latest_user:
                break
            seen_latest_user = True
        elif kind == "action" and seen_latest_user:
            name = event.get("name")
            if isinstance(name, str) and name not in BOOKKEEPING_ACTIONS:
                actions.append(name)
    return actions


# --- who is writing -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Caller:
    """The customer behind a Rasa sender id, as the ticket store knows them."""

    sender_id: str
    channel: Channel
    conversation: Conversation | None
    customer: Customer | None

    @property
    def identified(self) -> bool:
        """The channel tells us who this is (a web session or Telegram chat with a customer)."""
        return self.customer is not None

    @property
    def tier(self) -> Tier | None:
        return self.customer.tier if self.customer is not None else None


def find_caller(session: Session, sender_id: str, metadata: Mapping[str, Any]) -> Caller:
    """The conversation the gateway keeps for this sender id (its Rasa sender id is the
    conversation id), its customer, and the channel; a sender the gateway never saw (a test
    client on Rasa's REST channel) has neither."""
    conversation = (
        session.get(Conversation, sender_id) if 0 < len(sender_id) <= CONVERSATION_ID_MAX else None
    )
    if conversation is not None:
        return Caller(sender_id, conversation.channel, conversation, conversation.customer)
    return Caller(sender_id, channel_from(metadata), None, None)


def channel_from(metadata: Mapping[str, Any]) -> Channel:
    try:
        return Channel(str(metadata.get("channel")))
    except ValueError:
        return Channel.API


def looks_like_chat_sender(sender_id: str) -> bool:
    """A gateway conversation id (web:..., telegram:...): its customer is known to the store."""
    return sender_id.startswith(tuple(f"{c.channel.value}:" for c in channels.chat_channels()))
