"""Filing what a customer reports on a conversation: one ticket per case.

A conversation that already has an open ticket (the gateway handed it to a person when the bot
did not answer, or an earlier hand-off) gets no second one: the report goes onto that ticket,
as a note in its history, and fills the fields it left empty. An agent with forty open tickets
wants the case in one place, not two tickets for one conversation to find and merge.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from ticketing import sla
from ticketing.models import (
    PRIORITY_ORDER,
    Category,
    Channel,
    Conversation,
    Customer,
    Priority,
    Severity,
    Ticket,
)
from ticketing.services.conversations import open_ticket_of
from ticketing.services.history import Actor
from ticketing.services.messages import add_note
from ticketing.services.tickets import create_ticket, default_priority, triage_ticket
from ticketing.services.validation import BODY_MAX, DESCRIPTION_MAX, at_or_now, text_field


@dataclass(frozen=True)
class Report:
    """What the customer reported: a complaint's answers, as `create_ticket` takes them."""

    subject: str
    description: str
    category: Category = Category.OTHER
    severity: Severity = Severity.GENERAL
    order_number: str | None = None
    triage_confidence: float | None = None
    triage_runner_up: Category | None = None
    secondary_categories: tuple[Category, ...] = ()


@dataclass(frozen=True)
class Filing:
    ticket: Ticket
    created: bool  # False: added to the conversation's open ticket

    @property
    def due_at(self) -> datetime | None:
        """When the customer is due an answer: the first response, or the next one when an
        agent has answered the open ticket already."""
        ticket = self.ticket
        if ticket.first_responded_at is None:
            return ticket.first_response_due_at
        return ticket.next_response_due_at


def file_on_conversation(
    session: Session,
    report: Report,
    *,
    conversation_id: str | None,
    channel: Channel,
    actor: Actor,
    customer: Customer | None = None,
    language: str = "zh",
    at: datetime | None = None,
) -> Filing:
    """File `report` for the conversation: on its open ticket when it has one (the report is
    added to it, `add_to_ticket`), else on a new ticket."""
    at = at_or_now(at)
    if conversation_id is not None:
        # The gateway's hand-off locks the conversation too: of the two at once, the second
        # waits, and reads the row again (the caller may have loaded it before) to find the
        # first one's ticket. PostgreSQL; SQLite has one writer at a time anyway.
        session.get(Conversation, conversation_id, with_for_update=True, populate_existing=True)
        ticket = open_ticket_of(session, conversation_id)
        if ticket is not None:
            add_to_ticket(session, ticket, report, actor, customer=customer, at=at)
            return Filing(ticket, created=False)
    ticket = create_ticket(
        session,
        subject=report.subject,
        description=report.description,
        channel=channel,
        actor=actor,
        customer=customer,
        category=report.category,
        severity=report.severity,
        conversation_id=conversation_id,
        order_number=report.order_number,
        language=language,
        at=at,
        triage_confidence=report.triage_confidence,
        triage_runner_up=report.triage_runner_up,
        secondary_categories=report.secondary_categories,
    )
    return Filing(ticket, created=True)


def add_to_ticket(
    session: Session,
    ticket: Ticket,
    report: Report,
    actor: Actor,
    *,
    customer: Customer | None = None,
    at: datetime | None = None,
) -> Ticket:
    """Put `report` on an open ticket: a note with all of it (the history shows it; a message,
    so a customer's erasure reaches it), and the fields the ticket left empty filled. The
    category replaces only `other`; severity and priority only ever go up, through triage, so
    the history records them and the SLA clocks follow."""
    at = at_or_now(at)
    if not ticket.description.strip():
        ticket.description = text_field(
            report.description, "description", max_len=DESCRIPTION_MAX, required=False
        )
    if ticket.order_number is None and report.order_number:
        ticket.order_number = text_field(report.order_number, "order_number", max_len=64)
    new_customer = ticket.customer is None and customer is not None
    if new_customer:
        ticket.customer = customer
    category = _filled_category(ticket, report)
    severity = Severity.MAJOR if report.severity is Severity.MAJOR else None
    priority = _raised_priority(ticket, report.severity)
    triage_ticket(
        session, ticket, actor, category=category, severity=severity, priority=priority, at=at
    )
    if new_customer and priority is None:
        # The customer's tier may call for another SLA policy at the same priority.
        sla.retarget(session, ticket, ticket.priority)
    add_note(session, ticket, actor, _note(report, ticket.language), at=at)
    ticket.updated_at = at
    return ticket


def _filled_category(ticket: Ticket, report: Report) -> Category | None:
    """The report's category for a ticket that has none yet (`other`), with what triage thought
    of it when the ticket has no triage of its own."""
    if ticket.category is not Category.OTHER or report.category is Category.OTHER:
        return None
    if ticket.triage_confidence is None and report.triage_confidence is not None:
        ticket.triage_confidence = report.triage_confidence
        ticket.triage_runner_up = report.triage_runner_up
        ticket.secondary_categories = [
            c.value for c in report.secondary_categories if c is not report.category
        ]
    return report.category


def _raised_priority(ticket: Ticket, severity: Severity) -> Priority | None:
    """The priority a new ticket of this severity would get, when it is above the ticket's."""
    tier = ticket.customer.tier if ticket.customer is not None else None
    wanted = default_priority(severity, tier)
    return wanted if PRIORITY_ORDER.index(wanted) > PRIORITY_ORDER.index(ticket.priority) else None


NOTE_WORDS = {
    "zh": ("客户在本对话中提交了投诉：", "订单号", "无", "类型", "严重程度"),
    "en": (
        "The customer filed a complaint on this conversation:",
        "Order number",
        "none",
        "Type",
        "Severity",
    ),
}


def _note(report: Report, language: str) -> str:
    heading, order, none, kind, severity = NOTE_WORDS.get(language, NOTE_WORDS["zh"])
    tail = "\n".join(
        [
            f"{order}: {report.order_number or none}",
            f"{kind}: {report.category.value}",
            f"{severity}: {report.severity.value}",
        ]
    )
    room = BODY_MAX - len(heading) - len(tail) - 2
    description = report.description.strip()
    if len(description) > room:
        description = description[: room - 1] + "…"
    return f"{heading}\n{description}\n{tail}"
