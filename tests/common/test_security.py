"""Security of the whole site: response headers, cookies, CSRF, login throttling across workers,
and the role matrix of the account pages (403 answered by the server, not just hidden links)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, update

from tests import factories
from tracker import create_app
from tracker.extensions import db
from tracker.models import AuditEntry, LoginFailure, User
from tracker.models.base import utcnow

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
)


def _sibling_app(base: Flask, tmp_path: Path, **overrides: Any) -> Flask:
    """Another application instance on the same database, as a second gunicorn worker is.

    In-memory SQLite cannot be shared between two apps, so those tests use a file instead; on
    PostgreSQL both use the test database (the `app` fixture truncates it afterwards)."""
    uri = base.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("sqlite"):
        uri = f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    return create_app({"SQLALCHEMY_DATABASE_URI": uri, **overrides})


@pytest.fixture
def workers(app: Flask, tmp_path: Path) -> Iterator[tuple[Flask, Flask]]:
    first = _sibling_app(app, tmp_path)
    second = _sibling_app(app, tmp_path)
    with first.app_context():
        db.create_all()
        factories.region_tree()
        factories.user("viewer", username="rina")
    yield first, second
    for worker in (first, second):
        with worker.app_context():
            db.session.remove()
            db.engine.dispose()


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
        assert "<script" not in html, path
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


def test_session_cookie_is_secure_behind_https(app, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("PREFERRED_URL_SCHEME", "https")
    secure_app = _sibling_app(app, tmp_path)
    with secure_app.app_context():
        db.create_all()
        factories.region_tree()
        factories.user("viewer", username="rina")
        cookie = _set_cookie(_login(secure_app.test_client()))
        db.session.remove()
        db.engine.dispose()
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


# --- login throttling --------------------------------------------------------------------------


def test_eleventh_attempt_is_refused_across_workers(workers) -> None:
    first, second = workers
    attacker = first.test_client()
    with first.app_context():
        for attempt in range(10):
            response = _login(attacker, password=f"tebakan-{attempt:02d}-salah")
            assert response.status_code == 200
            assert "Nama pengguna atau kata sandi salah." in response.text
    # The real owner, on another worker, with the right password: refused for now.
    owner = second.test_client()
    with second.app_context():
        response = _login(owner)
        assert response.status_code == 429
        assert "Terlalu banyak percobaan masuk yang gagal" in response.text
        assert owner.get("/akun").status_code == 302
        assert db.session.scalar(select(func.count()).select_from(LoginFailure)) == 10
    with first.app_context():
        assert _login(first.test_client(), username="RINA").status_code == 429


def test_throttle_is_per_account(workers) -> None:
    first, _ = workers
    with first.app_context():
        factories.user("viewer", username="sari")
        client = first.test_client()
        for attempt in range(10):
            _login(client, password=f"tebakan-{attempt:02d}-salah")
        assert _login(client, username="sari").status_code == 302


def test_throttle_lifts_after_the_window(workers) -> None:
    first, second = workers
    with first.app_context():
        client = first.test_client()
        for attempt in range(10):
            _login(client, password=f"tebakan-{attempt:02d}-salah")
        assert _login(client).status_code == 429
        db.session.execute(
            update(LoginFailure).values(attempted_at=utcnow() - timedelta(minutes=16))
        )
        db.session.commit()
    with second.app_context():
        assert _login(second.test_client()).status_code == 302


def test_nine_failures_do_not_lock_the_account(client, regions) -> None:
    factories.user("viewer", username="rina")
    for attempt in range(9):
        _login(client, password=f"tebakan-{attempt:02d}-salah")
    assert _login(client).status_code == 302


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
        ("GET", "/admin/audit/", {}, {"admin", "kabid"}),
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


def test_menu_links_follow_the_role(client, login_as) -> None:
    login_as("petugas")
    page = client.get("/akun").text
    assert "/admin/pengguna/" not in page and "/admin/audit/" not in page


def test_unauthenticated_requests_go_to_login(client, regions) -> None:
    target = factories.user("viewer", username="sasaran")
    for method, path, form, _allowed in _requests(target.id):
        response = client.open(path, method=method, data=form)
        assert response.status_code == 302, (method, path)
        assert response.headers["Location"].startswith("/login"), (method, path)
    assert db.session.scalar(select(func.count()).select_from(User)) == 1
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == 0
