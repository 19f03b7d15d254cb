"""Train the complaint-triage pipeline and report how well it and the severity rules do.

    python -m ticketing.triage_train train            # `make triage`: rebuild only when stale
    python -m ticketing.triage_train train --force
    python -m ticketing.triage_train report           # 5-fold CV per language, severity rules
    python -m ticketing.triage_train report --compare # ...and the designs that lost

The pipeline is built from a blank spaCy pipeline (nothing is downloaded) and written to
`models/triage/` (or $KEFU_TRIAGE_MODEL) with a stamp: the SHA-256 of the labelled data, this
file, `triage.py` and the spaCy version. `train` does nothing while the stamp matches.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import random
import shutil
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import spacy
from spacy.about import __version__ as spacy_version
from spacy.language import Language
from spacy.training import Example
from thinc.api import fix_random_seed

from ticketing import triage
from ticketing.models import Category, Severity

DATA_PATH = Path(__file__).resolve().parent / "triage_data" / "complaints.jsonl"
# Agents' corrections, exported from the ticket history (ticketing/triage_corrections.py)
CORRECTIONS_PATH = DATA_PATH.with_name("corrections.jsonl")
STAMP_FILE = "kefu_stamp"
SEED = 0
EPOCHS = 20
BATCH_SIZE = 16
LANGUAGES = ("zh-Hans", "zh-Hant", "en")


@dataclass(frozen=True)
class LabelledComplaint:
    text: str
    category: Category
    severity: Severity
    lang: str  # zh-Hans, zh-Hant or en; code-mixed text counts under its Chinese script
    mixed: bool = False
    # Other problems a complaint names besides its category (long complaints); not trained on,
    # scored against Triage.secondary by the held-out script.
    secondary: tuple[Category, ...] = ()


def load_data(path: Path = DATA_PATH) -> list[LabelledComplaint]:
    """The labelled complaints, checked: a bad line fails loudly with its line number."""
    records: list[LabelledComplaint] = []
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                raw = json.loads(line)
                record = LabelledComplaint(
                    text=raw["text"],
                    category=Category(raw["category"]),
                    severity=Severity(raw["severity"]),
                    lang=raw["lang"],
                    mixed=bool(raw.get("mixed", False)),
                    secondary=tuple(Category(c) for c in raw.get("secondary", ())),
                )
            except (ValueError, KeyError) as exc:
                raise ValueError(f"{path}:{number}: {exc}") from exc
            if record.lang not in LANGUAGES:
                raise ValueError(f"{path}:{number}: unknown lang {record.lang!r}")
            records.append(record)
    return records


def training_data() -> list[LabelledComplaint]:
    """What the model is trained on: the hand-labelled complaints and the exported corrections."""
    extra = load_data(CORRECTIONS_PATH) if CORRECTIONS_PATH.is_file() else []
    return [*load_data(), *extra]


# --- the pipeline ---------------------------------------------------------------------------------

Predictor = Callable[[str], tuple[Category, float]]  # category and its probability
Builder = Callable[[Sequence[LabelledComplaint]], Predictor]


def _cats(category: Category) -> dict[str, float]:
    return {c.value: float(c is category) for c in triage.CATEGORIES}


def blank_pipeline() -> Language:
    """The untrained design: character/word tokenizer and the feature bag-of-words textcat."""
    nlp = spacy.blank(
        "xx", config={"nlp": {"tokenizer": {"@tokenizers": "kefu.zh_en_tokenizer.v1"}}}
    )
    textcat = nlp.add_pipe(
        "textcat",
        config={
            "model": {
                "@architectures": "kefu.TextCatFeatureBOW.v1",
                "exclusive_classes": True,
                "length": 262144,
            }
        },
    )
    for category in triage.CATEGORIES:
        textcat.add_label(category.value)  # type: ignore[attr-defined]
    return nlp


def fit(nlp: Language, records: Sequence[LabelledComplaint], *, seed: int = SEED) -> Language:
    """Train `nlp`'s textcat on `records`, deterministically for a given seed."""
    fix_random_seed(seed)
    examples = [
        Example.from_dict(nlp.make_doc(triage.normalize(r.text)), {"cats": _cats(r.category)})
        for r in records
    ]
    optimizer = nlp.initialize(lambda: examples)
    shuffle = random.Random(seed)  # noqa: S311 - reproducible shuffling, not secrets
    for _epoch in range(EPOCHS):
        shuffle.shuffle(examples)
        for start in range(0, len(examples), BATCH_SIZE):
            batch = examples[start : start + BATCH_SIZE]
            # a sparse linear model has no dropout to apply
            nlp.update(batch, sgd=optimizer, drop=0.0)
    return nlp


def train(records: Sequence[LabelledComplaint]) -> Language:
    return fit(blank_pipeline(), records)


def predict(nlp: Language, text: str) -> Category:
    """The category `nlp` gives `text` (ties to OTHER, as in triage.triage)."""
    scores = triage.classify(text, nlp)
    return max(reversed(triage.CATEGORIES), key=lambda c: scores[c])


def _predictor(nlp: Language) -> Predictor:
    def predict(text: str) -> tuple[Category, float]:
        scores = triage.classify(text, nlp)
        best = max(reversed(triage.CATEGORIES), key=lambda c: scores[c])
        return best, scores[best]

    return predict


def build_chosen(records: Sequence[LabelledComplaint]) -> Predictor:
    return _predictor(train(records))


# --- the designs that lost, kept so the comparison can be re-run ----------------------------------


def build_jieba_words(records: Sequence[LabelledComplaint]) -> Predictor:
    """spaCy's Chinese pipeline with the jieba segmenter and TextCatBOW over word unigrams."""
    import jieba  # only this comparison needs it; importing it resets its logger to DEBUG

    jieba.setLogLevel(logging.WARNING)
    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
    textcat = nlp.add_pipe(
        "textcat",
        config={
            "model": {
                "@architectures": "spacy.TextCatBOW.v3",
                "exclusive_classes": True,
                "ngram_size": 1,
                "no_output_layer": False,
            }
        },
    )
    for category in triage.CATEGORIES:
        textcat.add_label(category.value)  # type: ignore[attr-defined]
    predict = _predictor(fit(nlp, [_lowered(r) for r in records]))
    return lambda text: predict(text.lower())


def _lowered(record: LabelledComplaint) -> LabelledComplaint:
    # TextCatBOW reads ORTH, so case must be folded before tokenizing.
    return LabelledComplaint(record.text.lower(), record.category, record.severity, record.lang)


def build_routed(records: Sequence[LabelledComplaint]) -> Predictor:
    """One pipeline per language (the chosen design each), texts routed by script."""
    by_language = {
        language: _predictor(
            train([r for r in records if triage.detect_language(r.text) == language])
        )
        for language in ("zh", "en")
    }
    return lambda text: by_language[triage.detect_language(text)](text)


DESIGNS: dict[str, Builder] = {
    "one pipeline, Han chars+bigrams, words+4-grams+pairs (chosen)": build_chosen,
    "one pipeline, jieba words (spaCy zh)": build_jieba_words,
    "two pipelines routed by script (zh / en)": build_routed,
}


# --- evaluation -----------------------------------------------------------------------------------


def folds(records: Sequence[LabelledComplaint], k: int = 5, seed: int = SEED) -> list[list[int]]:
    """k folds stratified by category and language, the same for every run."""
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    for index, record in enumerate(records):
        groups[(record.category.value, record.lang)].append(index)
    rng = random.Random(seed)  # noqa: S311 - reproducible folds, not secrets
    result: list[list[int]] = [[] for _ in range(k)]
    position = 0
    for key in sorted(groups):
        members = groups[key]
        rng.shuffle(members)
        for index in members:
            result[position % k].append(index)
            position += 1
    return result


def cross_validate(
    records: Sequence[LabelledComplaint], build: Builder, k: int = 5
) -> list[tuple[Category, float]]:
    """Out-of-fold predictions (category, probability), one per record."""
    predictions: list[tuple[Category, float] | None] = [None] * len(records)
    for held_out in folds(records, k):
        held = set(held_out)
        predict = build([r for i, r in enumerate(records) if i not in held])
        for index in held_out:
            predictions[index] = predict(records[index].text)
    return [p for p in predictions if p is not None]


def accuracy_and_macro_f1(
    gold: Sequence[Category], predicted: Sequence[Category]
) -> tuple[float, float]:
    correct = sum(g is p for g, p in zip(gold, predicted, strict=True))
    f1s = []
    for category in triage.CATEGORIES:
        tp = sum(g is category and p is category for g, p in zip(gold, predicted, strict=True))
        fp = sum(g is not category and p is category for g, p in zip(gold, predicted, strict=True))
        fn = sum(g is category and p is not category for g, p in zip(gold, predicted, strict=True))
        f1s.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return correct / len(gold), sum(f1s) / len(f1s)


def _subsets(records: Sequence[LabelledComplaint]) -> list[tuple[str, list[int]]]:
    subsets = [(lang, [i for i, r in enumerate(records) if r.lang == lang]) for lang in LANGUAGES]
    subsets.append(("code-mixed", [i for i, r in enumerate(records) if r.mixed]))
    subsets.append(("all", list(range(len(records)))))
    return subsets


def category_table(
    records: Sequence[LabelledComplaint], predicted: Sequence[Category]
) -> list[str]:
    lines = [f"  {'subset':<11} {'n':>4} {'accuracy':>9} {'macro-F1':>9}"]
    for name, indices in _subsets(records):
        gold = [records[i].category for i in indices]
        accuracy, macro_f1 = accuracy_and_macro_f1(gold, [predicted[i] for i in indices])
        lines.append(f"  {name:<11} {len(indices):>4} {accuracy:>9.3f} {macro_f1:>9.3f}")
    return lines


def severity_table(records: Sequence[LabelledComplaint]) -> list[str]:
    """Precision and recall of the severity rules against the labels, per language."""
    lines = [f"  {'subset':<11} {'major':>5} {'flagged':>7} {'precision':>9} {'recall':>7}"]
    misses: list[str] = []
    for name, indices in _subsets(records):
        tp = fp = fn = 0
        for i in indices:
            flagged = bool(triage.severity_reasons(records[i].text))
            major = records[i].severity is Severity.MAJOR
            tp, fp, fn = (
                tp + (flagged and major),
                fp + (flagged and not major),
                fn + (major and not flagged),
            )
            if name == "all" and flagged != major:
                misses.append(f"    {'false alarm' if flagged else 'missed':<11} {records[i].text}")
        precision = tp / (tp + fp) if tp + fp else 1.0
        recall = tp / (tp + fn) if tp + fn else 1.0
        lines.append(f"  {name:<11} {tp + fn:>5} {tp + fp:>7} {precision:>9.3f} {recall:>7.3f}")
    return lines + (["  disagreements:", *misses] if misses else [])


def report(records: Sequence[LabelledComplaint], *, k: int = 5, compare: bool = False) -> str:
    per_language = Counter(r.lang for r in records)
    lines = [
        f"labelled complaints: {len(records)} ("
        + ", ".join(f"{lang} {per_language[lang]}" for lang in LANGUAGES)
        + f"; {sum(r.mixed for r in records)} code-mixed)",
        "",
    ]
    designs = DESIGNS if compare else dict(list(DESIGNS.items())[:1])
    chosen: list[tuple[Category, float]] = []
    for name, build in designs.items():
        started = time.perf_counter()
        predicted = cross_validate(records, build, k)
        chosen = chosen or predicted
        lines.append(
            f"category, {k}-fold cross-validation: {name} ({time.perf_counter() - started:.0f} s)"
        )
        lines += category_table(records, [category for category, _ in predicted])
        lines.append("")
    lines += _confusion(records, [category for category, _ in chosen])
    lines += ["", *_unsure_table(records, chosen)]
    lines += ["", "severity rules (no tier) against the labels:", *severity_table(records)]
    return "\n".join(lines)


def _unsure_table(
    records: Sequence[LabelledComplaint], predicted: Sequence[tuple[Category, float]]
) -> list[str]:
    """How the out-of-fold predictions split at the unsure threshold, and how right each side is."""
    lines = [f"confidence threshold (Triage.unsure below {triage.UNSURE_BELOW}), chosen design:"]
    for threshold in sorted({0.3, 0.4, 0.5, 0.6, 0.7, triage.UNSURE_BELOW}):
        sure = [
            r.category is c for r, (c, p) in zip(records, predicted, strict=True) if p >= threshold
        ]
        unsure = [
            r.category is c for r, (c, p) in zip(records, predicted, strict=True) if p < threshold
        ]
        lines.append(
            f"  below {threshold:.1f}: {len(unsure) / len(records):5.1%} of complaints asked,"
            f" right {sum(unsure) / max(len(unsure), 1):5.1%};"
            f" the rest right {sum(sure) / max(len(sure), 1):5.1%}"
        )
    return lines


def _confusion(records: Sequence[LabelledComplaint], predicted: Sequence[Category]) -> list[str]:
    short = {c: c.value[:7] for c in triage.CATEGORIES}
    lines = ["confusion (rows gold, columns predicted), chosen design:"]
    lines.append("  " + " " * 16 + "".join(f"{short[c]:>8}" for c in triage.CATEGORIES))
    for gold in triage.CATEGORIES:
        row = Counter(p for r, p in zip(records, predicted, strict=True) if r.category is gold)
        lines.append(f"  {gold.value:<16}" + "".join(f"{row[c]:>8}" for c in triage.CATEGORIES))
    return lines


# --- building the model under models/ -------------------------------------------------------------


def stamp() -> str:
    """Content hash of everything the trained model depends on."""
    digest = hashlib.sha256()
    for path in (DATA_PATH, CORRECTIONS_PATH, Path(__file__), Path(triage.__file__)):
        digest.update(path.name.encode())
        digest.update(path.read_bytes() if path.is_file() else b"")
    digest.update(spacy_version.encode())
    return digest.hexdigest()


def is_current(target: Path) -> bool:
    stamp_path = target / STAMP_FILE
    return stamp_path.is_file() and stamp_path.read_text().strip() == stamp()


def build(target: Path, *, force: bool = False) -> bool:
    """Train and write the pipeline to `target` unless it is current; True when it trained.

    Written to a sibling directory first and swapped in, so an interrupted run never leaves a
    half-written model where the application loads it.
    """
    if not force and is_current(target):
        return False
    records = training_data()
    nlp = train(records)
    nlp.meta["name"] = "kefu_triage"
    nlp.meta["description"] = "Kefu complaint triage: category classifier (zh-Hans, zh-Hant, en)"
    nlp.meta["kefu"] = {"examples": len(records), "seed": SEED, "epochs": EPOCHS}
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    staging.chmod(0o755)  # mkdtemp makes it private; the model is not a secret
    try:
        nlp.to_disk(staging)
        (staging / STAMP_FILE).write_text(stamp() + "\n")
        if target.exists():
            shutil.rmtree(target)
        staging.rename(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return True


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m ticketing.triage_train", description=__doc__.splitlines()[0]
    )
    commands = parser.add_subparsers(dest="command", required=True)
    train_cmd = commands.add_parser("train", help="build models/triage/ when data or code changed")
    train_cmd.add_argument("--force", action="store_true", help="retrain even when up to date")
    train_cmd.add_argument(
        "--output", type=Path, default=None, help="default: $KEFU_TRIAGE_MODEL or models/triage"
    )
    report_cmd = commands.add_parser(
        "report", help="cross-validated scores and severity-rule checks"
    )
    report_cmd.add_argument("--folds", type=int, default=5)
    report_cmd.add_argument(
        "--compare", action="store_true", help="also score the designs not chosen"
    )
    args = parser.parse_args(argv)
    if args.command == "train":
        target = args.output or triage.model_dir()
        started = time.perf_counter()
        if build(target, force=args.force):
            print(f"triage model written to {target} in {time.perf_counter() - started:.1f} s")
        else:
            print(f"triage model at {target} is up to date")
        return 0
    print(report(training_data(), k=args.folds, compare=args.compare))
    return 0


if __name__ == "__main__":
    sys.exit(main())
