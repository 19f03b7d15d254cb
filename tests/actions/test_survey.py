"""The follow-up survey: started by the external intent, scores from buttons or typed answers,
recorded on the ticket (a low score reopens it there)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from actions.language import ActionSetLanguage
from actions.survey import ActionRecordSurvey, ActionStartSurvey, ValidateSurveyForm, score_in
from tests.actions.helpers import WEB_SENDER, Ran, make_tracker, run
from tests.factories import make_ticket
from ticketing import services
from ticketing.models import Channel, FollowUp, FollowUpStatus, Status, SurveyResponse

FORM = "survey_form"


def resolved_ticket(
    factory: sessionmaker[Session], language: str = "zh", sender: str = WEB_SENDER
) -> tuple[str, int]:
    """A resolved ticket of the conversation's customer and its scheduled follow-up."""
    with factory.begin() as session:
        conversation = services.get_or_create_conversation(
            session, Channel.WEB, sender.removeprefix("web:"), language=language
        )
        ticket = make_ticket(session, customer=conversation.customer, conversation_id=sender)
        services.resolve_ticket(session, ticket, services.Actor.system())
        follow_up = session.scalars(select(FollowUp)).one()
        follow_up.status = FollowUpStatus.SURVEY_SENT
        return ticket.number, follow_up.id


def external(number: str, follow_up_id: int, **kwargs: Any) -> Any:
    entities: list[dict[str, Any]] = [
        {"entity": "ticket_number", "value": number},
        {"entity": "follow_up_id", "value": follow_up_id},
    ]
    return make_tracker(
        "EXTERNAL: EXTERNAL_follow_up", intent="EXTERNAL_follow_up", entities=entities, **kwargs
    )


def test_the_external_intent_starts_the_survey_in_the_customers_language(store) -> None:
    number, follow_up_id = resolved_ticket(store, language="en")

    ran = run(ActionStartSurvey(), external(number, follow_up_id))

    slots = ran.slots()
    assert slots["survey_ticket_number"] == number
    assert slots["follow_up_id"] == follow_up_id
    assert slots["language"] == "en"
    assert slots["csat_score"] is None


def test_rasas_external_text_does_not_switch_the_language_to_english() -> None:
    tracker = external("T-000001", 1, slots={"language": "zh"})

    events = run(ActionSetLanguage(), tracker).events

    assert events == [{"event": "slot", "name": "language", "value": "zh", "timestamp": None}]


@pytest.mark.parametrize("payload", ["/affirm", '/inform{"complaint_field":"order_number"}'])
def test_a_button_press_keeps_the_customers_language(payload: str) -> None:
    tracker = make_tracker(payload, intent="affirm", slots={"language": "zh"})

    events = run(ActionSetLanguage(), tracker).events

    assert events[0]["value"] == "zh"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("5", 5), ("5分", 5), ("给个五星", 5), ("十分", 10), ("10/10", 10), ("four", 4), ("0", 0)],
)
def test_scores_in_typed_answers(text: str, expected: int) -> None:
    assert score_in(text) == expected


@pytest.mark.parametrize("text", ["很好", "great", "4.5", ""])
def test_no_score_in_these(text: str) -> None:
    assert score_in(text) is None


def validate(text: str, **kwargs: Any) -> Ran:
    return run(ValidateSurveyForm(), make_tracker(text, active_loop=FORM, **kwargs))


def test_a_score_button_fills_the_csat() -> None:
    ran = validate(
        '/rate_service{"score":"4"}',
        intent="rate_service",
        entities=[{"entity": "score", "value": "4"}],
        slots={"requested_slot": "csat_score"},
        candidates={"csat_score": "4"},
    )

    assert ran.slots()["csat_score"] == 4


def test_a_typed_nps_is_read() -> None:
    ran = validate("10分，一定推荐", intent="rate_service", slots={"requested_slot": "nps_score"})

    assert ran.slots()["nps_score"] == 10


@pytest.mark.parametrize(
    ("slot", "text"), [("csat_score", "6"), ("nps_score", "11"), ("csat_score", "还行吧")]
)
def test_a_score_out_of_range_is_asked_again(slot: str, text: str) -> None:
    ran = validate(text, intent="inform", slots={"requested_slot": slot})

    assert ran.slots()[slot] is None
    assert ran.responses == [f"utter_invalid_{slot}"]


@pytest.mark.parametrize(
    ("text", "intent"), [("/deny", "deny"), ("没有了", "inform"), ("no", "deny")]
)
def test_the_comment_can_be_skipped(text: str, intent: str) -> None:
    ran = validate(text, intent=intent, slots={"requested_slot": "survey_comment"})

    assert ran.slots()["survey_comment"] == ""


def test_a_comment_is_kept() -> None:
    ran = validate(
        "客服小王很耐心，谢谢", intent="thank", slots={"requested_slot": "survey_comment"}
    )

    assert ran.slots()["survey_comment"] == "客服小王很耐心，谢谢"


def answered(number: str, follow_up_id: int, csat: Any, nps: Any, comment: Any = "") -> Any:
    return make_tracker(
        "",
        slots={
            "survey_ticket_number": number,
            "follow_up_id": follow_up_id,
            "csat_score": csat,
            "nps_score": nps,
            "survey_comment": comment,
        },
    )


def test_the_answers_are_recorded_on_the_ticket_and_its_follow_up(store) -> None:
    number, follow_up_id = resolved_ticket(store)

    ran = run(ActionRecordSurvey(), answered(number, follow_up_id, 5, 9, "很满意"))

    assert ran.responses == ["utter_survey_thanks"]
    with store() as session:
        response = session.scalars(select(SurveyResponse)).one()
        assert (response.csat, response.nps, response.comment) == (5, 9, "很满意")
        follow_up = session.get(FollowUp, follow_up_id)
        assert follow_up is not None
        assert follow_up.status is FollowUpStatus.ANSWERED
    assert ran.slots()["csat_score"] is None


def test_a_low_score_reopens_the_ticket_and_says_a_supervisor_will_call(store) -> None:
    number, follow_up_id = resolved_ticket(store)

    ran = run(ActionRecordSurvey(), answered(number, follow_up_id, 2, 3))

    assert ran.responses == ["utter_survey_thanks_low_score"]
    with store() as session:
        assert services.get_ticket(session, number).status is Status.OPEN


def test_a_survey_stopped_after_the_first_question_keeps_that_answer(store) -> None:
    number, follow_up_id = resolved_ticket(store)

    run(ActionRecordSurvey(), answered(number, follow_up_id, 4, None, None))

    with store() as session:
        response = session.scalars(select(SurveyResponse)).one()
        assert (response.csat, response.nps) == (4, None)


def test_a_survey_stopped_before_any_answer_records_nothing(store) -> None:
    number, follow_up_id = resolved_ticket(store)

    ran = run(ActionRecordSurvey(), answered(number, follow_up_id, None, None, None))

    assert ran.responses == ["utter_survey_stopped"]
    with store() as session:
        assert session.scalars(select(SurveyResponse)).first() is None


def test_answers_about_somebody_elses_ticket_are_not_recorded(store) -> None:
    number, follow_up_id = resolved_ticket(store, sender="web:someone-else")
    with store.begin() as session:
        services.get_or_create_conversation(session, Channel.WEB, WEB_SENDER.removeprefix("web:"))

    ran = run(ActionRecordSurvey(), answered(number, follow_up_id, 1, 0))

    assert ran.responses == ["utter_survey_thanks"]  # no promise of a supervisor's call
    with store() as session:
        assert session.scalars(select(SurveyResponse)).first() is None
        assert services.get_ticket(session, number).status is Status.RESOLVED


def test_record_with_the_store_down_apologises_and_ends_the_survey(store_down) -> None:
    ran = run(ActionRecordSurvey(), answered("T-000001", 1, 5, 10))

    assert ran.responses == ["utter_action_failed"]
    assert {"event": "active_loop", "name": None} in [
        {"event": e["event"], "name": e.get("name")} for e in ran.events
    ]
