"""The complaint form's validation, the summary, filing the ticket and cancelling."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from actions.complaint_filing import ActionSubmitComplaint
from actions.complaints import (
    ActionAskComplaintConfirmation,
    ActionCancelComplaint,
    ValidateComplaintForm,
    mask_phone,
    says_what_happened,
)
from tests.actions.helpers import WEB_SENDER, Ran, make_tracker, run
from tests.factories import make_policy
from ticketing import services
from ticketing.models import (
    Category,
    Channel,
    Customer,
    CustomerIdentity,
    IdentityKind,
    Priority,
    Severity,
    Ticket,
    Tier,
)

# Filing a complaint runs the triage model; without it these tests skip.
pytestmark = pytest.mark.usefixtures("triage_model")

FORM = "complaint_form"
REST_SENDER = "rest-3f2a9c"  # a client of Rasa's REST channel the gateway never saw


def web_customer(
    factory: sessionmaker[Session], tier: Tier = Tier.REGULAR, sender: str = WEB_SENDER
) -> int:
    """A web conversation with its customer, as the gateway creates it on the first message."""
    with factory.begin() as session:
        conversation = services.get_or_create_conversation(
            session, Channel.WEB, sender.removeprefix("web:")
        )
        assert conversation.customer is not None
        conversation.customer.tier = tier
        return conversation.customer.id


def validate(text: str, **kwargs: Any) -> Ran:
    return run(ValidateComplaintForm(), make_tracker(text, active_loop=FORM, **kwargs))


# --- what the first message already says ---------------------------------------------------------


def test_first_message_fills_description_and_order_number_and_triages(store) -> None:
    web_customer(store)

    ran = validate("订单A2024-1181的鞋底开胶了", intent="file_complaint")

    slots = ran.slots()
    assert slots["complaint_description"] == "订单A2024-1181的鞋底开胶了"
    assert slots["order_number"] == "A2024-1181"
    assert slots["complaint_category"] == "product_quality"
    assert slots["severity"] == "general"
    # Nothing else to ask an identified customer: straight to the summary.
    assert slots["requested_slot"] == "complaint_confirmation"
    assert ran.messages == []


def test_a_bare_request_to_complain_asks_what_happened(store) -> None:
    web_customer(store)

    ran = validate("我要投诉", intent="file_complaint")

    assert "complaint_description" not in ran.slots()
    assert ran.slots()["requested_slot"] == "complaint_description"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("我要投诉", False),
        ("I want to file a complaint", False),
        ("我想投诉一下你们的订单A2024-1181", False),
        ("订单A2024-1181的鞋底开胶了", True),
        ("快递一直没到", True),
        ("The sole of my shoes came off after a week", True),
        ("my order A2024-1181 arrived damaged", True),
    ],
)
def test_a_first_message_counts_as_the_description_only_if_it_says_what_happened(
    text: str, expected: bool
) -> None:
    assert says_what_happened(text) is expected


def test_customer_the_channel_does_not_identify_is_asked_for_a_phone(store) -> None:
    ran = validate(
        "My order A2024-1181 arrived with a broken heel",
        intent="file_complaint",
        sender_id=REST_SENDER,
    )

    assert ran.slots()["requested_slot"] == "contact_phone"


def test_a_phone_number_in_the_first_message_is_not_asked_again(store) -> None:
    ran = validate(
        "鞋跟断了，订单A2024-1181，电话138 0013 8000",
        intent="file_complaint",
        sender_id=REST_SENDER,
    )

    assert ran.slots()["contact_phone"] == "+8613800138000"
    assert ran.slots()["requested_slot"] != "contact_phone"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("13800138000", "+8613800138000"),
        ("+86 139-1234-5678", "+8613912345678"),
        ("my number is +44 20 7946 0958", "+442079460958"),
        ("+1 415 555 0100", "+14155550100"),
    ],
)
def test_phone_numbers_are_kept_in_international_form(store, text: str, expected: str) -> None:
    ran = validate(
        text,
        intent="inform",
        sender_id=REST_SENDER,
        slots={"requested_slot": "contact_phone", "complaint_description": "鞋坏了"},
    )

    assert ran.slots()["contact_phone"] == expected


@pytest.mark.parametrize("text", ["12345", "call me", "020-1234", "+12"])
def test_something_that_is_no_phone_number_is_refused_politely(store, text: str) -> None:
    ran = validate(
        text, intent="inform", sender_id=REST_SENDER, slots={"requested_slot": "contact_phone"}
    )

    assert ran.slots()["contact_phone"] is None
    assert ran.responses == ["utter_invalid_contact_phone"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("A2024-1181", "A2024-1181"),
        ("a20241181", "A2024-1181"),
        ("订单号是Ａ２０２４－５５２１", "A2024-5521"),
    ],
)
def test_order_numbers_are_normalised(store, text: str, expected: str) -> None:
    web_customer(store)

    ran = validate(text, intent="inform", slots={"requested_slot": "order_number"})

    assert ran.slots()["order_number"] == expected


def test_an_order_number_in_the_wrong_format_is_asked_again(store) -> None:
    web_customer(store)

    ran = validate("12345", intent="inform", slots={"requested_slot": "order_number"})

    assert ran.slots()["order_number"] is None
    assert ran.responses == ["utter_invalid_order_number"]


@pytest.mark.parametrize(("text", "intent"), [("没有", "deny"), ("I don't have one", "inform")])
def test_a_customer_without_an_order_number_can_go_on(store, text: str, intent: str) -> None:
    web_customer(store)

    ran = validate(
        text,
        intent=intent,
        slots={"requested_slot": "order_number", "complaint_description": "客服态度很差"},
    )

    assert ran.slots()["order_number"] == ""
    assert ran.messages == []


def test_unsure_triage_lets_the_customer_pick_the_category(store) -> None:
    web_customer(store)

    asked = validate(
        "我要投诉一个事情嗯嗯嗯嗯",
        intent="inform",
        slots={"requested_slot": "complaint_description", "order_number": ""},
    )
    assert asked.slots()["complaint_category"] is None
    assert asked.slots()["requested_slot"] == "complaint_category"

    picked = validate(
        '/inform{"category":"delivery"}',
        intent="inform",
        entities=[{"entity": "category", "value": "delivery"}],
        slots={"requested_slot": "complaint_category", "order_number": ""},
        candidates={"complaint_category": "delivery"},
    )
    assert picked.slots()["complaint_category"] == "delivery"


def test_a_typed_category_name_is_understood(store) -> None:
    web_customer(store)

    ran = validate("物流配送", intent="inform", slots={"requested_slot": "complaint_category"})

    assert ran.slots()["complaint_category"] == "delivery"


@pytest.mark.parametrize(
    "text",
    [
        "穿了两天鞋跟断了，我摔伤了脚踝",
        "鞋底开胶，再不处理我就打12315",
        "The shoes gave my son a rash, I will call my lawyer",
    ],
)
def test_injury_and_threats_make_a_complaint_major(store, text: str) -> None:
    web_customer(store)

    ran = validate(text, intent="file_complaint")

    assert ran.slots()["severity"] == "major"


def test_every_complaint_of_a_key_account_is_major(store) -> None:
    web_customer(store, tier=Tier.KEY_ACCOUNT)

    ran = validate("鞋底开胶了，订单A2024-1181", intent="file_complaint")

    assert ran.slots()["severity"] == "major"


def test_summary_answer_yes_confirms(store) -> None:
    web_customer(store)

    ran = validate("/affirm", intent="affirm", slots={"requested_slot": "complaint_confirmation"})

    assert ran.slots()["complaint_confirmation"] == "yes"


def test_a_change_button_asks_that_answer_again(store) -> None:
    web_customer(store)
    filled = {
        "requested_slot": "complaint_confirmation",
        "complaint_description": "鞋底开胶了",
        "order_number": "A2024-1181",
        "complaint_category": "product_quality",
        "severity": "general",
    }

    ran = validate(
        '/inform{"complaint_field":"order_number"}',
        intent="inform",
        entities=[{"entity": "complaint_field", "value": "order_number"}],
        slots=filled,
    )

    assert ran.slots()["order_number"] is None
    assert ran.slots()["requested_slot"] == "order_number"


def test_a_typed_correction_with_the_new_number_is_not_asked_again(store) -> None:
    ran = validate(
        "电话写错了，应该是13912345678",
        intent="inform",
        sender_id=REST_SENDER,
        entities=[{"entity": "complaint_field", "value": "contact_phone"}],
        slots={
            "requested_slot": "complaint_confirmation",
            "complaint_description": "鞋底开胶了",
            "order_number": "A2024-1181",
            "contact_phone": "+8613800138000",
            "complaint_category": "product_quality",
        },
    )

    assert ran.slots()["contact_phone"] == "+8613912345678"
    assert ran.slots()["requested_slot"] == "complaint_confirmation"


def test_a_new_order_number_at_the_summary_corrects_the_old_one(store) -> None:
    web_customer(store)

    ran = validate(
        "订单号错了，应该是A2024-1190",
        intent="inform",
        slots={
            "requested_slot": "complaint_confirmation",
            "complaint_description": "鞋底开胶了",
            "order_number": "A2024-1181",
            "complaint_category": "product_quality",
        },
    )

    assert ran.slots()["order_number"] == "A2024-1190"
    assert ran.slots()["requested_slot"] == "complaint_confirmation"  # shown again, corrected


def test_a_question_while_asked_what_happened_is_left_to_the_faq_rules(store) -> None:
    web_customer(store)

    ran = validate(
        "退货运费谁出？", intent="faq", slots={"requested_slot": "complaint_description"}
    )

    assert "complaint_description" not in ran.slots()


def test_a_complaint_about_a_policy_is_a_description_even_if_it_reads_as_faq(store) -> None:
    web_customer(store)

    ran = validate(
        "你们的退货政策太坑了，运费要我自己出",
        intent="faq",
        slots={"requested_slot": "complaint_description"},
    )

    assert ran.slots()["complaint_description"] == "你们的退货政策太坑了，运费要我自己出"


def test_a_question_while_asked_for_the_order_number_is_not_called_a_bad_number(store) -> None:
    web_customer(store)

    ran = validate("订单号在哪里看？", intent="faq", slots={"requested_slot": "order_number"})

    assert "order_number" not in ran.slots()
    assert ran.messages == []


@pytest.mark.parametrize(("text", "intent"), [("13812345678", "inform"), ("嗯嗯", "nlu_fallback")])
def test_something_else_at_the_summary_shows_it_again(store, text: str, intent: str) -> None:
    web_customer(store)

    ran = validate(
        text,
        intent=intent,
        slots={
            "requested_slot": "complaint_confirmation",
            "complaint_description": "鞋底开胶了",
            "order_number": "A2024-1181",
            "complaint_category": "product_quality",
        },
    )

    assert ran.slots() == {
        "complaint_confirmation": None,
        "requested_slot": "complaint_confirmation",
    }


@pytest.mark.parametrize("intent", ["cancel", "request_human", "faq"])
def test_cancel_or_a_question_at_the_summary_is_left_to_the_rules(store, intent: str) -> None:
    web_customer(store)

    ran = validate("不要", intent=intent, slots={"requested_slot": "complaint_confirmation"})

    assert "complaint_confirmation" not in ran.slots()


def test_cancel_is_left_to_the_rules(store) -> None:
    web_customer(store)

    ran = validate(
        "算了不投诉了", intent="cancel", slots={"requested_slot": "complaint_description"}
    )

    assert "complaint_description" not in ran.slots()


def test_an_emoji_is_not_a_description(store) -> None:
    web_customer(store)

    ran = validate("😡😡", intent="inform", slots={"requested_slot": "complaint_description"})

    assert ran.slots()["complaint_description"] is None
    assert ran.responses == ["utter_invalid_complaint_description"]


# --- the summary ------------------------------------------------------------------------------


def test_summary_shows_the_answers_in_the_customers_language() -> None:
    tracker = make_tracker(
        "",
        slots={
            "language": "en",
            "complaint_description": "The sole came off",
            "order_number": "A2024-1181",
            "complaint_category": "product_quality",
            "severity": "general",
        },
    )

    ran = run(ActionAskComplaintConfirmation(), tracker)

    message = ran.message("utter_ask_complaint_confirmation")
    assert message["description"] == "The sole came off"
    assert message["order"] == "A2024-1181"
    assert message["category"] == "product quality"


def test_summary_of_a_major_complaint_says_it_is_a_priority_and_masks_the_phone() -> None:
    tracker = make_tracker(
        "",
        slots={
            "complaint_description": "鞋跟断了摔伤了",
            "order_number": "",
            "contact_phone": "+8613800138000",
            "complaint_category": "product_quality",
            "severity": "major",
        },
    )

    ran = run(ActionAskComplaintConfirmation(), tracker)

    assert ran.responses == [
        "utter_complaint_is_major",
        "utter_ask_complaint_confirmation_with_phone",
    ]
    message = ran.message("utter_ask_complaint_confirmation_with_phone")
    assert message["phone"] == "+86 138****8000"
    assert message["order"] == "无"


def test_mask_phone_keeps_the_ends() -> None:
    assert mask_phone("+442079460958") == "+442****0958"


# --- filing ----------------------------------------------------------------------------------


CONFIRMED = {
    "complaint_description": "订单A2024-1181的鞋底开胶了",
    "order_number": "A2024-1181",
    "complaint_category": "product_quality",
    "severity": "general",
    "complaint_confirmation": "yes",
}


def test_submit_files_the_ticket_for_the_conversations_customer(store) -> None:
    customer_id = web_customer(store)
    with store.begin() as session:
        make_policy(session, Priority.NORMAL, first_response=60)

    ran = run(ActionSubmitComplaint(), make_tracker("/affirm", intent="affirm", slots=CONFIRMED))

    with store() as session:
        ticket = session.scalars(select(Ticket)).one()
        assert ticket.conversation_id == WEB_SENDER
        assert ticket.customer_id == customer_id
        assert ticket.channel is Channel.WEB
        assert ticket.category is Category.PRODUCT_QUALITY
        assert ticket.severity is Severity.GENERAL
        assert ticket.order_number == "A2024-1181"
        assert ticket.description == "订单A2024-1181的鞋底开胶了"
        assert ticket.language == "zh"
        # what triage thought, for the agent: sure of the category, and the next best guess
        assert ticket.triage_confidence is not None and ticket.triage_confidence > 0.5
        assert ticket.triage_runner_up not in (None, Category.PRODUCT_QUALITY)
        assert Category.PRODUCT_QUALITY.value not in ticket.secondary_categories
    message = ran.message("utter_complaint_filed")
    assert message["ticket_number"] == ticket.number
    assert message["due"]  # e.g. "今天 15:04" or "明天 09:30"
    assert all(value is None for value in ran.slots().values())  # the form's answers go


def test_submit_answers_in_english_with_the_due_time_in_english(store) -> None:
    web_customer(store)
    with store.begin() as session:
        make_policy(session, Priority.NORMAL, first_response=60)

    ran = run(
        ActionSubmitComplaint(),
        make_tracker("/affirm", intent="affirm", slots={**CONFIRMED, "language": "en"}),
    )

    due = ran.message("utter_complaint_filed")["due"]
    assert due.endswith(("today", "tomorrow")) or " on " in due


def test_an_unidentified_customer_is_found_by_phone_and_the_channel_from_metadata(store) -> None:
    slots = {**CONFIRMED, "contact_phone": "+8613800138000"}

    run(
        ActionSubmitComplaint(),
        make_tracker(
            "/affirm",
            intent="affirm",
            slots=slots,
            sender_id=REST_SENDER,
            metadata={"channel": "telegram"},
        ),
    )

    with store() as session:
        ticket = session.scalars(select(Ticket)).one()
        assert ticket.channel is Channel.TELEGRAM
        assert ticket.conversation_id == REST_SENDER
        identity = session.scalars(select(CustomerIdentity)).one()
        assert identity.kind is IdentityKind.PHONE
        assert identity.value == "+8613800138000"
        assert ticket.customer_id == identity.customer_id


def test_without_an_sla_policy_the_reply_promises_no_time(store) -> None:
    web_customer(store)

    ran = run(ActionSubmitComplaint(), make_tracker("/affirm", intent="affirm", slots=CONFIRMED))

    assert ran.responses == ["utter_complaint_filed_no_due"]


def test_a_major_complaint_keeps_its_severity_for_the_hand_off(store) -> None:
    web_customer(store)

    ran = run(
        ActionSubmitComplaint(),
        make_tracker("/affirm", intent="affirm", slots={**CONFIRMED, "severity": "major"}),
    )

    assert "severity" not in ran.slots()
    with store() as session:
        ticket = session.scalars(select(Ticket)).one()
        assert ticket.severity is Severity.MAJOR
        assert ticket.priority is Priority.HIGH


def test_with_the_store_down_the_answers_are_kept_to_try_again(store_down) -> None:
    ran = run(ActionSubmitComplaint(), make_tracker("/affirm", intent="affirm", slots=CONFIRMED))

    assert ran.responses == ["utter_complaint_not_filed"]
    assert ran.slots() == {"complaint_confirmation": None, "severity": None}


def test_an_unconfirmed_complaint_is_never_filed(store) -> None:
    ran = run(
        ActionSubmitComplaint(),
        make_tracker("", slots={**CONFIRMED, "complaint_confirmation": None}),
    )

    assert ran.responses == ["utter_complaint_cancelled"]
    with store() as session:
        assert session.scalars(select(Ticket)).first() is None


def test_cancel_forgets_the_answers_and_stops_the_form() -> None:
    ran = run(
        ActionCancelComplaint(),
        make_tracker("取消", intent="cancel", slots=CONFIRMED, active_loop=FORM),
    )

    assert ran.responses == ["utter_complaint_cancelled"]
    assert {"event": "active_loop", "name": None} in [
        {"event": e["event"], "name": e.get("name")} for e in ran.events
    ]
    assert ran.slots()["complaint_description"] is None


def test_a_key_account_customer_gets_an_urgent_ticket(store) -> None:
    customer_id = web_customer(store, tier=Tier.KEY_ACCOUNT)

    run(
        ActionSubmitComplaint(),
        make_tracker("/affirm", intent="affirm", slots={**CONFIRMED, "severity": "major"}),
    )

    with store() as session:
        ticket = session.scalars(select(Ticket)).one()
        assert ticket.priority is Priority.URGENT
        assert session.get(Customer, customer_id) is not None
