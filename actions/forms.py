"""What every Kefu form validator shares: the error boundary around a validation run, facts about
the caller looked up once per run, and the rules for reading a typed answer and rejecting it.

A validator subclasses `KefuFormValidation` (or `DynamicSlotsForm` when the slots it asks for
depend on the caller) instead of rasa-sdk's `FormValidationAction`, and keeps only what is its
form's own: which slots it extracts and what a valid value looks like.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from collections.abc import Callable
from contextvars import ContextVar, Token
from typing import Any, ClassVar, Final, Generic, TypeVar

from rasa_sdk import Tracker
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import REQUESTED_SLOT, FormValidationAction
from sqlalchemy.orm import Session

from actions.base import (
    Caller,
    Domain,
    Events,
    find_caller,
    guarded,
    latest_entity_values,
    latest_intent,
    latest_metadata,
    latest_text,
)
from actions.db import in_transaction
from actions.language import is_payload

log = logging.getLogger(__name__)

T = TypeVar("T")

# Messages that are not an answer to "what happened?" even when the bot just asked it: the form
# rejects them and the rules answer (cancel, hand off, small talk).
NOT_AN_ANSWER: Final = frozenset(
    {"cancel", "deny", "affirm", "request_human", "greet", "goodbye", "thank", "bot_challenge"}
)
# ... nor a try at a number or a category: a question is answered (faq rules) and the form goes
# on, where anything else typed gets "that does not look like an order number".
NOT_A_VALUE: Final = NOT_AN_ANSWER | {"faq", "check_ticket_status"}


class CallerLookup(Generic[T]):
    """A fact about the caller that a form needs from the store. `required_slots` and several
    validators ask for it in one validation run, so it is looked up at most once per run; while
    the store is down, `store_down` says what to assume and the form goes on without it."""

    def __init__(
        self,
        what: str,
        read: Callable[[Session, Caller], T],
        store_down: Callable[[Tracker], T],
    ) -> None:
        self.what = what
        self._read = read
        self._store_down = store_down
        self._known: ContextVar[T | None] = ContextVar(f"kefu_{what}", default=None)

    async def __call__(self, tracker: Tracker) -> T:
        known = self._known.get()
        if known is not None:
            return known
        metadata = latest_metadata(tracker)

        def lookup(session: Session) -> T:
            return self._read(session, find_caller(session, tracker.sender_id, metadata))

        try:
            found = await in_transaction(lookup)
        except Exception as exc:  # the store is down: the form goes on without it
            log.warning("%s lookup failed: %s", self.what, type(exc).__name__)
            found = self._store_down(tracker)
        self._known.set(found)
        return found

    def forget(self) -> Token[T | None]:
        """Start a validation run with nothing known (the caller may have changed since)."""
        return self._known.set(None)

    def restore(self, token: Token[T | None]) -> None:
        self._known.reset(token)


class KefuFormValidation(FormValidationAction, ABC):  # type: ignore[misc]  # rasa_sdk is untyped
    """A form validator whose whole run is inside the error boundary, with the caller facts of
    `lookups` looked up afresh for each run."""

    lookups: ClassVar[tuple[CallerLookup[Any], ...]] = ()

    # Abstract, so that rasa-sdk registers only the forms, not this base class.
    @abstractmethod
    def name(self) -> str: ...

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Domain
    ) -> Events:
        tokens = [(lookup, lookup.forget()) for lookup in self.lookups]
        try:
            events: Events = await guarded(
                self.name(), dispatcher, super().run(dispatcher, tracker, domain)
            )
            return events
        finally:
            for lookup, token in reversed(tokens):
                lookup.restore(token)


class DynamicSlotsForm(KefuFormValidation, ABC):
    """A form whose `required_slots` depend on the caller or the answers so far."""

    async def next_requested_slot(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Domain
    ) -> dict[str, Any]:
        """Always says what to ask next, nothing when no slot is missing (rasa-sdk leaves it to
        Rasa when nothing is skipped)."""
        required = await self.required_slots(self.domain_slots(domain), dispatcher, tracker, domain)
        missing = next((slot for slot in required if tracker.slots.get(slot) is None), None)
        event: dict[str, Any] = SlotSet(REQUESTED_SLOT, missing)
        return event


# --- reading and checking answers ---------------------------------------------------------------


def typed_answer(tracker: Tracker, slot: str, entity: str) -> str | None:
    """What the customer typed in answer to the form asking for `slot`, for validation to judge;
    None when the form asked for something else, a button's `entity` fills the slot (through its
    from_entity mapping), or the message is a payload, empty or not a try at a value."""
    if tracker.get_slot(REQUESTED_SLOT) != slot or latest_entity_values(tracker, entity):
        return None
    text = latest_text(tracker).strip()
    if not text or is_payload(text) or latest_intent(tracker) in NOT_A_VALUE:
        return None
    return text


def checked(
    slot: str,
    value: Any,
    parse: Callable[[str], Any | None],
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
) -> dict[str, Any]:
    """`{slot: parse(value)}`. A value that does not parse leaves the slot empty, so the form
    asks again; when the form was asking for `slot` the customer is first told with
    `utter_invalid_<slot>` (a value taken in passing is dropped without a word)."""
    if value is None:
        return {slot: None}
    parsed = parse(str(value))
    if parsed is None and tracker.get_slot(REQUESTED_SLOT) == slot:
        dispatcher.utter_message(response=f"utter_invalid_{slot}")
    return {slot: parsed}


def end_form() -> Events:
    """Events that leave the active form, asking nothing more."""
    return [ActiveLoop(None), SlotSet(REQUESTED_SLOT, None)]
