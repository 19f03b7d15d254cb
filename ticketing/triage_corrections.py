"""Agents' category corrections as training data for triage, and what they change.

    python -m ticketing triage export-corrections [--dry-run]   # from the database
    python -m ticketing.triage_corrections compare              # accuracy before/after

A ticket the bot filed whose category a desk user changed is a labelled complaint
(`services.corrections`). `export_corrections` masks the personal data in its text (phone
numbers, order numbers, e-mail addresses, the customer's name and names the customer gives) and
appends it to `triage_data/corrections.jsonl`, once per text. That file is reviewed like code (it
is committed; read the diff) and training reads it with the hand-labelled complaints
(`triage_train.training_data`). `compare` trains without and with the corrections and reports
accuracy on the held-out set and on the corrections themselves (out of fold).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from ticketing import triage, triage_heldout, triage_train
from ticketing.models import Category, Severity
from ticketing.services.corrections import FiledByBot, corrections
from ticketing.triage_train import LabelledComplaint

PHONE_MASK = "13800000000"
ORDER_MASK = "A2000-0000"
EMAIL_MASK = "user@example.com"
NAME_MASK_ZH = "某某"
NAME_MASK_EN = "Name"

_ORDER = re.compile(r"(?<![0-9A-Za-z])[A-Za-z]20\d\d(?:[-\u2010-\u2015]\s?)?\d{3,6}(?![0-9A-Za-z])")
_PHONE = re.compile(
    r"(?<![0-9A-Za-z+])(?:(?:\+|00)?86[\s-]?)?1[3-9]\d[\s-]?\d{4}[\s-]?\d{4}(?![0-9A-Za-z])"
    r"|(?<![0-9A-Za-z+])\+[1-9](?:[\s-]?\d){7,14}(?![0-9A-Za-z])"
    # landlines and other long digit runs: 7 or more digits, maybe grouped
    r"|(?<![0-9A-Za-z])\d{3,4}[\s-]?\d{7,8}(?![0-9A-Za-z])|(?<![0-9A-Za-z-])\d{7,}(?![0-9A-Za-z])"
)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.ASCII)
# Names customers give of themselves or others: 我叫王小明, 我是李女士, 联系人张三, my name is...
_ZH_NAME = re.compile(
    r"(?<=我叫)[\u4e00-\u9fff]{2,3}|(?<=联系人|聯絡人|收件人)[\u4e00-\u9fff]{2,3}"
    r"|[\u4e00-\u9fff](?=女士|先生|小姐|经理|經理)"
)
_EN_NAME = re.compile(
    r"\b(my name is|this is|(?:Mr|Ms|Mrs|Miss|Dr)\.?) [A-Z][a-z]+(?: [A-Z][a-z]+)?"
)
# Characters written only in Traditional Chinese, common in complaints: enough to tell the two
# scripts apart for the `lang` label (a wrong guess only moves the example to the other subset).
_TRADITIONAL = re.compile(
    "[這個們會說為來時對開關門問題號單貨買賣點發後電話還沒請讓應錢處理務態實級換當經過]"
)

CORRECTIONS_PATH = triage_train.CORRECTIONS_PATH


def mask_personal_data(text: str, names: Iterable[str] = ()) -> str:
    """`text` with phone and order numbers, e-mail addresses and names replaced by placeholders
    of the same shape (digits stay digits, so the classifier's number features still fire)."""
    text = triage.normalize(text)
    for name in sorted(
        {n.strip() for n in names if n and len(n.strip()) >= 2}, key=len, reverse=True
    ):
        text = text.replace(name, NAME_MASK_EN if name.isascii() else NAME_MASK_ZH)
    text = _EMAIL.sub(EMAIL_MASK, text)
    text = _ORDER.sub(ORDER_MASK, text)
    text = _PHONE.sub(PHONE_MASK, text)
    text = _ZH_NAME.sub(lambda m: "某" if len(m[0]) == 1 else NAME_MASK_ZH, text)
    return _EN_NAME.sub(lambda m: f"{m[1]} {NAME_MASK_EN}", text)


def script_of(text: str) -> str:
    """The training data's `lang` label for a complaint: en, zh-Hant or zh-Hans."""
    if triage.detect_language(text) == "en":
        return "en"
    return "zh-Hant" if _TRADITIONAL.search(text) else "zh-Hans"


def as_example(row: FiledByBot) -> LabelledComplaint:
    """The labelled complaint a correction gives: the masked text and the people's category."""
    assert row.corrected_to is not None
    customer = row.ticket.customer
    text = mask_personal_data(row.ticket.description, [customer.name] if customer else [])
    lang = script_of(text)
    mixed = lang != "en" and bool(re.search(r"[A-Za-z]{3,}", text))
    return LabelledComplaint(
        text=text,
        category=row.corrected_to,
        severity=Severity.MAJOR if triage.severity_reasons(text) else Severity.GENERAL,
        lang=lang,
        mixed=mixed,
    )


@dataclass(frozen=True)
class Exported:
    new: list[LabelledComplaint]
    already: int  # corrections whose text the file (or the training data) has already


def export_corrections(
    session: Session, path: Path = CORRECTIONS_PATH, *, dry_run: bool = False
) -> Exported:
    """Append the corrections not yet in `path` (nor in the hand-labelled data) to it."""
    known = {r.text for r in triage_train.load_data()}
    if path.is_file():
        known |= {r.text for r in triage_train.load_data(path)}
    new: list[LabelledComplaint] = []
    already = 0
    for row in corrections(session):
        example = as_example(row)
        if not any(ch.isalnum() for ch in example.text) or example.text in known:
            already += 1
            continue
        known.add(example.text)
        new.append(example)
    if new and not dry_run:
        with path.open("a", encoding="utf-8") as out:
            for example in new:
                out.write(json.dumps(to_json(example), ensure_ascii=False) + "\n")
    return Exported(new, already)


def to_json(example: LabelledComplaint) -> dict[str, object]:
    record: dict[str, object] = {
        "text": example.text,
        "category": example.category.value,
        "severity": example.severity.value,
        "lang": example.lang,
    }
    if example.mixed:
        record["mixed"] = True
    record["source"] = "correction"
    return record


# --- before and after ---------------------------------------------------------------------------


def compare(
    base: Sequence[LabelledComplaint], extra: Sequence[LabelledComplaint], *, k: int = 5
) -> list[str]:
    """Accuracy without and with `extra` (the corrections): on the held-out set, and on the
    corrections themselves (without: the model trained on `base`; with: out of fold)."""
    heldout = triage_train.load_data(triage_heldout.HELDOUT_PATH)
    without = triage_train.train(base)
    with_them = triage_train.train([*base, *extra])
    lines = [f"hand-labelled complaints: {len(base)}; corrections: {len(extra)}", ""]
    for name, nlp in (("without corrections", without), ("with corrections", with_them)):
        lines += [
            f"held-out set, {name}:",
            triage_heldout.render(triage_heldout.score(heldout, nlp)),
        ]
    if extra:
        before = _accuracy(extra, [triage_train.predict(without, r.text) for r in extra])
        after = _out_of_fold(base, extra, k)
        lines += [
            "",
            f"on the corrections: without them {before:.3f}, with them (out of fold, "
            f"{min(k, len(extra))} folds) {after:.3f}",
        ]
    return lines


def _accuracy(records: Sequence[LabelledComplaint], predicted: Sequence[Category]) -> float:
    right = sum(r.category is p for r, p in zip(records, predicted, strict=True))
    return right / len(records) if records else 0.0


def _out_of_fold(
    base: Sequence[LabelledComplaint], extra: Sequence[LabelledComplaint], k: int
) -> float:
    k = max(1, min(k, len(extra)))
    predicted: list[Category | None] = [None] * len(extra)
    for fold in range(k):
        held = [i for i in range(len(extra)) if i % k == fold]
        train_on = [r for i, r in enumerate(extra) if i % k != fold]
        nlp = triage_train.train([*base, *train_on])
        for i in held:
            predicted[i] = triage_train.predict(nlp, extra[i].text)
    return _accuracy(extra, [p or Category.OTHER for p in predicted])


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m ticketing.triage_corrections", description=__doc__.splitlines()[0]
    )
    commands = parser.add_subparsers(dest="command", required=True)
    compare_cmd = commands.add_parser("compare", help="accuracy without and with corrections")
    compare_cmd.add_argument("--corrections", type=Path, default=CORRECTIONS_PATH)
    compare_cmd.add_argument("--folds", type=int, default=5)
    args = parser.parse_args(argv)
    extra = triage_train.load_data(args.corrections) if args.corrections.is_file() else []
    print("\n".join(compare(triage_train.load_data(), extra, k=args.folds)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
