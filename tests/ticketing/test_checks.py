"""`python -m ticketing check`: one test per misconfiguration it names, and a good one passes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from ticketing import checks, migrate
from ticketing.config import Settings
from ticketing.db import make_engine

ROOT = Path(__file__).resolve().parents[2]
GOOD_KEY = "k" * 48


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'kefu.db'}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    return url


def good(database_url: str, **changes: Any) -> Settings:
    values: dict[str, Any] = {
        "environment": "production",
        "secret_key": GOOD_KEY,
        "database_url": database_url,
        "allowed_origins": ["https://shop.example.com"],
    }
    return Settings(_env_file=None, **{**values, **changes})


def problems(settings: Settings) -> list[str]:
    return [f.text for f in checks.run_checks(settings) if not f.ok]


def test_a_good_production_configuration_has_no_problem(database_url: str) -> None:
    assert problems(good(database_url)) == []


def test_development_mode_is_a_problem(database_url: str) -> None:
    assert problems(good(database_url, environment="development")) == [
        "KEFU_ENVIRONMENT is development: set it to production, so that nothing falls back "
        "to a development default"
    ]


def test_a_missing_secret_key(database_url: str) -> None:
    [problem] = problems(good(database_url, secret_key=None))
    assert problem.startswith("KEFU_SECRET_KEY is not set: make one with python3 -c")


def test_a_short_secret_key_counts_bytes(database_url: str) -> None:
    # 11 characters, 31 bytes in UTF-8: still too short.
    [problem] = problems(good(database_url, secret_key="密钥密钥密钥密钥密钥x"))
    assert problem.startswith("KEFU_SECRET_KEY is 31 bytes long: it must be at least 32")
    assert problems(good(database_url, secret_key="密钥密钥密钥密钥密钥xy")) == []


def test_an_unreachable_database(tmp_path: Path) -> None:
    [problem] = problems(good(f"sqlite:///{tmp_path / 'missing.db'}"))
    assert "there is no database file there" in problem
    assert not (tmp_path / "missing.db").exists()  # checking created nothing


def test_an_unreachable_postgres_server() -> None:
    [problem] = problems(good("postgresql+psycopg://kefu:s3cret@127.0.0.1:1/kefu"))
    assert problem.startswith("KEFU_DATABASE_URL postgresql+psycopg://kefu:***@127.0.0.1:1/kefu")
    assert "cannot connect" in problem
    assert "s3cret" not in problem


def test_an_unmigrated_database(tmp_path: Path) -> None:
    empty = tmp_path / "empty.db"
    engine: Engine = make_engine(f"sqlite:///{empty}")
    with engine.connect():
        pass
    engine.dispose()
    [problem] = problems(good(f"sqlite:///{empty}"))
    assert "is at schema revision none, not the newest" in problem
    assert "python -m ticketing db upgrade" in problem


def test_no_allowed_origins(database_url: str) -> None:
    [problem] = problems(good(database_url, allowed_origins=[]))
    assert problem.startswith("KEFU_ALLOWED_ORIGINS is empty: the web chat opens only on")


@pytest.mark.parametrize(
    ("origin", "why"),
    [
        ("shop.example.com", "is not a web site's origin"),
        ("https://shop.example.com/chat", "has a path"),
        ("http://shop.example.com", "is plain http"),
    ],
)
def test_a_bad_allowed_origin(database_url: str, origin: str, why: str) -> None:
    [problem] = problems(good(database_url, allowed_origins=["https://ok.example", origin]))
    assert problem == f"KEFU_ALLOWED_ORIGINS: {origin} {why}" + problem.split(why, 1)[1]


def test_telegram_webhook_mode_without_its_secret(database_url: str) -> None:
    settings = good(database_url, telegram_token="123:abc", telegram_mode="webhook")
    [problem] = problems(settings)
    assert problem.startswith("KEFU_TELEGRAM_WEBHOOK_SECRET is not set")
    polling = good(database_url, telegram_token="123:abc", telegram_mode="polling")
    assert problems(polling) == []


def test_telegram_webhook_url_must_be_ours_over_https(database_url: str) -> None:
    settings = good(
        database_url,
        telegram_token="123:abc",
        telegram_mode="webhook",
        telegram_webhook_secret="s" * 20,
        telegram_webhook_url="http://kefu.example.com/telegram/webhook",
    )
    [problem] = problems(settings)
    assert "Telegram only calls https URLs" in problem


def test_the_command_lists_every_problem_and_exits_1(tmp_path: Path) -> None:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("KEFU_")},
        "KEFU_ENVIRONMENT": "production",
        "KEFU_SECRET_KEY": "short",
        "KEFU_DATABASE_URL": f"sqlite:///{tmp_path / 'none.db'}",
    }
    done = subprocess.run(
        [sys.executable, "-m", "ticketing", "check"],
        cwd=tmp_path,  # no .env read from the checkout
        env={**env, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert "ok: KEFU_ENVIRONMENT is production" in lines
    assert sum(line.startswith("problem: ") for line in lines) == 3  # key, database, origins
    assert lines[-1] == "3 problems: not ready for production"
