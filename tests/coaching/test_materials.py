"""Session materials: only PDF, PPTX, DOCX and images, recognised by their content; refused files
say why and keep the title; stored once by their hash; served as attachments, unsniffed, only to
users who may see the session."""

from __future__ import annotations

import hashlib
import zipfile
from datetime import date
from io import BytesIO
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select

from tests import factories
from tests.coaching.conftest import District
from tracker.extensions import db
from tracker.io.file_types import sniff_document
from tracker.models import CoachingMaterial

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def _ooxml(part: str) -> bytes:
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(part, "<document/>")
    return buffer.getvalue()


def _png() -> bytes:
    buffer = BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


def _upload(client, session_id: int, name: str, data: bytes, title: str = ""):
    return client.post(
        f"/pembinaan/sesi/{session_id}/bahan",
        data={"title": title, "file": (BytesIO(data), name)},
        content_type="multipart/form-data",
    )


@pytest.fixture
def session(district: District):
    return factories.make_session("Pelatihan Berita", date(2025, 2, 10), invited=[district.a1])


def test_a_pdf_is_kept_by_its_hash_and_served_as_an_attachment(
    client, login_as, session, materials_folder: Path
) -> None:
    login_as("kabid")
    response = _upload(client, session.id, "Materi Berita.pdf", PDF, "Paparan menulis berita")
    assert response.status_code == 302
    material = db.session.scalar(select(CoachingMaterial))
    assert material is not None
    sha = hashlib.sha256(PDF).hexdigest()
    assert (material.sha256, material.size, material.content_type) == (
        sha,
        len(PDF),
        "application/pdf",
    )
    assert (materials_folder / sha[:2] / sha).read_bytes() == PDF
    page = client.get(f"/pembinaan/sesi/{session.id}").text
    assert "Paparan menulis berita" in page and "Materi Berita.pdf" in page

    download = client.get(f"/pembinaan/sesi/{session.id}/bahan/{material.id}")
    assert download.status_code == 200
    assert download.data == PDF
    assert download.headers["Content-Type"] == "application/pdf"
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert download.headers["X-Content-Type-Options"] == "nosniff"


def test_the_same_file_for_two_sessions_is_stored_once_and_removed_with_its_last_use(
    client, login_as, session, district: District, materials_folder: Path
) -> None:
    login_as("admin")
    other = factories.make_session("Lanjutan", date(2025, 3, 10), invited=[district.a2])
    assert _upload(client, session.id, "a.pdf", PDF).status_code == 302
    assert _upload(client, other.id, "b.pdf", PDF).status_code == 302
    stored = [p for p in materials_folder.rglob("*") if p.is_file()]
    assert len(stored) == 1
    first, second = db.session.scalars(select(CoachingMaterial).order_by(CoachingMaterial.id))
    assert client.post(f"/pembinaan/sesi/{session.id}/bahan/{first.id}/hapus").status_code == 302
    assert stored[0].exists()  # the other session still hands it out
    assert client.post(f"/pembinaan/sesi/{other.id}/hapus").status_code == 302
    assert not stored[0].exists()
    assert db.session.scalar(select(func.count()).select_from(CoachingMaterial)) == 0
    del second


@pytest.mark.parametrize(
    ("name", "data", "kind"),
    [
        ("paparan.pptx", _ooxml("ppt/presentation.xml"), "PPTX"),
        ("modul.docx", _ooxml("word/document.xml"), "DOCX"),
        ("poster.png", _png(), "gambar PNG"),
    ],
)
def test_office_files_and_images_are_accepted(client, login_as, session, name, data, kind) -> None:
    login_as("admin")
    assert _upload(client, session.id, name, data).status_code == 302
    assert kind in client.get(f"/pembinaan/sesi/{session.id}").text


def test_a_renamed_file_is_refused_with_a_message_and_the_title_kept(
    client, login_as, session, materials_folder: Path
) -> None:
    login_as("kabid")
    response = _upload(
        client, session.id, "jadwal.pdf", b"MZ\x90\x00 not a pdf at all", "Jadwal pelatihan"
    )
    assert response.status_code == 422
    assert "jadwal.pdf bukan PDF, PPTX, DOCX, JPEG, PNG, WebP yang sah" in response.text
    assert 'value="Jadwal pelatihan"' in response.text
    # a real image that calls itself a PDF is refused too: the name must say what it is
    response = _upload(client, session.id, "materi.pdf", _png(), "Materi")
    assert response.status_code == 422
    assert "berisi gambar PNG, tetapi namanya berakhiran .pdf" in response.text
    # an archive that is not an Office document
    response = _upload(client, session.id, "materi.docx", _ooxml("lain/isi.xml"))
    assert response.status_code == 422
    assert db.session.scalar(select(CoachingMaterial)) is None
    assert not any(materials_folder.rglob("*")) or not any(
        p.is_file() for p in materials_folder.rglob("*")
    )


def test_an_oversized_file_is_refused_with_a_message(client, app, login_as, session) -> None:
    app.config["MATERIAL_MAX_BYTES"] = 1024 * 1024
    login_as("admin")
    big = PDF + b"0" * (1024 * 1024)
    response = _upload(client, session.id, "besar.pdf", big, "Terlalu besar")
    assert response.status_code == 422
    assert "besar.pdf berukuran 1,0 MB; paling besar 1,0 MB." in response.text
    assert 'value="Terlalu besar"' in response.text
    assert db.session.scalar(select(CoachingMaterial)) is None
    # far beyond the limit the request itself is refused
    huge = client.post(
        f"/pembinaan/sesi/{session.id}/bahan",
        data={"file": (BytesIO(b"0" * (3 * 1024 * 1024)), "x.pdf")},
        content_type="multipart/form-data",
    )
    assert huge.status_code == 413


def test_who_may_upload_and_open_materials(
    client, auth, login_as, session, district: District
) -> None:
    login_as("admin", username="pengunggah")
    _upload(client, session.id, "a.pdf", PDF)
    material = db.session.scalar(select(CoachingMaterial))
    url = f"/pembinaan/sesi/{session.id}/bahan/{material.id}"
    auth.logout()
    # a petugas of the invited KIM's kecamatan opens it, but may not add one
    login_as("petugas", scope=[district.regions.kec_a], username="petugas-a")
    assert client.get(url).status_code == 200
    assert _upload(client, session.id, "b.pdf", PDF).status_code == 403
    auth.logout()
    # a petugas of another kecamatan does not see the session at all
    login_as("petugas", scope=[district.regions.kec_b], username="petugas-b")
    assert client.get(url).status_code == 404
    auth.logout()
    login_as("viewer")
    assert client.get(url).status_code == 200
    assert client.post(f"{url}/hapus").status_code == 403


def test_content_sniffing_ignores_names() -> None:
    assert sniff_document(PDF).key == "pdf"
    assert sniff_document(b"<html><script>") is None
    assert sniff_document(b"PK\x03\x04 broken zip") is None
    assert sniff_document(_ooxml("ppt/presentation.xml")).key == "pptx"


def test_a_form_sent_without_a_file_says_so(client, login_as, session) -> None:
    """It was a 500: the form's message is a lazy string that str.join refused."""
    login_as("kabid")
    response = client.post(
        f"/pembinaan/sesi/{session.id}/bahan",
        data={"title": "Tanpa berkas"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert db.session.scalar(select(CoachingMaterial)) is None
