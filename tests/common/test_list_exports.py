"""Every list a user would print leaves as XLSX and CSV: Indonesian headers, the list's filters
and the user's scope honoured, and no cell a spreadsheet would run as a formula."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from tests import factories
from tracker.extensions import db
from tracker.models import Letter
from tracker.services.common.clock import office_today
from tracker.services.rules import frameworks

HOSTILE = ("=HYPERLINK(1)", "+1+1", "-2+3", "@SUM(A1)", "\tTAB", "\rCR")


def _xlsx(data: bytes) -> list[list[object]]:
    sheet = load_workbook(io.BytesIO(data), read_only=True).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def _csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # Excel shows the accents
    return list(csv.reader(io.StringIO(data[3:].decode("utf-8"))))


def _both(client, url: str) -> tuple[list[list[object]], list[list[str]]]:  # type: ignore[no-untyped-def]
    xlsx = client.get(url.replace("{fmt}", "xlsx"))
    assert xlsx.status_code == 200, url
    assert "spreadsheetml" in xlsx.headers["Content-Type"]
    text = client.get(url.replace("{fmt}", "csv"))
    assert text.status_code == 200, url
    return _xlsx(xlsx.data), _csv(text.data)


def _no_formula(rows: list[list[object]]) -> None:
    for row in rows:
        for cell in row:
            if isinstance(cell, str):
                assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell


@pytest.fixture
def hostile(regions):  # type: ignore[no-untyped-def]
    """Rows in two kecamatan whose free text tries to be a formula."""
    today = office_today()
    a = factories.kim(regions.desa_a1, "KIM Sukodono Satu")
    b = factories.kim(regions.desa_b1, "KIM Pasirian Dua")
    owner = factories.user("petugas", scope=[regions.kabupaten], username="pemilik")
    for n, kim in enumerate((a, b)):
        factories.make_follow_up(kim, owner, today - timedelta(days=1), recommendation=HOSTILE[n])
    factories.make_follow_up(b, owner, today + timedelta(days=5), recommendation=HOSTILE[2])
    visit = factories.make_visit(owner, regions.kec_a, [a], today)
    visit.findings[0].recommendation = HOSTILE[3]
    factories.make_visit(owner, regions.kec_b, [b], today)
    factories.make_session(HOSTILE[0], start=today, invited=[a], region=regions.kec_a)
    factories.make_session("Sesi Pasirian", start=today, invited=[b], region=regions.kec_b)
    db.session.commit()
    return a, b


def test_follow_ups_export_honours_the_filters_and_escapes(client, login_as, hostile, regions):
    login_as("kabid")
    xlsx, text = _both(client, "/tindak-lanjut/ekspor.{fmt}?terlambat=1")
    assert xlsx[0][:6] == [
        "KIM",
        "Desa/Kelurahan",
        "Kecamatan",
        "Rekomendasi",
        "Penanggung jawab",
        "Tenggat",
    ]
    assert sorted(row[0] for row in xlsx[1:]) == ["KIM Pasirian Dua", "KIM Sukodono Satu"]
    assert sorted(row[3] for row in xlsx[1:]) == sorted("'" + h for h in HOSTILE[:2])
    assert [row[:4] for row in text[1:]] == [[str(c) for c in row[:4]] for row in xlsx[1:]]
    _no_formula(xlsx)
    _no_formula(text)
    xlsx, _text = _both(client, f"/tindak-lanjut/ekspor.{{fmt}}?kecamatan={regions.kec_b}")
    assert sorted(row[3] for row in xlsx[1:]) == ["'+1+1", "'-2+3"]


def test_visits_and_sessions_exports_follow_scope_and_filters(client, login_as, hostile, regions):
    login_as("petugas", scope=[regions.kec_a])
    xlsx, text = _both(client, "/pemantauan/ekspor.{fmt}")
    assert xlsx[0][:4] == ["Tanggal mulai", "Tanggal selesai", "Kecamatan", "KIM"]
    assert [row[3] for row in xlsx[1:]] == ["KIM Sukodono Satu"]  # Pasirian is not his
    assert xlsx[1][10] == "'@SUM(A1)"
    _no_formula(text)
    xlsx, text = _both(client, "/pembinaan/ekspor.{fmt}")
    assert xlsx[0] == [
        "Judul",
        "Tanggal mulai",
        "Tanggal selesai",
        "Tempat",
        "Penyelenggara",
        "JP",
        "Materi",
        "KIM diundang",
        "KIM hadir",
    ]
    assert [row[0] for row in xlsx[1:]] == ["'=HYPERLINK(1)"]
    _no_formula(text)


def test_the_sessions_export_follows_the_kecamatan_filter(client, login_as, hostile, regions):
    login_as("kabid")
    xlsx, _text = _both(client, f"/pembinaan/ekspor.{{fmt}}?kecamatan={regions.kec_b}")
    assert [row[0] for row in xlsx[1:]] == ["Sesi Pasirian"]


def test_kim_registry_export_honours_the_dashboard_filters(client, login_as, hostile, regions):
    a, _b = hostile
    factories.make_posts(a, ("berita", office_today()))
    login_as("viewer")
    xlsx, text = _both(client, "/kim/transfer/ekspor.{fmt}?status=aktif&tanpa_unggahan=30")
    names = [row[1] for row in xlsx[1:]]
    assert names == ["KIM Pasirian Dua"]
    assert [row[1] for row in text[1:]] == names


def test_assessments_and_letters_exports(client, login_as, regions):
    fw = frameworks.ensure_default()
    period = factories.make_period("2025-T1", state="closed")
    kim = factories.kim(regions.desa_a1, "=KIM Rumus")
    factories.make_assessment(kim, period, fw, tier="Maju", score=65)
    db.session.add(
        Letter(
            number="-1/2025",
            year=2025,
            sequence=1,
            letter_date=office_today(),
            kim_id=kim.id,
            period_id=period.id,
            region_code=regions.desa_a1,
            kecamatan_code=regions.kec_a,
            kim_name="=KIM Rumus",
            period_code="2025-T1",
            content={},
            token="u" * 32,
            pdf_path="x.pdf",
            pdf_sha256="0" * 64,
            pdf_size=1,
        )
    )
    db.session.commit()
    login_as("kabid")
    xlsx, text = _both(client, "/penilaian/2025-T1/ekspor.{fmt}")
    assert "'=KIM Rumus" in xlsx[1]
    _no_formula(text)
    xlsx, text = _both(client, "/surat/agenda.{fmt}")
    assert xlsx[1][:3][0] == "'-1/2025" and "'=KIM Rumus" in xlsx[1]
    _no_formula(text)
    xlsx, _text = _both(client, f"/surat/agenda.{{fmt}}?kecamatan={regions.kec_b}")
    assert xlsx[1:] == []


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_the_export_helper_neutralises_every_formula_start(app, fmt):
    from tracker.services.common.exports import export_file

    found = export_file("uji", ["Nama", "Jumlah"], [[h, 1] for h in HOSTILE], fmt)
    assert (found.filename, found.rows) == (f"uji.{fmt}", len(HOSTILE))
    rows = _xlsx(found.payload) if fmt == "xlsx" else _csv(found.payload)
    assert rows[0] == ["Nama", "Jumlah"]
    assert [row[0] for row in rows[1:]] == ["'" + h for h in HOSTILE]
