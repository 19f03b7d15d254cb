"""Measure retrieval: `python -m ticketing.knowledge.evaluate [--set SET] [-v]`.

Indexes the ten FAQ articles (as migration 0120 stores them) and asks evaluation_data's
questions: prints, per language, top-1 accuracy on the in-scope questions (the answering article
must be the right one; "no answer" counts as wrong) and the "no answer" rate on the out-of-scope
ones. Targets: 0.90 each. Sets: heldout (the default; only ever measured), tuning (what the
thresholds were chosen on: dev and first-heldout together), dev, first-heldout (see
evaluation_data.py).
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass

from ticketing.knowledge import retrieval
from ticketing.knowledge.evaluation_data import (
    DEV,
    DEV_SHOP,
    FIRST_HELDOUT,
    SHOP_ARTICLES,
    TUNING,
)
from ticketing.knowledge.evaluation_heldout import HELDOUT
from ticketing.knowledge.faq_seed import FAQ_ARTICLES
from ticketing.knowledge.retrieval import Index
from ticketing.models import ArticleStatus, KnowledgeArticle

TARGET = 0.90
SETS = {"heldout": HELDOUT, "tuning": TUNING, "dev": DEV, "first-heldout": FIRST_HELDOUT}


@dataclass(frozen=True)
class Figures:
    language: str
    top1: float
    in_scope: int
    no_answer: float
    out_of_scope: int
    misses: list[str]

    def line(self) -> str:
        return (
            f"{self.language}: top-1 accuracy {self.top1:.3f} ({self.in_scope} questions), "
            f"out-of-scope no-answer rate {self.no_answer:.3f} ({self.out_of_scope} questions)"
        )

    @property
    def met(self) -> bool:
        return self.top1 >= TARGET and self.no_answer >= TARGET


def faq_index() -> tuple[Index, dict[int, str]]:
    """The index of the ten FAQ articles, and each article's faq_key by (transient) id."""
    articles = [faq.article(id=number) for number, faq in enumerate(FAQ_ARTICLES, start=1)]
    return Index.of(articles), {a.id: a.faq_key or "" for a in articles}


def measure(questions: dict[str, list[tuple[str, str | None]]]) -> list[Figures]:
    index, keys = faq_index()
    figures = []
    for language, items in questions.items():
        right = answered_oos = 0
        misses = []
        in_scope = [(q, k) for q, k in items if k is not None]
        out_of_scope = [q for q, k in items if k is None]
        for question, key in in_scope:
            match = index.best_answer(question)
            got = keys[match.article_id] if match else None
            if got == key:
                right += 1
            else:
                misses.append(f"  {question!r}: {got} (want {key})")
        for question in out_of_scope:
            match = index.best_answer(question)
            if match is None:
                answered_oos += 1
            else:
                misses.append(f"  {question!r}: {keys[match.article_id]} (want no answer)")
        figures.append(
            Figures(
                language,
                right / len(in_scope),
                len(in_scope),
                answered_oos / len(out_of_scope),
                len(out_of_scope),
                misses,
            )
        )
    return figures


def shop_index() -> tuple[Index, dict[str, int], dict[int, str]]:
    """The ten FAQ articles and SHOP_ARTICLES: the index, FAQ article ids by faq_key, and every
    article's faq_key or title by id."""
    articles = [faq.article(id=number) for number, faq in enumerate(FAQ_ARTICLES, start=1)]
    for title, answer_zh, answer_en, examples_zh, examples_en in SHOP_ARTICLES:
        articles.append(
            KnowledgeArticle(
                id=len(articles) + 1,
                title=title,
                answer_zh=answer_zh,
                answer_en=answer_en,
                examples_zh=list(examples_zh),
                examples_en=list(examples_en),
                category="shop",
                status=ArticleStatus.PUBLISHED,
            )
        )
    names = {a.id: a.faq_key or a.title for a in articles}
    return Index.of(articles), {a.faq_key: a.id for a in articles if a.faq_key}, names


def measure_override(ratio: float | None = None) -> list[str]:
    """Per language: how many of DEV's in-scope questions keep the FAQ answer the NLU chose
    rightly, and how many of DEV_SHOP's get their shop article instead of the FAQ article that
    retrieval ranks first (the likeliest wrong choice of the NLU), at `ratio`."""
    saved = retrieval.OVERRIDE_RATIO
    retrieval.OVERRIDE_RATIO = saved if ratio is None else ratio
    try:
        index, faq_ids, names = shop_index()
        lines = []
        for language in ("zh", "en"):
            faq = [(q, k) for q, k in DEV[language] if k is not None]
            kept = sum(index.instead_of_faq(q, faq_ids[k]) is None for q, k in faq)
            rescued = 0
            for question, title in DEV_SHOP[language]:
                top = next(
                    (
                        m
                        for m in index.search(question, limit=20)
                        if m.article_id in faq_ids.values()
                    ),
                    None,
                )
                chosen = top.article_id if top else faq_ids["shipping_time"]
                match = index.instead_of_faq(question, chosen)
                rescued += match is not None and names[match.article_id] == title
            lines.append(
                f"{language}: FAQ answer kept {kept}/{len(faq)}, "
                f"shop article instead {rescued}/{len(DEV_SHOP[language])} "
                f"(override ratio {retrieval.OVERRIDE_RATIO})"
            )
        return lines
    finally:
        retrieval.OVERRIDE_RATIO = saved


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", choices=tuple(SETS), default="heldout")
    parser.add_argument("-v", "--verbose", action="store_true", help="list the misses")
    args = parser.parse_args(argv)
    figures = measure(SETS[args.set])
    for figure in figures:
        print(figure.line())
        if args.verbose:
            print("\n".join(figure.misses))
    if args.set in ("dev", "tuning"):
        print("\n".join(measure_override()))
    met = all(f.met for f in figures)
    print(f"targets (>= {TARGET:.2f} each): {'met' if met else 'MISSED'}")
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
