"""Security of the whole site: response headers, cookies, CSRF, and the role matrix of the account
pages (403 answered by the server, not just hidden links). Login throttling is in
tests/accounts/test_login_throttling.py, sessions in tests/accounts/test_sessions.py."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from tests import factories
from tracker import create_app
from tracker.extensions import db
from tracker.models import AuditEntry, LoginFailure, Region, User

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
)


def _login(client: FlaskClient, password: str = factories.PASSWORD, username: str = "rina"):  # type: ignore[no-untyped-def]
    return client.post("/login", data={"username": username, "password": password})


# --- headers and cookies -----------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/login", "/", "/tidak-ada", "/static/css/app.css"])
def test_security_headers_on_every_response(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    assert response.headers["Content-Security-Policy"] == CSP
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_pages_behind_login_are_not_cached(client, login_as) -> None:
    login_as("admin")
    assert client.get("/akun").headers["Cache-Control"] == "no-store"
    assert client.get("/admin/pengguna/").headers["Cache-Control"] == "no-store"


def test_templates_have_no_inline_script_or_style(client, login_as, regions) -> None:
    """The CSP forbids them; a page that used them would silently break in the browser."""
    login_as("admin")
    factories.user("viewer", username="sari")
    for path in ("/login", "/akun", "/admin/pengguna/", "/admin/pengguna/baru", "/admin/audit/"):
        html = client.get(path).text
        assert not re.search(r"<script(?![^>]*\ssrc=)", html), path  # only files of this site
        assert not re.search(r"\sstyle=", html), path
        assert not re.search(r"\son[a-z]+=", html), path


def _set_cookie(response) -> str:  # type: ignore[no-untyped-def]
    return next(v for k, v in response.headers.items() if k == "Set-Cookie" and "session=" in v)


def test_session_cookie_is_httponly_and_lax(client, regions) -> None:
    factories.user("viewer", username="rina")
    cookie = _set_cookie(_login(client))
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # plain http in development and tests


def test_session_cookie_is_secure_unless_plain_http_is_asked_for(sibling_app, monkeypatch):
    monkeypatch.setenv("PLAIN_HTTP", "0")
    secure_app = sibling_app()
    with secure_app.app_context():
        factories.region_tree()
        factories.user("viewer", username="rina")
        cookie = _set_cookie(_login(secure_app.test_client()))
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


# --- production defaults: HSTS, exports not cached, proxies, database errors ------------------


def test_hsts_only_over_https(client: FlaskClient) -> None:
    secure = client.get("/login", base_url="https://jenjang.example")
    assert secure.headers["Strict-Transport-Security"] == "max-age=31536000"
    assert "Strict-Transport-Security" not in client.get("/login").headers


def test_exports_are_not_stored_by_the_browser(client, login_as, regions) -> None:
    factories.kim(regions.desa_a1, name="KIM Kontak Rahasia")
    login_as("viewer")
    for path in ("/kim/transfer/ekspor.csv", "/kim/transfer/ekspor.xlsx"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "attachment" in response.headers["Content-Disposition"]
        assert response.headers["Cache-Control"] == "no-store", path


@pytest.fixture
def proxied_app(app: Flask) -> Iterator[Flask]:
    """The app behind one trusted reverse proxy (nginx terminating TLS)."""
    proxied = create_app({"TRUSTED_PROXIES": 1})
    with proxied.app_context():
        db.create_all()
        factories.region_tree()
        yield proxied
        db.session.remove()
        db.engine.dispose()


def test_a_trusted_proxy_gives_the_client_address_and_scheme(proxied_app: Flask) -> None:
    client = proxied_app.test_client()
    headers = {"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"}
    response = client.post(
        "/login", data={"username": "siapa", "password": "salah-salah-1"}, headers=headers
    )
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"
    assert db.session.scalar(select(LoginFailure.remote_addr)) == "203.0.113.7"


def test_without_a_trusted_proxy_forwarded_headers_are_ignored(client: FlaskClient) -> None:
    """Otherwise anyone could pick a fresh address for every guess."""
    headers = {"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"}
    response = client.post(
        "/login", data={"username": "siapa", "password": "salah-salah-1"}, headers=headers
    )
    assert "Strict-Transport-Security" not in response.headers
    assert db.session.scalar(select(LoginFailure.remote_addr)) == "127.0.0.1"


def test_database_errors_do_not_carry_row_values(app, regions) -> None:
    """The message of a database error is what the log shows: no contact data in it."""
    db.session.add(Region(code=regions.kabupaten, name="Kontak 0812-3456-7890", level=2))
    with pytest.raises(IntegrityError) as caught:
        db.session.flush()
    db.session.rollback()
    assert "0812-3456-7890" not in str(caught.value)
    assert "parameters hidden" in str(caught.value)


# --- CSRF --------------------------------------------------------------------------------------


@pytest.fixture
def csrf_app(app: Flask, tmp_path: Path) -> Iterator[Flask]:
    protected = create_app({"WTF_CSRF_ENABLED": True})
    with protected.app_context():
        db.create_all()
        factories.region_tree()
        factories.user("admin", username="admin1")
        yield protected
        db.session.remove()
        db.engine.dispose()


def _token(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html
    )
    assert match, "no CSRF token on the page"
    return match.group(1)


def _login_with_token(client: FlaskClient) -> None:
    token = _token(client.get("/login").text)
    response = client.post(
        "/login",
        data={"username": "admin1", "password": factories.PASSWORD, "csrf_token": token},
    )
    assert response.status_code == 302


def test_login_without_csrf_token_is_refused(csrf_app: Flask) -> None:
    client = csrf_app.test_client()
    client.get("/login")
    response = client.post("/login", data={"username": "admin1", "password": factories.PASSWORD})
    assert response.status_code == 400
    assert client.get("/akun").status_code == 302  # not logged in
    # a wrong password without token is refused before it is even counted
    client.post("/login", data={"username": "admin1", "password": "salah-salah-salah"})
    assert db.session.scalar(select(func.count()).select_from(LoginFailure)) == 0


def test_logout_without_csrf_token_is_refused(csrf_app: Flask) -> None:
    client = csrf_app.test_client()
    _login_with_token(client)
    assert client.post("/logout").status_code == 400
    assert client.get("/akun").status_code == 200  # still logged in
    token = _token(client.get("/akun").text)
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/akun").status_code == 302


def test_user_create_without_csrf_token_is_refused(csrf_app: Flask) -> None:
    client = csrf_app.test_client()
    _login_with_token(client)
    data = {
        "username": "budi",
        "role": "petugas",
        "scopes": ["35.08.09"],
        "password": "sandi-petugas-2025",
        "confirm": "sandi-petugas-2025",
    }
    assert client.post("/admin/pengguna/baru", data=data).status_code == 400
    assert (
        client.post("/admin/pengguna/baru", data={**data, "csrf_token": "palsu"}).status_code == 400
    )
    assert db.session.scalar(select(func.count()).select_from(User)) == 1
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == 0
    token = _token(client.get("/admin/pengguna/baru").text)
    assert (
        client.post("/admin/pengguna/baru", data={**data, "csrf_token": token}).status_code == 302
    )
    assert db.session.scalar(select(func.count()).select_from(User)) == 2


def test_own_password_change_and_deactivate_need_the_token(csrf_app: Flask) -> None:
    client = csrf_app.test_client()
    _login_with_token(client)
    target = factories.user("viewer", username="sari")
    assert client.post(f"/admin/pengguna/{target.id}/nonaktifkan").status_code == 400
    response = client.post(
        "/akun/kata-sandi",
        data={
            "current_password": factories.PASSWORD,
            "new_password": "baru-sekali-2025",
            "confirm": "baru-sekali-2025",
        },
    )
    assert response.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == 0


# --- role matrix -------------------------------------------------------------------------------

ROLES = ("admin", "kabid", "petugas", "viewer")


def _requests(target_id: int) -> list[tuple[str, str, dict[str, Any], set[str]]]:
    """(method, path, form, roles allowed) for every page and write of the account area."""
    admin_only = {"admin"}
    everyone = set(ROLES)
    new_user = {
        "username": "baru.sekali",
        "role": "viewer",
        "scopes": ["35.08"],
        "is_active": "y",
        "password": "sandi-baru-2025",
        "confirm": "sandi-baru-2025",
    }
    edit = {"full_name": "Diubah", "role": "viewer", "scopes": ["35.08"], "is_active": "y"}
    reset = {"password": "sandi-reset-2025", "confirm": "sandi-reset-2025"}
    return [
        ("GET", "/admin/pengguna/", {}, admin_only),
        ("GET", "/admin/pengguna/baru", {}, admin_only),
        ("POST", "/admin/pengguna/baru", new_user, admin_only),
        ("GET", f"/admin/pengguna/{target_id}/ubah", {}, admin_only),
        ("POST", f"/admin/pengguna/{target_id}/ubah", edit, admin_only),
        ("GET", f"/admin/pengguna/{target_id}/kata-sandi", {}, admin_only),
        ("POST", f"/admin/pengguna/{target_id}/kata-sandi", reset, admin_only),
        ("POST", f"/admin/pengguna/{target_id}/nonaktifkan", {}, admin_only),
        ("POST", f"/admin/pengguna/{target_id}/aktifkan", {}, admin_only),
        ("GET", "/admin/audit/", {}, {"admin", "kabid", "petugas"}),  # each his own region
        ("GET", "/akun", {}, everyone),
        ("POST", "/akun/bahasa", {"locale": "id"}, everyone),
    ]


@pytest.mark.parametrize("role", ROLES)
def test_role_matrix(client, login_as, regions, role: str) -> None:
    login_as(role)
    target = factories.user("viewer", username="sasaran")
    for method, path, form, allowed in _requests(target.id):
        response = client.open(path, method=method, data=form)
        if role in allowed:
            assert response.status_code in (200, 302), (role, method, path, response.status_code)
        else:
            assert response.status_code == 403, (role, method, path, response.status_code)
            assert "Akses ditolak" in response.text
    db.session.expire_all()
    target = db.session.get(User, target.id)
    if role != "admin":  # nothing a forbidden role tried was written
        assert target.full_name == "Pengguna viewer" and target.is_active_account
        assert db.session.scalar(select(func.count()).select_from(User)) == 2
        assert (
            db.session.scalar(
                select(func.count()).select_from(AuditEntry).where(AuditEntry.entity == "user")
            )
            == 0
        )


def test_menu_links_follow_the_role(client, login_as, auth) -> None:
    login_as("petugas")
    page = client.get("/akun").text
    assert "/admin/pengguna/" not in page and "/admin/audit/" in page
    assert "/aktivitas/" in page
    auth.logout()
    login_as("viewer")
    page = client.get("/akun").text
    assert "/admin/pengguna/" not in page and "/admin/audit/" not in page
    assert "/aktivitas/" not in page


@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_the_framework_from_the_menu(client, login_as, role: str) -> None:
    from tracker.services.rules import frameworks

    frameworks.ensure_default()
    login_as(role)
    menu = client.get("/akun").text
    assert 'href="/kerangka/"' in menu and "Kerangka Penilaian" in menu
    page = client.get("/kerangka/1")
    assert page.status_code == 200
    # reading only: the buttons that change a version are the admin's
    assert ("Buat draf baru dari versi ini" in page.text) == (role == "admin")


def test_unauthenticated_requests_go_to_login(client, regions) -> None:
    target = factories.user("viewer", username="sasaran")
    for method, path, form, _allowed in _requests(target.id):
        response = client.open(path, method=method, data=form)
        assert response.status_code == 302, (method, path)
        assert response.headers["Location"].startswith("/login"), (method, path)
    assert db.session.scalar(select(func.count()).select_from(User)) == 1
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == 0
