"""Handing a conversation to a person: on request, after two fallbacks in a row, or for a major
complaint. The store records it (the gateway stops routing the conversation to the bot) and the
bot pauses itself; the gateway's hand-back resumes it with `resume` and `action_listen`."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from rasa_sdk import Tracker
from rasa_sdk.events import ConversationPaused
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session

from actions import humanize
from actions.base import (
    CONVERSATION_ID_MAX,
    Domain,
    Events,
    KefuAction,
    find_caller,
    language_of,
    latest_metadata,
    previous_bot_actions,
)
from actions.complaint_filing import Complaint, file_complaint
from actions.complaints import DESCRIPTION, forget_complaint, has_words, snippet
from actions.db import in_transaction
from actions.forms import end_form
from actions.language import is_payload
from ticketing import services
from ticketing.clock import utcnow
from ticketing.models import Ticket

log = logging.getLogger(__name__)

TRANSCRIPT_MESSAGES: Final = 10


@dataclass(frozen=True)
class HandedOff:
    number: str
    wait_minutes: int | None  # the SLA target the customer is waiting on
    due_at: datetime | None  # when that target falls due


def handoff_reason(tracker: Tracker) -> str:
    """Why the conversation goes to a person, for the ticket's history."""
    if tracker.latest_action_name == "action_submit_complaint":
        return "major_complaint"
    if "action_fallback" in previous_bot_actions(tracker):
        return "fallback"
    return "request"


def customer_texts(tracker: Tracker, limit: int = TRANSCRIPT_MESSAGES) -> list[str]:
    """The customer's latest typed messages, oldest first (button payloads left out). Cleaned
    of control characters: the gateway refuses them, but Rasa's own channels do not, and the
    ticket made from them must not fail for it (services/validation.py)."""
    texts = [
        services.without_control_characters(str(event.get("text") or "")).strip()
        for event in tracker.events or []
        if event.get("event") == "user"
    ]
    typed = [text for text in texts if text and not is_payload(text)]
    return typed[-limit:]


def _waiting_on(ticket: Ticket) -> HandedOff:
    policy = ticket.sla_policy
    if ticket.first_responded_at is None:
        minutes = policy.first_response_minutes if policy else None
        due = ticket.first_response_due_at
    else:
        minutes = policy.next_response_minutes if policy else None
        due = ticket.next_response_due_at
    return HandedOff(ticket.number, minutes, due)


def hand_off(
    session: Session,
    sender_id: str,
    metadata: dict[str, Any],
    *,
    reason: str,
    unfiled: Complaint | None,
    transcript: list[str],
    language: str,
    at: datetime,
) -> HandedOff:
    """Mark the conversation handed off and its open ticket with it. The complaint the
    customer was in the middle of is filed first: onto the open ticket when there is one, else
    as the ticket (`file_complaint`). With neither, a ticket is opened from what they wrote."""
    caller = find_caller(session, sender_id, metadata)
    conversation_id = sender_id if len(sender_id) <= CONVERSATION_ID_MAX else None
    ticket: Ticket | None
    if unfiled is not None:
        file_complaint(session, sender_id, metadata, unfiled, language, at)
    if caller.conversation is not None:
        ticket = services.hand_off_conversation(
            session, caller.conversation, services.Actor.bot(), reason=reason, at=at
        )
    else:
        ticket = services.open_ticket_of(session, conversation_id) if conversation_id else None
        if ticket is None:
            label = "Chat" if humanize.english(language) else "在线咨询"
            last = transcript[-1] if transcript else ""
            ticket = services.create_ticket(
                session,
                subject=f"{label}: {snippet(last, 80)}" if last else label,
                description="\n".join(transcript)[: services.DESCRIPTION_MAX],
                channel=caller.channel,
                actor=services.Actor.bot(),
                conversation_id=conversation_id,
                language=language,
                at=at,
            )
        services.hand_off_ticket(session, ticket, services.Actor.bot(), at=at)
    log.info("conversation handed off with %s (%s)", ticket.number, reason)
    return _waiting_on(ticket)


class ActionHandoff(KefuAction):
    """Hands the conversation to the agents, tells the customer how long they will wait, and
    pauses the bot."""

    def name(self) -> str:
        return "action_handoff"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Domain
    ) -> Events:
        language = language_of(tracker)
        metadata = latest_metadata(tracker)
        reason = handoff_reason(tracker)
        draft = Complaint.from_tracker(tracker) if tracker.get_slot(DESCRIPTION) else None
        unfiled = draft if draft is not None and has_words(draft.description) else None
        transcript = customer_texts(tracker)
        now = utcnow()
        handed = await in_transaction(
            lambda session: hand_off(
                session,
                tracker.sender_id,
                metadata,
                reason=reason,
                unfiled=unfiled,
                transcript=transcript,
                language=language,
                at=now,
            )
        )
        due = humanize.promise(handed.due_at, now, language)
        if handed.wait_minutes and due:
            dispatcher.utter_message(
                response="utter_handoff_wait",
                ticket_number=handed.number,
                wait=humanize.duration(handed.wait_minutes, language),
                due=due,
            )
        else:
            dispatcher.utter_message(response="utter_handoff_no_wait", ticket_number=handed.number)
        events: Events = [*forget_complaint()]
        if tracker.active_loop_name:
            events += end_form()
        # Rasa answers nothing more until the gateway's hand-back resumes the conversation.
        events.append(ConversationPaused())
        return events
