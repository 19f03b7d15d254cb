"""A complaint on a conversation that already has an open ticket goes onto that ticket: one
ticket per case. The gateway hands a conversation to a person when Rasa times out, filing a
ticket for it, and the complaint form may still complete afterwards (its action was already
running)."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from actions.complaint_filing import ActionSubmitComplaint
from actions.handoff import ActionHandoff
from tests.actions.helpers import WEB_SENDER, make_tracker, run
from tests.actions.test_complaints import CONFIRMED, REST_SENDER, web_customer
from tests.factories import make_policy
from ticketing import services
from ticketing.models import (
    OPEN_STATUSES,
    Category,
    Channel,
    Conversation,
    ConversationState,
    Message,
    MessageKind,
    Priority,
    Ticket,
)

# Filing a complaint runs the triage model; without it these tests skip.
pytestmark = pytest.mark.usefixtures("triage_model")

FIRST_MESSAGE = "我要投诉，鞋底开胶了"


def gateway_hands_off(factory: sessionmaker[Session], text: str = FIRST_MESSAGE) -> str:
    """What the gateway does when Rasa does not answer in time: the customer's message is kept
    and the conversation goes to the agents' queue with a ticket. Returns its number."""
    with factory.begin() as session:
        record = services.record_inbound_message(
            session, Channel.WEB, WEB_SENDER.removeprefix("web:"), text
        )
        ticket = services.hand_off_conversation(
            session, record.conversation, services.Actor.system(), reason="bot_unavailable"
        )
        return ticket.number


def open_tickets(factory: sessionmaker[Session]) -> list[Ticket]:
    with factory() as session:
        return list(
            session.scalars(
                select(Ticket)
                .where(Ticket.conversation_id == WEB_SENDER, Ticket.status.in_(OPEN_STATUSES))
                .order_by(Ticket.id)
            )
        )


def test_a_complaint_after_the_gateway_handed_off_goes_on_the_same_ticket(store) -> None:
    web_customer(store)
    with store.begin() as session:
        make_policy(session, Priority.NORMAL, first_response=60)
    number = gateway_hands_off(store)

    ran = run(ActionSubmitComplaint(), make_tracker("/affirm", intent="affirm", slots=CONFIRMED))

    assert [ticket.number for ticket in open_tickets(store)] == [number]
    message = ran.message("utter_complaint_filed")
    assert message["ticket_number"] == number
    with store() as session:
        conversation = session.get(Conversation, WEB_SENDER)
        assert conversation is not None and conversation.ticket is not None
        assert conversation.ticket.number == number


def test_the_complaint_fills_the_handed_off_ticket_and_is_noted_in_its_history(store) -> None:
    web_customer(store)
    number = gateway_hands_off(store)

    run(ActionSubmitComplaint(), make_tracker("/affirm", intent="affirm", slots=CONFIRMED))

    with store() as session:
        ticket = session.scalars(select(Ticket)).one()
        assert ticket.number == number
        assert ticket.handed_off
        assert ticket.order_number == "A2024-1181"
        assert ticket.category is Category.PRODUCT_QUALITY
        assert ticket.triage_confidence is not None  # what triage thought, for the agent
        notes = session.scalars(
            select(Message.body).where(
                Message.ticket_id == ticket.id, Message.kind == MessageKind.NOTE
            )
        ).all()
        assert len(notes) == 1 and "订单A2024-1181的鞋底开胶了" in notes[0]


def test_the_confirmation_is_in_english_for_an_english_customer(store) -> None:
    web_customer(store)
    with store.begin() as session:
        make_policy(session, Priority.NORMAL, first_response=60)
    number = gateway_hands_off(store, "I want to complain, the sole came off")

    ran = run(
        ActionSubmitComplaint(),
        make_tracker("/affirm", intent="affirm", slots={**CONFIRMED, "language": "en"}),
    )

    message = ran.message("utter_complaint_filed")
    assert message["ticket_number"] == number
    assert message["due"].endswith(("today", "tomorrow")) or " on " in message["due"]


def test_a_rest_client_handed_off_then_complaining_keeps_one_ticket(store) -> None:
    # Rasa's REST channel: no conversation row, the hand-off ticket just names the sender.
    handoff = make_tracker("human please", intent="request_human", sender_id=REST_SENDER)
    number = run(ActionHandoff(), handoff).message("utter_handoff_no_wait")["ticket_number"]

    ran = run(
        ActionSubmitComplaint(),
        make_tracker(
            "/affirm",
            intent="affirm",
            slots={**CONFIRMED, "contact_phone": "+8613800138000"},
            sender_id=REST_SENDER,
        ),
    )

    assert ran.message("utter_complaint_filed_no_due")["ticket_number"] == number
    with store() as session:
        ticket = session.scalars(select(Ticket)).one()
        assert ticket.customer is not None  # found by the phone number the complaint gave


def test_a_half_way_complaint_at_a_hand_off_goes_on_the_open_ticket(store) -> None:
    web_customer(store)
    number = gateway_hands_off(store)
    with store.begin() as session:
        # Handed back to the bot; the customer starts a complaint, then asks for a person.
        conversation = session.get(Conversation, WEB_SENDER)
        assert conversation is not None
        conversation.state = ConversationState.BOT

    run(
        ActionHandoff(),
        make_tracker(
            "我要找真人",
            intent="request_human",
            active_loop="complaint_form",
            slots={**CONFIRMED, "complaint_confirmation": None},
        ),
    )

    [ticket] = open_tickets(store)
    assert ticket.number == number
    assert ticket.order_number == "A2024-1181"


# --- the other order: the complaint's ticket first, then a hand-off ---------------------------


def test_a_hand_off_after_the_complaint_uses_the_complaints_ticket(store) -> None:
    web_customer(store)
    ran = run(ActionSubmitComplaint(), make_tracker("/affirm", intent="affirm", slots=CONFIRMED))
    number = ran.message("utter_complaint_filed_no_due")["ticket_number"]

    assert gateway_hands_off(store, "在吗？") == number  # the gateway's time-out
    handed = run(ActionHandoff(), make_tracker("转人工", intent="request_human"))

    assert handed.message("utter_handoff_no_wait")["ticket_number"] == number
    [ticket] = open_tickets(store)
    assert ticket.handed_off
    assert ticket.category is Category.PRODUCT_QUALITY
