"""`/docs`: Swagger UI on the desk API, with every file served from here (the swagger-ui dist
that the fastapi-offline package carries, and our own page and start-up script): nothing comes
from a CDN. Off in production (`Settings.docs_enabled`), where it would show anyone the API."""

from __future__ import annotations

from pathlib import Path

import fastapi_offline
from fastapi import APIRouter
from fastapi.responses import FileResponse, HTMLResponse

from ticketing.api.pages import static_file

router = APIRouter(tags=["docs"])

WEB = Path(__file__).resolve().parent.parent.parent / "web" / "docs"
SWAGGER = Path(fastapi_offline.__file__).resolve().parent / "static"
STATIC = {
    "docs.js": WEB / "docs.js",
    "swagger-ui-bundle.js": SWAGGER / "swagger-ui-bundle.js",
    "swagger-ui.css": SWAGGER / "swagger-ui.css",
}
# Swagger UI sets style attributes from its script; no script but ours runs.
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
    "form-action 'none'"
)


@router.get("/docs", response_class=HTMLResponse, include_in_schema=False)
def docs_page() -> HTMLResponse:
    return HTMLResponse(
        (WEB / "index.html").read_text(encoding="utf-8"),
        headers={"Content-Security-Policy": CSP, "Cache-Control": "no-cache"},
    )


@router.get("/docs/static/{filename}", include_in_schema=False)
def docs_file(filename: str) -> FileResponse:
    return static_file(STATIC, filename, {"Cache-Control": "no-cache"})
