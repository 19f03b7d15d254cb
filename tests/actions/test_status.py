"""Ticket status: only the customer's own tickets; someone else's number looks like no ticket."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from actions.status import ActionCheckTicketStatus, ValidateTicketStatusForm, ticket_number_in
from tests.actions.helpers import WEB_SENDER, Ran, make_tracker, run
from tests.factories import make_policy, make_team, make_ticket
from ticketing import services, sla
from ticketing.clock import utcnow
from ticketing.models import Channel, Customer, Priority, Status, Tier

FORM = "ticket_status_form"


def conversation_customer(factory: sessionmaker[Session], sender: str = WEB_SENDER) -> int:
    with factory.begin() as session:
        conversation = services.get_or_create_conversation(
            session, Channel.WEB, sender.removeprefix("web:")
        )
        assert conversation.customer_id is not None
        return conversation.customer_id


def ticket_of(factory: sessionmaker[Session], customer_id: int | None, **kwargs: Any) -> str:
    with factory.begin() as session:
        customer = session.get(Customer, customer_id) if customer_id else None
        if sla.find_policy(session, Priority.NORMAL, Tier.REGULAR) is None:
            make_policy(session, Priority.NORMAL, first_response=60)
        return make_ticket(session, customer=customer, **kwargs).number


def check(number: str | None, **kwargs: Any) -> Ran:
    slots = {"ticket_number": number, **kwargs.pop("slots", {})}
    return run(ActionCheckTicketStatus(), make_tracker("", slots=slots, **kwargs))


def test_status_of_own_ticket_gives_status_team_and_next_promise(store) -> None:
    customer_id = conversation_customer(store)
    with store.begin() as session:
        team = make_team(session, "after-sales")
        make_policy(session, Priority.NORMAL, first_response=60)
        customer = session.get(Customer, customer_id)
        number = make_ticket(session, customer=customer, team=team).number

    ran = check(number)

    message = ran.message("utter_ticket_status")
    assert message["ticket_number"] == number
    assert message["status"] == "已受理，等待客服处理"
    assert message["team"] == "after-sales"
    assert message["next_step"].startswith("我们承诺在")
    assert ran.slots() == {"ticket_number": None}


def test_status_in_english(store) -> None:
    customer_id = conversation_customer(store)
    number = ticket_of(store, customer_id)

    ran = check(number, slots={"language": "en"})

    message = ran.message("utter_ticket_status")
    assert message["team"] == "not assigned yet"
    assert message["next_step"].startswith("a first reply is promised by")


def test_someone_elses_ticket_gets_the_same_answer_as_no_ticket(store) -> None:
    conversation_customer(store)
    other = conversation_customer(store, "web:another-customer")
    theirs = ticket_of(store, other)
    missing = "T-999999"

    not_mine = check(theirs)
    absent = check(missing)

    assert not_mine.responses == absent.responses == ["utter_ticket_not_found"]
    assert {k: v for k, v in not_mine.messages[0].items() if k != "ticket_number"} == {
        k: v for k, v in absent.messages[0].items() if k != "ticket_number"
    }


def test_without_a_number_the_customers_open_tickets_are_listed(store) -> None:
    customer_id = conversation_customer(store)
    first = ticket_of(store, customer_id)
    second = ticket_of(store, customer_id, subject="快递没到")

    ran = check(None)

    assert [m["ticket_number"] for m in ran.messages] == [second, first]


def test_a_resolved_ticket_says_nothing_more_is_due(store) -> None:
    customer_id = conversation_customer(store)
    number = ticket_of(store, customer_id)
    with store.begin() as session:
        ticket = services.get_ticket(session, number)
        services.resolve_ticket(session, ticket, services.Actor.system())

    message = check(number).message("utter_ticket_status")

    assert message["status"] == "已解决"
    assert message["next_step"] == "已处理完毕，无需等待"


def test_an_overdue_ticket_says_it_was_escalated(store) -> None:
    customer_id = conversation_customer(store)
    number = ticket_of(store, customer_id, at=utcnow() - timedelta(days=3))

    message = check(number).message("utter_ticket_status")

    assert "加急" in message["next_step"]


def test_a_rest_client_without_a_conversation_sees_tickets_of_its_sender_id(store) -> None:
    number = ticket_of(store, None, conversation_id="rest-abc")

    assert check(number, sender_id="rest-abc").responses == ["utter_ticket_status"]
    assert check(number, sender_id="rest-xyz").responses == ["utter_ticket_not_found"]


@pytest.mark.parametrize(
    ("text", "bare", "expected"),
    [
        ("T-000123", False, "T-000123"),
        ("查一下工单t123的进度", False, "T-000123"),
        ("Ｔ－０００４５", False, "T-000045"),
        ("123", True, "T-000123"),
        ("123", False, None),
        ("T-99999999999", False, None),  # past the id range: no ticket's
        ("A2024-1181", True, None),
    ],
)
def test_ticket_numbers_in_messages(text: str, bare: bool, expected: str | None) -> None:
    assert ticket_number_in(text, bare=bare) == expected


def validate(text: str, **kwargs: Any) -> Ran:
    return run(ValidateTicketStatusForm(), make_tracker(text, active_loop=FORM, **kwargs))


def test_a_customer_with_open_tickets_is_not_asked_for_a_number(store) -> None:
    customer_id = conversation_customer(store)
    ticket_of(store, customer_id)

    ran = validate("我的工单进度怎么样了", intent="check_ticket_status")

    assert ran.slots() == {"requested_slot": None}


def test_a_customer_without_open_tickets_is_asked_for_the_number(store) -> None:
    conversation_customer(store)

    ran = validate("查工单", intent="check_ticket_status")

    assert ran.slots() == {"requested_slot": "ticket_number"}


def test_the_number_in_the_question_is_taken(store) -> None:
    ran = validate("工单T-000045怎么样了", intent="check_ticket_status")

    assert ran.slots()["ticket_number"] == "T-000045"
    assert ran.slots()["requested_slot"] is None


def test_something_else_when_asked_for_a_number_is_refused_politely(store) -> None:
    ran = validate("不知道啊", intent="inform", slots={"requested_slot": "ticket_number"})

    assert ran.slots()["ticket_number"] is None
    assert ran.responses == ["utter_invalid_ticket_number"]


def test_status_with_the_store_down_apologises(store_down) -> None:
    ran = check("T-000001")

    assert ran.responses == ["utter_action_failed"]
    assert ran.slots() == {"ticket_number": None}


def test_status_asks_for_the_number_when_the_store_is_down(store_down) -> None:
    ran = validate("查工单", intent="check_ticket_status")

    assert ran.slots() == {"requested_slot": "ticket_number"}


def test_pending_ticket_waits_on_the_customer(store) -> None:
    customer_id = conversation_customer(store)
    number = ticket_of(store, customer_id)
    with store.begin() as session:
        ticket = services.get_ticket(session, number)
        services.change_status(session, ticket, Status.PENDING, services.Actor.system())

    message = check(number).message("utter_ticket_status")

    assert message["status"] == "等待您的回复"
