"""Login, logout and the own-account page: what a person sees and what is written."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from tests import factories
from tracker.extensions import db
from tracker.models import AuditEntry, LoginFailure, User
from tracker.services.accounts.authentication import verify_password


def _failures(username: str) -> int:
    return db.session.scalar(
        select(func.count()).select_from(LoginFailure).where(LoginFailure.username == username)
    )


def test_login_page_is_indonesian(client: FlaskClient) -> None:
    page = client.get("/login")
    assert page.status_code == 200
    assert "Masuk ke Jenjang" in page.text
    assert 'name="password"' in page.text


def test_login_with_right_password_goes_home_and_records_time(client, regions, auth) -> None:
    user = factories.user("viewer", username="rina")
    response = auth.login("  RINA ")  # usernames are folded: case and spaces do not matter
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    home = client.get("/")
    assert home.status_code == 200
    assert "Selamat datang" in home.text
    db.session.refresh(user)
    assert user.last_login_at is not None


def test_wrong_password_is_rejected_with_a_message(client, regions, auth) -> None:
    factories.user("viewer", username="rina")
    response = auth.login("rina", "salah-sekali-123")
    assert response.status_code == 200
    assert "Nama pengguna atau kata sandi salah." in response.text
    assert _failures("rina") == 1
    assert client.get("/").status_code == 302  # still not logged in


def test_unknown_user_gets_the_same_message(client, regions, auth) -> None:
    response = auth.login("tidak-ada", "apa-saja-123456")
    assert response.status_code == 200
    assert "Nama pengguna atau kata sandi salah." in response.text


def test_empty_form_shows_field_messages(client) -> None:
    response = client.post("/login", data={"username": "", "password": ""})
    assert response.status_code == 200
    assert "Isi nama pengguna." in response.text
    assert "Isi kata sandi." in response.text
    assert db.session.scalar(select(func.count()).select_from(LoginFailure)) == 0


def test_inactive_account_cannot_log_in(client, regions, auth) -> None:
    factories.user("petugas", username="nonaktif", is_active_account=False)
    response = auth.login("nonaktif")
    assert response.status_code == 200
    assert "Nama pengguna atau kata sandi salah." in response.text
    assert client.get("/").status_code == 302


def test_success_clears_earlier_failures(client, regions, auth) -> None:
    factories.user("viewer", username="rina")
    for _ in range(4):
        auth.login("rina", "keliru-keliru-1")
    assert _failures("rina") == 4
    assert auth.login("rina").status_code == 302
    assert _failures("rina") == 0


def test_logout_ends_the_session(client, login_as) -> None:
    login_as("viewer")
    assert client.get("/").status_code == 200
    response = client.post("/logout")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    assert client.get("/").status_code == 302


def test_logout_is_post_only(client, login_as) -> None:
    login_as("viewer")
    assert client.get("/logout").status_code == 405
    assert client.get("/").status_code == 200


def test_session_is_renewed_at_login(client, regions, auth) -> None:
    factories.user("viewer", username="rina")
    with client.session_transaction() as sess:
        sess["planted"] = "dari sebelum login"
    assert auth.login("rina").status_code == 302
    with client.session_transaction() as sess:
        assert "planted" not in sess
        assert sess.get("_user_id")


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example",
        "https://evil.example/login",
        "//evil.example",
        "/\\evil.example",
        "\\\\evil.example",
        " //evil.example",
        "javascript:alert(1)",
        "JavaScript:alert(document.cookie)",
        "http:evil.example",
        "/\tevil.example",
        "evil.example",
    ],
)
def test_next_to_another_site_is_not_followed(client, regions, target: str) -> None:
    factories.user("viewer", username="rina")
    response = client.post(
        "/login",
        query_string={"next": target},
        data={"username": "rina", "password": factories.PASSWORD},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_next_to_a_local_path_is_followed(client, regions) -> None:
    factories.user("viewer", username="rina")
    response = client.post(
        "/login",
        query_string={"next": "/akun?tab=1"},
        data={"username": "rina", "password": factories.PASSWORD},
    )
    assert response.headers["Location"] == "/akun?tab=1"


def test_login_required_redirects_with_next(client) -> None:
    response = client.get("/akun")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_a_first_visit_to_the_home_page_is_not_warned(client) -> None:
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login"  # nothing to come back to: home is home
    page = client.get("/login").text
    assert "flash-warning" not in page and "Silakan masuk" not in page and "Sesi Anda" not in page


def test_a_first_visit_to_a_page_keeps_it_without_a_warning(client) -> None:
    response = client.get("/kim/", follow_redirects=True)
    assert response.request.path == "/login" and response.request.args["next"] == "/kim/"
    assert "flash-warning" not in response.text


def test_a_session_that_ended_is_told_why(client, regions, auth) -> None:
    factories.user("viewer", username="rina")
    assert auth.login("rina").status_code == 302
    # the same cookie from another browser: the session's protection ends the sign-in
    response = client.get("/kim/", headers={"User-Agent": "peramban lain"}, follow_redirects=True)
    assert response.request.path == "/login"
    assert "Sesi Anda sudah berakhir. Silakan masuk lagi untuk membuka halaman itu." in (
        response.text
    )


def test_after_logging_out_the_login_page_only_says_so(client, login_as) -> None:
    login_as("viewer")
    client.post("/logout")
    assert "Anda telah keluar." in client.get("/login").text
    page = client.get("/kim/", follow_redirects=True).text
    assert "Masuk ke Jenjang" in page and "flash-warning" not in page


# --- own account -------------------------------------------------------------------------------


def test_preferences_page_shows_account_and_forms(client, login_as) -> None:
    login_as("petugas", scope=["35.08.09", "35.08.02"])
    page = client.get("/akun")
    assert page.status_code == 200
    assert "petugas1" in page.text
    assert "Kec. Pasirian (35.08.02), Kec. Sukodono (35.08.09)" in page.text
    assert "Ganti kata sandi" in page.text
    assert "English" in page.text


def test_change_own_password(client, login_as, auth) -> None:
    user = login_as("viewer")
    response = client.post(
        "/akun/kata-sandi",
        data={
            "current_password": factories.PASSWORD,
            "new_password": "kata-sandi-baru-2025",
            "confirm": "kata-sandi-baru-2025",
        },
    )
    assert response.status_code == 302
    assert "Kata sandi berhasil diganti." in client.get("/akun").text  # still logged in
    db.session.refresh(user)
    assert verify_password(user, "kata-sandi-baru-2025")
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.password_change"))
    assert entry is not None and entry.user_id == user.id
    assert entry.changes is None and entry.params == {"user": user.id}  # never a hash
    auth.logout()
    assert auth.login("viewer1", factories.PASSWORD).status_code == 200  # old one refused
    assert auth.login("viewer1", "kata-sandi-baru-2025").status_code == 302


@pytest.mark.parametrize(
    ("current", "new", "confirm", "message"),
    [
        (
            "salah-salah-salah",
            "kata-sandi-baru-2025",
            "kata-sandi-baru-2025",
            "Kata sandi saat ini salah.",
        ),
        (factories.PASSWORD, "pendek", "pendek", "Kata sandi minimal 8 karakter."),
        (factories.PASSWORD, "iloveyou123", "iloveyou123", "paling umum dipakai"),
        (factories.PASSWORD, "Viewer1Viewer1", "Viewer1Viewer1", "memuat nama pengguna"),
        (
            factories.PASSWORD,
            "kata-sandi-baru-2025",
            "lain-lagi-2025",
            "Kedua kata sandi baru tidak sama.",
        ),
        (factories.PASSWORD, factories.PASSWORD, factories.PASSWORD, "harus berbeda"),
        ("", "kata-sandi-baru-2025", "kata-sandi-baru-2025", "Isi kata sandi saat ini."),
    ],
)
def test_bad_password_change_is_refused(client, login_as, current, new, confirm, message) -> None:
    user = login_as("viewer")
    before = user.password_hash
    response = client.post(
        "/akun/kata-sandi",
        data={"current_password": current, "new_password": new, "confirm": confirm},
    )
    assert response.status_code == 422
    assert message in response.text
    db.session.refresh(user)
    assert user.password_hash == before
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == 0


def test_password_change_ends_the_other_sessions(app, client, login_as) -> None:
    login_as("viewer")
    other = app.test_client()  # the same account on another computer
    assert (
        other.post(
            "/login", data={"username": "viewer1", "password": factories.PASSWORD}
        ).status_code
        == 302
    )
    assert other.get("/akun").status_code == 200
    client.post(
        "/akun/kata-sandi",
        data={
            "current_password": factories.PASSWORD,
            "new_password": "kata-sandi-baru-2025",
            "confirm": "kata-sandi-baru-2025",
        },
    )
    assert client.get("/akun").status_code == 200
    response = other.get("/akun")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    assert "Sesi Anda telah berakhir" in other.get("/login").text


def test_choose_language_is_stored_and_applies_next_request(client, login_as) -> None:
    user = login_as("viewer")
    response = client.post("/akun/bahasa", data={"locale": "en"})
    assert response.status_code == 302
    db.session.refresh(user)
    assert user.locale == "en"
    assert db.session.scalar(select(AuditEntry.action)) == "user.locale"


def test_unknown_language_is_refused(client, login_as) -> None:
    user = login_as("viewer")
    response = client.post("/akun/bahasa", data={"locale": "fr"})
    assert response.status_code == 422
    assert "Bahasa tidak dikenal." in response.text
    assert db.session.get(User, user.id).locale == "id"
