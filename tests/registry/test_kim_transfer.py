"""Web import (upload → preview → confirm), export downloads and templates of the KIM registry."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from tests import factories
from tests.registry.test_kim_import import GOOD_ROWS, bad_file, csv_bytes, xlsx_bytes
from tracker.extensions import db
from tracker.models import AuditEntry, Kim


@pytest.fixture(autouse=True)
def _private_instance(app, tmp_path):
    """Uploads land in instance/uploads; keep each test's out of the real instance folder."""
    app.instance_path = str(tmp_path)


def kim_count() -> int:
    return db.session.scalar(select(func.count(Kim.id))) or 0


def upload(client, data: bytes, filename: str = "registri.csv"):  # type: ignore[no-untyped-def]
    return client.post(
        "/kim/transfer/impor",
        data={"file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
    )


def token_of(html: str) -> str:
    match = re.search(r'name="token" type="hidden" value="([^"]+)"', html)
    assert match, "the preview has no confirmation form"
    return match.group(1)


def stored_uploads(tmp_path) -> list[str]:  # type: ignore[no-untyped-def]
    folder = tmp_path / "uploads"
    return sorted(p.name for p in folder.glob("*.bin")) if folder.exists() else []


def test_upload_page_offers_templates(login_as, client) -> None:
    login_as("kabid")
    html = client.get("/kim/transfer/impor").get_data(as_text=True)
    assert "/kim/transfer/templat.xlsx" in html and "/kim/transfer/templat.csv" in html


@pytest.mark.parametrize("role", ["petugas", "viewer"])
def test_only_import_roles_may_import(login_as, client, role, regions) -> None:
    login_as(role)
    assert client.get("/kim/transfer/impor").status_code == 403
    assert upload(client, csv_bytes(GOOD_ROWS)).status_code == 403
    assert (
        client.post("/kim/transfer/impor/konfirmasi", data={"token": "x" * 32}).status_code == 403
    )
    assert client.get("/kim/transfer/templat.csv").status_code == 403
    assert kim_count() == 0


def test_preview_lists_every_problem_and_writes_nothing(login_as, client, tmp_path) -> None:
    login_as("admin")
    response = upload(client, bad_file())
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Desa Entah" in html and "Kec. Antah Berantah" in html
    assert "javascript:alert(1)" in html
    for row in (3, 4, 5, 6, 7, 8, 9):
        assert f"<td>{row}</td>" in html
    assert "KIM Baik" in html  # the valid row, listed as to be created
    assert "Impor 1 baris yang valid saja" in html
    assert kim_count() == 0
    assert len(stored_uploads(tmp_path)) == 1


def test_confirm_all_or_nothing_then_skip_invalid(login_as, client, tmp_path) -> None:
    login_as("admin")
    token = token_of(upload(client, bad_file()).get_data(as_text=True))
    refused = client.post("/kim/transfer/impor/konfirmasi", data={"token": token})
    assert refused.status_code == 422
    assert "Tidak ada yang disimpan." in refused.get_data(as_text=True)
    assert kim_count() == 0
    token = token_of(refused.get_data(as_text=True))  # kept (re-stored) for a second try
    done = client.post("/kim/transfer/impor/konfirmasi", data={"token": token, "skip_invalid": "y"})
    html = done.get_data(as_text=True)
    assert done.status_code == 200
    assert "Impor selesai" in html and "dilewati" in html
    assert kim_count() == 1
    assert stored_uploads(tmp_path) == []  # deleted once imported
    again = client.post(
        "/kim/transfer/impor/konfirmasi", data={"token": token, "skip_invalid": "y"}
    )
    assert again.status_code == 302  # the token cannot import twice
    assert kim_count() == 1


def test_good_xlsx_upload_then_confirm_creates_and_audits(login_as, client) -> None:
    factories.make_period("2025-T1")
    login_as("kabid")
    preview = upload(client, xlsx_bytes(GOOD_ROWS), "registri.xlsx").get_data(as_text=True)
    assert "KIM Kutorenon Café" in preview and "Akan ditambahkan (4)" in preview
    assert "perlu dihitung ulang" not in preview  # nothing written yet
    assert kim_count() == 0
    response = client.post("/kim/transfer/impor/konfirmasi", data={"token": token_of(preview)})
    assert response.status_code == 200
    assert kim_count() == 4
    # new KIMs are not assessed yet in the open period: the finished page offers its run
    assert "Jalankan ulang penilaian 2025-T1" in response.get_data(as_text=True)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "kim.import"))
    assert entry.user.username == "kabid1" and entry.params["created"] == 4
    # the same file again: nothing to create or update
    preview = upload(client, xlsx_bytes(GOOD_ROWS), "registri.xlsx").get_data(as_text=True)
    assert "Akan ditambahkan" not in preview
    assert "Akan diubah" not in preview
    assert "Tidak ada yang perlu diimpor" in preview
    assert '<span class="big">4</span>tidak berubah' in preview


def test_a_token_works_only_for_its_uploader(login_as, client, auth, regions) -> None:
    login_as("admin")
    token = token_of(upload(client, csv_bytes(GOOD_ROWS)).get_data(as_text=True))
    auth.logout()
    factories.user(role="kabid", username="kabid-lain")
    auth.login("kabid-lain")
    response = client.post("/kim/transfer/impor/konfirmasi", data={"token": token})
    assert response.status_code == 302
    assert kim_count() == 0


def test_import_respects_the_importers_scope(login_as, client, regions) -> None:
    login_as("kabid", scope=[regions.kec_b])
    html = upload(client, csv_bytes(GOOD_ROWS)).get_data(as_text=True)
    assert "luar wilayah kerja Anda" in html
    token = token_of(html)
    client.post("/kim/transfer/impor/konfirmasi", data={"token": token, "skip_invalid": "y"})
    assert [k.name for k in db.session.scalars(select(Kim))] == ["KIM Condro Mandiri"]


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (b"%PDF-1.4 bukan spreadsheet", "registri.pdf", "Hanya berkas .csv atau .xlsx"),
        (b"bukan zip", "registri.xlsx", "rusak atau bukan XLSX"),
        (b"Nama KIM\x00\x01\x02", "registri.csv", "bukan CSV teks"),
        (b"Ketua;No. HP\r\nx;y\r\n", "registri.csv", "Kolom wajib tidak ditemukan"),
    ],
)
def test_bad_files_are_refused_with_a_message(login_as, client, data, filename, message) -> None:
    login_as("admin")
    response = upload(client, data, filename)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert kim_count() == 0


def test_oversized_upload_is_refused(login_as, client, tmp_path) -> None:
    login_as("admin")
    response = upload(client, b"Nama KIM,Desa\r\n" + b"x" * (10 * 1024 * 1024 + 10))
    assert response.status_code == 422
    assert "Berkas terlalu besar (maksimal 10 MB)." in response.get_data(as_text=True)
    assert stored_uploads(tmp_path) == []


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_templates_have_the_import_headers(login_as, client, fmt) -> None:
    login_as("admin")
    response = client.get(f"/kim/transfer/templat.{fmt}")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    if fmt == "csv":
        header = response.data.decode("utf-8-sig").splitlines()[0]
    else:
        header = ",".join(c.value for c in load_workbook(io.BytesIO(response.data)).active[1])
    assert header.startswith("Nomor KIM.id,Nama KIM,Desa/Kelurahan,Kecamatan,Kode Desa")


def test_export_download_follows_scope_and_filters(login_as, client, regions) -> None:
    factories.kim(regions.desa_a1, name="KIM Ekspor Satu")
    factories.kim(regions.desa_a2, name="KIM Ekspor Dua", status="nonaktif")
    factories.kim(regions.desa_b1, name="KIM Luar Wilayah")
    login_as("viewer", scope=[regions.kec_a])
    response = client.get("/kim/transfer/ekspor.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    text = response.data.decode("utf-8-sig")
    assert "KIM Ekspor Satu" in text and "KIM Ekspor Dua" in text
    assert "KIM Luar Wilayah" not in text
    text = client.get("/kim/transfer/ekspor.csv?status=aktif").data.decode("utf-8-sig")
    assert "KIM Ekspor Satu" in text and "KIM Ekspor Dua" not in text
    workbook = load_workbook(io.BytesIO(client.get("/kim/transfer/ekspor.xlsx?q=dua").data))
    names = [row[1] for row in workbook.active.iter_rows(min_row=2, values_only=True)]
    assert names == ["KIM Ekspor Dua"]
    assert client.get("/kim/transfer/ekspor.pdf").status_code == 404


def test_list_page_links_export_with_current_filters(login_as, client, regions) -> None:
    login_as("viewer")
    html = client.get("/kim/?q=abc&status=aktif&page=2").get_data(as_text=True)
    assert re.search(r'/kim/transfer/ekspor\.xlsx\?[^"]*q=abc', html)
    assert "page=2" not in re.search(r'href="(/kim/transfer/ekspor\.csv[^"]*)"', html).group(1)
