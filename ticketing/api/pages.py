"""What the desk's own web pages (the console, the reports dashboard) share: their CSP and how
their script and style files are served."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from fastapi.responses import FileResponse

from ticketing.errors import NotFound

# No inline script or style, nothing from another origin: customer text cannot run as code.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)


def static_file(
    files: Mapping[str, Path], filename: str, headers: Mapping[str, str]
) -> FileResponse:
    """The file of `files` named `filename`, as CSS or JavaScript; 404 for any other name, so
    nothing else beside them is ever served."""
    path = files.get(filename)
    if path is None or not path.is_file():
        raise NotFound(f"no file {filename}")
    media = "text/css" if filename.endswith(".css") else "text/javascript"
    return FileResponse(path, media_type=media, headers=dict(headers))
