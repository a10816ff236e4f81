"""KIM registry pages (issue 2, point 4): list, detail, create, edit, deactivate — scope, roles,
validation, optimistic locking, audit, escaping."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from tests import factories
from tracker.extensions import db
from tracker.models import AuditEntry, Kim, KimChannel


def form_data(desa_code: str, **overrides: str) -> dict[str, str]:
    data = {
        "name": "KIM Baru Sejahtera",
        "desa_code": desa_code,
        "kimid_number": "",
        "website": "",
        "sk_number": "188/10/427.88/2024",
        "sk_date": "2024-05-02",
        "chair": "Ibu Rahma",
        "phone": "0812 3456 789",
        "email": "",
        "members": "",
        "notes": "",
        "version": "",
    }
    for i in range(4):
        data[f"channels-{i}-platform"] = ""
        data[f"channels-{i}-url"] = ""
    data.update(overrides)
    return data


def edit_data(kim: Kim, **overrides: str) -> dict[str, str]:
    data = form_data(
        kim.desa_code,
        name=kim.name,
        sk_number=kim.sk_number or "",
        sk_date=kim.sk_date.isoformat() if kim.sk_date else "",
        chair=kim.chair or "",
        phone=kim.phone or "",
        version=str(kim.version),
    )
    data.update(overrides)
    return data


def kim_count() -> int:
    return db.session.scalar(select(func.count(Kim.id))) or 0


def reload(kim: Kim) -> Kim:
    db.session.expire_all()
    return db.session.get(Kim, kim.id)


# --- list --------------------------------------------------------------------------------------


def test_list_shows_only_the_users_scope(login_as, client, regions) -> None:
    factories.kim(regions.desa_a1, name="KIM Kutorenon Maju")
    factories.kim(regions.desa_b1, name="KIM Condro Bersatu")
    login_as("petugas", scope=[regions.kec_a])
    page = client.get("/kim/").get_data(as_text=True)
    assert "KIM Kutorenon Maju" in page
    assert "KIM Condro Bersatu" not in page


def test_search_filters_and_sort(login_as, client, regions) -> None:
    factories.kim(regions.desa_a1, name="KIM Alpha")
    factories.kim(regions.desa_a2, name="KIM Beta", status="nonaktif")
    factories.kim(regions.desa_b1, name="KIM Gamma", sk_date=date(2020, 1, 1))
    login_as("viewer")

    def names(query: str) -> list[str]:
        html = client.get("/kim/" + query).get_data(as_text=True)
        return [n for n in ("KIM Alpha", "KIM Beta", "KIM Gamma") if n in html]

    assert names("?q=alpha") == ["KIM Alpha"]
    assert names("?q=condro") == ["KIM Gamma"]  # search by desa name
    assert names(f"?kecamatan={regions.kec_a}") == ["KIM Alpha", "KIM Beta"]
    assert names(f"?desa={regions.desa_a2}") == ["KIM Beta"]
    assert names("?status=nonaktif") == ["KIM Beta"]
    assert names("?status=aktif") == ["KIM Alpha", "KIM Gamma"]
    html = client.get("/kim/?sort=-name").get_data(as_text=True)
    assert html.index("KIM Gamma") < html.index("KIM Beta") < html.index("KIM Alpha")
    html = client.get("/kim/?sort=sk_date").get_data(as_text=True)
    assert html.index("KIM Gamma") < html.index("KIM Alpha")
    assert 'aria-sort="ascending"' in html


def test_pagination(login_as, client, regions, app) -> None:
    for i in range(app.config["PAGE_SIZE"] + 3):
        factories.kim(regions.desa_a1, name=f"KIM Halaman {i:02d}")
    login_as("viewer")
    first = client.get("/kim/").get_data(as_text=True)
    assert "KIM Halaman 00" in first and "KIM Halaman 27" not in first
    assert "Halaman 1 dari 2" in first
    second = client.get("/kim/?page=2").get_data(as_text=True)
    assert "KIM Halaman 27" in second and "KIM Halaman 00" not in second


def test_xss_in_a_kim_name_is_escaped(login_as, client, regions) -> None:
    kim = factories.kim(regions.desa_a1, name="<script>alert(1)</script>")
    login_as("viewer")
    for url in ("/kim/", f"/kim/{kim.id}"):
        html = client.get(url).get_data(as_text=True)
        assert "<script>alert(1)</script>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


# --- detail and scope --------------------------------------------------------------------------


def test_detail_shows_facts_channels_and_history(login_as, client, regions) -> None:
    kim = factories.kim(regions.desa_a1, name="KIM Lengkap", kimid_number="9001")
    kim.channels = [KimChannel(platform="instagram", url="https://instagram.com/kimlengkap")]
    db.session.commit()
    login_as("admin")
    client.post(
        f"/kim/{kim.id}/ubah",
        data=edit_data(kim, chair="Pak Baru", desa_code=regions.desa_a2, sk_date="2025-03-07"),
    )
    html = client.get(f"/kim/{kim.id}").get_data(as_text=True)
    assert "KIM Lengkap" in html and "9001" in html and "Sumberejo" in html
    assert "Sukodono" in html
    assert "https://instagram.com/kimlengkap" in html
    assert "Riwayat perubahan" in html and "Mengubah KIM KIM Lengkap" in html and "admin1" in html
    history = html.split("Riwayat perubahan", 1)[1]
    assert "<strong>Ketua</strong>: <del>—</del> → <ins>Pak Baru</ins>" in history
    assert "<del>Kutorenon</del> → <ins>Sumberejo</ins>" in history
    assert "<del>15 Januari 2024</del> → <ins>7 Maret 2025</ins>" in history
    assert "chair" not in history and "desa_code" not in history and regions.desa_a2 not in history


def test_petugas_cannot_reach_a_kim_outside_its_kecamatan(login_as, client, regions) -> None:
    outside = factories.kim(regions.desa_b1, name="KIM Luar", chair="Asli")
    login_as("petugas", scope=[regions.kec_a])
    assert client.get(f"/kim/{outside.id}").status_code == 404
    assert client.get(f"/kim/{outside.id}/ubah").status_code == 404
    response = client.post(f"/kim/{outside.id}/ubah", data=edit_data(outside, chair="Diubah"))
    assert response.status_code == 404
    assert client.post(f"/kim/{outside.id}/nonaktifkan").status_code == 404
    kim = reload(outside)
    assert kim.chair == "Asli" and kim.status == "aktif"
    assert db.session.scalar(select(func.count(AuditEntry.id))) == 0


def test_petugas_cannot_move_a_kim_into_a_desa_outside_its_scope(login_as, client, regions) -> None:
    kim = factories.kim(regions.desa_a1, name="KIM Tetap")
    login_as("petugas", scope=[regions.kec_a])
    form = client.get("/kim/baru").get_data(as_text=True)
    assert "Kutorenon" in form and "Condro" not in form
    response = client.post(f"/kim/{kim.id}/ubah", data=edit_data(kim, desa_code=regions.desa_b1))
    assert response.status_code == 422
    assert "wilayah kerja Anda" in response.get_data(as_text=True)
    assert reload(kim).desa_code == regions.desa_a1


def test_viewer_cannot_create_edit_or_deactivate(login_as, client, regions) -> None:
    kim = factories.kim(regions.desa_a1, name="KIM Dilihat")
    login_as("viewer")
    assert client.get(f"/kim/{kim.id}").status_code == 200
    assert client.get("/kim/baru").status_code == 403
    assert client.post("/kim/baru", data=form_data(regions.desa_a1)).status_code == 403
    assert client.get(f"/kim/{kim.id}/ubah").status_code == 403
    assert client.post(f"/kim/{kim.id}/ubah", data=edit_data(kim, name="X")).status_code == 403
    assert client.post(f"/kim/{kim.id}/nonaktifkan").status_code == 403
    assert kim_count() == 1 and reload(kim).name == "KIM Dilihat"
    html = client.get("/kim/").get_data(as_text=True)
    assert "/kim/baru" not in html


def test_anonymous_is_sent_to_login(client, regions) -> None:
    response = client.get("/kim/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


# --- create ------------------------------------------------------------------------------------


def test_create_kim_with_channels(login_as, client, regions) -> None:
    login_as("petugas", scope=[regions.kec_a])
    data = form_data(
        regions.desa_a1,
        website="kimbaru.desa.id",
        **{
            "channels-0-platform": "facebook",
            "channels-0-url": "https://facebook.com/kimbaru",
            "channels-2-platform": "youtube",
            "channels-2-url": "https://youtube.com/@kimbaru",
        },
    )
    response = client.post("/kim/baru", data=data)
    assert response.status_code == 302
    kim = db.session.scalar(select(Kim).where(Kim.name == "KIM Baru Sejahtera"))
    assert kim.desa_code == regions.desa_a1
    assert kim.website == "https://kimbaru.desa.id"
    assert [(c.platform, c.url) for c in kim.channels] == [
        ("facebook", "https://facebook.com/kimbaru"),
        ("youtube", "https://youtube.com/@kimbaru"),
    ]
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "kim.create"))
    assert entry.entity_id == str(kim.id) and entry.changes["name"] == [None, "KIM Baru Sejahtera"]
    assert (entry.kim_id, entry.region_code) == (kim.id, regions.desa_a1)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "ditambahkan" in page


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"name": ""}, "Nama KIM wajib diisi."),
        ({"desa_code": ""}, "Pilih desa/kelurahan."),
        (
            {"sk_date": (date.today() + timedelta(days=30)).isoformat()},
            "tidak boleh di masa depan",
        ),
        ({"sk_date": "07/03/2025x"}, "Tanggal tidak valid"),
        ({"website": "javascript:alert(1)"}, "bukan tautan (URL) yang valid"),
        ({"website": "ftp://kim.desa.id"}, "bukan tautan (URL) yang valid"),
        ({"phone": "hubungi 0812"}, "hanya boleh berisi angka"),
        ({"members": "-3"}, "Tidak boleh negatif."),
        ({"members": "banyak"}, "Isi dengan bilangan bulat."),
        ({"email": "bukan-email"}, "tidak valid"),
        (
            {"channels-1-platform": "tiktok", "channels-1-url": "bukan url"},
            "bukan tautan (URL) yang valid",
        ),
        ({"channels-1-url": "https://tiktok.com/@kim"}, "Pilih platform media sosial."),
    ],
)
def test_create_refuses_bad_input_and_keeps_what_was_typed(
    login_as, client, regions, overrides, message
) -> None:
    login_as("admin")
    data = {**form_data(regions.desa_a1, chair="Ketua Yang Diketik"), **overrides}
    response = client.post("/kim/baru", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in html
    assert "Ketua Yang Diketik" in html
    for value in overrides.values():
        if value:
            assert value.replace("&", "&amp;") in html or value in html
    assert kim_count() == 0


def test_name_unique_within_desa_ignoring_case_and_spacing(login_as, client, regions) -> None:
    factories.kim(regions.desa_a1, name="KIM Sinar Harapan")
    login_as("admin")
    response = client.post("/kim/baru", data=form_data(regions.desa_a1, name="kim  SINAR harapan"))
    assert response.status_code == 422
    assert "sudah dipakai KIM lain di desa yang sama" in response.get_data(as_text=True)
    # the same name in another desa is fine
    response = client.post("/kim/baru", data=form_data(regions.desa_a2, name="KIM Sinar Harapan"))
    assert response.status_code == 302
    assert kim_count() == 2


def test_kimid_number_unique(login_as, client, regions) -> None:
    factories.kim(regions.desa_b1, name="KIM Lain", kimid_number="12345")
    login_as("admin")
    response = client.post("/kim/baru", data=form_data(regions.desa_a1, kimid_number="12345"))
    assert response.status_code == 422
    assert "Nomor KIM.id ini sudah dipakai" in response.get_data(as_text=True)
    assert kim_count() == 1


# --- edit, locking, audit ----------------------------------------------------------------------


def test_edit_is_audited_with_old_and_new_values(login_as, client, regions) -> None:
    kim = factories.kim(regions.desa_a1, name="KIM Lama", chair="Pak Lama")
    login_as("kabid")
    response = client.post(
        f"/kim/{kim.id}/ubah", data=edit_data(kim, name="KIM Baru", chair="Bu Baru")
    )
    assert response.status_code == 302
    kim = reload(kim)
    assert (kim.name, kim.chair, kim.version) == ("KIM Baru", "Bu Baru", 2)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "kim.update"))
    assert entry.entity_id == str(kim.id)
    assert entry.changes == {"name": ["KIM Lama", "KIM Baru"], "chair": ["Pak Lama", "Bu Baru"]}
    assert entry.user.username == "kabid1"


def test_edit_without_changes_writes_nothing(login_as, client, regions) -> None:
    kim = factories.kim(regions.desa_a1, name="KIM Diam", chair="Pak Diam", phone="0812 345 678")
    login_as("admin")
    response = client.post(f"/kim/{kim.id}/ubah", data=edit_data(kim), follow_redirects=True)
    assert "Tidak ada perubahan" in response.get_data(as_text=True)
    assert reload(kim).version == 1
    assert db.session.scalar(select(func.count(AuditEntry.id))) == 0


def test_stale_edit_is_refused_and_nothing_overwritten(login_as, client, regions) -> None:
    kim = factories.kim(regions.desa_a1, name="KIM Rebutan", chair="Awal")
    login_as("admin")
    first = edit_data(kim, chair="Perubahan Pertama")
    second = edit_data(kim, chair="Perubahan Kedua")  # opened at the same version
    assert client.post(f"/kim/{kim.id}/ubah", data=first).status_code == 302
    response = client.post(f"/kim/{kim.id}/ubah", data=second)
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Data KIM ini sudah diubah oleh pengguna lain sejak Anda membukanya" in html
    assert "Perubahan Kedua" in html  # the form keeps what the user typed
    kim = reload(kim)
    assert kim.chair == "Perubahan Pertama" and kim.version == 2
    updates = db.session.scalar(
        select(func.count(AuditEntry.id)).where(AuditEntry.action == "kim.update")
    )
    assert updates == 1


def test_channel_only_edit_bumps_the_version(login_as, client, regions) -> None:
    kim = factories.kim(regions.desa_a1, name="KIM Kanal")
    login_as("admin")
    data = edit_data(
        kim, **{"channels-0-platform": "tiktok", "channels-0-url": "https://tiktok.com/@k"}
    )
    assert client.post(f"/kim/{kim.id}/ubah", data=data).status_code == 302
    assert reload(kim).version == 2
    stale = edit_data(kim, version="1", chair="Telat")
    assert client.post(f"/kim/{kim.id}/ubah", data=stale).status_code == 409


def test_edit_form_is_filled_with_current_values(login_as, client, regions) -> None:
    kim = factories.kim(regions.desa_a1, name="KIM Isi", website="https://isi.desa.id")
    kim.channels = [KimChannel(platform=p, url=f"https://{p}.com/isi") for p in
                    ("facebook", "instagram", "youtube", "tiktok")]  # fmt: skip
    db.session.commit()
    login_as("admin")
    html = client.get(f"/kim/{kim.id}/ubah").get_data(as_text=True)
    assert 'value="KIM Isi"' in html and "https://isi.desa.id" in html
    assert "https://tiktok.com/isi" in html
    assert 'name="channels-4-url"' in html  # a spare row beyond the four channels
    assert f'name="version" type="hidden" value="{kim.version}"' in html


# --- deactivate / reactivate -------------------------------------------------------------------


def test_deactivate_and_reactivate(login_as, client, regions) -> None:
    kim = factories.kim(regions.desa_a1, name="KIM Tidur")
    login_as("petugas", scope=[regions.kec_a])
    detail = client.get(f"/kim/{kim.id}").get_data(as_text=True)
    assert f"/kim/{kim.id}/nonaktifkan" in detail
    response = client.post(f"/kim/{kim.id}/nonaktifkan", follow_redirects=True)
    assert "KIM dinonaktifkan." in response.get_data(as_text=True)
    assert reload(kim).status == "nonaktif"
    client.post(f"/kim/{kim.id}/aktifkan")
    assert reload(kim).status == "aktif"
    actions = list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
    assert actions == ["kim.deactivate", "kim.reactivate"]


def test_a_concurrent_write_between_read_and_save_is_caught_by_the_version(regions, app) -> None:
    """Another worker commits after our read: the UPDATE matches no row and nothing is written."""
    from sqlalchemy import update

    from tracker.services.registry import kims

    user = factories.user(role="admin", username="admin-race")
    kim = factories.kim(regions.desa_a1, name="KIM Balapan", chair="Awal")
    loaded = kims.get_kim(user, kim.id)  # our read, at version 1
    with db.engine.begin() as other:  # the other worker's committed edit
        other.execute(update(Kim).where(Kim.id == kim.id).values(chair="Lain", version=2))
    data = kims.KimInput(name=loaded.name, desa_code=loaded.desa_code, chair="Kita")
    with pytest.raises(kims.KimStaleError):
        kims.update_kim(user, kim.id, data, expected_version=1)
    kim = reload(kim)
    assert (kim.chair, kim.version) == ("Lain", 2)
    assert db.session.scalar(select(func.count(AuditEntry.id))) == 0


def test_detail_page_shows_the_latest_tier_with_a_link_to_the_breakdown(
    client, login_as, regions
) -> None:
    from tracker.services.assessment.runner import assess_period
    from tracker.services.rules.frameworks import ensure_default

    ensure_default()
    kim = factories.kim(regions.desa_a1, name="KIM Bertingkat")
    factories.make_period("2025-T1")
    assess_period("2025-T1", None)
    login_as("viewer")
    page = client.get(f"/kim/{kim.id}").text
    assert "Jenjang terakhir" in page
    assert "Rintisan" in page
    assert f"/penilaian/2025-T1/kim/{kim.id}" in page


def test_detail_page_says_when_a_kim_was_never_assessed(client, login_as, regions) -> None:
    kim = factories.kim(regions.desa_a1, name="KIM Baru Sekali")
    login_as("viewer")
    assert "KIM ini belum pernah dinilai." in client.get(f"/kim/{kim.id}").text
