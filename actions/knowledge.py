"""Answers from the knowledge base: the trained FAQ's answer read from its article, and an
article found by retrieval when the NLU did not understand a question.

The wording of every answer lives in the article (ticketing.knowledge), edited by supervisors
without retraining; the domain's utter_faq/<key> texts are the fallback when the article is gone.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session

from actions.base import Domain, Events, KefuAction, language_of, latest_text
from actions.db import in_transaction
from actions.language import is_payload
from ticketing.knowledge import articles, retrieval, unanswered
from ticketing.knowledge.encoder import encoder
from ticketing.models import KnowledgeArticle

log = logging.getLogger(__name__)

# English questions are matched by meaning too (retrieval.py): load the sentence encoder while
# the action server starts, not while the first English-speaking customer waits.
threading.Thread(target=encoder, name="load-sentence-encoder", daemon=True).start()
# How long a question waits for the articles' embeddings (computed once after a start or a
# change, about 3 s for 200 passages on a quiet machine) before it is answered by words alone:
# the gateway gives a whole turn 10 s.
MEANING_WAIT: Final = 3.0

FAQ_INTENT: Final = "faq"
ASK_HELPFUL: Final = "utter_ask_answer_helpful"
# The domain's FAQ answers, utter_faq/<key>: said when a key's article is gone.
FAQ_RESPONSE: Final = "utter_faq"


@dataclass(frozen=True)
class Answer:
    article_id: int
    text: str


def faq_key_of(tracker: Tracker) -> str | None:
    """The response key the ResponseSelector chose for the latest message ("return_policy" of
    faq/return_policy), if any."""
    selector = (tracker.latest_message or {}).get("response_selector") or {}
    chosen = selector.get(FAQ_INTENT) or selector.get("default") or {}
    response = chosen.get("response") if isinstance(chosen, Mapping) else None
    key = response.get("intent_response_key") if isinstance(response, Mapping) else None
    if isinstance(key, str) and key.startswith(f"{FAQ_INTENT}/"):
        return key.split("/", 1)[1]
    intent = (tracker.latest_message or {}).get("intent") or {}
    name = intent.get("name") if isinstance(intent, Mapping) else None
    if isinstance(name, str) and name.startswith(f"{FAQ_INTENT}/"):
        return name.split("/", 1)[1]
    return None


@dataclass(frozen=True)
class FaqReply:
    text: str
    # True when a shop's own article is said instead of the FAQ answer: then, as for any
    # retrieved answer, the customer is asked whether it helped.
    instead: bool = False


def _faq_answer(session: Session, key: str | None, question: str, language: str) -> FaqReply | None:
    article = articles.published_by_faq_key(session, key) if key else None
    if article is not None:
        better = _instead_of(session, question, article.id, language)
        return better or FaqReply(articles.answer_in(article, language))
    found = _retrieved(session, question, language)
    return FaqReply(found.text) if found else None


def _instead_of(session: Session, question: str, faq_id: int, language: str) -> FaqReply | None:
    """A published article that is not a trained FAQ answer and matches the question clearly
    better than the FAQ article the NLU chose ("旧鞋能拿到店里回收吗" is not about shipping)."""
    if not question.strip() or is_payload(question):
        return None
    match = retrieval.instead_of_faq(session, question, faq_id)
    article = session.get(KnowledgeArticle, match.article_id) if match else None
    return FaqReply(articles.answer_in(article, language), instead=True) if article else None


def _retrieved(session: Session, question: str, language: str) -> Answer | None:
    if not question.strip() or is_payload(question):
        return None
    match = retrieval.best_answer(session, question, wait=MEANING_WAIT)
    if match is None:
        return None
    article = session.get(KnowledgeArticle, match.article_id)
    if article is None:
        return None
    return Answer(article.id, articles.answer_in(article, language))


async def answer_from_articles(question: str, language: str) -> Answer | None:
    """The answer of the published article that answers `question`, in `language`; None when
    no article does, or the store cannot be reached (the caller goes on without it)."""
    try:
        return await in_transaction(lambda s: _retrieved(s, question, language))
    except Exception as exc:  # the knowledge base is a help, never a reason not to reply
        log.warning("knowledge retrieval failed: %s", type(exc).__name__)
        return None


async def record_unanswered(question: str, language: str) -> None:
    """Keep a question no article answered for supervisors (never fails the turn)."""
    if not question.strip() or is_payload(question):
        return
    try:
        await in_transaction(lambda s: unanswered.record_unanswered(s, question, language))
    except Exception as exc:
        log.warning("recording an unanswered question failed: %s", type(exc).__name__)


class ActionAnswerFaq(KefuAction):
    """Answers a trained FAQ question from its article, in the customer's language; if the
    article is gone or unpublished, from retrieval; then from the domain's text. A shop's own
    article that matches clearly better is said instead, then "Did this answer your question?"."""

    def name(self) -> str:
        return "action_answer_faq"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Domain
    ) -> Events:
        key = faq_key_of(tracker)
        language = language_of(tracker)
        question = latest_text(tracker)
        try:
            reply = await in_transaction(lambda s: _faq_answer(s, key, question, language))
        except Exception as exc:
            log.warning("reading the FAQ article failed: %s", type(exc).__name__)
            reply = None
        if reply and reply.text:
            dispatcher.utter_message(text=reply.text)
            if reply.instead:
                dispatcher.utter_message(response=ASK_HELPFUL)
            return []
        responses: dict[str, Any] = domain.get("responses") or {}
        if key and f"{FAQ_RESPONSE}/{key}" in responses:
            dispatcher.utter_message(response=f"{FAQ_RESPONSE}/{key}")
        else:
            dispatcher.utter_message(response="utter_ask_rephrase")
        return []
