"""Rasa's launcher (bot/assistant/serve.py): which stores and arguments it gives `rasa run`."""

from __future__ import annotations

import pytest
from honcho.environ import parse_procfile

from bot.assistant.serve import (
    LaunchError,
    lock_store_config,
    rasa_argv,
    tracker_store_config,
)
from ticketing import cli
from ticketing.config import ROOT


def test_sqlite_trackers_go_in_a_file_beside_ours() -> None:
    config = tracker_store_config({"KEFU_DATABASE_URL": "sqlite:////srv/kefu/var/kefu.db"})
    assert config == {
        "type": "bot.assistant.tracker_store.KefuSQLTrackerStore",
        "dialect": "sqlite",
        "db": "/srv/kefu/var/kefu_rasa_trackers.db",
    }


def test_the_default_database_puts_trackers_under_var() -> None:
    config = tracker_store_config({})
    assert config is not None
    assert config["db"].endswith("var/kefu_rasa_trackers.db")


def test_an_in_memory_database_keeps_trackers_in_memory() -> None:
    assert tracker_store_config({"KEFU_DATABASE_URL": "sqlite://"}) is None


def test_postgresql_trackers_get_a_database_of_their_own() -> None:
    url = "postgresql+psycopg://kefu:s3cret@db.internal:6543/kefu?sslmode=require"
    assert tracker_store_config({"KEFU_DATABASE_URL": url}) == {
        "type": "bot.assistant.tracker_store.KefuSQLTrackerStore",
        "dialect": "postgresql",
        "url": "db.internal",
        "port": 6543,
        "db": "kefu_rasa",
        "login_db": "kefu",
        "username": "kefu",
        "password": "s3cret",
        "query": {"sslmode": "require"},
    }
    named = tracker_store_config(
        {"KEFU_DATABASE_URL": url, "KEFU_RASA_TRACKER_DATABASE": "bot_trackers"}
    )
    assert named is not None and named["db"] == "bot_trackers"


@pytest.mark.parametrize(
    "env",
    [
        {"KEFU_DATABASE_URL": "postgresql://u@h/kefu", "KEFU_RASA_TRACKER_DATABASE": "a;drop"},
        {"KEFU_DATABASE_URL": "mysql://u@h/kefu"},
    ],
)
def test_a_database_rasa_cannot_use_is_refused(env: dict[str, str]) -> None:
    with pytest.raises(LaunchError):
        tracker_store_config(env)


def test_redis_locks_only_when_redis_is_configured() -> None:
    assert lock_store_config({}) is None
    assert lock_store_config({"KEFU_REDIS_URL": ""}) is None
    assert lock_store_config({"KEFU_REDIS_URL": "redis://127.0.0.1:6379/2"}) == {
        "type": "bot.assistant.lock_store.FallbackRedisLockStore",
        "url": "127.0.0.1",
        "port": 6379,
        "db": 2,
        "use_ssl": False,
        "key_prefix": "kefu",
    }
    with pytest.raises(LaunchError):
        lock_store_config({"KEFU_REDIS_URL": "http://127.0.0.1:6379"})


def test_the_token_goes_to_rasa_from_the_environment_only() -> None:
    argv = rasa_argv(["-p", "5005"], {"KEFU_RASA_TOKEN": "-tok"})
    assert argv == ["rasa", "run", "--enable-api", "--auth-token=-tok", "-p", "5005"]
    with pytest.raises(LaunchError, match="KEFU_RASA_TOKEN"):
        rasa_argv([], {})


@pytest.mark.parametrize("name", ["Procfile", "Procfile.scale"])
def test_the_procfiles_start_rasa_through_the_launcher_without_a_token(name: str) -> None:
    procfile = ROOT / name
    commands = parse_procfile(procfile.read_text()).processes
    rasa = {k: v for k, v in commands.items() if k.startswith("rasa")}
    assert rasa, f"{name} starts no Rasa server"
    for command in rasa.values():
        assert "-m bot.assistant.serve" in command
        assert "token" not in command.lower()
    plan = cli.plan_processes(procfile, ROOT)
    assert set(plan.runnable) | set(plan.skipped) == set(commands)
