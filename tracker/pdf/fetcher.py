"""The only way a rendered document loads anything: the app's own static files and the assets
the caller hands in (the office logo), under a private origin that resolves nowhere.

WeasyPrint's default fetcher opens any URL a document names: `file:///etc/passwd` in an image
source, or a remote address the server could reach. User text is escaped before it reaches a
template, so it cannot name a URL; this fetcher makes sure that even a template mistake cannot
read the server's files or call out: every URL outside `ORIGIN/static/` and `ORIGIN/asset/` is
refused (the resource is left out and the refusal recorded), `data:` included.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Mapping
from pathlib import Path
from typing import Any

ORIGIN = "https://jenjang.invalid"  # .invalid never resolves (RFC 2606)
STATIC_PREFIX = f"{ORIGIN}/static/"
ASSET_PREFIX = f"{ORIGIN}/asset/"
STATIC_DIR = Path(__file__).resolve().parents[2] / "static"


class RefusedURLError(ValueError):
    """A document named a URL the fetcher does not serve."""


def static_url(path: str) -> str:
    """The URL a document uses for one of the app's static files (css/letter.css…)."""
    return STATIC_PREFIX + path.lstrip("/")


def asset_url(name: str) -> str:
    return ASSET_PREFIX + name


def _static_file(relative: str) -> Path:
    root = STATIC_DIR.resolve()
    path = (root / relative).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        raise RefusedURLError(f"no such static file: {relative}")
    return path


def make_fetcher(assets: Mapping[str, tuple[bytes, str]] | None = None) -> Any:
    """A WeasyPrint URL fetcher serving static files and `assets` ({name: (bytes, mimetype)}).
    `refused` on the returned object lists the URLs it turned away (for tests and logs)."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    served = dict(assets or {})

    class AppOnlyFetcher(URLFetcher):  # type: ignore[misc]
        def __init__(self) -> None:
            super().__init__(allowed_protocols=("https",))
            self.refused: list[str] = []

        def fetch(self, url: str, headers: Any = None) -> Any:
            clean = url.split("#", 1)[0].split("?", 1)[0]
            try:
                if clean.startswith(STATIC_PREFIX):
                    path = _static_file(clean[len(STATIC_PREFIX) :])
                    kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                    return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": kind})
                if clean.startswith(ASSET_PREFIX) and clean[len(ASSET_PREFIX) :] in served:
                    body, kind = served[clean[len(ASSET_PREFIX) :]]
                    return URLFetcherResponse(url, body, {"Content-Type": kind})
                raise RefusedURLError(f"not served: {url[:200]}")
            except RefusedURLError:
                self.refused.append(url)
                raise

    return AppOnlyFetcher()
