"""Score the trained triage model on the held-out complaints, which training never reads.

    python -m ticketing.triage_heldout                  # the model in models/triage/
    python -m ticketing.triage_heldout --model DIR      # another trained pipeline
    python -m ticketing.triage_heldout --errors         # ...and list what it got wrong

`triage_data/heldout.jsonl` holds complaints written apart from the training data (at least 60
each in Chinese, English and code-mixed Chinese/English; typos, informal English, Traditional
Chinese, long complaints naming several problems). Training, cross-validation and the design
comparisons never read it: it is scored once per design decision, never tuned on. A test checks
that none of its texts is in the training data.

Reported: category accuracy per language group (zh: Simplified and Traditional Chinese; en;
mixed) and overall, and recall and precision of `major` severity (the rules in `triage.py`,
without a customer tier).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from spacy.language import Language

from ticketing import triage
from ticketing.models import Category, Severity
from ticketing.triage_train import LabelledComplaint, load_data

HELDOUT_PATH = Path(__file__).resolve().parent / "triage_data" / "heldout.jsonl"
GROUPS = ("zh", "en", "mixed")


def group(record: LabelledComplaint) -> str:
    """zh, en or mixed: the language group a held-out complaint is scored under."""
    if record.mixed:
        return "mixed"
    return "en" if record.lang == "en" else "zh"


@dataclass(frozen=True)
class Scored:
    record: LabelledComplaint
    predicted: Category
    confidence: float
    major: bool  # what the severity rules said
    secondary: tuple[Category, ...]  # what triage saw besides the labelled category


@dataclass(frozen=True)
class HeldoutScores:
    n: dict[str, int]
    accuracy: dict[str, float]  # per group and "all"
    major_recall: float
    major_precision: float
    scored: tuple[Scored, ...]


def score(records: Sequence[LabelledComplaint], nlp: Language) -> HeldoutScores:
    """Category accuracy per group and `major` recall/precision of `records` under `nlp`."""
    scored: list[Scored] = []
    for record in records:
        scores = triage.classify(record.text, nlp)
        best = max(reversed(triage.CATEGORIES), key=lambda c: scores[c])
        major = bool(triage.severity_reasons(record.text))
        found = triage.Triage(best, scores[best], scores, Severity.GENERAL, (), (), (), (), "")
        secondary = found.seen_as(best).secondary
        scored.append(Scored(record, best, scores[best], major, secondary))
    n: dict[str, int] = {}
    accuracy: dict[str, float] = {}
    for name in (*GROUPS, "all"):
        members = [s for s in scored if name == "all" or group(s.record) == name]
        n[name] = len(members)
        right = sum(s.predicted is s.record.category for s in members)
        accuracy[name] = right / len(members) if members else 0.0
    tp = sum(s.major and s.record.severity is Severity.MAJOR for s in scored)
    flagged = sum(s.major for s in scored)
    gold = sum(s.record.severity is Severity.MAJOR for s in scored)
    return HeldoutScores(
        n=n,
        accuracy=accuracy,
        major_recall=tp / gold if gold else 1.0,
        major_precision=tp / flagged if flagged else 1.0,
        scored=tuple(scored),
    )


def render(result: HeldoutScores, *, errors: bool = False) -> str:
    lines = [f"  {'group':<6} {'n':>4} {'accuracy':>9}"]
    for name in (*GROUPS, "all"):
        lines.append(f"  {name:<6} {result.n[name]:>4} {result.accuracy[name]:>9.3f}")
    gold = sum(s.record.severity is Severity.MAJOR for s in result.scored)
    lines.append(
        f"  major severity ({gold} labelled): recall {result.major_recall:.3f},"
        f" precision {result.major_precision:.3f}"
    )
    labelled = [c for s in result.scored for c in s.record.secondary]
    found = sum(c in s.secondary for s in result.scored for c in s.record.secondary)
    shown = sum(len(s.secondary) for s in result.scored)
    lines.append(
        f"  secondary categories: {found} of {len(labelled)} labelled ones shown"
        f" ({shown} shown in all)"
    )
    if errors:
        lines.append("  wrong category (gold -> predicted, confidence):")
        for s in result.scored:
            if s.predicted is not s.record.category:
                lines.append(
                    f"    [{group(s.record)}] {s.record.category.value} -> {s.predicted.value}"
                    f" ({s.confidence:.2f}) {s.record.text[:90]}"
                )
        for s in result.scored:
            if s.major != (s.record.severity is Severity.MAJOR):
                kind = "false alarm" if s.major else "missed major"
                lines.append(f"    {kind}: {s.record.text[:90]}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m ticketing.triage_heldout", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--model", type=Path, default=None, help="default: models/triage")
    parser.add_argument("--errors", action="store_true", help="list the wrong answers")
    args = parser.parse_args(argv)
    nlp = triage.load_pipeline(args.model)
    records = load_data(HELDOUT_PATH)
    model = args.model or triage.model_dir()
    print(f"held-out complaints: {len(records)} ({HELDOUT_PATH.name}), model {model}")
    print(render(score(records, nlp), errors=args.errors))
    return 0


if __name__ == "__main__":
    sys.exit(main())
