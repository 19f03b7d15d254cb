"""Rasa's logistic-regression intent classifier over TF-IDF-weighted, length-normalised features.

Rasa's LogisticRegressionClassifier fits raw feature counts, so a long message outweighs a short
one and a two-word reply ("可以", "business hours") is pulled towards whichever intent has the
shortest examples. Sublinear TF-IDF with L2 normalisation, and weaker regularisation (C=10),
raised the 5-fold cross-validated macro-F1 of our data by about 0.03 in each language
(scripts/nlu_report.py). Dense sentence features (bot/assistant/nlu/sentence_embeddings.py), already
normalised and possibly negative, are appended after the TF-IDF columns unchanged.

Runs in the Rasa environment only: `rasa` puts the working directory on the import path, so
config.yml names it by its module path from the repo root.
"""

from __future__ import annotations

import logging
from typing import Any

import skops.io as sio  # type: ignore[import-not-found]
from rasa.engine.graph import ExecutionContext  # type: ignore[import-not-found]
from rasa.engine.recipes.default_recipe import DefaultV1Recipe  # type: ignore[import-not-found]
from rasa.engine.storage.resource import Resource  # type: ignore[import-not-found]
from rasa.engine.storage.storage import ModelStorage  # type: ignore[import-not-found]
from rasa.nlu.classifiers.logistic_regression_classifier import (  # type: ignore[import-not-found]
    LogisticRegressionClassifier,
)
from rasa.shared.nlu.constants import TEXT  # type: ignore[import-not-found]
from rasa.shared.nlu.training_data.training_data import (  # type: ignore[import-not-found]
    TrainingData,
)
from sklearn.compose import ColumnTransformer  # type: ignore[import-not-found]
from sklearn.feature_extraction.text import TfidfTransformer  # type: ignore[import-not-found]
from sklearn.linear_model import LogisticRegression  # type: ignore[import-not-found]
from sklearn.pipeline import Pipeline  # type: ignore[import-not-found]

logger = logging.getLogger(__name__)

# What the fitted pipeline holds besides scikit-learn's own trusted types: TfidfTransformer keeps
# its IDF weights as a sparse matrix. Anything else in a model file is refused.
EXPECTED_TYPES = frozenset({"scipy.sparse._csr.csr_matrix", "scipy.sparse._dia.dia_matrix"})


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class TfidfLogisticRegressionClassifier(LogisticRegressionClassifier):  # type: ignore[misc]
    """LogisticRegressionClassifier fitting TF-IDF(sublinear) + L2-normalised features."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {**LogisticRegressionClassifier.get_default_config(), "C": 10.0, "max_iter": 1000}

    def __init__(
        self,
        config: dict[str, Any],
        name: str,
        model_storage: ModelStorage,
        resource: Resource,
    ) -> None:
        super().__init__(config, name, model_storage, resource)
        # The parent's training, prediction and ranking only use fit / predict_proba / classes_,
        # which the pipeline provides; train() builds it once it knows the feature widths.
        self.clf = self._pipeline(sparse_columns=None)

    def _pipeline(self, sparse_columns: int | None) -> Pipeline:
        """TF-IDF over the sparse count columns; dense features (sentence embeddings, already
        normalised and possibly negative) pass through unchanged after them."""
        features = (
            TfidfTransformer(sublinear_tf=True)
            if sparse_columns is None
            else ColumnTransformer(
                [("tfidf", TfidfTransformer(sublinear_tf=True), slice(0, sparse_columns))],
                remainder="passthrough",
                sparse_threshold=1.0,
            )
        )
        logreg = LogisticRegression(
            C=self.config["C"],
            solver=self.config["solver"],
            max_iter=self.config["max_iter"],
            tol=self.config["tol"],
            class_weight="balanced",
            random_state=self.config["random_state"],
        )
        return Pipeline([("features", features), ("logreg", logreg)])

    def train(self, training_data: TrainingData) -> Resource:
        # The parent's _create_X puts each message's sparse sentence features first, then its
        # dense ones: the sparse width of any training example splits the columns.
        example = next((e for e in training_data.intent_examples if e.get(TEXT)), None)
        if example is not None and example.get_dense_features(attribute=TEXT)[1] is not None:
            sparse = example.get_sparse_features(attribute=TEXT)[1]
            self.clf = self._pipeline(sparse.features.shape[1] if sparse is not None else 0)
        return super().train(training_data)

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> TfidfLogisticRegressionClassifier:
        # The parent refuses any type outside skops' defaults and then silently returns an
        # untrained classifier; this one trusts the IDF matrix and fails loudly on anything else.
        with model_storage.read_from(resource) as model_dir:
            path = model_dir / f"{resource.name}.skops"
            unknown = set(sio.get_untrusted_types(file=path))
            if not unknown <= EXPECTED_TYPES:
                raise ValueError(f"unexpected types in {path}: {sorted(unknown - EXPECTED_TYPES)}")
            component = cls(config, execution_context.node_name, model_storage, resource)
            component.clf = sio.load(path, trusted=sorted(unknown))
        _columns_as_slices(component.clf)
        return component


def _columns_as_slices(clf: Any) -> None:
    """Select the fitted ColumnTransformer's columns by slice, not by a list of indices.

    scikit-learn checks the type of every index in a list on every call: with ~18,000 count
    columns that was ~15 ms of each message's prediction (profiled), for a contiguous range.
    The remainder (the dense columns) and models trained before used lists: same columns."""
    features = getattr(clf, "named_steps", {}).get("features")
    if not isinstance(features, ColumnTransformer):
        return
    fitted = []
    for name, transformer, columns in features.transformers_:
        if (
            isinstance(columns, list)
            and columns
            and all(isinstance(c, int) for c in columns)
            and columns == list(range(columns[0], columns[0] + len(columns)))
        ):
            columns = slice(columns[0], columns[0] + len(columns))
        fitted.append((name, transformer, columns))
    features.transformers_ = fitted
