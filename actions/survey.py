"""The satisfaction survey after a case (回访): started by the follow-up scheduler's external
intent `EXTERNAL_follow_up` {ticket_number, follow_up_id}; CSAT 1-5, NPS 0-10 and an optional
comment, recorded on the ticket by the service layer (a low score reopens it and alerts a
supervisor there)."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import REQUESTED_SLOT
from sqlalchemy.orm import Session

from actions.base import (
    Caller,
    Domain,
    Events,
    KefuAction,
    find_caller,
    latest_entity_values,
    latest_intent,
    latest_metadata,
    latest_text,
)
from actions.db import in_transaction
from actions.forms import KefuFormValidation, end_form, typed_answer
from actions.language import LANGUAGE_SLOT, is_payload
from actions.status import ID_LIMIT, ticket_number_in
from ticketing import scores, services, triage
from ticketing.clock import utcnow
from ticketing.errors import NotFound
from ticketing.models import FollowUp, Ticket

log = logging.getLogger(__name__)

SURVEY_TICKET: Final = "survey_ticket_number"
FOLLOW_UP_ID: Final = "follow_up_id"
CSAT: Final = "csat_score"
NPS: Final = "nps_score"
COMMENT: Final = "survey_comment"
SURVEY_SLOTS: Final = (SURVEY_TICKET, FOLLOW_UP_ID, CSAT, NPS, COMMENT)
SCORE_ENTITY: Final = "score"
COMMENT_MAX: Final = 2000
NO_COMMENT: Final = ""

_DIGITS: Final = re.compile(r"(?<![\d.])(\d{1,3})(?![\d.])")
_WORDS: Final = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
    "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
}  # fmt: skip
_WORD: Final = re.compile(r"\b(" + "|".join(_WORDS) + r")\b", re.IGNORECASE)
_HAN_DIGITS: Final = {
    "零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "兩": 2, "三": 3, "四": 4, "五": 5,
    "六": 6, "七": 7, "八": 8, "九": 9, "十": 10,
}  # fmt: skip
_HAN_SCORE: Final = re.compile(r"([零〇一二两兩三四五六七八九十])\s*(?:分|星|顆星|颗星)")
_NO_COMMENT_WORDS: Final = re.compile(
    r"^\s*(?:没有了?|沒有了?|无|無|不用了?|没|沒|算了|跳过|跳過|no|nope|none|nothing|"
    r"no comment|skip|n/?a)\s*[。.!！]*\s*$",
    re.IGNORECASE,
)


def score_in(text: str) -> int | None:
    """The score a message gives: "4", "5分", "给五星", "ten", "10/10"; None when it names none."""
    text = triage.normalize(text)
    match = _DIGITS.search(text)
    if match:
        return int(match.group(1))
    word = _WORD.search(text)
    if word:
        return _WORDS[word.group(1).lower()]
    han = _HAN_SCORE.search(text) or (re.fullmatch(r"\s*([零〇一二两兩三四五六七八九十])\s*", text))
    return _HAN_DIGITS[han.group(1)] if han else None


def _score(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float) and float(value).is_integer():
        return int(value)
    return score_in(str(value)) if value is not None else None


def _follow_up_id(value: Any) -> int | None:
    try:
        number = int(str(value).strip())
    except ValueError:
        return None
    return number if 0 < number < ID_LIMIT else None


def owns(caller: Caller, ticket: Ticket) -> bool:
    """The survey is about a ticket of this conversation's customer (an external intent is
    only a message: a customer could type one for somebody else's ticket)."""
    if caller.customer is not None and ticket.customer_id == caller.customer.id:
        return True
    return ticket.conversation_id is not None and ticket.conversation_id == caller.sender_id


class ActionStartSurvey(KefuAction):
    """Takes the ticket number and follow-up id from the external intent, and the customer's
    language from the store (a follow-up may come days after their last message)."""

    def name(self) -> str:
        return "action_start_survey"

    def events_on_failure(self, tracker: Tracker) -> Events:
        return [SlotSet(slot, None) for slot in (CSAT, NPS, COMMENT)]

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Domain
    ) -> Events:
        numbers = [*latest_entity_values(tracker, "ticket_number"), tracker.get_slot(SURVEY_TICKET)]
        number = next(
            (found for value in numbers if value and (found := ticket_number_in(str(value)))),
            None,
        )
        ids = [*latest_entity_values(tracker, FOLLOW_UP_ID), tracker.get_slot(FOLLOW_UP_ID)]
        follow_up_id = next(
            (known for value in ids if value and (known := _follow_up_id(value))), None
        )
        metadata = latest_metadata(tracker)

        def language(session: Session) -> str | None:
            caller = find_caller(session, tracker.sender_id, metadata)
            if caller.conversation is not None:
                return caller.conversation.language
            return caller.customer.language if caller.customer is not None else None

        events: Events = [
            SlotSet(SURVEY_TICKET, number or "-"),
            SlotSet(FOLLOW_UP_ID, follow_up_id),
            *(SlotSet(slot, None) for slot in (CSAT, NPS, COMMENT)),
        ]
        try:
            stored = await in_transaction(language)
        except Exception as exc:  # the survey can still be asked; it is recorded at the end
            log.warning("survey language lookup failed: %s", type(exc).__name__)
            stored = None
        if stored in ("zh", "en"):
            events.append(SlotSet(LANGUAGE_SLOT, stored))
        return events


class ValidateSurveyForm(KefuFormValidation):
    """Reads scores from buttons or typed answers ("5分", "ten") and checks their range."""

    def name(self) -> str:
        return "validate_survey_form"

    def _typed_score(self, tracker: Tracker, slot: str) -> dict[str, Any]:
        text = typed_answer(tracker, slot, SCORE_ENTITY)
        if text is None:
            return {}
        score = score_in(text)
        return {slot: score if score is not None else text}

    def extract_csat_score(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Domain
    ) -> dict[str, Any]:
        return self._typed_score(tracker, CSAT)

    def extract_nps_score(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Domain
    ) -> dict[str, Any]:
        return self._typed_score(tracker, NPS)

    def extract_survey_comment(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Domain
    ) -> dict[str, Any]:
        if tracker.get_slot(REQUESTED_SLOT) != COMMENT:
            return {}
        text = latest_text(tracker).strip()
        intent = latest_intent(tracker)
        if intent == "deny" or _NO_COMMENT_WORDS.match(text):
            return {COMMENT: NO_COMMENT}
        if not text or is_payload(text) or intent in ("cancel", "request_human"):
            return {}
        return {COMMENT: text}

    def _validate_score(
        self, slot: str, low: int, high: int, value: Any, dispatcher: CollectingDispatcher
    ) -> dict[str, Any]:
        if value is None:
            return {slot: None}
        score = _score(value)
        if score is not None and low <= score <= high:
            return {slot: score}
        dispatcher.utter_message(response=f"utter_invalid_{slot}")
        return {slot: None}

    def validate_csat_score(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Domain
    ) -> dict[str, Any]:
        return self._validate_score(CSAT, 1, 5, value, dispatcher)

    def validate_nps_score(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Domain
    ) -> dict[str, Any]:
        return self._validate_score(NPS, 0, 10, value, dispatcher)

    def validate_survey_comment(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Domain
    ) -> dict[str, Any]:
        if value is None:
            return {COMMENT: None}
        return {COMMENT: str(value).strip()[:COMMENT_MAX]}


@dataclass(frozen=True)
class Answers:
    number: str | None
    follow_up_id: int | None
    csat: int | None
    nps: int | None
    comment: str

    @classmethod
    def from_tracker(cls, tracker: Tracker) -> Answers:
        csat = _score(tracker.get_slot(CSAT))
        nps = _score(tracker.get_slot(NPS))
        return cls(
            number=ticket_number_in(str(tracker.get_slot(SURVEY_TICKET) or "")),
            follow_up_id=_follow_up_id(tracker.get_slot(FOLLOW_UP_ID)),
            csat=csat if csat is not None and 1 <= csat <= 5 else None,
            nps=nps if nps is not None and 0 <= nps <= 10 else None,
            comment=str(tracker.get_slot(COMMENT) or "").strip()[:COMMENT_MAX],
        )


def record(
    session: Session, sender_id: str, metadata: dict[str, Any], answers: Answers, at: datetime
) -> bool:
    """Keep the answers on the ticket; True when they were recorded."""
    if answers.number is None:
        return False
    try:
        ticket = services.get_ticket(session, answers.number)
    except NotFound:
        ticket = None
    caller = find_caller(session, sender_id, metadata)
    if ticket is None or not owns(caller, ticket):
        log.warning("survey answers for a ticket this conversation does not own: not recorded")
        return False
    follow_up = session.get(FollowUp, answers.follow_up_id) if answers.follow_up_id else None
    if follow_up is not None and follow_up.ticket_id != ticket.id:
        follow_up = None
    services.record_survey(
        session, ticket, answers.csat, answers.nps, answers.comment, at=at, follow_up=follow_up
    )
    log.info("survey recorded on %s", ticket.number)
    return True


class ActionRecordSurvey(KefuAction):
    """Records the survey (also the part answered before the customer stopped) and thanks the
    customer; after a low score, says a supervisor will be in touch."""

    def name(self) -> str:
        return "action_record_survey"

    def _done(self) -> Events:
        return [*(SlotSet(slot, None) for slot in SURVEY_SLOTS), *end_form()]

    def events_on_failure(self, tracker: Tracker) -> Events:
        return self._done()

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Domain
    ) -> Events:
        answers = Answers.from_tracker(tracker)
        if answers.csat is None and answers.nps is None:
            dispatcher.utter_message(response="utter_survey_stopped")
            return self._done()
        metadata = latest_metadata(tracker)
        now = utcnow()
        recorded = await in_transaction(
            lambda session: record(session, tracker.sender_id, metadata, answers, now)
        )
        if recorded and scores.is_low_score(answers.csat, answers.nps):
            dispatcher.utter_message(response="utter_survey_thanks_low_score")
        else:
            dispatcher.utter_message(response="utter_survey_thanks")
        return self._done()
