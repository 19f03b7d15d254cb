"""Retrieval over the published articles: Chinese, English and mixed questions, no answer for
what no article covers, and a newly published article answered at the next question."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from tests.knowledge.helpers import fresh_knowledge
from ticketing.db import make_session_factory, transaction
from ticketing.knowledge import retrieval
from ticketing.knowledge.articles import ArticleFields, create_article, update_article
from ticketing.knowledge.faq_seed import FAQ_ARTICLES
from ticketing.knowledge.tokens import tokens
from ticketing.models import KnowledgeArticle
from ticketing.services.settings_audit import Editor

EDITOR = Editor("cli")


def _key_of(factory: sessionmaker[Session], question: str) -> str | None:
    with factory() as session:
        match = retrieval.best_answer(session, question)
        if match is None:
            return None
        article = session.get(KnowledgeArticle, match.article_id)
        return (article.faq_key or article.title) if article else None


def test_chinese_english_and_mixed_questions_find_their_article(
    session_factory: sessionmaker[Session],
) -> None:
    fresh_knowledge(session_factory, faq=True)
    assert _key_of(session_factory, "鞋底开胶了在保修范围内吗") == "warranty"
    assert _key_of(session_factory, "what time do your stores close") == "store_hours"
    assert _key_of(session_factory, "银卡member有什么好处") == "membership_tiers"
    assert _key_of(session_factory, "can I pay with 支付宝") == "payment_methods"


def test_an_english_question_without_the_articles_words_is_answered_by_meaning(
    session_factory: sessionmaker[Session],
) -> None:
    fresh_knowledge(session_factory, faq=True)
    # No word of it is in the return policy's article ("refund", "money back" are not): BM25
    # alone scored it 0.45 with a tenth of its weight covered, and gave no answer.
    assert _key_of(session_factory, "how long until I get my money back") == "return_policy"
    assert _key_of(session_factory, "what is the capital of France") is None


def test_a_long_question_is_judged_by_the_clause_that_asks(
    session_factory: sessionmaker[Session],
) -> None:
    fresh_knowledge(session_factory, faq=True)
    story = "我上周在网上买了双鞋，颜色不太喜欢，一直没穿过，还能退吗"
    assert _key_of(session_factory, story) == "return_policy"
    # Character pairs across Jieba's words (我需, 要一, 张发) are for ranking, not for what the
    # question asks: they no longer count as words no article has.
    assert _key_of(session_factory, "我需要一张发票") == "invoice"
    # A story with nothing to ask the shop about is still not answered.
    assert _key_of(session_factory, "昨天下了一天雨，今天出门要带伞吗") is None


def test_the_desks_search_does_not_load_the_encoder() -> None:
    index = retrieval.Index.of([faq.article(id=n) for n, faq in enumerate(FAQ_ARTICLES, 1)])
    assert index.search_both("return policy refund")
    assert index.search("when do stores open")
    assert index._meanings is None  # embedded on the first English question only
    assert index.best_answer("when do your stores open") is not None
    assert index._meanings is not None


def test_traditional_chinese_finds_the_simplified_article(
    session_factory: sessionmaker[Session],
) -> None:
    fresh_knowledge(session_factory, faq=True)
    assert tokens("門店幾點關門") == tokens("门店几点关门")
    assert _key_of(session_factory, "鞋底開膠了在保修範圍內嗎") == "warranty"
    assert _key_of(session_factory, "門市晚上幾點關門") == "store_hours"


def test_what_no_article_covers_gets_no_answer(session_factory: sessionmaker[Session]) -> None:
    fresh_knowledge(session_factory, faq=True)
    for question in ("明天上海下雨吗", "when does Walmart open", "讲个笑话", "???", ""):
        assert _key_of(session_factory, question) is None, question


def test_a_newly_published_article_is_answered_by_another_process_without_restart(
    engine: Engine,
) -> None:
    writer, reader = make_session_factory(engine), make_session_factory(engine)
    fresh_knowledge(writer, faq=True)
    question = "can I bring my dog into the store"
    assert _key_of(reader, question) is None  # the reader has built and cached its index
    with transaction(writer) as session:
        row = create_article(
            session,
            EDITOR,
            ArticleFields(
                title="Pets / 宠物",
                answer_en="Dogs on a lead are welcome in our stores.",
                answer_zh="门店欢迎牵绳的狗狗。",
                examples_en=("are dogs allowed in your stores", "can I bring my pet"),
                examples_zh=("可以带狗进店吗",),
                status="published",
            ),
        )
        row_id = row.id
    assert _key_of(reader, question) == "Pets / 宠物"
    assert _key_of(reader, "能带狗狗进店吗") == "Pets / 宠物"
    with transaction(writer) as session:
        article = session.get(KnowledgeArticle, row_id)
        assert article is not None
        update_article(session, EDITOR, article, {"status": "draft"}, version=article.version)
    assert _key_of(reader, question) is None  # withdrawn: not answered any more


def test_an_edited_answer_is_read_at_once(session_factory: sessionmaker[Session]) -> None:
    fresh_knowledge(session_factory, faq=True)
    with transaction(session_factory) as session:
        match = retrieval.best_answer(session, "when do stores open")
        assert match is not None
        article = session.get(KnowledgeArticle, match.article_id)
        assert article is not None
        update_article(
            session,
            EDITOR,
            article,
            {"examples_en": ("are you open on Sundays at the shop near the river",)},
            version=article.version,
        )
    assert _key_of(session_factory, "shop near the river") == "store_hours"


def test_an_english_question_is_answered_by_words_while_the_embeddings_are_computed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A busy machine after a start: the articles' embeddings take longer than a turn may wait.
    ready = threading.Event()
    compute = retrieval._Meanings.of

    def slow(passages: list[tuple[int, str]]) -> retrieval._Meanings:
        ready.wait(timeout=30)
        return compute(passages)

    monkeypatch.setattr(retrieval._Meanings, "of", staticmethod(slow))
    index = retrieval.Index.of([faq.article(id=n) for n, faq in enumerate(FAQ_ARTICLES, 1)])
    by_words = index.best_answer("what time do your stores close", wait=0.05)
    assert by_words is not None and by_words.similarity is None
    # Only meaning finds this one: not answered while the embeddings are not ready...
    assert index.best_answer("how long until I get my money back", wait=0.05) is None
    ready.set()
    by_meaning = index.best_answer("how long until I get my money back", wait=30)
    assert by_meaning is not None and by_meaning.similarity is not None
