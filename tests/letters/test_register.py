"""The register (agenda surat keluar): filters by year, number, KIM, kecamatan and status, the
region scope of whoever reads it, and its XLSX and printable PDF lists."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from tests import factories
from tracker.services.letters import issue, revoke


@pytest.fixture
def letters(regions, monkeypatch, fast_render):  # type: ignore[no-untyped-def]
    """Four letters: two in Sukodono (2025), one in Pasirian (2025, revoked and replaced by the
    fourth), plus one Sukodono letter dated 2026."""
    factories.office_ready()
    (maju, makmur), _p = factories.assessed_kims(regions.desa_a1, count=2)
    (condro,), _p = factories.assessed_kims(regions.desa_b1, name="KIM Condro Sejahtera")
    factories.freeze_today(monkeypatch, date(2025, 4, 7))
    first = issue.issue_letter(None, "2025-T1", maju.id)
    wrong = issue.issue_letter(None, "2025-T1", condro.id)
    replaced = revoke.revoke(None, wrong.id, "Alamat salah tulis", reissue=True).replacement
    factories.freeze_today(monkeypatch, date(2026, 1, 5))
    later = issue.issue_letter(None, "2025-T1", makmur.id)
    return {
        "first": first,
        "wrong": wrong,
        "replaced": replaced,
        "later": later,
        "kims": (maju, makmur, condro),
    }


def _listed(client, query: str = "") -> list[str]:  # type: ignore[no-untyped-def]
    """The numbers of the letters the register lists (its rows' links)."""
    response = client.get(f"/surat/{query}")
    assert response.status_code == 200
    return re.findall(r'href="/surat/\d+">([^<]+)</a>', response.get_data(as_text=True))


def test_the_register_lists_and_filters(client, login_as, regions, letters):
    number = {key: letters[key].number for key in ("first", "wrong", "replaced", "later")}
    login_as("viewer")
    assert _listed(client) == [number[k] for k in ("later", "replaced", "wrong", "first")]
    page = client.get("/surat/").get_data(as_text=True)
    assert "Dicabut" in page and "diganti " + number["replaced"] in page
    assert _listed(client, "?tahun=2026") == [number["later"]]
    assert _listed(client, "?nomor=002%2FDISKOMINFO%2F2025") == [number["wrong"]]
    assert _listed(client, "?kim=condro") == [number["replaced"], number["wrong"]]
    assert _listed(client, f"?kecamatan={regions.kec_a}") == [number["later"], number["first"]]
    assert _listed(client, "?status=revoked") == [number["wrong"]]
    assert _listed(client, "?status=issued&tahun=2025") == [number["replaced"], number["first"]]


def test_a_petugas_sees_only_the_letters_of_his_kecamatan(client, login_as, regions, letters):
    login_as("petugas", scope=[regions.kec_b])
    assert _listed(client) == [letters["replaced"].number, letters["wrong"].number]
    assert client.get(f"/surat/{letters['first'].id}").status_code == 404
    assert client.get(f"/surat/{letters['first'].id}/pdf").status_code == 404
    assert client.get(f"/surat/{letters['wrong'].id}/pdf").status_code == 200


def test_the_register_exports_to_xlsx(client, login_as, letters):
    login_as("kabid")
    response = client.get("/surat/agenda.xlsx?tahun=2025")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("Nomor surat", "Tanggal", "KIM")
    numbers = {row[0] for row in rows[1:]}
    assert numbers == {letters[k].number for k in ("first", "wrong", "replaced")}
    revoked = next(row for row in rows[1:] if row[0] == letters["wrong"].number)
    assert "Dicabut" in revoked and letters["replaced"].number in revoked


def test_the_register_prints_as_a_pdf_list(client, login_as, letters):
    login_as("admin")
    response = client.get("/surat/agenda.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.data)).pages)
    assert "AGENDA SURAT KELUAR" in text
    for key in ("first", "wrong", "replaced", "later"):
        assert letters[key].number in text
    assert "PEMERINTAH KABUPATEN LUMAJANG" in text


def test_the_archived_pdf_downloads_as_issued(client, login_as, letters):
    login_as("viewer")
    response = client.get(f"/surat/{letters['first'].id}/pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert letters["first"].number.encode() in response.data
