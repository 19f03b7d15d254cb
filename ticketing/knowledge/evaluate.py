"""Measure retrieval: `python -m ticketing.knowledge.evaluate [--set heldout|dev] [-v]`.

Indexes the ten FAQ articles (as migration 0120 stores them) and asks evaluation_data's
questions: prints, per language, top-1 accuracy on the in-scope questions (the answering article
must be the right one; "no answer" counts as wrong) and the "no answer" rate on the out-of-scope
ones. Targets: 0.90 each. Tune on --set dev only; the held-out set is for measuring (see
evaluation_data.py).
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass

from ticketing.knowledge.evaluation_data import DEV, HELDOUT
from ticketing.knowledge.faq_seed import FAQ_ARTICLES
from ticketing.knowledge.retrieval import Index

TARGET = 0.90


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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", choices=("heldout", "dev"), default="heldout")
    parser.add_argument("-v", "--verbose", action="store_true", help="list the misses")
    args = parser.parse_args(argv)
    figures = measure(HELDOUT if args.set == "heldout" else DEV)
    for figure in figures:
        print(figure.line())
        if args.verbose:
            print("\n".join(figure.misses))
    met = all(f.met for f in figures)
    print(f"targets (>= {TARGET:.2f} each): {'met' if met else 'MISSED'}")
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
