"""The conversation test stories (tests/rasa/stories/) pass against the trained model: every
flow in both languages, with `rasa test core --fail-on-prediction-errors`."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.servers import run_rasa

pytestmark = pytest.mark.rasa

STORIES = Path(__file__).resolve().parent / "stories"
OUTPUT_TAIL = 4000


def test_conversation_stories_pass(rasa_model: Path, tmp_path: Path) -> None:
    result = run_rasa(
        "test",
        "core",
        "--stories",
        str(STORIES),
        "--model",
        str(rasa_model),
        "--fail-on-prediction-errors",
        "--out",
        str(tmp_path),
    )
    output = (result.stdout + result.stderr)[-OUTPUT_TAIL:]
    failed = tmp_path / "failed_test_stories.yml"
    assert result.returncode == 0, output
    assert "WrongPredictionException" not in output, output
    assert failed.exists(), output
    assert "None of the test stories failed" in failed.read_text("utf-8"), failed.read_text("utf-8")
