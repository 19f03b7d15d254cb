"""Ticket status for the customer: their own tickets only. A number that is someone else's gets
exactly the answer a number that does not exist gets, so numbers cannot be probed."""

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
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from actions import humanize
from actions.base import (
    Caller,
    Domain,
    Events,
    KefuAction,
    find_caller,
    language_of,
    latest_entity_values,
    latest_metadata,
    latest_text,
)
from actions.db import in_transaction
from actions.forms import CallerLookup, DynamicSlotsForm, checked, typed_answer
from actions.language import is_payload
from ticketing import services, triage
from ticketing.clock import utcnow
from ticketing.errors import NotFound
from ticketing.models import (
    OPEN_STATUSES,
    Status,
    Ticket,
    format_ticket_number,
    parse_ticket_number,
)

log = logging.getLogger(__name__)

TICKET_NUMBER: Final = "ticket_number"
LISTED_TICKETS: Final = 3
_NUMBER_IN_TEXT: Final = re.compile(r"(?<![A-Za-z0-9])T-?\s?(\d{1,12})(?!\d)", re.IGNORECASE)
_BARE_NUMBER: Final = re.compile(r"^\s*(?:#|No\.?\s*)?(\d{1,12})\s*$", re.IGNORECASE)
ID_LIMIT: Final = 2**31  # ticket ids are 32-bit


def ticket_number_in(text: str, *, bare: bool = False) -> str | None:
    """A ticket number written in a message ("T-000123", "t123"; with `bare`, also "123"),
    in canonical form; None when there is none or it cannot be a ticket's."""
    text = triage.normalize(text)
    match = _NUMBER_IN_TEXT.search(text) or (_BARE_NUMBER.match(text) if bare else None)
    if match is None:
        return None
    ticket_id = parse_ticket_number(match.group(1))
    if ticket_id is None or not 0 < ticket_id < ID_LIMIT:
        return None
    return format_ticket_number(ticket_id)


def bare_ticket_number(text: str) -> str | None:
    """`ticket_number_in` for an answer to "which ticket?", where "123" is a number too."""
    return ticket_number_in(text, bare=True)


def own_tickets(session: Session, caller: Caller, *, limit: int) -> list[Ticket]:
    """The caller's open tickets, newest first: their customer's, or without a customer this
    conversation's."""
    stmt = select(Ticket).where(Ticket.status.in_(OPEN_STATUSES))
    if caller.customer is not None:
        stmt = stmt.where(Ticket.customer_id == caller.customer.id)
    else:
        stmt = stmt.where(Ticket.conversation_id == caller.sender_id)
    stmt = stmt.options(selectinload(Ticket.team)).order_by(Ticket.id.desc()).limit(limit)
    return list(session.scalars(stmt))


def ticket_for(session: Session, caller: Caller, number: str) -> Ticket | None:
    """The ticket if it is the caller's; None both when it does not exist and when it is not
    theirs."""
    try:
        ticket = services.get_ticket(session, number)
    except NotFound:
        return None
    if caller.customer is not None and ticket.customer_id == caller.customer.id:
        return ticket
    if ticket.conversation_id is not None and ticket.conversation_id == caller.sender_id:
        return ticket
    return None


@dataclass(frozen=True)
class TicketView:
    number: str
    status: str
    team: str
    next_step: str


NEXT_STEPS: Final[dict[str, dict[str, str]]] = {
    "first_reply": {
        "zh": "我们承诺在{due}前给您首次答复",
        "en": "a first reply is promised by {due}",
    },
    "reply": {"zh": "我们会在{due}前回复您", "en": "our next reply is due by {due}"},
    "resolution": {"zh": "我们力争在{due}前处理完毕", "en": "we aim to resolve it by {due}"},
    "overdue": {
        "zh": "已超过承诺时间，已为您加急处理",
        "en": "it is past the time we promised, so it has been escalated",
    },
    "waiting": {
        "zh": "需要您补充信息，收到回复后我们会继续处理",
        "en": "we need some information from you; we carry on as soon as you reply",
    },
    "done": {"zh": "已处理完毕，无需等待", "en": "nothing more is due"},
    "none": {"zh": "我们会尽快处理", "en": "we will handle it as soon as we can"},
}
NO_TEAM: Final = {"zh": "待分配", "en": "not assigned yet"}


def next_step(ticket: Ticket, now: datetime, language: str) -> str:
    """The next promise on the ticket, said in the customer's language."""
    lang = humanize.variant(language)
    if ticket.status in (Status.RESOLVED, Status.CLOSED):
        return NEXT_STEPS["done"][lang]
    if ticket.status is Status.PENDING:
        return NEXT_STEPS["waiting"][lang]
    clocks = (
        (
            "first_reply",
            ticket.first_response_due_at if ticket.first_responded_at is None else None,
        ),
        ("reply", ticket.next_response_due_at),
        ("resolution", ticket.resolution_due_at if ticket.resolved_at is None else None),
    )
    for kind, due_at in clocks:
        if due_at is None:
            continue
        due = humanize.promise(due_at, now, language)
        return NEXT_STEPS[kind][lang].format(due=due) if due else NEXT_STEPS["overdue"][lang]
    return NEXT_STEPS["none"][lang]


def view_of(ticket: Ticket, now: datetime, language: str) -> TicketView:
    lang = humanize.variant(language)
    return TicketView(
        number=ticket.number,
        status=humanize.status_label(ticket.status, language),
        team=ticket.team.name if ticket.team else NO_TEAM[lang],
        next_step=next_step(ticket, now, language),
    )


def status_views(
    session: Session,
    sender_id: str,
    metadata: dict[str, Any],
    number: str | None,
    language: str,
    now: datetime,
) -> list[TicketView]:
    caller = find_caller(session, sender_id, metadata)
    if number is not None:
        ticket = ticket_for(session, caller, number)
        return [view_of(ticket, now, language)] if ticket is not None else []
    return [view_of(t, now, language) for t in own_tickets(session, caller, limit=LISTED_TICKETS)]


def _any_open(session: Session, caller: Caller) -> bool:
    return bool(own_tickets(session, caller, limit=1))


# Whether the caller has an open ticket; with the store down, False (the form asks for a number
# and the answer apologises).
has_open_tickets: Final = CallerLookup("open ticket", _any_open, lambda tracker: False)


class ValidateTicketStatusForm(DynamicSlotsForm):
    """Asks for a ticket number only when the customer gave none and has no open ticket."""

    lookups = (has_open_tickets,)

    def name(self) -> str:
        return "validate_ticket_status_form"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: Domain,
    ) -> list[str]:
        if tracker.get_slot(TICKET_NUMBER) is not None or tracker.get_slot(REQUESTED_SLOT):
            return domain_slots
        # Nothing to ask a customer with open tickets: the action lists them.
        return [] if await has_open_tickets(tracker) else domain_slots

    def extract_ticket_number(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Domain
    ) -> dict[str, Any]:
        text = latest_text(tracker)
        if is_payload(text) or latest_entity_values(tracker, TICKET_NUMBER):
            return {}
        requested = tracker.get_slot(REQUESTED_SLOT) == TICKET_NUMBER
        number = ticket_number_in(text, bare=requested)
        if number is not None:
            return {TICKET_NUMBER: number}
        typed = typed_answer(tracker, TICKET_NUMBER, TICKET_NUMBER)
        # Validation says what a ticket number looks like.
        return {TICKET_NUMBER: typed} if typed is not None else {}

    def validate_ticket_number(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Domain
    ) -> dict[str, Any]:
        return checked(TICKET_NUMBER, value, bare_ticket_number, dispatcher, tracker)


class ActionCheckTicketStatus(KefuAction):
    """Answers with status, team and the next promised time of the ticket asked about, or of
    the customer's open tickets."""

    def name(self) -> str:
        return "action_check_ticket_status"

    def events_on_failure(self, tracker: Tracker) -> Events:
        return [SlotSet(TICKET_NUMBER, None)]

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Domain
    ) -> Events:
        raw = tracker.get_slot(TICKET_NUMBER)
        number = bare_ticket_number(str(raw)) if raw is not None else None
        language = language_of(tracker)
        metadata = latest_metadata(tracker)
        now = utcnow()
        if raw is not None and number is None:
            dispatcher.utter_message(response="utter_invalid_ticket_number")
            return [SlotSet(TICKET_NUMBER, None)]
        views = await in_transaction(
            lambda session: status_views(
                session, tracker.sender_id, metadata, number, language, now
            )
        )
        if number is not None and not views:
            dispatcher.utter_message(response="utter_ticket_not_found", ticket_number=number)
        elif not views:
            dispatcher.utter_message(response="utter_no_open_tickets")
        for view in views:
            dispatcher.utter_message(
                response="utter_ticket_status",
                ticket_number=view.number,
                status=view.status,
                team=view.team,
                next_step=view.next_step,
            )
        return [SlotSet(TICKET_NUMBER, None)]
