"""The bot answers from the knowledge base: the FAQ from its article, an untrained question from
retrieval (then asks whether that helped), and keeps the questions no article answered."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from actions.fallback import ANSWERED_SLOT, ActionFallback
from actions.knowledge import ASK_HELPFUL, ActionAnswerFaq
from tests.actions.helpers import bot_turn, make_tracker, run
from tests.knowledge.helpers import fresh_knowledge
from ticketing.db import transaction
from ticketing.knowledge.articles import ArticleFields, create_article
from ticketing.models import ArticleStatus, KnowledgeArticle, UnansweredGroup
from ticketing.services.settings_audit import Editor


def _faq_tracker(key: str, text: str, language: str = "zh") -> object:
    tracker = make_tracker(text, intent="faq", slots={"language": language})
    tracker.latest_message["response_selector"] = {
        "faq": {"response": {"intent_response_key": f"faq/{key}"}}
    }
    return tracker


def _set(factory: sessionmaker[Session], faq_key: str, **values: object) -> None:
    with factory.begin() as session:
        session.execute(
            update(KnowledgeArticle).where(KnowledgeArticle.faq_key == faq_key).values(**values)
        )


def test_the_faq_answer_is_the_articles_current_wording(store: sessionmaker[Session]) -> None:
    fresh_knowledge(store, faq=True)
    _set(store, "store_hours", answer_en="Open 9 to 9, <b>every</b> day.")
    ran = run(ActionAnswerFaq(), _faq_tracker("store_hours", "opening hours?", "en"))
    assert [m.get("text") for m in ran.messages] == ["Open 9 to 9, <b>every</b> day."]


def test_the_faq_answer_is_in_the_customers_language(store: sessionmaker[Session]) -> None:
    fresh_knowledge(store, faq=True)
    ran = run(ActionAnswerFaq(), _faq_tracker("warranty", "保修多久"))
    assert ran.messages[0]["text"].startswith("鞋底和粘胶自购买之日起保修 1 年")


def test_an_unpublished_faq_article_falls_back_to_retrieval_then_the_domain(
    store: sessionmaker[Session],
) -> None:
    fresh_knowledge(store, faq=True)
    _set(store, "invoice", status=ArticleStatus.DRAFT)
    ran = run(ActionAnswerFaq(), _faq_tracker("invoice", "zzz"))
    assert ran.responses == ["utter_faq/invoice"]
    _set(store, "warranty", status=ArticleStatus.DRAFT)
    # Retrieval finds another published article when the question names it.
    ran = run(ActionAnswerFaq(), _faq_tracker("warranty", "门店几点关门"))
    assert ran.messages[0]["text"].startswith("门店每天 10:00-22:00 营业")


def test_a_shops_own_article_is_said_instead_of_a_faq_answer_it_matches_clearly_better(
    store: sessionmaker[Session],
) -> None:
    fresh_knowledge(store, faq=True)
    with transaction(store) as session:
        create_article(
            session,
            Editor("cli"),
            ArticleFields(
                title="旧鞋回收 / Shoe recycling",
                answer_zh="门店设有旧鞋回收箱，每双旧鞋可领 20 元优惠券。",
                answer_en="Our stores take old shoes back for a 20-yuan voucher a pair.",
                examples_zh=("旧鞋可以回收吗",),
                examples_en=("do you recycle old shoes",),
                status="published",
            ),
        )
    # The NLU reads the recycling question as the shipping FAQ (0.91 in the trained model).
    ran = run(ActionAnswerFaq(), _faq_tracker("shipping_time", "旧鞋能拿到店里回收吗"))
    assert ran.messages[0]["text"] == "门店设有旧鞋回收箱，每双旧鞋可领 20 元优惠券。"
    assert ran.responses == [None, ASK_HELPFUL]
    # A shipping question keeps its trained answer, and is not asked about.
    ran = run(ActionAnswerFaq(), _faq_tracker("shipping_time", "下单以后多久发货"))
    assert "回收" not in ran.messages[0]["text"] and ran.responses == [None]


def test_an_untrained_question_is_answered_from_an_article_and_asks_if_it_helped(
    store: sessionmaker[Session],
) -> None:
    fresh_knowledge(store, faq=True)
    tracker = make_tracker(
        "do your shops open on public holidays", intent="nlu_fallback", slots={"language": "en"}
    )
    ran = run(ActionFallback(), tracker)
    assert ran.messages[0]["text"].startswith("Our stores are open 10:00-22:00 every day")
    assert ran.responses[1] == ASK_HELPFUL
    assert ran.slots() == {ANSWERED_SLOT: True}


def test_no_article_keeps_the_question_and_asks_to_rephrase(
    store: sessionmaker[Session],
) -> None:
    fresh_knowledge(store, faq=True)
    ran = run(ActionFallback(), make_tracker("明天上海下雨吗", intent="nlu_fallback"))
    assert ran.responses == ["utter_ask_rephrase"] and ran.slots() == {ANSWERED_SLOT: False}
    second = make_tracker(
        "明天北京下雨吗", intent="nlu_fallback", history=bot_turn("action_fallback")
    )
    assert run(ActionFallback(), second).responses == ["utter_offer_human"]
    with store() as session:
        groups = session.scalars(select(UnansweredGroup)).all()
        assert [(g.count, g.language) for g in groups] == [(2, "zh")]


def test_out_of_scope_without_an_article_says_what_the_bot_does(
    store: sessionmaker[Session],
) -> None:
    fresh_knowledge(store, faq=True)
    ran = run(ActionFallback(), make_tracker("帮我订个外卖", intent="out_of_scope"))
    assert ran.responses == ["utter_out_of_scope"]


def test_button_payloads_are_not_kept_as_questions(store: sessionmaker[Session]) -> None:
    fresh_knowledge(store)
    run(ActionFallback(), make_tracker("/deny", intent="nlu_fallback"))
    with store() as session:
        assert session.scalars(select(UnansweredGroup)).all() == []
