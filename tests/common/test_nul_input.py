"""A NUL character in any request input (path, query string, form field, upload name) is a 400
with a clear message before any view runs: PostgreSQL cannot store one, which made it a 500
there. Run on PostgreSQL too (TEST_DATABASE_URL)."""

from __future__ import annotations

from io import BytesIO

import pytest
from sqlalchemy import func, select

from tests import factories
from tracker.extensions import db
from tracker.models import AuditEntry, LoginFailure, User

MESSAGE = "karakter NUL"


def _refused(response) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == 400
    assert MESSAGE in response.text
    assert "500" not in response.text


def _count(model) -> int:  # type: ignore[no-untyped-def]
    return db.session.scalar(select(func.count()).select_from(model)) or 0


@pytest.mark.parametrize("username", ["rina\x00", "\x00", "ri\x00na' OR 1=1"])
def test_nul_in_the_login_name(client, regions, username: str) -> None:
    factories.user("viewer", username="rina")
    _refused(client.post("/login", data={"username": username, "password": factories.PASSWORD}))
    assert _count(LoginFailure) == 0
    assert client.get("/akun").status_code == 302


def test_nul_in_the_password_of_a_login(client, regions) -> None:
    factories.user("viewer", username="rina")
    _refused(client.post("/login", data={"username": "rina", "password": "a\x00b"}))


@pytest.mark.parametrize(
    "path",
    [
        "/kim/?q=sinar%00harapan",
        "/kim/?status=%00",
        "/kim/?q%00=1",
        "/admin/audit/?q=%00",
        "/penilaian/top-konten?kecamatan=35.08%00",
        "/wilayah/35.08%00",
        "/periode/2025-T1%00/buka-kembali",
    ],
)
def test_nul_in_the_address_or_a_search(client, login_as, path: str) -> None:
    login_as("admin")
    _refused(client.get(path))


def test_nul_in_a_form_field_writes_nothing(client, login_as, regions) -> None:
    login_as("admin")
    form = {
        "username": "budi",
        "full_name": "Budi\x00Santoso",
        "role": "petugas",
        "scopes": [regions.kec_a],
        "is_active": "y",
        "password": "sandi-petugas-2025",
        "confirm": "sandi-petugas-2025",
    }
    _refused(client.post("/admin/pengguna/baru", data=form))
    assert _count(User) == 1  # only the admin
    assert _count(AuditEntry) == 0
    _refused(client.post("/periode/tambah", data={"code": "2025-T1\x00"}))


def test_nul_in_an_upload_name(client, login_as) -> None:
    login_as("admin")
    upload = (BytesIO(b"Nama KIM;Desa\n"), "kim\x00.csv")
    _refused(client.post("/kim/transfer/impor", data={"file": upload}))


def test_the_message_follows_the_users_language(client, login_as) -> None:
    login_as("viewer")
    assert client.post("/akun/bahasa", data={"locale": "en"}).status_code == 302
    response = client.get("/kim/?q=%00")
    assert response.status_code == 400
    assert "NUL character" in response.text
