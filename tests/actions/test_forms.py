"""The form validators' shared base: the error boundary, caller facts read once per run, and
reading and rejecting typed answers."""

from __future__ import annotations

import inspect
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import ActionExecutor, CollectingDispatcher
from sqlalchemy.orm import Session

from actions.base import Caller, Domain
from actions.forms import (
    CallerLookup,
    DynamicSlotsForm,
    KefuFormValidation,
    checked,
    typed_answer,
)
from tests.actions.helpers import domain, make_tracker, run

PROBE_DOMAIN = domain(forms={"probe_form": {"required_slots": ["probe"]}})
reads: list[str] = []


def _read(session: Session, caller: Caller) -> str:
    reads.append(caller.sender_id)
    return f"read {len(reads)}"


PROBE = CallerLookup("probe", _read, lambda tracker: "store down")


class ValidateProbeForm(KefuFormValidation):
    """Asks for the caller fact twice in a run, as a form's `required_slots` and validators do."""

    lookups = (PROBE,)

    def name(self) -> str:
        return "validate_probe_form"

    async def extract_probe(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Domain
    ) -> dict[str, Any]:
        answers = [await PROBE(tracker), await PROBE(tracker)]
        if "fail" in answers:
            raise RuntimeError("the form broke")
        return {"probe": answers}


def probe_tracker() -> Tracker:
    return make_tracker("hi", slots={"requested_slot": "probe"}, active_loop="probe_form")


def test_a_caller_fact_is_read_once_per_run_and_afresh_the_next_run(store) -> None:
    reads.clear()

    first = run(ValidateProbeForm(), probe_tracker(), PROBE_DOMAIN)
    second = run(ValidateProbeForm(), probe_tracker(), PROBE_DOMAIN)

    assert first.slots()["probe"] == ["read 1", "read 1"]
    assert second.slots()["probe"] == ["read 2", "read 2"]
    assert len(reads) == 2


def test_with_the_store_down_the_form_goes_on_with_what_it_assumes(
    store_down, caplog: pytest.LogCaptureFixture
) -> None:
    ran = run(ValidateProbeForm(), probe_tracker(), PROBE_DOMAIN)

    assert ran.slots()["probe"] == ["store down", "store down"]
    assert "probe lookup failed: OperationalError" in caplog.text


def test_a_failing_validation_run_apologises_and_changes_nothing(
    store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(PROBE, "_read", lambda session, caller: "fail")
    monkeypatch.setattr(PROBE, "_store_down", lambda tracker: "fail")

    ran = run(ValidateProbeForm(), probe_tracker(), PROBE_DOMAIN)

    assert ran.events == []
    assert ran.responses == ["utter_action_failed"]


def test_the_form_base_classes_are_not_registered_as_actions() -> None:
    executor = ActionExecutor()
    executor.register_package("actions")  # a registered base class, without a name, breaks it

    assert inspect.isabstract(KefuFormValidation)
    assert inspect.isabstract(DynamicSlotsForm)
    assert set(executor.actions) >= {
        "validate_complaint_form",
        "validate_ticket_status_form",
        "validate_survey_form",
    }


@pytest.mark.parametrize(
    ("text", "intent", "entities", "typed"),
    [
        ("  物流  ", "inform", [], "物流"),
        ("物流", "inform", [{"entity": "category", "value": "delivery"}], None),
        ("/inform", "inform", [], None),
        ("   ", "inform", [], None),
        ("算了", "cancel", [], None),
        ("退货要多久？", "faq", [], None),
    ],
)
def test_a_typed_answer_is_what_the_customer_wrote_for_the_slot_asked(
    text: str, intent: str, entities: list[dict[str, Any]], typed: str | None
) -> None:
    tracker = make_tracker(
        text, intent=intent, entities=entities, slots={"requested_slot": "complaint_category"}
    )

    assert typed_answer(tracker, "complaint_category", "category") == typed
    assert typed_answer(tracker, "order_number", "category") is None  # not the slot asked for


def test_a_value_that_does_not_parse_is_rejected_aloud_only_when_asked_for() -> None:
    asked = make_tracker("abc", slots={"requested_slot": "order_number"})
    in_passing = make_tracker("abc", slots={"requested_slot": "contact_phone"})
    dispatcher = CollectingDispatcher()

    assert checked("order_number", "abc", lambda text: None, dispatcher, asked) == {
        "order_number": None
    }
    assert checked("order_number", "abc", lambda text: None, dispatcher, in_passing) == {
        "order_number": None
    }
    assert checked("order_number", None, str.upper, dispatcher, asked) == {"order_number": None}
    assert checked("order_number", "a1", str.upper, dispatcher, asked) == {"order_number": "A1"}
    assert [m["response"] for m in dispatcher.messages] == ["utter_invalid_order_number"]
