"""User administration pages: list, search, create, edit, password reset, (de)activation, and
the region-scope rules an admin is held to."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import func, select

from tests import factories
from tracker.extensions import db
from tracker.models import AuditEntry, Region, User
from tracker.services.accounts.authentication import verify_password

NEW_PASSWORD = "sandi-petugas-2025"


def _count(model: Any) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _by_username(username: str) -> User | None:
    return db.session.scalar(select(User).where(User.username == username))


def _create_form(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "username": "Budi.Santoso",
        "full_name": "Budi Santoso",
        "role": "petugas",
        "scopes": ["35.08.09", "35.08.02"],
        "is_active": "y",
        "password": NEW_PASSWORD,
        "confirm": NEW_PASSWORD,
    }
    data.update(overrides)
    return data


def test_list_shows_users_with_region_names(client: FlaskClient, login_as, regions) -> None:
    login_as("admin")
    factories.user("petugas", username="budi", scope=[regions.kec_a], full_name="Budi Santoso")
    page = client.get("/admin/pengguna/")
    assert page.status_code == 200
    assert "budi" in page.text and "Budi Santoso" in page.text
    assert "Kec. Sukodono" in page.text
    assert "Petugas" in page.text


def test_search_matches_username_and_full_name(client, login_as, regions) -> None:
    login_as("admin")
    factories.user("petugas", username="budi", full_name="Budi Santoso")
    factories.user("viewer", username="sari", full_name="Sari Wulandari")
    by_name = client.get("/admin/pengguna/", query_string={"q": "  WULAN "}).text
    assert "sari" in by_name and "budi" not in by_name
    by_username = client.get("/admin/pengguna/", query_string={"q": "bud"}).text
    assert "Budi Santoso" in by_username and "Sari Wulandari" not in by_username
    none = client.get("/admin/pengguna/", query_string={"q": "zzz"}).text
    assert "Tidak ada pengguna yang cocok." in none


def test_search_treats_like_wildcards_literally(client, login_as, regions) -> None:
    login_as("admin")
    factories.user("viewer", username="sari")
    assert (
        "sari"
        not in client.get("/admin/pengguna/", query_string={"q": "%"}).text.split("<tbody>")[-1]
    )


def test_list_is_paginated(app, client, login_as, regions) -> None:
    app.config["PAGE_SIZE"] = 5
    login_as("admin")
    for i in range(11):
        factories.user("viewer", username=f"pengguna{i:02d}")
    first = client.get("/admin/pengguna/")
    assert "Halaman 1 dari 3" in first.text
    third = client.get("/admin/pengguna/", query_string={"page": 3})
    assert "Halaman 3 dari 3" in third.text
    assert "pengguna10" in third.text and "pengguna00" not in third.text


def test_create_user_with_several_kecamatan(client, login_as, regions) -> None:
    admin = login_as("admin")
    response = client.post("/admin/pengguna/baru", data=_create_form())
    assert response.status_code == 302
    user = _by_username("budi.santoso")  # stored folded
    assert user is not None
    assert user.role == "petugas" and user.full_name == "Budi Santoso"
    assert user.scope_codes == ["35.08.02", "35.08.09"]
    assert verify_password(user, NEW_PASSWORD)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.create"))
    assert entry.user_id == admin.id and entry.entity_id == str(user.id)
    assert entry.params == {"user": user.id, "role": "petugas"}
    assert entry.changes["scopes"] == [None, ["35.08.02", "35.08.09"]]
    assert "argon2" not in str(entry.changes) and NEW_PASSWORD not in str(entry.changes)
    assert "Akun budi.santoso dibuat." in client.get("/admin/pengguna/").text


def test_new_user_can_log_in(app, client, login_as, regions) -> None:
    login_as("admin")
    client.post("/admin/pengguna/baru", data=_create_form())
    other = app.test_client()
    response = other.post("/login", data={"username": "BUDI.SANTOSO", "password": NEW_PASSWORD})
    assert response.status_code == 302


def test_duplicate_username_is_refused_in_indonesian(client, login_as, regions) -> None:
    login_as("admin")
    factories.user("viewer", username="budi.santoso")
    before = _count(User)
    response = client.post("/admin/pengguna/baru", data=_create_form(username=" BUDI.Santoso"))
    assert response.status_code == 422
    assert "sudah dipakai" in response.text
    assert 'value="Budi Santoso"' in response.text  # the form keeps what was typed
    assert _count(User) == before
    assert _count(AuditEntry) == 0


def test_bad_create_input_writes_nothing(client, login_as, regions) -> None:
    login_as("admin")
    cases = [
        (_create_form(password="pendek1", confirm="pendek1"), "minimal 8 karakter"),
        (_create_form(password="Bismillah", confirm="Bismillah"), "paling umum dipakai"),
        (
            _create_form(password="budi.santoso-2025", confirm="budi.santoso-2025"),
            "tidak boleh memuat nama pengguna",
        ),
        (_create_form(confirm="tidak-sama-2025"), "Kedua kata sandi tidak sama."),
        (_create_form(scopes=[]), "Pilih minimal satu wilayah kerja."),
        (_create_form(role="superadmin"), "Peran tidak dikenal"),
        (_create_form(username="a b"), "tanpa spasi"),
        (_create_form(username=""), "Isi nama pengguna."),
        (_create_form(scopes=["99.99"]), "Kode wilayah tidak dikenal: 99.99."),
    ]
    for data, message in cases:
        response = client.post("/admin/pengguna/baru", data=data)
        assert response.status_code == 422, message
        assert message in response.text, message
    assert _count(User) == 1  # only the admin
    assert _count(AuditEntry) == 0


def test_scope_choices_are_limited_to_the_admins_own_scope(client, login_as, regions) -> None:
    db.session.add(Region(code="35.09", name="Kabupaten Jember", level=2, parent_code="35"))
    db.session.commit()
    login_as("admin", scope=[regions.kabupaten])
    page = client.get("/admin/pengguna/baru").text
    assert 'value="35.08.09"' in page and "Kec. Sukodono" in page
    assert 'value="35.09"' not in page
    assert 'value="35"' not in page


def test_admin_cannot_grant_a_scope_outside_his_own(client, login_as, regions) -> None:
    db.session.add(Region(code="35.09", name="Kabupaten Jember", level=2, parent_code="35"))
    db.session.commit()
    login_as("admin", scope=[regions.kabupaten])
    for scopes in (["35.09"], ["35"], ["35.08.09", "35.09"]):
        response = client.post("/admin/pengguna/baru", data=_create_form(scopes=scopes))
        assert response.status_code == 422
        assert "di luar wilayah kerja Anda" in response.text
    assert _by_username("budi.santoso") is None


def test_kecamatan_admin_sees_and_manages_only_accounts_inside_his_scope(
    client, login_as, regions
) -> None:
    kab_user = factories.user("viewer", username="kabupaten.viewer", scope=[regions.kabupaten])
    other_kec = factories.user("petugas", username="pasirian", scope=[regions.kec_b])
    mixed = factories.user("petugas", username="campur", scope=[regions.kec_a, regions.kec_b])
    mine = factories.user("petugas", username="sukodono", scope=[regions.kec_a])
    login_as("admin", scope=[regions.kec_a], username="admin.kec")
    listing = client.get("/admin/pengguna/").text
    assert "sukodono" in listing
    for hidden in ("kabupaten.viewer", "pasirian", "campur"):
        assert hidden not in listing
    for user in (kab_user, other_kec, mixed):
        assert client.get(f"/admin/pengguna/{user.id}/ubah").status_code == 404
        assert client.post(f"/admin/pengguna/{user.id}/nonaktifkan").status_code == 404
        response = client.post(
            f"/admin/pengguna/{user.id}/kata-sandi",
            data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
        )
        assert response.status_code == 404
    assert client.get(f"/admin/pengguna/{mine.id}/ubah").status_code == 200
    db.session.expire_all()
    assert all(u.is_active_account for u in (kab_user, other_kec, mixed))
    assert _count(AuditEntry) == 0


def test_edit_user(client, login_as, regions) -> None:
    login_as("admin")
    user = factories.user("viewer", username="sari", scope=[regions.kabupaten])
    form = client.get(f"/admin/pengguna/{user.id}/ubah").text
    assert 'value="Pengguna viewer"' in form
    response = client.post(
        f"/admin/pengguna/{user.id}/ubah",
        data={
            "full_name": "Sari W.",
            "role": "petugas",
            "scopes": [regions.kec_b],
            "is_active": "y",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    user = db.session.get(User, user.id)
    assert (user.full_name, user.role, user.scope_codes) == ("Sari W.", "petugas", ["35.08.02"])
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.update"))
    assert entry.changes == {
        "full_name": ["Pengguna viewer", "Sari W."],
        "role": ["viewer", "petugas"],
        "scopes": [["35.08"], ["35.08.02"]],
    }


def test_edit_keeping_some_scopes_and_adding_one(client, login_as, regions) -> None:
    login_as("admin")
    user = factories.user("petugas", username="budi", scope=[regions.kec_a])
    response = client.post(
        f"/admin/pengguna/{user.id}/ubah",
        data={"role": "petugas", "scopes": [regions.kec_a, regions.kec_b], "is_active": "y"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user.id).scope_codes == ["35.08.02", "35.08.09"]


def test_bad_edit_keeps_input_and_writes_nothing(client, login_as, regions) -> None:
    login_as("admin")
    user = factories.user("viewer", username="sari")
    response = client.post(
        f"/admin/pengguna/{user.id}/ubah",
        data={"full_name": "Nama Baru", "role": "viewer", "scopes": [], "is_active": "y"},
    )
    assert response.status_code == 422
    assert "Pilih minimal satu wilayah kerja." in response.text
    assert 'value="Nama Baru"' in response.text
    db.session.expire_all()
    assert db.session.get(User, user.id).full_name == "Pengguna viewer"
    assert _count(AuditEntry) == 0


def test_admin_cannot_deactivate_or_demote_himself(client, login_as, regions) -> None:
    admin = login_as("admin")
    response = client.post(f"/admin/pengguna/{admin.id}/nonaktifkan", follow_redirects=True)
    assert "Anda tidak dapat menonaktifkan akun Anda sendiri." in response.text
    response = client.post(
        f"/admin/pengguna/{admin.id}/ubah",
        data={"role": "admin", "scopes": [regions.kabupaten]},  # active box unticked
    )
    assert response.status_code == 422
    assert "Anda tidak dapat menonaktifkan akun Anda sendiri." in response.text
    response = client.post(
        f"/admin/pengguna/{admin.id}/ubah",
        data={"role": "viewer", "scopes": [regions.kabupaten], "is_active": "y"},
    )
    assert response.status_code == 422
    assert "Anda tidak dapat mengubah peran akun Anda sendiri." in response.text
    db.session.expire_all()
    admin = db.session.get(User, admin.id)
    assert admin.is_active_account and admin.role == "admin"
    assert _count(AuditEntry) == 0


def test_deactivate_and_reactivate(app, client, login_as, regions) -> None:
    login_as("admin")
    user = factories.user("petugas", username="budi")
    listing = client.get("/admin/pengguna/").text
    assert f'action="/admin/pengguna/{user.id}/nonaktifkan"' in listing  # a confirmed POST form
    assert "Nonaktifkan akun budi?" in listing
    # budi is working on another computer when he is deactivated
    other = app.test_client()
    other.post("/login", data={"username": "budi", "password": factories.PASSWORD})
    assert other.get("/akun").status_code == 200

    assert client.post(f"/admin/pengguna/{user.id}/nonaktifkan").status_code == 302
    db.session.expire_all()
    assert not db.session.get(User, user.id).is_active_account
    assert other.get("/akun").status_code == 302  # his open session no longer works
    assert (
        other.post("/login", data={"username": "budi", "password": factories.PASSWORD}).status_code
        == 200
    )
    assert "Nonaktif" in client.get("/admin/pengguna/").text

    assert client.post(f"/admin/pengguna/{user.id}/aktifkan").status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user.id).is_active_account
    actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions == ["user.deactivate", "user.activate"]


def test_deactivate_is_post_only(client, login_as, regions) -> None:
    login_as("admin")
    user = factories.user("petugas", username="budi")
    assert client.get(f"/admin/pengguna/{user.id}/nonaktifkan").status_code == 405
    db.session.expire_all()
    assert db.session.get(User, user.id).is_active_account


def test_reset_password(app, client, login_as, regions) -> None:
    login_as("admin")
    user = factories.user("petugas", username="budi")
    budi = app.test_client()
    budi.post("/login", data={"username": "budi", "password": factories.PASSWORD})
    assert budi.get("/akun").status_code == 200

    page = client.get(f"/admin/pengguna/{user.id}/kata-sandi")
    assert page.status_code == 200 and "budi" in page.text
    response = client.post(
        f"/admin/pengguna/{user.id}/kata-sandi",
        data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert verify_password(db.session.get(User, user.id), NEW_PASSWORD)
    assert budi.get("/akun").status_code == 302  # the session opened with the old password ended
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.password_reset"))
    assert entry.changes is None and entry.params == {"user": user.id}


def test_reset_password_too_short_is_refused(client, login_as, regions) -> None:
    login_as("admin")
    user = factories.user("petugas", username="budi")
    response = client.post(
        f"/admin/pengguna/{user.id}/kata-sandi",
        data={"password": "pendek1", "confirm": "pendek1"},
    )
    assert response.status_code == 422
    assert "Kata sandi minimal 8 karakter." in response.text
    db.session.expire_all()
    assert verify_password(db.session.get(User, user.id), factories.PASSWORD)
    assert _count(AuditEntry) == 0


def test_unknown_user_id_is_404(client, login_as, regions) -> None:
    login_as("admin")
    assert client.get("/admin/pengguna/9999/ubah").status_code == 404
    assert client.post("/admin/pengguna/9999/aktifkan").status_code == 404


def test_full_name_is_escaped(client, login_as, regions) -> None:
    login_as("admin")
    factories.user("viewer", username="xss", full_name="<script>alert(1)</script>")
    page = client.get("/admin/pengguna/").text
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_edit_form_keeps_a_desa_scope_given_on_the_command_line(client, login_as, regions) -> None:
    login_as("admin")
    user = factories.user("petugas", username="desa.saja", scope=[regions.desa_a1])
    form = client.get(f"/admin/pengguna/{user.id}/ubah").text
    assert f'value="{regions.desa_a1}"' in form and "Kutorenon" in form
    response = client.post(
        f"/admin/pengguna/{user.id}/ubah",
        data={
            "full_name": "Baru",
            "role": "petugas",
            "scopes": [regions.desa_a1],
            "is_active": "y",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user.id).scope_codes == [regions.desa_a1]


def test_no_role_is_preselected_and_one_must_be_chosen(client, login_as, regions) -> None:
    login_as("admin")
    form = client.get("/admin/pengguna/baru").text
    assert "<option selected" not in form.split('id="role"')[1].split("</select>")[0]
    response = client.post("/admin/pengguna/baru", data=_create_form(role=""))
    assert response.status_code == 422
    assert "Pilih peran." in response.text
    assert _by_username("budi.santoso") is None


def test_admin_resetting_his_own_password_stays_logged_in(client, login_as, regions) -> None:
    admin = login_as("admin")
    response = client.post(
        f"/admin/pengguna/{admin.id}/kata-sandi",
        data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert client.get("/admin/pengguna/").status_code == 200
