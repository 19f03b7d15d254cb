"""Train the Rasa model only when its inputs changed (`make model`).

The model is named for a hash of what it is trained from: config.yml, the domain, everything
under data/, the custom NLU components in bot/assistant/nlu/ and the encoder they run
(ticketing/knowledge/encoder.py), and the Rasa version pinned in requirements/rasa.lock (a
model only loads in the Rasa it was trained with). If models/kefu-<hash>.tar.gz exists nothing
is trained; either way models/current.tar.gz is made the same file, for `rasa run` (Procfile);
the tests ask model_path().

Trained models are also kept in a cache outside the checkout ($KEFU_MODEL_CACHE, by default
~/.cache/kefu/models; an empty value turns it off), under the same content-hash name: a fresh
clone on a machine that already trained those exact inputs copies the model instead of spending
minutes on `rasa train`. The name is the hash of every input, so a cached model is the model.
"""

from __future__ import annotations

import argparse
import fcntl
import hashlib
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONFIG = Path("config.yml")
DOMAIN = Path("bot/assistant/domain")  # a folder of domain files, one per topic, merged by Rasa
DATA = Path("data")
# Custom NLU components (config.yml names them by module path): their code is part of the model.
COMPONENTS = Path("bot/assistant/nlu")
# The English sentence encoder those components run (shared with knowledge-base retrieval).
ENCODER = Path("ticketing/knowledge/encoder.py")
RASA_LOCK = Path("requirements/rasa.lock")
MODELS = Path("models")
CURRENT = "current.tar.gz"
RASA = Path(".venv-rasa/bin/rasa")
KEEP_OLD_MODELS = 3
KEEP_CACHED_MODELS = 6
CACHE_ENV = "KEFU_MODEL_CACHE"


def _files(path: Path) -> Iterable[Path]:
    if path.is_file():
        yield path
        return
    for child in sorted(path.rglob("*")):
        parts = child.relative_to(path).parts
        if child.is_file() and not any(part.startswith(".") for part in parts):
            yield child


def rasa_pin(lock: Path) -> str:
    """The `rasa==X.Y.Z` line of the Rasa lock file."""
    match = re.search(r"^rasa==\S+", lock.read_text(encoding="utf-8"), re.MULTILINE)
    if match is None:
        raise SystemExit(f"{lock} pins no rasa version")
    return match.group(0)


def inputs_hash(root: Path = ROOT) -> str:
    """A short content hash of every input of `rasa train`: names and bytes of the files."""
    digest = hashlib.sha256(rasa_pin(root / RASA_LOCK).encode())
    for top in (CONFIG, DOMAIN, DATA, COMPONENTS, ENCODER):
        if not (root / top).exists():
            raise SystemExit(f"missing training input: {top}")
        for path in _files(root / top):
            digest.update(b"\0" + path.relative_to(root).as_posix().encode() + b"\0")
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def model_path(root: Path = ROOT) -> Path:
    """Where the model for the current inputs is (or would be) after `make model`."""
    return root / MODELS / f"kefu-{inputs_hash(root)}.tar.gz"


def _point_current_at(model: Path) -> None:
    # A hard link, not a symlink: every rasa command lists models/*.tar.gz while parsing its
    # arguments and dies on a dangling symlink (after `rm models/kefu-*`, say).
    current = model.parent / CURRENT
    if current.exists() and current.samefile(model):
        return  # rename() onto another link of the same file would do nothing and leave tmp
    tmp = model.parent / f".{CURRENT}.tmp"
    tmp.unlink(missing_ok=True)
    try:
        os.link(model, tmp)
    except OSError:
        shutil.copy2(model, tmp)
    os.replace(tmp, current)


def _prune(models: Path, keep: Path, keep_count: int = KEEP_OLD_MODELS) -> None:
    old = sorted(
        (path for path in models.glob("kefu-*.tar.gz") if path != keep),
        key=lambda path: path.stat().st_mtime,
        reverse=True,
    )
    for path in old[keep_count:]:
        path.unlink()


def cache_dir() -> Path | None:
    """Where trained models are kept across checkouts, or None when the cache is off."""
    configured = os.environ.get(CACHE_ENV)
    if configured is not None:
        return Path(configured) if configured else None
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "kefu" / "models"


def _copy_atomically(source: Path, target: Path) -> None:
    # Copy beside the target and rename: a reader never sees half a model.
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.parent / f".{target.name}.{os.getpid()}.tmp"
    shutil.copy2(source, tmp)
    os.replace(tmp, target)


def _from_cache(model: Path) -> bool:
    cache = cache_dir()
    cached = cache / model.name if cache is not None else None
    if cached is None or not cached.is_file():
        return False
    _copy_atomically(cached, model)
    print(f"model {model.relative_to(ROOT)} copied from the cache {cached.parent}", flush=True)
    return True


def _to_cache(model: Path) -> None:
    cache = cache_dir()
    if cache is None:
        return
    try:
        _copy_atomically(model, cache / model.name)
        _prune(cache, keep=cache / model.name, keep_count=KEEP_CACHED_MODELS)
    except OSError as error:  # a full or read-only cache costs the next clone a training, no more
        print(f"could not keep the model in the cache {cache}: {error}", flush=True)


def _train(model: Path) -> None:
    # Train into a scratch folder and move the result: an interrupted run leaves no model behind
    # that a later `make model` would take for finished.
    scratch = model.parent / f".training-{model.name.removesuffix('.tar.gz')}"
    shutil.rmtree(scratch, ignore_errors=True)
    command = [
        str(ROOT / RASA),
        "train",
        "--config",
        str(CONFIG),
        "--domain",
        str(DOMAIN),
        "--data",
        str(DATA),
        "--out",
        str(scratch),
        "--fixed-model-name",
        model.name.removesuffix(".tar.gz"),
    ]
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false"}
    started = time.monotonic()
    print("training", model.relative_to(ROOT), flush=True)
    subprocess.run(command, cwd=ROOT, env=env, check=True)  # noqa: S603 - fixed argv, no shell
    os.replace(scratch / model.name, model)
    shutil.rmtree(scratch)
    print(f"trained {model.relative_to(ROOT)} in {time.monotonic() - started:.0f} s", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--print-path", action="store_true", help="print the model path for the current inputs"
    )
    args = parser.parse_args(argv)
    if args.print_path:
        print(model_path().relative_to(ROOT))
        return 0

    (ROOT / MODELS).mkdir(exist_ok=True)
    # Two `make model` at once (two terminals, make -j) train once: the second waits, then skips.
    with open(ROOT / MODELS / ".train.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        model = model_path()
        if model.exists():
            print(f"model up to date: {model.relative_to(ROOT)}", flush=True)
        elif not _from_cache(model):
            _train(model)
            _to_cache(model)
        _point_current_at(model)
        _prune(model.parent, keep=model)
    return 0


if __name__ == "__main__":
    sys.exit(main())
