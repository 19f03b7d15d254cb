"""`make help` names every target a developer can run, so none is found only by reading the file."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# A rule line: a plain name at the start of a line, then a colon (not `:=`).
TARGET = re.compile(r"^([a-z][a-z0-9-]*)\s*:(?!=)", re.MULTILINE)


def targets(makefile: str) -> set[str]:
    return set(TARGET.findall(makefile)) - {"help"}


def test_make_help_lists_every_target() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    shown = subprocess.run(
        ["make", "--no-print-directory", "-s", "help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    listed = set(re.findall(r"^make ([a-z][a-z0-9-]*)", shown, re.MULTILINE))
    assert targets(makefile) - listed == set()


def test_targets_are_read_from_rules_not_variables() -> None:
    assert targets("VENV := .venv\nrun: install\n\tdo\nbench:\nhelp:\n") == {"run", "bench"}
