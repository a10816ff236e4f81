"""The audit-log page: newest first, filters, pagination, changed fields shown escaped, and only
the entries of accounts inside the reader's scope."""

from __future__ import annotations

from datetime import datetime

from flask.testing import FlaskClient

from tests import factories
from tracker.extensions import db
from tracker.models import AuditEntry, User


def _entry(
    user: User | None,
    action: str,
    summary: str,
    at: datetime,
    entity: str = "kim",
    changes: dict | None = None,
    entity_id: str | None = "1",
) -> AuditEntry:
    entry = AuditEntry(
        user_id=user.id if user else None,
        action=action,
        entity=entity,
        entity_id=entity_id,
        summary=summary,
        changes=changes,
        at=at,
    )
    db.session.add(entry)
    db.session.commit()
    return entry


def _rows(html: str) -> str:
    return html.split("<tbody>", 1)[1].split("</tbody>", 1)[0] if "<tbody>" in html else ""


def test_newest_first_with_who_when_and_changes(client: FlaskClient, login_as) -> None:
    admin = login_as("admin")
    _entry(admin, "kim.create", "Membuat KIM Lama", datetime(2025, 3, 1, 2, 0))
    _entry(
        admin,
        "kim.update",
        "Mengubah KIM Baru",
        datetime(2025, 3, 7, 7, 5),  # UTC: 14.05 in Jakarta
        changes={"name": ["KIM Lama", "KIM Baru"], "sk_date": [None, "2025-01-15"]},
    )
    html = _rows(client.get("/admin/audit/").text)
    assert html.index("Mengubah KIM Baru") < html.index("Membuat KIM Lama")
    assert "7 Maret 2025 14.05" in html  # `waktu`, Asia/Jakarta
    assert "admin1" in html
    assert "<del>KIM Lama</del> → <ins>KIM Baru</ins>" in html
    assert "<del>—</del> → <ins>2025-01-15</ins>" in html


def test_created_values_are_listed_without_arrows(client, login_as) -> None:
    admin = login_as("admin")
    _entry(
        admin,
        "kim.create",
        "Membuat KIM",
        datetime(2025, 3, 1),
        changes={"name": "KIM Maju", "members": ["A", "B"]},
    )
    html = _rows(client.get("/admin/audit/").text)
    assert "KIM Maju" in html and "A, B" in html
    assert "→" not in html


def test_payload_in_audit_data_is_escaped(client, login_as) -> None:
    admin = login_as("admin")
    payload = "<img src=x onerror=alert(1)>"
    _entry(
        admin,
        "kim.update",
        payload,
        datetime(2025, 3, 1),
        changes={"name": ["lama", payload]},
        entity_id=payload[:40],
    )
    html = client.get("/admin/audit/").text
    assert payload not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_filters_by_entity_action_user_and_dates(client, login_as, regions) -> None:
    admin = login_as("admin")
    budi = factories.user("petugas", username="budi", scope=[regions.kec_a])
    _entry(admin, "user.create", "A-buat-akun", datetime(2025, 3, 1, 3), entity="user")
    _entry(budi, "kim.update", "B-ubah-kim", datetime(2025, 3, 5, 3))
    _entry(budi, "kim.create", "C-buat-kim", datetime(2025, 3, 9, 3))
    _entry(None, "kim.import", "D-impor-cli", datetime(2025, 3, 10, 3), entity_id=None)

    def shown(**args: str) -> set[str]:
        response = client.get("/admin/audit/", query_string=args)
        assert response.status_code == 200
        html = _rows(response.text)
        return {s for s in ("A-buat-akun", "B-ubah-kim", "C-buat-kim", "D-impor-cli") if s in html}

    assert shown() == {"A-buat-akun", "B-ubah-kim", "C-buat-kim", "D-impor-cli"}
    assert shown(entity="user") == {"A-buat-akun"}
    assert shown(action="kim.create") == {"C-buat-kim"}
    assert shown(user=str(budi.id)) == {"B-ubah-kim", "C-buat-kim"}
    assert shown(since="2025-03-05", until="2025-03-09") == {"B-ubah-kim", "C-buat-kim"}
    assert shown(until="2025-03-01") == {"A-buat-akun"}  # the end date is included entirely
    assert shown(entity="kim", user=str(budi.id), since="2025-03-06") == {"C-buat-kim"}
    page = client.get("/admin/audit/", query_string={"user": str(budi.id)}).text
    assert f'<option selected value="{budi.id}">' in page  # the filter keeps its choice


def test_date_range_uses_jakarta_days(client, login_as) -> None:
    admin = login_as("admin")
    # 2025-03-04 18:30 UTC is already 5 March 01.30 in Jakarta
    _entry(admin, "kim.update", "Larut-malam", datetime(2025, 3, 4, 18, 30))
    on_fifth = _rows(client.get("/admin/audit/?since=2025-03-05&until=2025-03-05").text)
    on_fourth = _rows(client.get("/admin/audit/?since=2025-03-04&until=2025-03-04").text)
    assert "Larut-malam" in on_fifth and "Larut-malam" not in on_fourth


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
        _entry(admin, "kim.update", f"entri-{i:02d};", datetime(2025, 3, 1, 0, i))
    first = client.get("/admin/audit/").text
    assert "Halaman 1 dari 3" in first and "entri-24;" in first and "entri-14;" not in first
    last = client.get("/admin/audit/?page=3").text
    assert "entri-00;" in last and "entri-05;" not in last


def test_user_actions_appear_in_the_log(client, login_as, regions) -> None:
    login_as("admin")
    client.post(
        "/admin/pengguna/baru",
        data={
            "username": "budi",
            "full_name": "Budi",
            "role": "petugas",
            "scopes": [regions.kec_a],
            "is_active": "y",
            "password": "sandi-petugas-2025",
            "confirm": "sandi-petugas-2025",
        },
    )
    html = _rows(client.get("/admin/audit/?entity=user").text)
    assert "Membuat akun budi (Petugas)" in html
    assert "argon2" not in html


def test_reader_sees_only_entries_by_accounts_in_his_scope(client, login_as, regions) -> None:
    sukodono = factories.user("petugas", username="sukodono", scope=[regions.kec_a])
    pasirian = factories.user("petugas", username="pasirian", scope=[regions.kec_b])
    _entry(sukodono, "kim.update", "oleh-sukodono", datetime(2025, 3, 1))
    _entry(pasirian, "kim.update", "oleh-pasirian", datetime(2025, 3, 1))
    login_as("kabid", scope=[regions.kec_a], username="kabid.sukodono")
    page = client.get("/admin/audit/").text
    assert "oleh-sukodono" in page and "oleh-pasirian" not in page
    assert "pasirian" not in page  # not even as a filter choice
    filtered = client.get(f"/admin/audit/?user={pasirian.id}").text
    assert "oleh-pasirian" not in filtered


def test_an_operator_entry_about_a_kim_shows_only_inside_the_readers_scope(
    client, login_as, regions
) -> None:
    inside = factories.kim(regions.desa_a1, name="KIM Dalam")
    outside = factories.kim(regions.desa_b1, name="KIM Luar")
    _entry(None, "kim.create", "cli-dalam", datetime(2025, 3, 1), entity_id=str(inside.id))
    _entry(None, "kim.create", "cli-luar 0812", datetime(2025, 3, 1), entity_id=str(outside.id))
    _entry(None, "kim.import", "cli-ringkasan", datetime(2025, 3, 1), entity_id=None)
    login_as("kabid", scope=[regions.kec_a], username="kabid.sukodono")
    rows = _rows(client.get("/admin/audit/").text)
    assert "cli-dalam" in rows and "cli-ringkasan" in rows
    assert "cli-luar" not in rows
