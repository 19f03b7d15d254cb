"""Hand-off to a person, and the two-stage fallback that offers it."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from actions.fallback import ActionFallback
from actions.handoff import ActionHandoff
from tests.actions.helpers import WEB_SENDER, bot_turn, domain, make_tracker, run
from tests.factories import make_policy, make_ticket
from ticketing import services
from ticketing.models import (
    Category,
    Channel,
    Conversation,
    ConversationState,
    EventKind,
    Priority,
    Severity,
    Ticket,
    TicketEvent,
)


def web_conversation(factory: sessionmaker[Session]) -> None:
    with factory.begin() as session:
        services.get_or_create_conversation(session, Channel.WEB, WEB_SENDER.removeprefix("web:"))
        make_policy(session, Priority.NORMAL, first_response=30)
        make_policy(session, Priority.HIGH, first_response=15)


def handoff_reasons(factory: sessionmaker[Session]) -> list[str | None]:
    with factory() as session:
        return [
            event.data.get("reason")
            for event in session.scalars(
                select(TicketEvent).where(TicketEvent.kind == EventKind.ASSIGNED)
            )
        ]


def test_asking_for_a_person_queues_the_conversation_with_a_ticket(store) -> None:
    web_conversation(store)

    ran = run(ActionHandoff(), make_tracker("转人工", intent="request_human"))

    with store() as session:
        conversation = session.get(Conversation, WEB_SENDER)
        assert conversation is not None
        assert conversation.state is ConversationState.QUEUED
        ticket = session.scalars(select(Ticket)).one()
        assert ticket.handed_off
        assert ticket.conversation_id == WEB_SENDER
    message = ran.message("utter_handoff_wait")
    assert message["ticket_number"] == ticket.number
    assert message["wait"] == "30 分钟"
    assert message["due"]
    assert {"event": "pause"} in [{"event": e["event"]} for e in ran.events]
    assert handoff_reasons(store) == ["request"]


def test_the_wait_is_said_in_english_to_an_english_customer(store) -> None:
    web_conversation(store)

    ran = run(
        ActionHandoff(), make_tracker("agent", intent="request_human", slots={"language": "en"})
    )

    assert ran.message("utter_handoff_wait")["wait"] == "30 minutes"


def test_a_filed_major_complaint_is_handed_off_on_its_own_ticket(store) -> None:
    web_conversation(store)
    with store.begin() as session:
        conversation = session.get(Conversation, WEB_SENDER)
        assert conversation is not None
        number = make_ticket(
            session,
            customer=conversation.customer,
            conversation_id=WEB_SENDER,
            priority=Priority.HIGH,
        ).number

    ran = run(
        ActionHandoff(),
        make_tracker(
            "/affirm",
            intent="affirm",
            slots={"severity": "major"},
            latest_action_name="action_submit_complaint",
        ),
    )

    assert ran.message("utter_handoff_wait")["ticket_number"] == number
    assert ran.message("utter_handoff_wait")["wait"] == "15 分钟"
    assert ran.slots()["severity"] is None
    assert handoff_reasons(store) == ["major_complaint"]


def test_a_complaint_left_half_way_is_filed_for_the_agent(store) -> None:
    web_conversation(store)

    run(
        ActionHandoff(),
        make_tracker(
            "我要找真人",
            intent="request_human",
            active_loop="complaint_form",
            slots={
                "complaint_description": "鞋底开胶了",
                "order_number": "A2024-1181",
                "complaint_category": "product_quality",
                "severity": "general",
                "requested_slot": "complaint_confirmation",
            },
        ),
    )

    with store() as session:
        ticket = session.scalars(select(Ticket)).one()
        assert ticket.category is Category.PRODUCT_QUALITY
        assert ticket.severity is Severity.GENERAL
        assert ticket.order_number == "A2024-1181"
        assert ticket.handed_off


def test_a_rest_client_without_a_conversation_gets_a_ticket_with_what_it_wrote(store) -> None:
    ran = run(
        ActionHandoff(),
        make_tracker(
            "human please",
            intent="request_human",
            sender_id="rest-1",
            history=bot_turn("action_fallback", text="my parcel went to the wrong city"),
            slots={"language": "en"},
        ),
    )

    with store() as session:
        ticket = session.scalars(select(Ticket)).one()
        assert ticket.handed_off
        assert ticket.channel is Channel.API
        assert ticket.conversation_id == "rest-1"
        assert "my parcel went to the wrong city" in ticket.description
    assert ran.responses == ["utter_handoff_no_wait"]  # no SLA policies in this store
    assert handoff_reasons(store) == [None]  # mark_handed_off records no reason


def test_the_form_in_progress_stops(store) -> None:
    web_conversation(store)

    ran = run(
        ActionHandoff(),
        make_tracker("转人工", intent="request_human", active_loop="survey_form"),
    )

    assert {"event": "active_loop", "name": None} in [
        {"event": e["event"], "name": e.get("name")}
        for e in ran.events
        if e["event"] == "active_loop"
    ]


def test_handoff_with_the_store_down_apologises_and_does_not_pause(store_down) -> None:
    ran = run(ActionHandoff(), make_tracker("转人工", intent="request_human"))

    assert ran.responses == ["utter_action_failed"]
    assert ran.events == []


# --- the two-stage fallback ------------------------------------------------------------------
# (with `store`: action_fallback looks for a knowledge-base article first)


def test_first_fallback_asks_to_rephrase(store) -> None:
    with_rephrase = domain(
        responses={**domain()["responses"], "utter_ask_rephrase": [{"text": "?"}]}
    )

    ran = run(ActionFallback(), make_tracker("asdfgh", intent="nlu_fallback"), with_rephrase)

    assert ran.responses == ["utter_ask_rephrase"]


def test_first_fallback_without_the_rephrase_response_uses_the_default(store) -> None:
    responses = {k: v for k, v in domain()["responses"].items() if k != "utter_ask_rephrase"}

    ran = run(ActionFallback(), make_tracker("asdfgh"), domain(responses=responses))

    assert ran.responses == ["utter_default"]


def test_second_fallback_in_a_row_offers_a_person(store) -> None:
    tracker = make_tracker("qwerty", intent="nlu_fallback", history=bot_turn("action_fallback"))

    ran = run(ActionFallback(), tracker)

    assert ran.responses == ["utter_offer_human"]


def test_a_fallback_after_an_understood_turn_asks_to_rephrase_again(store) -> None:
    history = [*bot_turn("action_fallback"), *bot_turn("utter_greet")]
    tracker = make_tracker("qwerty", intent="nlu_fallback", history=history)

    ran = run(ActionFallback(), tracker, domain(responses={"utter_ask_rephrase": []}))

    assert ran.responses == ["utter_ask_rephrase"]


def test_the_offer_names_handoff_as_the_reason_for_the_ticket(store) -> None:
    web_conversation(store)

    run(
        ActionHandoff(),
        make_tracker("/request_human", intent="request_human", history=bot_turn("action_fallback")),
    )

    assert handoff_reasons(store) == ["fallback"]
