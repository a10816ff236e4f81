"""Every route of the URL map, walked: the security headers on every response (pages,
downloads, errors 403/404/422/500 and, when it comes, the API), HSTS over HTTPS, no inline
script on any page, nothing a signed-in user receives cached, and every route but the public ones
closed to an anonymous visitor. Generated from `app.url_map`: a route added later is walked."""

from __future__ import annotations

import re

import pytest
from flask import Flask, abort
from flask.testing import FlaskClient

from tests.security.world import (
    PUBLIC_ENDPOINTS,
    World,
    is_api,
    is_public,
    object_pages,
    rules,
    url_for_rule,
)

HTTPS = "https://localhost"
CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
)
FILE_CSP = "default-src 'none'; sandbox"


def _check_headers(response, where: str, signed_in: bool, secure: bool = True) -> None:  # type: ignore[no-untyped-def]
    headers = response.headers
    # pages: the site's policy; files served for download or display: nothing runs at all
    assert headers.get("Content-Security-Policy") in (CSP, FILE_CSP), where
    assert headers.get("X-Content-Type-Options") == "nosniff", where
    assert headers.get("X-Frame-Options") == "DENY", where
    assert headers.get("Referrer-Policy") == "same-origin", where
    if secure:
        assert headers.get("Strict-Transport-Security", "").startswith("max-age="), where
    if signed_in and not where.startswith("/static/"):
        assert headers.get("Cache-Control") == "no-store", where
    if response.status_code >= 500:
        pytest.fail(f"{where}: {response.status_code}")
    if "text/html" in response.content_type:
        html = response.get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\ssrc=)", html), f"{where}: inline script"
        assert not re.search(r"\sstyle=", html), f"{where}: inline style"
        assert not re.search(r"\son[a-z]+=", html), f"{where}: inline event handler"


@pytest.mark.slow
def test_every_get_route_has_the_headers_signed_in(app: Flask, world: World, cases) -> None:
    client = app.test_client()
    client.post("/login", data={"username": "admin-kab", "password": "rahasia-uji-123"})
    for page in [*object_pages(app, world), "/static/css/app.css"]:
        response = client.get(page, base_url=HTTPS)
        _check_headers(response, page, signed_in=True)
        cases["headers: GET signed in"] += 1


@pytest.mark.slow
def test_every_post_route_has_the_headers(app: Flask, world: World, cases) -> None:
    """An empty form to every POST route (the answer is a refusal, a redirect or a page showing
    what is missing; never a 500), signed in again before each: a POST may end the session."""
    for rule in rules(app, "POST"):
        client = app.test_client()
        client.post("/login", data={"username": "admin-kab", "password": "rahasia-uji-123"})
        url = url_for_rule(world, rule, "a")
        response = client.post(url, data={}, base_url=HTTPS)
        _check_headers(response, f"POST {url}", signed_in=rule.endpoint != "auth.logout")
        cases["headers: POST signed in"] += 1


def test_anonymous_visitors_get_only_the_public_routes(app: Flask, world: World, cases) -> None:
    client = app.test_client()
    for method in ("GET", "POST"):
        for rule in rules(app, method):
            url = url_for_rule(world, rule, "a")
            response = client.open(url, method=method, base_url=HTTPS)
            _check_headers(response, f"{method} {url}", signed_in=False)
            cases["anonymous: refused or public"] += 1
            if is_public(rule.endpoint):
                continue
            if is_api(rule):
                assert response.status_code == 401, url  # Bearer tokens, no login page
            else:
                assert response.status_code == 302, f"{method} {url}"
                assert response.headers["Location"].startswith("/login"), f"{method} {url}"


def test_the_public_routes_are_the_listed_ones(app: Flask) -> None:
    """The allow-list names real endpoints (a renamed one must not stay public by accident)."""
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert set(PUBLIC_ENDPOINTS) <= endpoints


@pytest.fixture
def failing_app(app: Flask) -> Flask:
    """The app with a route that fails, as a bug would, with errors handled as in production."""

    def boom() -> str:
        raise RuntimeError("a bug")

    def refuse() -> str:
        abort(403)

    app.add_url_rule("/uji/gagal", "uji_gagal", boom)
    app.add_url_rule("/uji/tolak", "uji_tolak", refuse)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    app.testing = False
    return app


def test_error_pages_carry_the_headers(failing_app: Flask, world: World, cases) -> None:
    client: FlaskClient = failing_app.test_client()
    client.post("/login", data={"username": "viewer-a", "password": "rahasia-uji-123"})
    seen = {}
    for method, url, data in [
        ("GET", "/uji/gagal", None),  # 500
        ("GET", "/tidak-ada", None),  # 404
        ("GET", "/uji/tolak", None),  # 403 by abort
        ("GET", "/admin/pengguna/", None),  # 403 by the permission
        ("GET", f"/kim/{world.b.kim.id}", None),  # 404: outside the viewer's kecamatan
        ("POST", "/akun/bahasa", {"locale": "xx"}),  # 422
        ("GET", "/kim/?page=%00", None),  # 400
    ]:
        response = client.open(url, method=method, data=data, base_url=HTTPS)
        seen[response.status_code] = url
        _check_headers(response, url, signed_in=True) if response.status_code < 500 else None
        assert response.headers["Content-Security-Policy"] == CSP
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["Strict-Transport-Security"].startswith("max-age=")
        cases["headers: error pages"] += 1
    assert {400, 403, 404, 422, 500} <= set(seen), seen
