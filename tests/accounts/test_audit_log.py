"""The audit-log page: newest first, filters, pagination, entries worded when read (labels, names,
dates, the reader's language), shown escaped, and only the entries of the reader's region scope."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from tests import factories
from tracker.extensions import db
from tracker.models import AuditEntry, Kim, User
from tracker.services.common import audit_writer


def _entry(
    user: User | None,
    action: str,
    at: datetime,
    entity: str = "kim",
    entity_id: object | None = None,
    *,
    params: Mapping[str, Any] | None = None,
    changes: Mapping[str, Any] | None = None,
    kim: Kim | None = None,
    region: str | None = None,
    message: str | None = None,
) -> AuditEntry:
    entry = audit_writer.record(
        action,
        entity,
        entity_id if entity_id is not None or kim is None else kim.id,
        user,
        params=params,
        changes=changes,
        kim=kim,
        region=region,
        message=message,
    )
    entry.at = at
    db.session.commit()
    return entry


def _rows(html: str) -> str:
    return html.split("<tbody>", 1)[1].split("</tbody>", 1)[0] if "<tbody>" in html else ""


def _period(user: User | None, code: str, at: datetime) -> AuditEntry:
    """An entry that concerns no region, with its own words for telling it apart."""
    return _entry(user, "period.create", at, "period", 1, params={"period": code})


def test_newest_first_with_who_when_and_worded_changes(client, login_as, regions) -> None:
    admin = login_as("admin")
    kim = factories.kim(regions.desa_a1, name="KIM Baru")
    _entry(admin, "kim.create", datetime(2025, 3, 1, 2, 0), kim=kim, params={"name": "KIM Lama"})
    _entry(
        admin,
        "kim.update",
        datetime(2025, 3, 7, 7, 5),  # UTC: 14.05 in Jakarta
        kim=kim,
        params={"name": "KIM Baru"},
        changes={
            "name": ["KIM Lama", "KIM Baru"],
            "sk_date": [None, "2025-01-15"],
            "desa_code": [regions.desa_b1, regions.desa_a1],
            "members": [1200, 1500],
            "status": ["aktif", "nonaktif"],
        },
    )
    html = _rows(client.get("/admin/audit/").text)
    assert html.index("Mengubah KIM KIM Baru") < html.index("Menambah KIM KIM Lama")
    assert "7 Maret 2025 14.05" in html  # `waktu`, Asia/Jakarta
    assert "admin1" in html
    assert "<strong>Nama KIM</strong>" in html
    assert "<del>KIM Lama</del> → <ins>KIM Baru</ins>" in html
    assert (
        "<strong>Tanggal SK</strong>" in html
        and "<del>—</del> → <ins>15 Januari 2025</ins>" in html
    )
    assert (
        "<strong>Desa/Kelurahan</strong>" in html
        and "<del>Condro</del> → <ins>Kutorenon</ins>" in html
    )
    assert "<del>1.200</del> → <ins>1.500</ins>" in html
    assert "<del>Aktif</del> → <ins>Nonaktif</ins>" in html
    for raw in ("sk_date", "desa_code", "members", regions.desa_a1, "2025-01-15", "kim.update"):
        assert raw not in html, raw


def test_created_values_are_listed_without_arrows(client, login_as, regions) -> None:
    admin = login_as("admin")
    kim = factories.kim(regions.desa_a1)
    _entry(
        admin,
        "kim.create",
        datetime(2025, 3, 1),
        kim=kim,
        params={"name": "KIM Maju"},
        changes=audit_writer.created(
            {"name": "KIM Maju", "channels": ["facebook: a", "instagram: b"], "email": None}
        ),
    )
    html = _rows(client.get("/admin/audit/").text)
    assert "KIM Maju" in html and "facebook: a, instagram: b" in html
    assert "Email" not in html  # not given a value: not listed
    assert "→" not in html


def test_names_of_regions_and_accounts_instead_of_codes_and_ids(client, login_as, regions) -> None:
    admin = login_as("admin")
    budi = factories.user("petugas", username="budi", scope=[regions.kec_a])
    _entry(
        admin,
        "user.update",
        datetime(2025, 3, 1),
        "user",
        budi.id,
        params={"user": budi.id},
        changes={
            "scopes": [[regions.kec_a], [regions.kec_a, regions.kec_b]],
            "role": ["petugas", "kabid"],
            "is_active": [True, False],
        },
    )
    html = _rows(client.get("/admin/audit/").text)
    assert "Mengubah akun budi" in html
    assert "<strong>Wilayah kerja</strong>" in html
    assert "<del>Sukodono</del> → <ins>Sukodono, Pasirian</ins>" in html
    assert "<del>Petugas</del> → <ins>Kabid PIKP</ins>" in html
    assert "<del>Ya</del> → <ins>Tidak</ins>" in html
    assert regions.kec_a not in html and "scopes" not in html and f"#{budi.id}" not in html


def test_framework_changes_read_as_the_edit_form_names_them(client, login_as) -> None:
    admin = login_as("admin")
    _entry(
        admin,
        "framework.update",
        datetime(2025, 3, 1),
        "framework",
        2,
        params={"version": 2},
        changes={
            "tiers.Maju.min": [60, 65],
            "indicators.W1.bands": [[[0, 0], [1, 30]], [[0, 0], [2, 30]]],
            "conditions.Mandiri/D.min": [50, 55.5],
            "stability.demotion_margin": [5, 4],
            "indicators.W1.topic": ["Lama", "Baru"],
            "something.nobody.wrote": [1, 2],
        },
    )
    html = _rows(client.get("/admin/audit/").text)
    assert "Draf kerangka v2 diubah" in html
    assert "<strong>Batas bawah jenjang Maju</strong>: <del>60</del> → <ins>65</ins>" in html
    assert "<strong>Pita skor W1</strong>: <del>0:0; 1:30</del> → <ins>0:0; 2:30</ins>" in html
    assert "<strong>Ambang syarat Mandiri (D)</strong>: <del>50</del> → <ins>55,5</ins>" in html
    assert "<strong>Selisih turun langsung</strong>" in html
    assert "<strong>Indikator W1: materi pembinaan</strong>" in html
    assert "<strong>Isian lain</strong>" in html
    for raw in ("tiers.", "indicators.", "stability.", "something.nobody"):
        assert raw not in html, raw


def test_payload_in_audit_data_is_escaped(client, login_as, regions) -> None:
    admin = login_as("admin")
    kim = factories.kim(regions.desa_a1)
    payload = "<img src=x onerror=alert(1)>"
    _entry(
        admin,
        "kim.update",
        datetime(2025, 3, 1),
        kim=kim,
        params={"name": payload},
        changes={"name": ["lama", payload]},
    )
    html = client.get("/admin/audit/").text
    assert payload not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_filters_by_entity_action_user_and_dates(client, login_as, regions) -> None:
    admin = login_as("admin")
    budi = factories.user("petugas", username="budi", scope=[regions.kec_a])
    kim = factories.kim(regions.desa_a1)
    _entry(
        admin,
        "user.create",
        datetime(2025, 3, 1, 3),
        "user",
        budi.id,
        params={"user": budi.id, "role": "petugas"},
    )
    _entry(budi, "kim.update", datetime(2025, 3, 5, 3), kim=kim, params={"name": "B-ubah-kim"})
    _entry(budi, "kim.create", datetime(2025, 3, 9, 3), kim=kim, params={"name": "C-buat-kim"})
    _entry(
        None,
        "kim.import",
        datetime(2025, 3, 10, 3),
        region=regions.kec_a,
        params={
            "file": "D-impor-cli.csv",
            "created": 1,
            "updated": 0,
            "unchanged": 0,
            "invalid": 0,
        },
    )
    everything = ("Membuat akun budi", "B-ubah-kim", "C-buat-kim", "D-impor-cli")

    def shown(**args: str) -> set[str]:
        response = client.get("/admin/audit/", query_string=args)
        assert response.status_code == 200
        html = _rows(response.text)
        return {s for s in everything if s in html}

    assert shown() == set(everything)
    assert shown(entity="user") == {"Membuat akun budi"}
    assert shown(action="kim.create") == {"C-buat-kim"}
    assert shown(user=str(budi.id)) == {"B-ubah-kim", "C-buat-kim"}
    assert shown(since="2025-03-05", until="2025-03-09") == {"B-ubah-kim", "C-buat-kim"}
    assert shown(until="2025-03-01") == {"Membuat akun budi"}  # the end date is included entirely
    assert shown(entity="kim", user=str(budi.id), since="2025-03-06") == {"C-buat-kim"}
    page = client.get("/admin/audit/", query_string={"user": str(budi.id)}).text
    assert f'<option selected value="{budi.id}">' in page  # the filter keeps its choice
    # the lists offer names, not keys
    assert '<option value="user">Akun pengguna</option>' in page
    assert '<option value="kim.create">Tambah KIM</option>' in page


def test_date_range_uses_jakarta_days(client, login_as) -> None:
    admin = login_as("admin")
    # 2025-03-04 18:30 UTC is already 5 March 01.30 in Jakarta
    _period(admin, "2025-T1", datetime(2025, 3, 4, 18, 30))
    on_fifth = _rows(client.get("/admin/audit/?since=2025-03-05&until=2025-03-05").text)
    on_fourth = _rows(client.get("/admin/audit/?since=2025-03-04&until=2025-03-04").text)
    assert "Periode 2025-T1 ditambahkan" in on_fifth
    assert "Periode 2025-T1 ditambahkan" not in on_fourth


def test_bad_dates_get_an_indonesian_message(client, login_as) -> None:
    login_as("admin")
    reversed_range = client.get("/admin/audit/?since=2025-03-09&until=2025-03-01")
    assert reversed_range.status_code == 422
    assert "Tanggal akhir tidak boleh sebelum tanggal awal." in reversed_range.text
    garbage = client.get("/admin/audit/?since=kemarin")
    assert garbage.status_code == 422
    assert "Tanggal tidak valid" in garbage.text
    assert 'value="kemarin"' in garbage.text


def test_pagination(app, client, login_as) -> None:
    app.config["PAGE_SIZE"] = 10
    admin = login_as("admin")
    for i in range(25):
        _period(admin, f"entri-{i:02d};", datetime(2025, 3, 1, 0, i))
    first = client.get("/admin/audit/").text
    assert "Halaman 1 dari 3" in first and "entri-24;" in first and "entri-14;" not in first
    last = client.get("/admin/audit/?page=3").text
    assert "entri-00;" in last and "entri-05;" not in last


def test_a_petugas_reads_only_audit_entries_about_its_kecamatan(client, login_as, regions) -> None:
    kabid = factories.user("kabid", username="kabid.kabupaten")
    pasirian = factories.user("petugas", username="pasirian", scope=[regions.kec_b])
    inside = factories.kim(regions.desa_a2, name="KIM Dalam")
    outside = factories.kim(regions.desa_b1, name="KIM Luar", phone="0812-999")
    when = datetime(2025, 3, 1)
    # about the petugas's kecamatan, by anyone: the kabupaten's kabid, the operator (CLI)
    _entry(kabid, "kim.update", when, kim=inside, params={"name": "KIM Dalam"})
    _entry(
        None,
        "measurement.grid",
        when,
        "measurement",
        region=regions.kec_a,
        params={
            "period": "2025-T1",
            "kecamatan": regions.kec_a,
            "created": 2,
            "updated": 0,
            "deleted": 0,
        },
    )
    # about another kecamatan, even by the petugas's own colleague; about no region at all
    _entry(
        pasirian,
        "kim.create",
        when,
        kim=outside,
        params={"name": "KIM Luar"},
        changes=audit_writer.created({"phone": "0812-999"}),
    )
    _entry(
        kabid,
        "user.create",
        when,
        "user",
        pasirian.id,
        params={"user": pasirian.id, "role": "petugas"},
    )
    _period(kabid, "2025-T1", when)
    login_as("petugas", scope=[regions.kec_a], username="sukodono")
    response = client.get("/admin/audit/")
    assert response.status_code == 200
    rows = _rows(response.text)
    assert "Mengubah KIM KIM Dalam" in rows
    assert "Nilai indikator 2025-T1, Kecamatan Sukodono: 2 baru" in rows
    assert "KIM Luar" not in rows and "0812-999" not in rows
    assert "Membuat akun" not in rows and "Periode 2025-T1" not in rows
    assert "pasirian" not in response.text  # not even as a filter choice
    filtered = client.get(f"/admin/audit/?user={pasirian.id}").text
    assert "KIM Luar" not in _rows(filtered)


def test_entries_of_no_region_are_for_kabupaten_wide_and_admin_readers(
    client, login_as, regions, auth
) -> None:
    kim = factories.kim(regions.desa_b1, name="KIM Pasirian")
    _entry(None, "kim.update", datetime(2025, 3, 1), kim=kim, params={"name": "KIM Pasirian"})
    _period(None, "2025-T1", datetime(2025, 3, 1))

    def seen() -> set[str]:
        rows = _rows(client.get("/admin/audit/").text)
        return {s for s in ("KIM Pasirian", "Periode 2025-T1") if s in rows}

    login_as("kabid", scope=[regions.kabupaten], username="kabid.kabupaten")
    assert seen() == {"KIM Pasirian", "Periode 2025-T1"}
    auth.logout()
    login_as("kabid", scope=[regions.kec_a], username="kabid.sukodono")
    assert seen() == set()
    auth.logout()
    login_as("admin", scope=[regions.kec_a], username="admin.sukodono")
    assert seen() == {"Periode 2025-T1"}


def test_a_viewer_may_not_read_the_log(client, login_as) -> None:
    login_as("viewer")
    assert client.get("/admin/audit/").status_code == 403


NEW_ACCOUNT = {
    "username": "budi",
    "full_name": "Budi",
    "role": "petugas",
    "scopes": ["35.08.09"],
    "is_active": "y",
    "password": "sandi-petugas-2025",
    "confirm": "sandi-petugas-2025",
}


def test_user_actions_appear_in_the_log_with_names_not_codes(client, login_as, regions) -> None:
    login_as("admin")
    assert client.post("/admin/pengguna/baru", data=NEW_ACCOUNT).status_code == 302
    html = _rows(client.get("/admin/audit/?entity=user").text)
    assert "Membuat akun budi (Petugas)" in html
    assert "<strong>Wilayah kerja</strong>: Sukodono" in html
    assert "<strong>Peran</strong>: Petugas" in html and "<strong>Akun aktif</strong>: Ya" in html
    assert "argon2" not in html and "sandi-petugas" not in html
    assert regions.kec_a not in html and "scopes" not in html


def test_an_entry_written_in_indonesian_reads_in_english_for_an_english_user(
    english_app, client_as
) -> None:
    indonesian = client_as(english_app, "indonesia", "id")
    response = indonesian.post("/admin/pengguna/baru", data=NEW_ACCOUNT)
    assert response.status_code == 302
    in_indonesian = _rows(indonesian.get("/admin/audit/").text)
    assert "Membuat akun budi (Petugas)" in in_indonesian
    assert "<strong>Wilayah kerja</strong>: Sukodono" in in_indonesian

    english = client_as(english_app, "inggris", "en")
    in_english = _rows(english.get("/admin/audit/").text)
    assert "Created account budi (Field officer)" in in_english
    assert "<strong>Working area</strong>: Sukodono" in in_english
    assert "<strong>Account active</strong>: Yes" in in_english
    assert "Membuat" not in in_english and "Wilayah kerja" not in in_english


def test_dates_and_labels_read_in_the_language_of_the_reader(english_app, client_as) -> None:
    regions = factories.RegionTree()  # english_app made them
    indonesian = client_as(english_app, "indonesia", "id")
    english = client_as(english_app, "inggris", "en")
    kim = factories.kim(regions.desa_a1, name="KIM Sejahtera")
    _entry(
        None,
        "kim.update",
        datetime(2025, 3, 7, 7, 5),
        kim=kim,
        params={"name": "KIM Sejahtera"},
        changes={"sk_date": [None, "2025-03-07"], "desa_code": [regions.desa_b1, regions.desa_a1]},
    )
    in_indonesian = _rows(indonesian.get("/admin/audit/").text)
    assert "Mengubah KIM KIM Sejahtera" in in_indonesian
    assert "<strong>Tanggal SK</strong>" in in_indonesian and "7 Maret 2025" in in_indonesian
    in_english = _rows(english.get("/admin/audit/").text)
    assert "Changed KIM KIM Sejahtera" in in_english
    assert "<strong>SK date</strong>" in in_english and "7 March 2025" in in_english
    assert (
        "<strong>Desa/Kelurahan</strong>" in in_english
        and "<del>Condro</del> → <ins>Kutorenon</ins>" in in_english
    )
    assert "Mengubah" not in in_english and "Maret" not in in_english
