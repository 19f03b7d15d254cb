"""Every custom action answers bad input politely and never raises: empty messages, 5,000
characters, emoji, SQL and HTML fragments, unknown ticket numbers, and a store that is down."""

from __future__ import annotations

import logging
from typing import Any

import pytest
import yaml
from rasa_sdk import Action, Tracker

from actions.complaint_filing import ActionSubmitComplaint
from actions.complaints import (
    ActionAskComplaintConfirmation,
    ActionCancelComplaint,
    ValidateComplaintForm,
)
from actions.fallback import ActionFallback
from actions.handoff import ActionHandoff
from actions.language import ActionSetLanguage
from actions.status import ActionCheckTicketStatus, ValidateTicketStatusForm
from actions.survey import ActionRecordSurvey, ActionStartSurvey, ValidateSurveyForm
from tests.actions.helpers import DOMAIN_DIR, domain, make_tracker, run

# The actions file tickets through the triage model; without it these tests skip.
pytestmark = pytest.mark.usefixtures("triage_model")

BAD_INPUTS = [
    "",
    " ",
    "鞋" * 5000,
    "a" * 5000,
    "😀👍🔥💩",
    "'; DROP TABLE tickets; --",
    "<script>alert('x')</script><b>订单</b>",
    "T-999999",
    "T-99999999999999999999",
    "\x00\x01\ufffd",
    "{ticket_number} {0} %s",
    "/inform{not json",
]
ACTIONS: list[Action] = [
    ActionSetLanguage(),
    ValidateComplaintForm(),
    ActionAskComplaintConfirmation(),
    ActionSubmitComplaint(),
    ActionCancelComplaint(),
    ActionCheckTicketStatus(),
    ValidateTicketStatusForm(),
    ActionHandoff(),
    ActionFallback(),
    ActionStartSurvey(),
    ValidateSurveyForm(),
    ActionRecordSurvey(),
]
FORMS = {
    "validate_complaint_form": "complaint_form",
    "validate_ticket_status_form": "ticket_status_form",
    "validate_survey_form": "survey_form",
}
SLOTS = (
    "complaint_description",
    "order_number",
    "contact_phone",
    "complaint_category",
    "ticket_number",
    "survey_ticket_number",
    "follow_up_id",
    "csat_score",
    "nps_score",
    "survey_comment",
)
REQUESTED = {
    "validate_complaint_form": "order_number",
    "validate_ticket_status_form": "ticket_number",
    "validate_survey_form": "csat_score",
}


def bad_tracker(action: Action, text: str, language: str = "zh") -> Tracker:
    """The bad text as the message, and in every slot the action reads."""
    name = action.name()
    slots = {slot: text for slot in SLOTS}
    slots |= {"language": language, "severity": "major", "complaint_confirmation": "yes"}
    if name in REQUESTED:
        slots["requested_slot"] = REQUESTED[name]
    return make_tracker(
        text,
        intent="inform",
        entities=[{"entity": "ticket_number", "value": text}, {"entity": "score", "value": text}],
        slots=slots,
        active_loop=FORMS.get(name),
        candidates={REQUESTED[name]: text} if name in REQUESTED else None,
        sender_id="web:" + "x" * 40,
    )


@pytest.mark.parametrize("text", BAD_INPUTS, ids=range(len(BAD_INPUTS)))
@pytest.mark.parametrize("action", ACTIONS, ids=lambda action: action.name())
def test_bad_input_gets_a_reply_and_no_exception(
    store, caplog: pytest.LogCaptureFixture, action: Action, text: str
) -> None:
    caplog.set_level(logging.INFO)

    ran = run(action, bad_tracker(action, text))

    assert all(isinstance(event, dict) and "event" in event for event in ran.events)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text
    if action.name() not in ("action_set_language", "action_start_survey") and not (
        action.name().startswith("validate_")
    ):
        assert ran.messages, "the customer got no reply"


@pytest.mark.parametrize("action", ACTIONS, ids=lambda action: action.name())
def test_with_the_store_down_every_action_still_answers(
    store_down, caplog: pytest.LogCaptureFixture, action: Action
) -> None:
    ran = run(action, bad_tracker(action, "订单A2024-1181的鞋底开胶了 T-000001 13800138000"))

    assert all(isinstance(event, dict) for event in ran.events)
    if action.name() in ("action_submit_complaint", "action_check_ticket_status", "action_handoff"):
        assert ran.messages and ran.messages[0]["response"] in (
            "utter_action_failed",
            "utter_complaint_not_filed",
        )


def test_logs_name_the_error_type_and_never_customer_text(
    store_down, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    secret = "我的电话 13800138000 订单A2024-1181"

    run(ActionSubmitComplaint(), bad_tracker(ActionSubmitComplaint(), secret))

    assert "action_submit_complaint failed: OperationalError" in caplog.text
    assert "13800138000" not in caplog.text
    assert "A2024-1181" not in caplog.text


def test_domain_has_every_response_the_actions_name() -> None:
    responses = set(domain()["responses"])
    used = {
        "utter_action_failed",
        "utter_complaint_not_filed",
        "utter_ask_complaint_confirmation",
        "utter_ask_complaint_confirmation_with_phone",
        "utter_complaint_is_major",
        "utter_complaint_filed",
        "utter_complaint_filed_no_due",
        "utter_complaint_cancelled",
        "utter_invalid_complaint_description",
        "utter_invalid_order_number",
        "utter_invalid_contact_phone",
        "utter_invalid_complaint_category",
        "utter_ticket_status",
        "utter_ticket_not_found",
        "utter_no_open_tickets",
        "utter_invalid_ticket_number",
        "utter_handoff_wait",
        "utter_handoff_no_wait",
        "utter_offer_human",
        "utter_default",
        "utter_survey_thanks",
        "utter_survey_thanks_low_score",
        "utter_survey_stopped",
        "utter_invalid_csat_score",
        "utter_invalid_nps_score",
    }
    assert used <= responses


MY_DOMAIN_FILES = ("complaints", "status", "handoff", "survey", "fallback")


def test_every_response_speaks_both_languages_and_has_a_fallback() -> None:
    responses: dict[str, list[dict[str, Any]]] = {}
    for stem in MY_DOMAIN_FILES:
        text = (DOMAIN_DIR / f"{stem}.yml").read_text("utf-8")
        responses |= yaml.safe_load(text)["responses"]
    for name, variations in responses.items():
        languages = {
            condition["value"]
            for variation in variations
            for condition in variation.get("condition", [])
            if condition.get("name") == "language"
        }
        unconditional = [v for v in variations if not v.get("condition")]
        assert languages == {"zh", "en"}, name
        assert unconditional, name
