"""Starts Kefu's Rasa server: `.venv-rasa/bin/python -m bot.assistant.serve <rasa run options>`.

A tiny launcher around Rasa's own entry point (`rasa run`), for two reasons:

- The HTTP API's token comes from the environment (`KEFU_RASA_TOKEN`), never from the command
  line, where `ps` shows it to every user of the machine.
- The tracker store (and, with `KEFU_REDIS_URL`, the lock store) come from Kefu's settings, so
  conversations outlive the process with no setup: Rasa's SQL tracker store in a database of its
  own beside ours. `KEFU_DATABASE_URL` SQLite `var/kefu.db` -> `var/kefu_rasa_trackers.db`;
  PostgreSQL `.../kefu` -> database `kefu_rasa` on the same server (Rasa creates it, logging in
  to ours first; `KEFU_RASA_TRACKER_DATABASE` names another). Rasa's SQLAlchemy 1.4 tables never
  meet our SQLAlchemy 2 ones or our migrations. An endpoints file that configures its own
  `tracker_store` or `lock_store` keeps it.

Everything else (`-i`, `-p`, `--model`, `--endpoints`, ...) is passed to `rasa run` unchanged.
This module runs in .venv-rasa: nothing here imports our environment's packages.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DATABASE_URL = f"sqlite:///{ROOT / 'var' / 'kefu.db'}"
TRACKER_STORE = "bot.assistant.tracker_store.KefuSQLTrackerStore"
LOCK_STORE = "bot.assistant.lock_store.FallbackRedisLockStore"
TOKEN_ENV = "KEFU_RASA_TOKEN"  # noqa: S105 (the variable's name, not a secret)
_DATABASE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")


class LaunchError(Exception):
    """The environment does not say how to start Rasa; the message says what to set."""


def tracker_store_config(env: Mapping[str, str]) -> dict[str, Any] | None:
    """Rasa's `tracker_store` endpoint for Kefu's database (None: Rasa's in-memory store)."""
    url = make_url(env.get("KEFU_DATABASE_URL") or DEFAULT_DATABASE_URL)
    backend = url.get_backend_name()
    if backend == "sqlite":
        if not url.database or url.database == ":memory:":
            return None  # an in-memory database for us: nothing to outlive either
        ours = Path(url.database)
        trackers = ours.with_name(f"{ours.stem}_rasa_trackers.db")
        return {"type": TRACKER_STORE, "dialect": "sqlite", "db": str(trackers)}
    if backend == "postgresql":
        ours_db = url.database or "postgres"
        name = env.get("KEFU_RASA_TRACKER_DATABASE") or f"{ours_db}_rasa"
        if not _DATABASE_NAME.match(name):
            # Rasa creates it with an unquoted CREATE DATABASE.
            raise LaunchError(f"Rasa's tracker database name {name!r} must be a plain identifier")
        config: dict[str, Any] = {
            "type": TRACKER_STORE,
            "dialect": "postgresql",  # psycopg2, Rasa's own driver
            "url": url.host or "127.0.0.1",
            "port": url.port or 5432,
            "db": name,
            "login_db": ours_db,
            "username": url.username,
            "password": url.password,
        }
        if url.query:
            config["query"] = dict(url.query)
        return {k: v for k, v in config.items() if v is not None}
    raise LaunchError(f"no Rasa tracker store for a {backend} database: use SQLite or PostgreSQL")


def lock_store_config(env: Mapping[str, str]) -> dict[str, Any] | None:
    """Rasa's `lock_store` endpoint: Redis when `KEFU_REDIS_URL` is set (None: in memory)."""
    raw = env.get("KEFU_REDIS_URL")
    if not raw:
        return None
    url = make_url(raw)
    if url.get_backend_name() not in {"redis", "rediss"}:
        raise LaunchError("KEFU_REDIS_URL must be redis://host:port/db")
    config: dict[str, Any] = {
        "type": LOCK_STORE,
        "url": url.host or "127.0.0.1",
        "port": url.port or 6379,
        "db": int(url.database or 0),
        "username": url.username,
        "password": url.password,
        "use_ssl": url.get_backend_name() == "rediss",
        "key_prefix": "kefu",
    }
    return {k: v for k, v in config.items() if v is not None}


def rasa_argv(args: Sequence[str], env: Mapping[str, str]) -> list[str]:
    """`rasa run` with the API on behind the environment's token, then `args`."""
    token = env.get(TOKEN_ENV)
    if not token:
        raise LaunchError(f"set {TOKEN_ENV}: Rasa's HTTP API must be behind a token")
    # One argument with "=": a token that starts with "-" is not read as an option.
    return ["rasa", "run", "--enable-api", f"--auth-token={token}", *args]


def _use_kefu_stores(env: Mapping[str, str]) -> None:
    """Make Rasa's endpoints reader add our tracker and lock stores where the file has none."""
    from rasa.core.utils import AvailableEndpoints  # type: ignore[import-not-found]
    from rasa.utils.endpoints import EndpointConfig  # type: ignore[import-not-found]

    tracker_store = tracker_store_config(env)
    lock_store = lock_store_config(env)
    read = AvailableEndpoints.read_endpoints.__func__

    def read_endpoints(cls: Any, endpoint_file: Any) -> Any:
        endpoints = read(cls, endpoint_file)
        if endpoints.tracker_store is None and tracker_store is not None:
            endpoints.tracker_store = EndpointConfig(**tracker_store)
        if endpoints.lock_store is None and lock_store is not None:
            endpoints.lock_store = EndpointConfig(**lock_store)
        return endpoints

    AvailableEndpoints.read_endpoints = classmethod(read_endpoints)


LANGUAGE_ACTION = "action_set_language"
LANGUAGE_SLOT = "language"
REMOTE_LANGUAGE_ENV = "KEFU_RASA_REMOTE_LANGUAGE"  # "1": ask the action server, as before


def _set_language_in_process() -> None:
    """Run the `language` slot's custom mapping (action_set_language) in this process.

    Rasa runs it before every prediction, through the action server: a round trip with the
    whole tracker as JSON on every turn, for a rule of a few lines (ticketing/language.py, pure
    Python, the same the action runs). Here it costs microseconds, and the slot is set even
    while the action server is down. Every other custom action still goes to the server."""
    from rasa.core.actions.action import ActionExtractSlots  # type: ignore[import-not-found]
    from rasa.shared.core.events import SlotSet  # type: ignore[import-not-found]

    from ticketing.language import turn_language

    remote = ActionExtractSlots._run_custom_action

    async def run_custom_action(
        self: Any, custom_action: str, output_channel: Any, nlg: Any, tracker: Any, domain: Any
    ) -> list[Any]:
        if custom_action != LANGUAGE_ACTION:
            return list(await remote(self, custom_action, output_channel, nlg, tracker, domain))
        message = tracker.latest_message
        metadata = getattr(message, "metadata", None) or {}
        gateway = metadata.get("language") if isinstance(metadata, dict) else None
        language = turn_language(
            getattr(message, "text", None) or "",
            tracker.get_slot(LANGUAGE_SLOT),
            gateway if isinstance(gateway, str) else None,
        )
        return [SlotSet(LANGUAGE_SLOT, language)]

    ActionExtractSlots._run_custom_action = run_custom_action


def _validate_action_responses_faster() -> None:
    """Check the action server's responses against Rasa's schema with one validator built once.

    Rasa checks every response with `jsonschema.validate`, which first checks the schema itself
    against its meta-schema and builds a new validator: with Rasa's large events schema that is
    the dearest step of a turn with a custom action (profiled). The same check, the same error
    (jsonschema's best match, with Rasa's hint added), on a validator made once."""
    from jsonschema import ValidationError  # type: ignore[import-untyped]
    from jsonschema.exceptions import best_match  # type: ignore[import-untyped]
    from jsonschema.validators import validator_for  # type: ignore[import-untyped]
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.constants import DOCS_BASE_URL  # type: ignore[import-not-found]

    spec = RemoteAction.action_response_format_spec()
    cls = validator_for(spec)
    cls.check_schema(spec)
    validator = cls(spec)

    def validate_action_result(self: Any, result: dict[str, Any]) -> bool:
        error: ValidationError | None = best_match(validator.iter_errors(result))
        if error is None:
            return True
        error.message += (
            ". Failed to validate Action server response from API, make sure your response "
            "from the Action endpoint is valid. For more information about the format visit "
            f"{DOCS_BASE_URL}/custom-actions"
        )
        raise error

    RemoteAction._validate_action_result = validate_action_result


ORIGINAL_LOAD_ENV = "KEFU_RASA_ORIGINAL_LOAD"  # "1": Rasa's own loading of its TensorFlow models


def _load_tensorflow_models_for_prediction() -> None:
    """Load TEDPolicy's and the ResponseSelector's networks for prediction only.

    Rasa builds each network by training it for one step on an example, then reads the weights,
    the optimizer's state with them: tracing the training graph is most of the start-up time, and
    the optimizer's two copies of every weight (Adam) are most of the memory of the model. For
    prediction, building the network with the first prediction (which Rasa runs anyway) is
    enough, the weights read as each layer is built. Every weight the prediction uses must come
    from the file (checked); the optimizer's state stays in it. Fine-tuning (`rasa train
    --finetune`) and models without a prediction example load as before."""
    import tensorflow as tf  # type: ignore[import-untyped]
    from rasa.utils.tensorflow.constants import (  # type: ignore[import-not-found]
        LEARNING_RATE,
        RUN_EAGERLY,
    )
    from rasa.utils.tensorflow.models import RasaModel  # type: ignore[import-not-found]

    original = RasaModel.load.__func__

    def load(
        cls: Any,
        model_file_name: str,
        model_data_example: Any,
        predict_data_example: Any = None,
        finetune_mode: bool = False,
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        if finetune_mode or predict_data_example is None:
            return original(
                cls, model_file_name, model_data_example, predict_data_example, finetune_mode,
                *args, **kwargs,
            )  # fmt: skip
        model = cls(*args, **kwargs)
        config = kwargs.get("config", {})
        model.compile(
            optimizer=tf.keras.optimizers.Adam(config.get(LEARNING_RATE, 0.001)),
            run_eagerly=config.get(RUN_EAGERLY),
        )
        status = model.load_weights(model_file_name)
        model.run_inference(predict_data_example)
        status.assert_existing_objects_matched()
        status.expect_partial()
        return model

    RasaModel.load = classmethod(load)


def main(args: Sequence[str] | None = None) -> None:
    env = os.environ
    try:
        argv = rasa_argv(sys.argv[1:] if args is None else args, env)
        _use_kefu_stores(env)
        if env.get(REMOTE_LANGUAGE_ENV) != "1":
            _set_language_in_process()
        _validate_action_responses_faster()
        if env.get(ORIGINAL_LOAD_ENV) != "1":
            _load_tensorflow_models_for_prediction()
    except LaunchError as exc:
        sys.exit(f"error: {exc}")
    from rasa.__main__ import main as rasa_main  # type: ignore[import-not-found]

    # Rasa parses sys.argv; this process's own command line (what `ps` shows) stays as it was.
    sys.argv = argv
    rasa_main()


if __name__ == "__main__":
    main()
