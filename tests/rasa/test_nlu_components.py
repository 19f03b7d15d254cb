"""Kefu's own NLU components (bot/assistant/nlu/), run in the Rasa environment they load in: the
tokenizer reads Traditional Chinese as Simplified with offsets into the original text, and the
sentence embeddings are real (similar sentences close, Chinese left to the counts), from the model
inside the installed package."""

from __future__ import annotations

import json
import subprocess
from typing import Any

import pytest

from tests.servers import ROOT

pytestmark = pytest.mark.rasa

RASA_PYTHON = ROOT / ".venv-rasa" / "bin" / "python"

SCRIPT = r"""
import json, sys
import numpy as np
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message

from bot.assistant.nlu.tokenizer import SimplifiedJiebaTokenizer
from bot.assistant.nlu.sentence_embeddings import (
    EnglishSentenceEmbeddingFeaturizer,
    _encoder,
    embed,
)

storage = LocalModelStorage(sys.argv[1])
context = ExecutionContext(GraphSchema({}), node_name="test")
tokenizer = SimplifiedJiebaTokenizer.create(
    SimplifiedJiebaTokenizer.get_default_config(), storage, Resource("tok"), context
)
tokens = {}
for text in json.loads(sys.argv[2]):
    message = Message.build(text=text)
    tokenizer.process([message])
    tokens[text] = [[t.text, t.start, t.end] for t in message.get("text_tokens")]

featurizer = EnglishSentenceEmbeddingFeaturizer.create(
    EnglishSentenceEmbeddingFeaturizer.get_default_config(), storage, Resource("emb"), context
)
loaded_with_the_model = _encoder.cache_info().currsize == 1
sentences = json.loads(sys.argv[3])
vectors = embed(sentences)
message = Message.build(text=sentences[0])
featurizer.process([message])
sequence, sentence = message.get_dense_features("text")
print(json.dumps({
    "tokens": tokens,
    "norms": [float(np.linalg.norm(v)) for v in vectors],
    "cosine": (vectors @ vectors.T).tolist(),
    "feature": [sequence is None, list(sentence.features.shape), sentence.features.tolist()[0][:5]],
    "first": vectors[0].tolist()[:5],
    "loaded_with_the_model": loaded_with_the_model,
}))
"""

TRADITIONAL = ["訂單還沒到貨", "我的order 還沒到", "where is my order"]
SENTENCES = [
    "superb",
    "excellent",
    "when does the post office close",
    "服务很好",
    "",
]


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    result = subprocess.run(
        [
            str(RASA_PYTHON),
            "-c",
            SCRIPT,
            str(tmp_path_factory.mktemp("storage")),
            json.dumps(TRADITIONAL),
            json.dumps(SENTENCES),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    parsed: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return parsed


def test_traditional_chinese_is_tokenized_as_simplified(results: dict[str, Any]) -> None:
    tokens = results["tokens"]["訂單還沒到貨"]
    assert "".join(text for text, _start, _end in tokens) == "订单还没到货"
    assert tokens[0] == ["订单", 0, 2]


def test_token_offsets_point_into_the_original_text(results: dict[str, Any]) -> None:
    for text in TRADITIONAL:
        for token, start, end in results["tokens"][text]:
            assert len(text[start:end]) == len(token)
            assert end - start == len(token)
    english = results["tokens"]["where is my order"]
    assert [t[0] for t in english if t[0].strip()] == ["where", "is", "my", "order"]


def test_english_sentences_get_unit_vectors_and_chinese_none(results: dict[str, Any]) -> None:
    norms = results["norms"]
    assert norms[0] == pytest.approx(1.0, abs=1e-4)
    assert norms[1] == pytest.approx(1.0, abs=1e-4)
    assert norms[3] == 0.0  # Chinese: left to the word and character counts
    assert norms[4] == 0.0  # empty text


def test_sentences_that_mean_the_same_are_closer(results: dict[str, Any]) -> None:
    cosine = results["cosine"]
    # Two verdicts with no word in common are close; a question not about us at all is not.
    assert cosine[0][1] > cosine[0][2] + 0.2


def test_the_encoder_loads_with_the_model(results: dict[str, Any]) -> None:
    # Not on the first English message: that customer would wait seconds for torch and MiniLM.
    assert results["loaded_with_the_model"]


def test_the_featurizer_adds_a_sentence_feature_only(results: dict[str, Any]) -> None:
    no_sequence, shape, head = results["feature"]
    assert no_sequence
    assert shape == [1, 384]
    assert head == pytest.approx(results["first"], abs=1e-6)
