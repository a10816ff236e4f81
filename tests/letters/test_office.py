"""The office's letter settings: the admin's page with its live example number, the logo checked
by its content, `flask office show|set`, validation and the audit log."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from sqlalchemy import select

from tests import factories
from tracker.extensions import db
from tracker.models import AuditEntry, OfficeSettings
from tracker.services.letters import office

FORM = {
    "government": "PEMERINTAH KABUPATEN LUMAJANG",
    "agency": "DINAS KOMUNIKASI DAN INFORMATIKA",
    "address": "Jalan Alun-Alun Timur No. 3, Lumajang 67311",
    "phone": "(0334) 881234",
    "website": "diskominfo.lumajangkab.go.id",
    "email": "diskominfo@lumajangkab.go.id",
    "place": "Lumajang",
    "signatory_mode": "an",
    "signatory_principal": "Kepala Dinas Komunikasi dan Informatika",
    "signatory_title": "Kepala Bidang Informasi dan Komunikasi Publik",
    "signatory_name": "Drs. SUPRIYADI, M.Si.",
    "signatory_rank": "Pembina Tingkat I (IV/b)",
    "signatory_nip": "19700101 199503 1 001",
    "tembusan": "Bupati Lumajang (sebagai laporan)\r\nCamat {kecamatan}\r\n",
    "number_template": "{kode}/{nomor:03}/{unit}/{bulan_romawi}/{tahun}",
    "classification_code": "400.14",
    "unit_code": "DISKOMINFO",
    "public_base_url": "https://kim.lumajangkab.go.id/",
}


def _png(size=(40, 40)) -> bytes:  # type: ignore[no-untyped-def]
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def test_only_an_admin_manages_the_settings(client, auth, login_as, regions):
    for role in ("kabid", "petugas", "viewer"):
        login_as(role)
        assert client.get("/surat/pengaturan/").status_code == 403
        assert client.post("/surat/pengaturan/", data=FORM).status_code == 403
        auth.logout()
    assert db.session.get(OfficeSettings, 1) is None


def test_the_page_starts_from_the_kabupaten_and_saves(client, login_as, regions):
    login_as("admin")
    page = client.get("/surat/pengaturan/").get_data(as_text=True)
    assert "PEMERINTAH KABUPATEN LUMAJANG" in page and "belum pernah disimpan" in page
    assert "penanda tangan belum lengkap" in page
    assert "400.14/001/DISKOMINFO/" in page  # the example number

    response = client.post("/surat/pengaturan/", data={**FORM, "version": "0"})
    assert response.status_code == 302
    saved = office.current()
    assert saved.stored and saved.signatory_nip == "197001011995031001"
    assert saved.tembusan == ("Bupati Lumajang (sebagai laporan)", "Camat {kecamatan}")
    assert saved.public_base_url == "https://kim.lumajangkab.go.id"
    assert saved.signatory.heading == [
        "a.n. Kepala Dinas Komunikasi dan Informatika",
        "Kepala Bidang Informasi dan Komunikasi Publik,",
    ]
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "office.update"))
    assert entry is not None and entry.changes["signatory_nip"] == [None, "197001011995031001"]
    log = client.get("/admin/audit/").get_data(as_text=True)
    assert "Mengubah pengaturan surat kantor" in log and "Jabatan penanda tangan" in log


@pytest.mark.parametrize(
    ("field", "value", "says"),
    [
        ("signatory_nip", "1970010119950310", "NIP terdiri atas 18 angka"),
        ("signatory_nip", "19700101199503100A", "NIP terdiri atas 18 angka"),
        ("number_template", "{kode}/{unit}/{tahun}", "{nomor}"),
        ("number_template", "{kode}/{nomor}/{nomer}/{tahun}", "{nomer} tidak dikenal"),
        ("place", "", "Tempat penandatanganan wajib diisi"),
        ("email", "bukan-alamat", "Alamat pos-el tidak valid"),
        ("public_base_url", "kim.lumajangkab.go.id", "diawali http://"),
        ("tembusan", "Camat {kabupaten}", "{kecamatan} dan {desa}"),
        ("signatory_principal", "", "Dengan a.n."),
    ],
)
def test_bad_settings_are_refused_next_to_their_field(
    client, login_as, regions, field, value, says
):
    login_as("admin")
    response = client.post("/surat/pengaturan/", data={**FORM, field: value, "version": "0"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert says in page
    assert f'id="{field}-err"' in page
    assert db.session.get(OfficeSettings, 1) is None  # nothing saved


def test_a_save_over_a_newer_save_is_refused(client, login_as, regions):
    factories.office_ready()
    login_as("admin")
    response = client.post("/surat/pengaturan/", data={**FORM, "version": "0"})
    assert response.status_code == 409
    assert office.current().signatory_title == "Kepala Dinas Komunikasi dan Informatika"


def test_the_example_number_follows_the_template_as_typed(client, login_as, regions):
    login_as("admin")
    answer = client.get(
        "/surat/pengaturan/contoh-nomor?format={unit}-{nomor:04}/{tahun}&kode=1&unit=KOMINFO"
    ).get_json()
    assert answer["example"].startswith("KOMINFO-0001/")
    answer = client.get("/surat/pengaturan/contoh-nomor?format={kode}/{tahun}").get_json()
    assert "{nomor}" in answer["error"]


def test_the_logo_is_checked_by_its_content(client, login_as, regions):
    login_as("admin")
    response = client.post(
        "/surat/pengaturan/logo",
        data={"logo": (io.BytesIO(_png((1200, 800))), "lambang.png")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    stored = db.session.get(OfficeSettings, 1).logo
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == "PNG" and max(image.size) == office.LOGO_MAX_PIXELS
    assert client.get("/surat/pengaturan/logo.png").data == stored

    for data, name in (
        (b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", "x.png"),
        (b"%PDF-1.7 not an image", "lambang.jpg"),
        (_png()[:60], "potong.png"),
    ):
        client.post(
            "/surat/pengaturan/logo",
            data={"logo": (io.BytesIO(data), name)},
            content_type="multipart/form-data",
        )
        page = client.get("/surat/pengaturan/").get_data(as_text=True)
        assert "Logo harus berupa gambar PNG atau JPEG" in page
    assert db.session.get(OfficeSettings, 1).logo == stored  # the good one stays


def test_the_logo_prints_in_the_letterhead(regions, monkeypatch):
    from tests.letters.conftest import TODAY
    from tracker.services.letters import archive, issue

    factories.office_ready()
    factories.freeze_today(monkeypatch, TODAY)
    office.set_logo(None, _png())
    (kim,), _period = factories.assessed_kims(regions.desa_a1)
    letter = issue.issue_letter(None, "2025-T1", kim.id)
    from pypdf import PdfReader

    page = PdfReader(io.BytesIO(archive.read(letter.pdf_path))).pages[0]
    assert len(page.images) == 1


def test_flask_office_show_and_set(runner, regions):
    shown = runner.invoke(args=["office", "show"])
    assert shown.exit_code == 0
    assert "PEMERINTAH KABUPATEN LUMAJANG" in shown.output
    assert "Surat belum dapat diterbitkan" in shown.output

    done = runner.invoke(
        args=[
            "office",
            "set",
            "--signatory-name",
            "Drs. SUPRIYADI, M.Si.",
            "--signatory-nip",
            "197001011995031001",
            "--signatory-title",
            "Kepala Dinas Komunikasi dan Informatika",
            "--signatory-rank",
            "Pembina Utama Muda (IV/c)",
            "--place",
            "Lumajang",
            "--number-template",
            "{kode}/{nomor:04}/{unit}/{tahun}",
            "--classification-code",
            "000.1.2",
            "--unit-code",
            "KOMINFO",
        ]
    )
    assert done.exit_code == 0, done.output
    assert "Pengaturan surat disimpan" in done.output
    assert "000.1.2/0001/KOMINFO/" in done.output
    view = office.current()
    assert (view.signatory_name, view.signatory_rank, view.unit_code) == (
        "Drs. SUPRIYADI, M.Si.",
        "Pembina Utama Muda (IV/c)",
        "KOMINFO",
    )
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "office.update"))
    assert entry.user_id is None


def test_flask_office_set_refuses_bad_input(runner, regions):
    refused = runner.invoke(args=["office", "set", "--signatory-nip", "123"])
    assert refused.exit_code == 1 and "NIP terdiri atas 18 angka" in refused.output
    refused = runner.invoke(args=["office", "set", "--number-template", "{kode}/{tahun}"])
    assert refused.exit_code == 1 and "{nomor}" in refused.output
    assert runner.invoke(args=["office", "set"]).exit_code == 2
    assert runner.invoke(args=["office", "set", "--agency", "X"]).exit_code == 2  # not offered
    assert db.session.get(OfficeSettings, 1) is None
