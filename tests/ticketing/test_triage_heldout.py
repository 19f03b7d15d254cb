"""The held-out complaints: kept apart from training, and the script that scores them."""

from __future__ import annotations

import os
from collections import Counter

import pytest
from spacy.language import Language

from ticketing import triage, triage_heldout, triage_train
from ticketing.models import Category, Severity
from ticketing.triage_train import LabelledComplaint


@pytest.fixture(scope="module")
def trained() -> Language:
    try:
        return triage.pipeline()
    except triage.TriageModelMissing as exc:
        if os.environ.get("CI"):
            pytest.fail(f"CI must build the triage model first: {exc}")
        pytest.skip(f"{exc}")


def test_heldout_complaints_are_never_training_data() -> None:
    training = {r.text for r in triage_train.load_data()}
    heldout = triage_train.load_data(triage_heldout.HELDOUT_PATH)
    assert not {r.text for r in heldout} & training
    assert len({r.text for r in heldout}) == len(heldout)


def test_heldout_has_at_least_sixty_complaints_per_language_group() -> None:
    heldout = triage_train.load_data(triage_heldout.HELDOUT_PATH)
    counts = Counter(triage_heldout.group(r) for r in heldout)
    assert all(counts[name] >= 60 for name in triage_heldout.GROUPS), counts
    assert {r.category for r in heldout} == set(Category)
    assert sum(r.severity is Severity.MAJOR for r in heldout) >= 20


def test_groups_are_chinese_english_and_mixed() -> None:
    def record(lang: str, mixed: bool) -> LabelledComplaint:
        return LabelledComplaint("x", Category.OTHER, Severity.GENERAL, lang, mixed)

    assert triage_heldout.group(record("zh-Hant", False)) == "zh"
    assert triage_heldout.group(record("zh-Hans", True)) == "mixed"
    assert triage_heldout.group(record("en", False)) == "en"


def test_scores_count_right_answers_and_major_flags(trained: Language) -> None:
    records = [
        LabelledComplaint(
            "鞋底才穿三天就开胶了", Category.PRODUCT_QUALITY, Severity.GENERAL, "zh-Hans"
        ),
        LabelledComplaint("鞋底才穿三天就开胶了", Category.PRICE, Severity.GENERAL, "zh-Hans"),
        LabelledComplaint(
            "my parcel never arrived, I'll sue you", Category.DELIVERY, Severity.GENERAL, "en"
        ),
        LabelledComplaint("my parcel never arrived", Category.DELIVERY, Severity.MAJOR, "en"),
    ]
    result = triage_heldout.score(records, trained)
    assert result.n == {"zh": 2, "en": 2, "mixed": 0, "all": 4}
    assert result.accuracy["zh"] == 0.5
    assert result.accuracy["en"] == 1.0
    assert result.major_recall == 0.0  # the labelled major one has no threat in it
    assert result.major_precision == 0.0  # the flagged one is labelled general
    assert "wrong category" in triage_heldout.render(result, errors=True)
