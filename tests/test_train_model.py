"""The trained-model cache of scripts/train_model.py: a clone copies a model trained from the same
inputs instead of training again, and trains (then keeps the result) when the cache lacks it."""

from __future__ import annotations

from pathlib import Path

import pytest

from scripts import train_model


@pytest.fixture
def checkout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "clone"
    (root / "models").mkdir(parents=True)
    monkeypatch.setattr(train_model, "ROOT", root)
    monkeypatch.setattr(
        train_model,
        "model_path",
        lambda root=root: root / "models" / "kefu-0123456789abcdef.tar.gz",
    )
    monkeypatch.setenv(train_model.CACHE_ENV, str(tmp_path / "cache"))
    return root


def _no_training(model: Path) -> None:
    raise AssertionError(f"trained {model.name} although the cache had it")


def test_a_clone_copies_the_cached_model_instead_of_training(
    checkout: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cached = tmp_path / "cache" / "kefu-0123456789abcdef.tar.gz"
    cached.parent.mkdir()
    cached.write_bytes(b"model bytes")
    monkeypatch.setattr(train_model, "_train", _no_training)

    assert train_model.main([]) == 0

    assert (checkout / "models" / "kefu-0123456789abcdef.tar.gz").read_bytes() == b"model bytes"
    assert (checkout / "models" / "current.tar.gz").read_bytes() == b"model bytes"


def test_a_model_trained_here_is_kept_for_the_next_clone(
    checkout: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    trained: list[str] = []

    def train(model: Path) -> None:
        trained.append(model.name)
        model.write_bytes(b"fresh model")

    monkeypatch.setattr(train_model, "_train", train)

    assert train_model.main([]) == 0

    assert trained == ["kefu-0123456789abcdef.tar.gz"]
    kept = tmp_path / "cache" / "kefu-0123456789abcdef.tar.gz"
    assert kept.read_bytes() == b"fresh model"


def test_an_empty_setting_turns_the_cache_off(
    checkout: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(train_model.CACHE_ENV, "")
    assert train_model.cache_dir() is None
    monkeypatch.setattr(train_model, "_train", lambda model: model.write_bytes(b"m"))

    assert train_model.main([]) == 0

    assert not (tmp_path / "cache").exists()
