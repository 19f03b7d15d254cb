"""Correcting the complaint summary (issue 16): a "no" asks what to change, a button or a
message naming the fix changes one answer, and only an explicit cancel cancels (the rules)."""

from __future__ import annotations

from typing import Any

import pytest

from actions.complaints import ActionAskComplaintConfirmation, named_category
from tests.actions.helpers import make_tracker, run
from tests.actions.test_complaints import REST_SENDER, validate, web_customer

# Taking a description runs the triage model; without it these tests skip.
pytestmark = pytest.mark.usefixtures("triage_model")

SUMMARISED: dict[str, Any] = {
    "requested_slot": "complaint_confirmation",
    "complaint_description": "鞋底开胶了",
    "order_number": "A2024-1181",
    "complaint_category": "product_quality",
    "severity": "general",
}


@pytest.mark.parametrize("text", ["不对", "不是", "no", "no, that's not right"])
def test_no_at_the_summary_asks_what_to_change(store, text: str) -> None:
    web_customer(store)

    ran = validate(text, intent="deny", slots=SUMMARISED)

    assert ran.slots() == {
        "complaint_confirmation": None,
        "complaint_change": "asked",
        "requested_slot": "complaint_confirmation",
    }
    assert ran.responses == []  # the question itself is action_ask_complaint_confirmation's


@pytest.mark.parametrize(
    ("text", "intent", "category"),
    [
        ("no, that's not right, it's about the price", "deny", "price"),
        ("it's about the price", "inform", "price"),
        ("是价格的问题", "faq", "price"),
        ("不对，是物流的问题", "deny", "delivery"),
        ("類型不對，是服務態度", "inform", "service"),
    ],
)
def test_a_message_naming_the_type_changes_it(store, text: str, intent: str, category: str) -> None:
    web_customer(store)

    ran = validate(text, intent=intent, slots={**SUMMARISED, "complaint_change": "asked"})

    assert ran.slots()["complaint_category"] == category
    assert ran.slots()["complaint_change"] is None
    assert ran.slots()["requested_slot"] == "complaint_confirmation"  # the summary again


@pytest.mark.parametrize(
    ("text", "intent"),
    [("订单号是A2025-0110", "inform"), ("no, the order number is A2025-0110", "deny")],
)
def test_a_message_naming_the_order_number_changes_it(store, text: str, intent: str) -> None:
    web_customer(store)

    ran = validate(text, intent=intent, slots=SUMMARISED)

    assert ran.slots()["order_number"] == "A2025-0110"
    assert "complaint_category" not in ran.slots()  # the type stays
    assert ran.slots()["requested_slot"] == "complaint_confirmation"


def test_a_phone_number_after_no_changes_the_phone(store) -> None:
    ran = validate(
        "不对，电话是13912345678",
        intent="deny",
        sender_id=REST_SENDER,
        slots={**SUMMARISED, "contact_phone": "+8613800138000"},
    )

    assert ran.slots()["contact_phone"] == "+8613912345678"
    assert ran.slots()["requested_slot"] == "complaint_confirmation"
    assert "complaint_change" not in ran.slots()


def test_a_change_button_after_no_asks_that_answer_and_forgets_the_question(store) -> None:
    web_customer(store)

    ran = validate(
        '/inform{"complaint_field":"complaint_category"}',
        intent="inform",
        entities=[{"entity": "complaint_field", "value": "complaint_category"}],
        slots={**SUMMARISED, "complaint_change": "asked"},
    )

    assert ran.slots()["complaint_category"] is None
    assert ran.slots()["complaint_change"] is None
    assert ran.slots()["requested_slot"] == "complaint_category"


def test_a_word_in_passing_is_not_a_type_when_it_names_two() -> None:
    assert named_category("no, the courier was fine, the quality is the problem") is None
    assert named_category("the order number is A2025-0110") is None
    assert named_category("是价格的问题") == "price"


@pytest.mark.parametrize(
    ("phone", "response"),
    [
        (None, "utter_ask_complaint_change"),
        ("+8613800138000", "utter_ask_complaint_change_with_phone"),
    ],
)
def test_after_no_the_summary_asks_what_to_change(phone: str | None, response: str) -> None:
    tracker = make_tracker(
        "不对",
        intent="deny",
        slots={
            "complaint_description": "鞋跟断了摔伤了",
            "order_number": "A2024-1181",
            "contact_phone": phone,
            "complaint_category": "product_quality",
            "severity": "major",
            "complaint_change": "asked",
        },
    )

    ran = run(ActionAskComplaintConfirmation(), tracker)

    assert ran.responses == [response]
