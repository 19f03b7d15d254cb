"""Filing a confirmed complaint: `action_submit_complaint` checks the form's answers again
(`Complaint`), opens the ticket through the service layer, or adds to the conversation's open
one (`file_complaint`, also used by the hand-off), with what triage thinks of its category
(`triage_note`), and tells the customer the ticket number and when the first answer is due.

The form that gathers the answers, the summary and cancelling are in `actions.complaints`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
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
)
from actions.complaints import (
    CATEGORY,
    CONFIRMATION,
    CONFIRMED,
    CONTACT_PHONE,
    DESCRIPTION,
    ORDER_NUMBER,
    SEVERITY,
    category_from_words,
    first_order_number,
    first_phone_number,
    forget_complaint,
    has_words,
    snippet,
)
from actions.db import in_transaction
from ticketing import services, triage
from ticketing.clock import utcnow
from ticketing.models import Category, IdentityKind, Severity

log = logging.getLogger(__name__)

SUBJECT_CHARS: Final = 80


@dataclass(frozen=True)
class Complaint:
    """The confirmed answers of the form, checked again before they reach the store."""

    description: str
    order_number: str | None
    contact_phone: str | None
    category: Category
    severity: Severity

    @classmethod
    def from_tracker(cls, tracker: Tracker) -> Complaint:
        description = str(tracker.get_slot(DESCRIPTION) or "").strip()[: services.DESCRIPTION_MAX]
        return cls(
            description=description,
            order_number=first_order_number(str(tracker.get_slot(ORDER_NUMBER) or "")),
            contact_phone=first_phone_number(str(tracker.get_slot(CONTACT_PHONE) or "")),
            category=category_from_words(str(tracker.get_slot(CATEGORY) or "")) or Category.OTHER,
            severity=(
                Severity.MAJOR
                if tracker.get_slot(SEVERITY) == Severity.MAJOR.value
                else Severity.GENERAL
            ),
        )

    @property
    def subject(self) -> str:
        first_line = next((line for line in self.description.splitlines() if line.strip()), "")
        return snippet(first_line or self.description, SUBJECT_CHARS) or "-"

    def report(self) -> services.Report:
        """The complaint as the store files it, with what triage thinks of its category."""
        return services.Report(
            subject=self.subject,
            description=self.description,
            category=self.category,
            severity=self.severity,
            order_number=self.order_number,
            **triage_note(self),
        )


@dataclass(frozen=True)
class Filed:
    number: str
    first_response_due_at: datetime | None


def file_complaint(
    session: Session,
    sender_id: str,
    metadata: dict[str, Any],
    complaint: Complaint,
    language: str,
    at: datetime,
) -> Filed:
    """File a confirmed complaint, onto the conversation's open ticket if it has one. A customer
    the channel does not identify is found, or created, by the phone number they gave."""
    caller = find_caller(session, sender_id, metadata)
    customer = caller.customer
    if customer is None and complaint.contact_phone:
        customer = services.get_or_create_customer(
            session, IdentityKind.PHONE, complaint.contact_phone, language=language
        )
    filing = services.file_on_conversation(
        session,
        complaint.report(),
        conversation_id=sender_id if len(sender_id) <= CONVERSATION_ID_MAX else None,
        channel=caller.channel,
        actor=services.Actor.bot(),
        customer=customer,
        language=language,
        at=at,
    )
    log.info(
        "complaint %s %s (%s, %s, %s)",
        "filed as" if filing.created else "added to",
        filing.ticket.number,
        caller.channel.value,
        complaint.category.value,
        complaint.severity.value,
    )
    return Filed(filing.ticket.number, filing.due_at)


def triage_note(complaint: Complaint) -> dict[str, Any]:
    """What triage says of the filed category (confidence, runner-up, secondary), for the agent;
    nothing when the classifier cannot run (the ticket is filed all the same)."""
    try:
        note = triage.triage(complaint.description).seen_as(complaint.category)
    except Exception as exc:
        log.warning("triage failed: %s", type(exc).__name__)
        return {}
    return {
        "triage_confidence": round(note.confidence, 4),
        "triage_runner_up": note.runner_up,
        "secondary_categories": note.secondary,
    }


class ActionSubmitComplaint(KefuAction):
    """Files the confirmed complaint and tells the customer the ticket number and when the
    first answer is due. A major complaint keeps its severity for the hand-off rule."""

    apology = "utter_complaint_not_filed"

    def name(self) -> str:
        return "action_submit_complaint"

    def events_on_failure(self, tracker: Tracker) -> Events:
        # The answers stay: the next "I want to complain" only asks to confirm them again.
        return [SlotSet(CONFIRMATION, None), SlotSet(SEVERITY, None)]

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Domain
    ) -> Events:
        if tracker.get_slot(CONFIRMATION) != CONFIRMED:
            dispatcher.utter_message(response="utter_complaint_cancelled")
            return forget_complaint()
        complaint = Complaint.from_tracker(tracker)
        if not has_words(complaint.description):
            dispatcher.utter_message(response="utter_complaint_cancelled")
            return forget_complaint()
        language = language_of(tracker)
        metadata = latest_metadata(tracker)
        now = utcnow()
        filed = await in_transaction(
            lambda session: file_complaint(
                session, tracker.sender_id, metadata, complaint, language, now
            )
        )
        due = humanize.promise(filed.first_response_due_at, now, language)
        if due:
            dispatcher.utter_message(
                response="utter_complaint_filed", ticket_number=filed.number, due=due
            )
        else:
            dispatcher.utter_message(
                response="utter_complaint_filed_no_due", ticket_number=filed.number
            )
        major = complaint.severity is Severity.MAJOR
        return forget_complaint(keep=(SEVERITY,) if major else ())
