"""Unanswered questions: alike ones share a group, others start their own, per language."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from tests.knowledge.helpers import fresh_knowledge
from ticketing.db import transaction
from ticketing.knowledge.unanswered import open_groups, record_unanswered, similarity


def test_similarity_is_the_cosine_of_word_sets() -> None:
    assert similarity(["a", "b"], ["a", "b"]) == 1.0
    assert similarity(["a"], ["b"]) == 0.0
    assert similarity([], ["b"]) == 0.0


def test_alike_questions_share_a_group_and_the_most_asked_comes_first(
    session_factory: sessionmaker[Session],
) -> None:
    fresh_knowledge(session_factory)
    asked = [
        ("do you sell gift cards", "en"),
        ("你们有礼品卡卖吗", "zh"),
        ("can I bring my dog to the store", "en"),
        ("do you sell gift cards online", "en"),
        ("you sell gift cards?", "en"),
        ("礼品卡哪里能买", "zh"),
        ("??", "en"),
    ]
    with transaction(session_factory) as session:
        for text, language in asked:
            record_unanswered(session, text, language)
    with session_factory() as session:
        groups = [(v.group.question, v.group.language, v.group.count) for v in open_groups(session)]
    assert groups[0] == ("do you sell gift cards", "en", 3)
    assert ("can I bring my dog to the store", "en", 1) in groups
    assert sum(count for _, language, count in groups if language == "zh") == 2
    assert all(question != "??" for question, _, _ in groups)


def test_a_chinese_question_from_an_english_speaker_is_grouped_as_chinese(
    session_factory: sessionmaker[Session],
) -> None:
    fresh_knowledge(session_factory)
    with transaction(session_factory) as session:
        group = record_unanswered(session, "可以带宠物吗", "en")
        assert group is not None and group.language == "zh"


def test_phone_numbers_and_addresses_are_not_kept(session_factory: sessionmaker[Session]) -> None:
    fresh_knowledge(session_factory)
    with transaction(session_factory) as session:
        group = record_unanswered(session, "call me on 138 1234 5678 or a.b@example.com", "en")
        assert group is not None
        assert group.question == "call me on … or …"
