"""The trained model understands messages it was not trained on, in Chinese and in English: the
intent (above the fallback threshold), the FAQ question and the entities, through the running
server's /model/parse. The cross-validated scores are `make nlu-report`'s."""

from __future__ import annotations

from typing import Any

import pytest

from tests.rasa.test_nlu_patterns import annotated, training_examples
from tests.servers import RasaServer

pytestmark = pytest.mark.rasa

# (message, intent, entities {name: [values]}); for faq the intent is "faq/<question>".
# None of these messages is in data/nlu/ (test_held_out_messages_are_not_training_data).
HELD_OUT: list[tuple[str, str, dict[str, list[str]]]] = [
    ("您好，在线吗", "greet", {}),
    ("hey, good morning!", "greet", {}),
    ("好的 没别的了 拜拜", "goodbye", {}),
    ("ok, that's it from me, bye", "goodbye", {}),
    ("太谢谢你啦", "thank", {}),
    ("thanks so much for the help", "thank", {}),
    ("嗯 是的", "affirm", {}),
    ("yes, that's all correct", "affirm", {}),
    ("不是的，不对", "deny", {}),
    ("no, I don't have it", "deny", {}),
    ("算了吧 不投诉了", "cancel", {}),
    ("never mind, cancel it", "cancel", {}),
    ("订单A2024-2206的鞋子鞋底开胶了", "file_complaint", {"order_number": ["A2024-2206"]}),
    ("買的靴子穿三天鞋跟就斷了", "file_complaint", {}),
    ("我的order 到现在还没到", "file_complaint", {}),
    (
        "order B2024-7781 came with two left shoes",
        "file_complaint",
        {"order_number": ["B2024-7781"]},
    ),
    ("the sole of my sneakers split after a week", "file_complaint", {}),
    ("我的工单T-000321现在怎么样了", "check_ticket_status", {"ticket_number": ["T-000321"]}),
    ("我上周的投诉有进展吗", "check_ticket_status", {}),
    ("any update on ticket T-77?", "check_ticket_status", {"ticket_number": ["T-77"]}),
    ("what's happening with my complaint", "check_ticket_status", {}),
    ("帮我接人工客服", "request_human", {}),
    ("I'd like to talk to a real agent", "request_human", {}),
    ("七天内不喜欢能退吗", "faq/return_policy", {}),
    ("can I send back shoes I don't like", "faq/return_policy", {}),
    ("退货的快递费要我出吗", "faq/return_shipping_fee", {}),
    ("do I pay the postage for a return", "faq/return_shipping_fee", {}),
    ("鞋子大了半码可以换吗", "faq/size_exchange", {}),
    ("can I swap these for a size up", "faq/size_exchange", {}),
    ("下单以后几天能收到", "faq/shipping_time", {}),
    ("how many days until my parcel ships and arrives", "faq/shipping_time", {}),
    ("积分可以抵钱吗", "faq/membership_points", {}),
    ("how many points do I earn per yuan", "faq/membership_points", {}),
    ("金卡和银卡有什么区别", "faq/membership_tiers", {}),
    ("what do I get as a gold member", "faq/membership_tiers", {}),
    ("鞋底开胶保修吗 保多久", "faq/warranty", {}),
    ("is there a warranty on the soles", "faq/warranty", {}),
    ("你们店晚上几点关门", "faq/store_hours", {}),
    ("what time does the store open on Sunday", "faq/store_hours", {}),
    ("能用微信付款吗", "faq/payment_methods", {}),
    ("can I pay by credit card", "faq/payment_methods", {}),
    ("怎么开电子发票", "faq/invoice", {}),
    ("can I get an e-invoice for my order", "faq/invoice", {}),
    ("你是真人还是机器人", "bot_challenge", {}),
    ("am I talking to a bot?", "bot_challenge", {}),
    ("帮我查下明天的天气", "out_of_scope", {}),
    ("can you recommend a restaurant nearby", "out_of_scope", {}),
    ("手机号 13900001111", "inform", {"phone_number": ["13900001111"]}),
    ("my order number is C2024-5512", "inform", {"order_number": ["C2024-5512"]}),
    ("主要是物流问题", "inform", {"category": ["delivery"]}),
    ("订单号打错了，要改", "inform", {"complaint_field": ["order_number"]}),
    ("给8分", "rate_service", {"score": ["8"]}),
    ("挺满意的，四星吧", "rate_service", {"score": ["4"]}),
    ("I'd give you a 9 out of 10", "rate_service", {"score": ["9"]}),
    ("very happy with the service", "rate_service", {}),
    # Words in no training example: English by the sentence embeddings, Traditional Chinese by
    # reading it as Simplified.
    ("the agent was fantastic", "rate_service", {}),
    ("could you put me through to someone real", "request_human", {}),
    ("what time does your shop shut", "faq/store_hours", {}),
    ("訂單A2024-3390的鞋子開膠了", "file_complaint", {"order_number": ["A2024-3390"]}),
    ("我想跟真人客服說話", "request_human", {}),
    ("退貨運費誰出", "faq/return_shipping_fee", {}),
]


def parse(rasa_server: RasaServer, text: str) -> dict[str, Any]:
    response = rasa_server.http.post(
        f"{rasa_server.url}/model/parse", params={"token": rasa_server.token}, json={"text": text}
    )
    response.raise_for_status()
    result: dict[str, Any] = response.json()
    return result


def understood_intent(result: dict[str, Any]) -> str:
    """The intent, with the FAQ question the ResponseSelector chose for faq."""
    intent: str = result["intent"]["name"]
    if intent == "faq":
        selected = result["response_selector"]["faq"]["response"]["intent_response_key"]
        return str(selected)
    return intent


def entity_values(result: dict[str, Any]) -> dict[str, list[str]]:
    values: dict[str, list[str]] = {}
    for entity in result["entities"]:
        values.setdefault(entity["entity"], []).append(str(entity["value"]))
    return values


def test_held_out_messages_are_not_training_data() -> None:
    trained = {annotated(example)[0].strip().lower() for _, example in training_examples()}
    assert [text for text, _, _ in HELD_OUT if text.strip().lower() in trained] == []


@pytest.mark.parametrize(("text", "intent", "entities"), HELD_OUT, ids=[t for t, _, _ in HELD_OUT])
def test_message_is_understood(
    rasa_server: RasaServer, text: str, intent: str, entities: dict[str, list[str]]
) -> None:
    result = parse(rasa_server, text)

    assert (understood_intent(result), entity_values(result)) == (intent, entities), result[
        "intent_ranking"
    ][:3]
