"""Finding the published article that answers a question: BM25 (the `bm25s` library) over each
article's title, example questions and answer, one index per language, Jieba tokens for Chinese;
for English also by meaning, MiniLM sentence embeddings (encoder.py) of the question against the
article's example questions and answer sentences.

The index is derived data, rebuilt whenever the published set changes: every search first reads
a fingerprint of it (count, newest change, versions) with one small query, so an article
published or withdrawn through any process is answered from, or no longer, at the next question,
without a restart or retraining. Nothing is kept that could go stale: a process whose cached
index no longer matches the fingerprint builds a new one.

Whether the best article answers at all is decided by how much of the question it covers: the
share of the question's word weight (IDF) found in the article, with words no article has
weighing most ("What time does Starbucks open?" is not about our stores' hours), in the clause
that the article covers best (customers tell the story first and ask last); in English, also by
how close in meaning the article's nearest passage is. The thresholds were chosen on
`evaluation_data.TUNING` only, never on the held-out set (see evaluate.py).
"""

from __future__ import annotations

import logging
import math
import re
import threading
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import bm25s
import numpy as np
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from ticketing.knowledge.encoder import embed
from ticketing.knowledge.tokens import has_chinese, tokens, words
from ticketing.models import ArticleStatus, KnowledgeArticle

log = logging.getLogger(__name__)

LANGUAGES = ("zh", "en")
# An answer by words needs this share of the question's word weight (in its best-covered clause)
# in the article...
MIN_COVERAGE = {"zh": 0.45, "en": 0.25}
# ...and this BM25 score.
MIN_SCORE = {"zh": 1.0, "en": 2.0}
# A Chinese word no article has whose every character the article has (换码: 换, 码) counts
# this much of its weight as covered: Jieba's cut of a question and of an answer can differ.
CHARACTER_CREDIT = 0.5
EXAMPLE_WEIGHT = 2
# English questions are also compared by meaning (encoder.py's MiniLM): an article at least this
# close answers whatever the words; an answer by words needs at least MIN_SIMILARITY too.
SURE_SIMILARITY = 0.7
MIN_SIMILARITY = 0.5
# The thresholds above were chosen on evaluation_data.TUNING only (evaluate.py --set tuning), by
# one rule: out-of-scope questions get no answer at least 0.90 of the time (the target; a wrong
# answer costs the customer more than the offer of a person), and within that the most right
# answers.
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+")
K1, B = 1.5, 0.75
# A shop's own article (not one of the ten trained FAQ answers) is said instead of the trained
# FAQ answer the NLU chose when it answers the question and its BM25 score is at least this many
# times that FAQ article's: the NLU knows only its ten answers and reads "旧鞋能拿到店里回收吗"
# as one of them. Tuned on evaluation_data.DEV and DEV_SHOP only (evaluate.py --set dev): at 2
# every DEV FAQ question keeps its answer (80/80) and 11 of DEV_SHOP's 20 get their article; at
# 1.5 a FAQ question lost its answer.
OVERRIDE_RATIO = 2.0
OVERRIDE_MIN_SCORE = 1.0


_CLAUSE_BREAK = re.compile(r"[,，。.!！?？;；、\n]+|\s{1,}(?=[\u3400-\u9fff])")


def clauses_of(question: str) -> list[str]:
    """The whole question and, when it has several, each of its clauses: a customer often tells
    the story first and asks last ("上周买的鞋不太喜欢，没穿过，还能退吗")."""
    parts = [p for p in _CLAUSE_BREAK.split(question) if p.strip()]
    return [question, *parts] if len(parts) > 1 else [question]


@dataclass(frozen=True)
class Match:
    article_id: int
    score: float  # BM25
    coverage: float  # 0..1: the share of the question's word weight the article has
    # English only: the cosine of the question's MiniLM embedding and the article's nearest
    # passage (an English example question or answer sentence); None for Chinese.
    similarity: float | None = None

    def answers(self, language: str) -> bool:
        """Whether the article answers the question: close enough in meaning (English), or
        covering enough of its words with a high enough score (and, in English, not too far in
        meaning)."""
        if self.similarity is not None and self.similarity >= SURE_SIMILARITY:
            return True
        by_words = self.coverage >= MIN_COVERAGE[language] and self.score >= MIN_SCORE[language]
        return by_words and (self.similarity is None or self.similarity >= MIN_SIMILARITY)


def document(article: KnowledgeArticle, language: str) -> list[str]:
    """The words an article is found by in `language`: its title, its example questions in that
    language and its answer in that language (the other one when that is empty)."""
    examples = article.examples_zh if language == "zh" else article.examples_en
    answer = article.answer_zh if language == "zh" else article.answer_en
    answer = answer or article.answer_en or article.answer_zh
    found_by = tokens(article.title)
    for example in examples:
        # Twice: a question is worded like the example questions more than like the answer.
        found_by += tokens(example) * EXAMPLE_WEIGHT
    return found_by + tokens(answer)


@dataclass
class _LanguageIndex:
    article_ids: list[int]
    docs: list[set[str]]
    characters: list[set[str]]
    bm25: Any = None  # bm25s.BM25; None when there is no article
    df: dict[str, int] = field(default_factory=dict)

    @classmethod
    def build(cls, articles: Sequence[KnowledgeArticle], language: str) -> _LanguageIndex:
        corpus = [document(a, language) for a in articles]
        index = cls(
            article_ids=[a.id for a in articles],
            docs=[set(d) for d in corpus],
            characters=[set("".join(w for w in d if has_chinese(w))) for d in corpus],
        )
        for doc in index.docs:
            for word in doc:
                index.df[word] = index.df.get(word, 0) + 1
        if corpus:
            index.bm25 = bm25s.BM25(k1=K1, b=B)
            index.bm25.index(corpus, show_progress=False)
        return index

    def idf(self, word: str) -> float:
        n, df = len(self.docs), self.df.get(word, 0)
        return math.log(1 + (n - df + 0.5) / (df + 0.5))

    def _covered(self, word: str, doc: int) -> float:
        if word in self.docs[doc]:
            return self.idf(word)
        if has_chinese(word) and set(word) <= self.characters[doc]:
            return CHARACTER_CREDIT * self.idf(word)
        return 0.0

    def _coverage(self, asked: set[str], doc: int) -> float:
        weight = sum(self.idf(w) for w in asked)
        return sum(self._covered(w, doc) for w in asked) / weight

    def search(self, question: str, limit: int) -> list[Match]:
        if self.bm25 is None:
            return []
        known = [w for w in tokens(question) if w in self.df]
        clauses = [set(words(c)) for c in clauses_of(question)]
        clauses = [c for c in clauses if c]
        if not known or not clauses:
            return []
        scores = self.bm25.get_scores(known)
        ranked = sorted(range(len(scores)), key=lambda i: -float(scores[i]))[:limit]
        matches = []
        for i in ranked:
            if float(scores[i]) <= 0:
                break
            coverage = max(self._coverage(c, i) for c in clauses)
            matches.append(Match(self.article_ids[i], float(scores[i]), coverage))
        return matches


def english_passages(article: KnowledgeArticle) -> list[str]:
    """What an English question is compared with by meaning: the article's English example
    questions and each sentence of its English answer."""
    sentences = _SENTENCE_END.split(article.answer_en or "")
    return [t.strip() for t in [*article.examples_en, *sentences] if t.strip()]


# One thread embeds the passages of a new index while questions are answered (Index.meanings);
# it alone reads and writes _embedded, so the cache needs no lock.
_embedding = ThreadPoolExecutor(max_workers=1, thread_name_prefix="embed-articles")
_embedded: dict[str, np.ndarray] = {}  # passage → embedding: a rebuilt index embeds only new text
_EMBEDDED_MAX = 50_000


def _embeddings(texts: Sequence[str]) -> np.ndarray:
    known = {t: _embedded[t] for t in texts if t in _embedded}
    missing = [t for t in dict.fromkeys(texts) if t not in known]
    if missing:
        known.update(zip(missing, embed(missing), strict=True))
        if len(_embedded) + len(missing) > _EMBEDDED_MAX:
            _embedded.clear()
        _embedded.update((t, known[t]) for t in missing)
    return np.stack([known[t] for t in texts])


@dataclass
class _Meanings:
    """The MiniLM embeddings of every article's English passages, and whose each one is."""

    owners: np.ndarray  # passage → the article's position in the index
    vectors: np.ndarray  # passages × encoder.DIMENSIONS, unit length

    @classmethod
    def of(cls, passages: Sequence[tuple[int, str]]) -> _Meanings:
        return cls(
            np.array([owner for owner, _ in passages], dtype=np.int64),
            _embeddings([text for _, text in passages]),
        )

    def similarities(self, question: str, articles: int) -> np.ndarray:
        """Per article position: the highest cosine between the question (or one of its
        clauses) and one of the article's passages; -1 for an article with none."""
        best = np.full(articles, -1.0, dtype=np.float32)
        if len(self.owners):
            asked = embed(clauses_of(question))
            np.maximum.at(best, self.owners, (self.vectors @ asked.T).max(axis=1))
        return best


@dataclass
class Index:
    """The published articles' indexes, one per language, and the fingerprint they were built at."""

    fingerprint: tuple[Any, ...]
    languages: dict[str, _LanguageIndex]
    faq_ids: frozenset[int] = frozenset()  # the articles of the trained FAQ answers
    # (article position, English passage): embedded on the first English question, so that a
    # process that never answers one (the desk's search) never loads the encoder.
    passages: list[tuple[int, str]] = field(default_factory=list)
    _meanings: Future[_Meanings] | None = None
    _starting: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def of(cls, articles: Sequence[KnowledgeArticle], fingerprint: tuple[Any, ...] = ()) -> Index:
        return cls(
            fingerprint,
            {lang: _LanguageIndex.build(articles, lang) for lang in LANGUAGES},
            frozenset(a.id for a in articles if a.faq_key),
            [(i, text) for i, a in enumerate(articles) for text in english_passages(a)],
        )

    def meanings(self, wait: float | None = None) -> _Meanings | None:
        """The passages' embeddings, computed once in the background; None when they are not
        ready within `wait` seconds (None: as long as it takes)."""
        with self._starting:
            if self._meanings is None:
                self._meanings = _embedding.submit(_Meanings.of, self.passages)
        try:
            return self._meanings.result(timeout=wait)
        except TimeoutError:
            return None
        except Exception:  # the encoder failed: words still answer (logged at every question)
            log.warning("retrieval: the articles' embeddings failed", exc_info=True)
            return None

    def search(self, question: str, *, limit: int = 5) -> list[Match]:
        """Articles for `question`, best first (the index of the question's script: Chinese if
        it has any Chinese, else English), whether or not they answer it."""
        language = "zh" if has_chinese(question) else "en"
        return self.languages[language].search(question, limit)

    def search_both(self, question: str, *, limit: int = 20) -> list[Match]:
        """Articles for `question` in either language's index, best score per article first:
        the console's search, where an agent may type either language."""
        best: dict[int, Match] = {}
        for language in LANGUAGES:
            for match in self.languages[language].search(question, limit):
                if match.article_id not in best or match.score > best[match.article_id].score:
                    best[match.article_id] = match
        return sorted(best.values(), key=lambda m: -m.score)[:limit]

    def best_answer(self, question: str, *, wait: float | None = None) -> Match | None:
        """The article that answers `question`, or None: no article covers it enough. An
        English question is answered by its words alone when the articles' embeddings are not
        ready within `wait` seconds (the first question after a start or a change of many
        articles, on a busy machine)."""
        if has_chinese(question):
            matches = self.search(question, limit=1)
            return matches[0] if matches and matches[0].answers("zh") else None
        match = self.best_english(question, wait=wait)
        return match if match is not None and match.answers("en") else None

    def best_english(self, question: str, *, wait: float | None = None) -> Match | None:
        """The article closest in meaning to English `question`, answering it or not, with its
        BM25 score and coverage; by words alone when the embeddings are not ready in `wait`."""
        index = self.languages["en"]
        count = len(index.article_ids)
        if not count:
            return None
        lexical = {m.article_id: m for m in index.search(question, limit=count)}
        meanings = self.meanings(wait)
        if meanings is None:
            log.info("retrieval: the articles' embeddings are not ready; answering by words")
            return max(lexical.values(), key=lambda m: m.score, default=None)
        similarity = meanings.similarities(question, count)
        # Ranked by meaning alone: adding a share of the BM25 score changed nothing on TUNING.
        best = int(np.argmax(similarity))
        found = lexical.get(index.article_ids[best])
        return Match(
            index.article_ids[best],
            found.score if found else 0.0,
            found.coverage if found else 0.0,
            float(similarity[best]),
        )

    def instead_of_faq(self, question: str, faq_article_id: int) -> Match | None:
        """A shop's own article that matches `question` clearly better than the trained FAQ
        article the NLU chose (OVERRIDE_RATIO), or None: the FAQ answer stands. No coverage
        bar: the NLU has already read the message as a question for the shop."""
        language = "zh" if has_chinese(question) else "en"
        matches = self.search(question, limit=len(self.languages[language].article_ids))
        chosen = next((m.score for m in matches if m.article_id == faq_article_id), 0.0)
        other = next((m for m in matches if m.article_id not in self.faq_ids), None)
        if other is None or other.score < OVERRIDE_MIN_SCORE:
            return None
        return other if other.score >= OVERRIDE_RATIO * chosen else None


_lock = threading.Lock()
_cache: dict[str, Index] = {}  # per database URL: one process may serve several (tests)


def _fingerprint(session: Session) -> tuple[int, datetime | None, int, int]:
    row = session.execute(
        select(
            func.count(KnowledgeArticle.id),
            func.max(KnowledgeArticle.updated_at),
            func.coalesce(func.sum(KnowledgeArticle.version), 0),
            func.coalesce(func.sum(KnowledgeArticle.id), 0),
        ).where(KnowledgeArticle.status == ArticleStatus.PUBLISHED)
    ).one()
    return int(row[0]), row[1], int(row[2]), int(row[3])


def published_index(session: Session) -> Index:
    """The index of the articles published now: the cached one while the fingerprint matches."""
    fingerprint = _fingerprint(session)
    bind = session.get_bind()
    key = str(bind.url if isinstance(bind, Engine) else bind.engine.url)
    with _lock:
        cached = _cache.get(key)
        if cached is not None and cached.fingerprint == fingerprint:
            return cached
    articles = session.scalars(
        select(KnowledgeArticle)
        .where(KnowledgeArticle.status == ArticleStatus.PUBLISHED)
        .order_by(KnowledgeArticle.id)
    ).all()
    built = Index.of(articles, fingerprint)
    with _lock:
        _cache[key] = built
    return built


def search(session: Session, question: str, *, limit: int = 5) -> list[Match]:
    return published_index(session).search(question, limit=limit)


def search_both(session: Session, question: str, *, limit: int = 20) -> list[Match]:
    return published_index(session).search_both(question, limit=limit)


def best_answer(session: Session, question: str, *, wait: float | None = None) -> Match | None:
    """The published article that answers `question`, or None (`wait`: Index.best_answer)."""
    return published_index(session).best_answer(question, wait=wait)


def instead_of_faq(session: Session, question: str, faq_article_id: int) -> Match | None:
    """A published non-FAQ article to answer `question` with instead of the FAQ article."""
    return published_index(session).instead_of_faq(question, faq_article_id)
