"""Sessions end for real: logout, a password change or reset and deactivation end every session of
the account, so a copied cookie replayed afterwards is refused."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from tests import factories
from tracker.extensions import db
from tracker.models import AuditEntry, User

NEW_PASSWORD = "kata-sandi-baru-2025"


def _copy_of(app: Flask, client: FlaskClient) -> FlaskClient:
    """Another browser holding a copy of `client`'s session cookie (same address and browser,
    as on a shared office computer or with a cookie lifted from it)."""
    cookie = client.get_cookie("session")
    assert cookie is not None
    thief = app.test_client()
    thief.set_cookie("session", cookie.value)
    return thief


def _signed_in(client: FlaskClient) -> bool:
    return client.get("/akun").status_code == 200


def _login(app: Flask, username: str, password: str = factories.PASSWORD) -> FlaskClient:
    client = app.test_client()
    response = client.post("/login", data={"username": username, "password": password})
    assert response.status_code == 302
    return client


def test_a_replayed_cookie_after_logout_is_refused(app, client, login_as) -> None:
    user = login_as("viewer")
    copy = _copy_of(app, client)
    assert _signed_in(copy)  # the copy works while the session lives
    assert client.post("/logout").status_code == 302
    response = copy.get("/akun")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    assert "Sesi Anda telah berakhir" in copy.get("/login").text
    assert not _signed_in(copy)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.logout"))
    assert entry is not None and entry.user_id == user.id


def test_logout_ends_the_accounts_sessions_on_other_computers(app, client, login_as) -> None:
    login_as("viewer")
    other = _login(app, "viewer1")
    client.post("/logout")
    assert not _signed_in(other)
    assert _signed_in(_login(app, "viewer1"))  # signing in again works


def test_a_session_from_before_the_generation_existed_ends(app, client, login_as) -> None:
    login_as("viewer")
    with client.session_transaction() as session:
        session.pop("_gen")
    assert not _signed_in(client)


def test_password_change_keeps_this_session_and_ends_the_copies(app, client, login_as) -> None:
    login_as("viewer")
    copy = _copy_of(app, client)
    response = client.post(
        "/akun/kata-sandi",
        data={
            "current_password": factories.PASSWORD,
            "new_password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302
    assert _signed_in(client)
    assert not _signed_in(copy)


def test_admin_reset_ends_the_users_sessions(app, client, login_as, regions) -> None:
    login_as("admin")
    target = factories.user("petugas", username="budi")
    budi = _login(app, "budi")
    response = client.post(
        f"/admin/pengguna/{target.id}/kata-sandi",
        data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert not _signed_in(budi)
    assert _signed_in(client)  # the admin's own session is not touched


def test_admin_resetting_his_own_password_stays_signed_in(app, client, login_as) -> None:
    admin = login_as("admin")
    other = _login(app, "admin1")
    response = client.post(
        f"/admin/pengguna/{admin.id}/kata-sandi",
        data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert _signed_in(client)
    assert not _signed_in(other)


def test_deactivation_ends_the_sessions_and_reactivation_does_not_revive_them(
    app, client, login_as, regions
) -> None:
    login_as("admin")
    target = factories.user("petugas", username="budi")
    budi = _login(app, "budi")
    assert client.post(f"/admin/pengguna/{target.id}/nonaktifkan").status_code == 302
    assert not _signed_in(budi)
    assert client.post(f"/admin/pengguna/{target.id}/aktifkan").status_code == 302
    assert not _signed_in(budi)
    assert _signed_in(_login(app, "budi"))


def test_deactivating_through_the_edit_form_ends_the_sessions(app, client, login_as, regions):
    login_as("admin")
    target = factories.user("petugas", username="budi", scope=[regions.kec_a])
    budi = _login(app, "budi")
    form = {"full_name": "Budi", "role": "petugas", "scopes": [regions.kec_a]}  # is_active unset
    assert client.post(f"/admin/pengguna/{target.id}/ubah", data=form).status_code == 302
    db.session.expire_all()
    stored = db.session.get(User, target.id)
    assert stored is not None and not stored.is_active_account
    assert not _signed_in(budi)
