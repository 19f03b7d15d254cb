"""Issue 13, item 14: `/shop` had no CSP or frame protection, `/docs` loaded its files from a
CDN and was open to anyone, `/reports` lacked nosniff and Referrer-Policy, and search terms
reached the access log. Every response now carries the headers (ticketing/api/headers.py);
/docs is served from our own files, and off in production; the access log has no queries."""

from __future__ import annotations

import logging
import re
import warnings

import pytest
from sqlalchemy.orm import Session, sessionmaker
from starlette.exceptions import StarletteDeprecationWarning

with warnings.catch_warnings():
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

from bot.gateway.app import create_app
from bot.gateway.rasa_client import RasaClient
from tests.api.helpers import SETTINGS
from tests.bot.conftest import FakeRasa
from ticketing.api.headers import install_log_filter


@pytest.fixture
def web(session_factory: sessionmaker[Session], fake_rasa: FakeRasa) -> TestClient:
    app = create_app(SETTINGS, session_factory, rasa=RasaClient(fake_rasa.url), background=False)
    return TestClient(app)


@pytest.mark.parametrize(
    "path",
    ["/shop", "/reports", "/console", "/docs", "/widget.js", "/healthz", "/api/tickets"],
)
def test_every_response_forbids_sniffing_referrers_and_framing(web: TestClient, path: str) -> None:
    response = web.get(path)

    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_the_shop_runs_no_script_but_its_own(web: TestClient) -> None:
    csp = web.get("/shop").headers["Content-Security-Policy"]

    script_src = re.search(r"script-src ([^;]*)", csp)
    assert script_src is not None
    assert "'unsafe-inline'" not in script_src.group(1)
    assert "default-src 'none'" in csp


def test_docs_load_nothing_from_another_origin(web: TestClient) -> None:
    page = web.get("/docs")

    assert page.status_code == 200
    assert "http://" not in page.text and "https://" not in page.text
    assert "script-src 'self';" in page.headers["Content-Security-Policy"]
    for asset in re.findall(r'(?:src|href)="([^"]+)"', page.text):
        assert asset.startswith("/"), asset
        assert web.get(asset).status_code == 200, asset


def test_docs_and_the_api_description_are_off_in_production(
    session_factory: sessionmaker[Session], fake_rasa: FakeRasa
) -> None:
    production = SETTINGS.model_copy(update={"environment": "production"})
    app = create_app(production, session_factory, rasa=RasaClient(fake_rasa.url), background=False)
    client = TestClient(app)

    for path in ("/docs", "/redoc", "/openapi.json", "/docs/static/swagger-ui-bundle.js"):
        assert client.get(path).status_code == 404, path


def test_the_access_log_shows_no_query_string(
    web: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    install_log_filter()
    access = logging.getLogger("uvicorn.access")
    with caplog.at_level(logging.INFO, logger="uvicorn.access"):
        # Exactly as uvicorn's httptools and h11 protocols log a request.
        access.info(
            '%s - "%s %s HTTP/%s" %d',
            "127.0.0.1:50000",
            "GET",
            "/api/console/tickets?q=13800138000%20%E5%BC%A0%E4%B8%89",
            "1.1",
            200,
        )

    (line,) = [r.getMessage() for r in caplog.records if r.name == "uvicorn.access"]
    assert "13800138000" not in line
    assert '"GET /api/console/tickets?… HTTP/1.1" 200' in line
