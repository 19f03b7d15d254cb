"""The retrieval figures on the held-out questions, and the rule that keeps them held out."""

from __future__ import annotations

import pytest
import yaml

from ticketing.config import ROOT
from ticketing.knowledge import evaluate
from ticketing.knowledge.evaluation_data import TUNING
from ticketing.knowledge.evaluation_heldout import HELDOUT
from ticketing.knowledge.faq_seed import FAQ_ARTICLES
from ticketing.knowledge.tokens import tokens

# What the held-out set measured when the method was last changed (see the README): a change
# that makes retrieval worse fails here. The method shipped before measured 0.300 / 1.000 (zh)
# and 0.525 / 0.850 (en) on it.
FLOORS = {"zh": (0.575, 0.85), "en": (0.775, 0.75)}


def _nlu_faq_examples() -> set[str]:
    data = yaml.safe_load((ROOT / "data" / "nlu" / "faq.yml").read_text(encoding="utf-8"))
    lines = [line for item in data["nlu"] for line in item["examples"].splitlines()]
    return {" ".join(tokens(line.strip()[2:])) for line in lines if line.strip().startswith("- ")}


def test_heldout_questions_are_not_article_examples_nor_tuning_questions() -> None:
    examples = {" ".join(tokens(e)) for a in FAQ_ARTICLES for e in a.examples_zh + a.examples_en}
    examples |= _nlu_faq_examples()  # the trained NLU's questions are not held out either
    tuning = {q for items in TUNING.values() for q, _ in items}
    for language, items in HELDOUT.items():
        in_scope = [q for q, k in items if k is not None]
        assert len(in_scope) >= 40 and len(items) - len(in_scope) >= 20, language
        for question, _ in items:
            assert " ".join(tokens(question)) not in examples, question
            assert question not in tuning, question


def test_heldout_figures_no_worse_than_measured() -> None:
    for figures in evaluate.measure(HELDOUT):
        top1, no_answer = FLOORS[figures.language]
        assert figures.top1 >= top1 and figures.no_answer >= no_answer, figures.line()


@pytest.mark.xfail(strict=True, reason="held-out top-1 is 0.575 zh / 0.775 en, see the README")
def test_heldout_figures_meet_the_targets() -> None:
    assert all(f.met for f in evaluate.measure(HELDOUT))


def test_the_script_prints_the_figures(capsys: pytest.CaptureFixture[str]) -> None:
    evaluate.main(["--set", "heldout"])
    out = capsys.readouterr().out
    assert "zh: top-1 accuracy" in out and "en: top-1 accuracy" in out
