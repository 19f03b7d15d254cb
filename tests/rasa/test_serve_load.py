"""Kefu's Rasa launcher (bot/assistant/serve.py) loads TEDPolicy's and the ResponseSelector's
networks for prediction only: the trained model answers exactly as with Rasa's own loading (the
same intents, FAQ answers and TEDPolicy's action probabilities, to the last digit), without the
optimizer's state, in less memory. `KEFU_RASA_ORIGINAL_LOAD=1` is Rasa's loading. Run in the Rasa
environment on the trained model."""

from __future__ import annotations

import json
import os
import subprocess
from typing import Any

import pytest

from scripts.train_model import model_path
from tests.servers import RASA_PYTHON, ROOT

pytestmark = pytest.mark.rasa

SCRIPT = r"""
import asyncio, json, os, resource, sys
from bot.assistant.serve import ORIGINAL_LOAD_ENV, _load_tensorflow_models_for_prediction
if os.environ.get(ORIGINAL_LOAD_ENV) != "1":
    _load_tensorflow_models_for_prediction()
from rasa.core.agent import Agent
from rasa.core.channels import UserMessage
from rasa.core.policies.ted_policy import TEDPolicy
from rasa.nlu.selectors.response_selector import ResponseSelector

agent = Agent.load(model_path=sys.argv[1])
nodes = agent.processor.graph_runner._instantiated_nodes.values()
components = [node._component for node in nodes]
ted = next(c for c in components if isinstance(c, TEDPolicy))
selector = next(c for c in components if isinstance(c, ResponseSelector))
texts = json.loads(sys.argv[2])


async def run():
    parsed, actions = [], []
    for text in texts:
        parsed.append(await agent.parse_message(text))
    for i, text in enumerate(texts * 2):
        sender = f"s{i % 4}"
        await agent.processor.log_message(UserMessage(text, sender_id=sender))
        tracker = await agent.processor.fetch_tracker_with_initial_session(sender)
        actions.append(ted.predict_action_probabilities(tracker, agent.domain).probabilities)
    return parsed, actions


parsed, actions = asyncio.run(run())
print(json.dumps({
    "parsed": parsed,
    "ted": actions,
    "optimizer_variables": [
        len(ted.model.optimizer.variables()), len(selector.model.optimizer.variables())
    ],
    "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
}, default=str))
"""

TEXTS = [
    "hi",
    "你好",
    "where is my order",
    "订单还没到货",
    "I want to complain",
    "我要投诉",
    "A2024-1181",
    "what are your opening hours",
    "营业时间",
    "how do I return an item",
    "can I get a refund",
    "talk to a person",
    "superb",
    "thanks",
    "bye",
]


def _load(original: bool) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if k != "KEFU_RASA_ORIGINAL_LOAD"}
    if original:
        env["KEFU_RASA_ORIGINAL_LOAD"] = "1"
    result = subprocess.run(
        [str(RASA_PYTHON), "-c", SCRIPT, str(model_path()), json.dumps(TEXTS)],
        cwd=ROOT,
        env={**env, "RASA_TELEMETRY_ENABLED": "false"},
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    loaded: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return loaded


@pytest.fixture(scope="module")
def both() -> tuple[dict[str, Any], dict[str, Any]]:
    if not model_path().exists():
        pytest.fail(f"no trained model at {model_path()}: run `make model`")
    return _load(original=True), _load(original=False)


def test_predictions_are_the_same_as_with_rasas_loading(
    both: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    original, ours = both
    assert ours["parsed"] == original["parsed"]
    assert ours["ted"] == original["ted"]
    # The comparison means something: FAQ answers and TEDPolicy's probabilities were produced.
    assert any(p.get("response_selector", {}).get("faq") for p in ours["parsed"])
    assert all(len(probabilities) > 10 for probabilities in ours["ted"])


def test_the_optimizer_state_is_not_loaded(both: tuple[dict[str, Any], dict[str, Any]]) -> None:
    original, ours = both
    # Adam: two slots for every weight, and the step counter, which alone is left here.
    assert min(original["optimizer_variables"]) > 10
    assert ours["optimizer_variables"] == [1, 1]
    assert ours["max_rss_mb"] < original["max_rss_mb"] - 200
