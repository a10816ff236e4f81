"""/aktivitas: the index page, templates, and upload → preview → confirm for each import."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import func, select

from tests import factories
from tracker.extensions import db
from tracker.io.activity_columns import POST_COLUMNS
from tracker.io.tabular import read_table
from tracker.models import AuditEntry, ContentCount, ContentPost, Measurement


@pytest.fixture(autouse=True)
def _uploads_in_tmp(app, tmp_path):
    app.config["UPLOAD_FOLDER"] = str(tmp_path / "uploads")


@pytest.fixture
def data(regions):
    factories.make_period("2025-T1")
    factories.make_period("2024-T4", state="closed")
    return {
        "a": factories.kim(regions.desa_a1, "KIM Tukum Mandiri", kimid_number="KIM-1"),
        "b": factories.kim(regions.desa_b1, "KIM Condro Jaya", kimid_number="KIM-2"),
    }


def upload(client, kind, content: bytes, filename="berkas.csv", period=None):
    form = {f"{kind}-file": (io.BytesIO(content), filename)}
    if period is not None:
        form[f"{kind}-period"] = period
    return client.post(f"/aktivitas/impor/{kind}", data=form, content_type="multipart/form-data")


def token_of(html: str) -> str:
    match = re.search(r'name="token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="token" value="([^"]+)"', html
    )
    assert match, "no confirmation form on the page"
    return match.group(1)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


POSTS = (
    b"Nomor KIM.id;Jenis;Tanggal;Judul;Tautan\r\n"
    b"KIM-1;berita;07/03/2025;Kerja bakti;https://a.id/1\r\n"
    b"KIM-1;galeri;7 Maret 2025;Foto kerja bakti;\r\n"
)


def test_index_page_offers_imports_templates_and_grids(client, login_as, data):
    login_as("petugas", scope=["35.08.09"])
    page = client.get("/aktivitas/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for kind in ("unggahan", "jumlah", "pengukuran"):
        assert f'action="/aktivitas/impor/{kind}"' in html
        assert f"/aktivitas/templat/{kind}.xlsx" in html
        assert f"/aktivitas/templat/{kind}.csv" in html
    assert "/aktivitas/pengukuran/2025-T1?kecamatan=35.08.09" in html
    assert "kecamatan=35.08.02" not in html  # outside the petugas' scope
    assert "2024-T4" not in html  # closed: no grid, not offered for counts


def test_viewer_cannot_use_activity_pages(client, login_as, data):
    login_as("viewer")
    assert client.get("/aktivitas/").status_code == 403
    assert client.get("/aktivitas/templat/unggahan.csv").status_code == 403
    assert upload(client, "unggahan", POSTS).status_code == 403
    assert count(ContentPost) == 0


@pytest.mark.parametrize("kind", ["unggahan", "jumlah", "pengukuran"])
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_templates_download_with_header_and_example(client, login_as, kind, fmt):
    login_as("petugas")
    response = client.get(f"/aktivitas/templat/{kind}.{fmt}")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    assert (
        response.headers["Content-Disposition"].endswith(f'.{fmt}"')
        or f".{fmt}" in (response.headers["Content-Disposition"])
    )
    from tracker.io.activity_columns import COLUMNS, REQUIRED

    table = read_table(response.data, f"t.{fmt}", COLUMNS[kind], REQUIRED[kind])
    assert len(table.rows) == 1 and table.rows[0].text("name") == "KIM Tukum Mandiri"
    assert "name" in table.headers and "kimid" in table.headers


def test_unknown_template_is_404(client, login_as):
    login_as("petugas")
    assert client.get("/aktivitas/templat/unggahan.pdf").status_code == 404
    assert client.get("/aktivitas/templat/lain.csv").status_code == 404


def test_posts_upload_preview_confirm_summary(client, login_as, data):
    login_as("petugas", scope=["35.08.09"])
    preview = upload(client, "unggahan", POSTS)
    assert preview.status_code == 200
    html = preview.get_data(as_text=True)
    assert "Pratinjau impor" in html and "belum ada data yang disimpan" in html
    assert count(ContentPost) == 0  # previewing writes nothing

    done = client.post(
        "/aktivitas/impor/unggahan/konfirmasi", data={"token": token_of(html), "skip_invalid": ""}
    )
    assert done.status_code == 200
    summary = done.get_data(as_text=True)
    assert "Impor selesai: 2 unggahan baru, 0 sudah ada (dilewati), 0 baris tidak valid" in summary
    assert count(ContentPost) == 2

    # the same confirmation again: the stored file was used up, nothing is doubled
    again = client.post(
        "/aktivitas/impor/unggahan/konfirmasi",
        data={"token": token_of(html), "skip_invalid": ""},
        follow_redirects=True,
    )
    assert "sudah diimpor atau kedaluwarsa" in again.get_data(as_text=True)
    assert count(ContentPost) == 2

    # the same file again: previewed as already present
    second = upload(client, "unggahan", POSTS).get_data(as_text=True)
    assert "Tidak ada yang perlu diimpor" in second
    entry = db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "activity.import_posts")
    )
    assert entry.params["created"] == 2 and entry.region_code == "35.08.09.2001"  # KIM-1's desa


def test_preview_lists_problems_and_offers_valid_rows_only(client, login_as, data):
    login_as("petugas", scope=["35.08.09"])
    content = POSTS + b"KIM-2;berita;07/03/2025;Di luar wilayah;\r\nKIM-1;vlog;07/03/2025;x;\r\n"
    preview = upload(client, "unggahan", content)
    html = preview.get_data(as_text=True)
    assert "KIM-2" in html and "vlog" in html
    assert "<td>4</td><td>Nomor KIM.id</td>" in html and "<td>5</td><td>Jenis</td>" in html
    assert "Impor 2 baris yang valid saja" in html
    assert "Impor sekarang" not in html

    # confirming all-or-nothing (without the choice) writes nothing, and keeps the file
    refused = client.post(
        "/aktivitas/impor/unggahan/konfirmasi", data={"token": token_of(html), "skip_invalid": ""}
    )
    assert refused.status_code == 422
    refused_html = refused.get_data(as_text=True)
    assert "Impor dibatalkan" in refused_html
    assert "Impor 2 baris yang valid saja" in refused_html
    assert count(ContentPost) == 0

    done = client.post(
        "/aktivitas/impor/unggahan/konfirmasi",
        data={"token": token_of(refused_html), "skip_invalid": "1"},
    )
    assert done.status_code == 200
    assert "2 baris tidak valid" in done.get_data(as_text=True)
    assert count(ContentPost) == 2


def test_another_user_cannot_confirm_my_upload(client, auth, login_as, data):
    login_as("petugas", scope=["35.08.09"])
    html = upload(client, "unggahan", POSTS).get_data(as_text=True)
    token = token_of(html)
    auth.logout()
    login_as("kabid")
    response = client.post(
        "/aktivitas/impor/unggahan/konfirmasi",
        data={"token": token, "skip_invalid": ""},
        follow_redirects=True,
    )
    assert "sudah diimpor atau kedaluwarsa" in response.get_data(as_text=True)
    assert count(ContentPost) == 0


def test_unreadable_file_and_missing_file_keep_the_form(client, login_as, data, tmp_path):
    login_as("petugas")
    bad = upload(client, "unggahan", b"Nama KIM;Judul\r\nx;y\r\n")
    assert bad.status_code == 422
    assert "Kolom wajib tidak ditemukan" in bad.get_data(as_text=True)
    broken = upload(client, "unggahan", b"PK\x03\x04 rusak", filename="rusak.xlsx")
    assert broken.status_code == 422 and "XLSX" in broken.get_data(as_text=True)
    empty = client.post("/aktivitas/impor/unggahan", data={}, content_type="multipart/form-data")
    assert empty.status_code == 422 and "Pilih berkas" in empty.get_data(as_text=True)
    other = upload(client, "unggahan", b"%PDF-1.4", filename="laporan.pdf")
    assert other.status_code == 422 and "Hanya berkas .csv atau .xlsx" in other.get_data(
        as_text=True
    )
    assert not list((tmp_path / "uploads").glob("*.bin"))  # a refused file is not kept


def test_every_upload_form_has_the_same_size_limit(client, login_as, data, tmp_path):
    login_as("kabid")
    big = POSTS + b"x" * (10 * 1024 * 1024)
    for kind in ("unggahan", "jumlah", "pengukuran"):
        response = upload(client, kind, big, period="2025-T1")
        assert response.status_code == 422
        assert "Berkas terlalu besar (maksimal 10 MB)." in response.get_data(as_text=True)
    assert not list((tmp_path / "uploads").glob("*.bin"))


def test_counts_upload_needs_an_open_period(client, login_as, data):
    login_as("kabid")
    content = b"kimid;Berita;Galeri;Pengumuman;Agenda\r\nKIM-1;10;2;1;0\r\n"
    missing = upload(client, "jumlah", content)
    assert missing.status_code == 422 and "Pilih periode" in missing.get_data(as_text=True)
    closed = upload(client, "jumlah", content, period="2024-T4")
    assert closed.status_code == 422 and "sudah ditutup" in closed.get_data(as_text=True)

    html = upload(client, "jumlah", content, period="2025-T1").get_data(as_text=True)
    assert "Periode 2025-T1" in html
    done = client.post(
        "/aktivitas/impor/jumlah/konfirmasi", data={"token": token_of(html), "skip_invalid": ""}
    )
    assert "1 baru, 0 diubah" in done.get_data(as_text=True)
    assert db.session.scalar(select(ContentCount.berita)) == 10


def test_measurements_upload(client, login_as, data):
    user = login_as("kabid")
    content = b'Nomor KIM.id,Indikator,Nilai,Catatan\r\nKIM-1,M2,"4,5",dari IG\r\n'
    html = upload(client, "pengukuran", content, period="2025-T1").get_data(as_text=True)
    done = client.post(
        "/aktivitas/impor/pengukuran/konfirmasi", data={"token": token_of(html), "skip_invalid": ""}
    )
    assert done.status_code == 200
    m = db.session.scalar(select(Measurement))
    assert (m.indicator_code, m.value, m.note, m.recorded_by_id) == ("M2", 4.5, "dari IG", user.id)


def test_post_columns_accept_the_issue_headers():
    from tracker.io.tabular import header_key

    names = {header_key(a) for aliases in POST_COLUMNS.values() for a in aliases}
    for header in ("Nomor KIM.id", "kimid", "Nama KIM", "KIM", "Desa", "Desa/Kelurahan"):
        assert header_key(header) in names
    for header in (
        "Kecamatan",
        "Jenis",
        "type",
        "Tanggal",
        "date",
        "Judul",
        "title",
        "Tautan",
        "URL",
    ):
        assert header_key(header) in names


def test_csrf_enforced_on_upload_and_grid(app, client, login_as, data):
    login_as("kabid")
    app.config["WTF_CSRF_ENABLED"] = True
    assert upload(client, "unggahan", POSTS).status_code == 400
    grid = "/aktivitas/pengukuran/2025-T1?kecamatan=35.08.09"
    assert client.post(grid, data={f"v-{data['a'].id}-K1": "ya"}).status_code == 400
    assert count(ContentPost) == 0 and count(Measurement) == 0

    page = client.get("/aktivitas/").get_data(as_text=True)
    token = re.search(r'name="unggahan-csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    form = {"unggahan-file": (io.BytesIO(POSTS), "a.csv"), "unggahan-csrf_token": token}
    preview = client.post(
        "/aktivitas/impor/unggahan", data=form, content_type="multipart/form-data"
    )
    assert preview.status_code == 200 and "Pratinjau impor" in preview.get_data(as_text=True)

    grid_page = client.get(grid).get_data(as_text=True)
    grid_token = re.search(r'name="csrf_token" value="([^"]+)"', grid_page).group(1)
    saved = client.post(grid, data={f"v-{data['a'].id}-K1": "ya", "csrf_token": grid_token})
    assert saved.status_code == 302 and count(Measurement) == 1


def test_preview_refuses_posts_in_a_closed_period_and_warns_of_none(client, login_as, data):
    """2024-T4 is closed: its data is final. A post dated in no period is stored, with a warning."""
    login_as("petugas", scope=["35.08.09"])
    content = (
        b"DAFTAR UNGGAHAN KIM KABUPATEN LUMAJANG\r\n"
        b"\r\n"
        b"Nomor KIM.id;Jenis;Tanggal;Judul;Tautan;Penulis\r\n"
        b"KIM-1;berita;07/03/2025;Kerja bakti;https://a.id/1;Budi\r\n"
        b"KIM-1;berita;15/11/2024;Rapat desa;https://a.id/2;Budi\r\n"
        b"KIM-1;galeri;07/03/2023;Foto lama;https://a.id/3;Sri\r\n"
    )
    response = upload(client, "unggahan", content)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    # the header was found below the title rows; the extra column is named as ignored
    assert "Judul kolom ada di baris 3; baris di atasnya dilewati." in html
    assert "Diabaikan (tidak dipakai impor ini): Penulis" in html
    assert '">Rapat desa</td>' in html  # the sample of rows as read
    # the closed period is an error on its row, the missing period a warning
    assert "<td>5</td><td>Tanggal</td>" in html
    assert "15/11/2024 ada di periode 2024-T4 yang sudah ditutup" in html
    assert "07/03/2023 tidak masuk periode mana pun" in html
    assert "Impor 2 baris yang valid saja" in html
    # valid rows per kecamatan and per period
    assert "<td>Sukodono</td><td>2</td>" in html
    assert "<td>2025-T1</td><td>1</td>" in html
    assert "<td>(tidak masuk periode mana pun)</td><td>1</td>" in html
    done = client.post(
        "/aktivitas/impor/unggahan/konfirmasi", data={"token": token_of(html), "skip_invalid": "1"}
    )
    assert done.status_code == 200
    titles = set(db.session.scalars(select(ContentPost.title)))
    assert titles == {"Kerja bakti", "Foto lama"}
