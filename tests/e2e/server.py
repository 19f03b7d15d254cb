"""The app the browser tests run: `bot.gateway.app:create_app` as production builds it, except that
the action server's health check is asked of KEFU_TEST_ACTION_HEALTH_URL (the test's own action
server), or else of the fake Rasa (which answers it), instead of the port in endpoints.yml.
`uvicorn tests.e2e.server:create_app --factory`, configured by KEFU_ vars."""

from __future__ import annotations

import os

from fastapi import FastAPI

from bot.gateway.app import RASA_TIMEOUT
from bot.gateway.app import create_app as create_web_app
from bot.gateway.rasa_client import RasaClient
from ticketing.config import Settings


def create_app() -> FastAPI:
    settings = Settings()
    rasa = RasaClient(
        settings.rasa_url,
        token=settings.rasa_token,
        timeout=RASA_TIMEOUT,
        action_health_url=os.environ.get(
            "KEFU_TEST_ACTION_HEALTH_URL", f"{settings.rasa_url}/health"
        ),
    )
    return create_web_app(settings, rasa=rasa)
