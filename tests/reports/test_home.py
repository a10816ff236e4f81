"""The home page: "Mulai dari sini" leads each role to its own first job; the site's icon."""

from __future__ import annotations

import re

import pytest

from tests import factories
from tracker.services.assessment.runner import assess_period
from tracker.services.rules import frameworks


@pytest.fixture
def district(regions):  # type: ignore[no-untyped-def]
    """An assessed closed period, an open one with two values a petugas submitted and one that a
    kabid rejected."""
    frameworks.ensure_default()
    closed = factories.make_period("2025-T1")
    assess_period(closed, None)
    closed.state = "closed"
    current = factories.make_period("2025-T2")
    kim = factories.kim(regions.desa_a1, "KIM Tukum Mandiri")
    petugas = factories.user("petugas", scope=[regions.kec_a], username="lapangan")
    for code, status in (("K3", "submitted"), ("D1", "submitted"), ("M1", "rejected")):
        factories.make_measurement(
            kim, current, code, 2, status=status, entered_by=petugas, reject_reason="bukti?"
        )
    assess_period(current, None)
    return current


def _start_here(page: str) -> list[tuple[str, str]]:
    """(href, link text) of the "Mulai dari sini" list, in order."""
    part = page[page.index("Mulai dari sini") :]
    part = part[: part.index("</ul>")]
    return [
        (href, re.sub(r"<[^>]+>", "", text).strip())
        for href, text in re.findall(r'<a href="([^"]+)">(.*?)</a>', part)
    ]


def test_a_petugas_starts_with_the_data_entry(client, login_as, district, regions):
    login_as("petugas", scope=[regions.kec_a])
    page = client.get("/").text
    links = _start_here(page)
    assert links[0] == ("/aktivitas/#isian", "Data Aktivitas")
    assert "isi nilai indikator hasil pemantauan periode 2025-T2 per kecamatan" in page
    assert "1 nilai Anda ditolak; alasannya tertulis di lembar isian." in page
    assert "2 nilai menunggu verifikasi." in page
    assert ("/penilaian/2025-T2", "Hasil penilaian 2025-T2") in links
    assert not any(href.startswith(("/admin/", "/aktivitas/verifikasi")) for href, _ in links)


def test_a_kabid_starts_with_the_results_and_the_values_to_verify(client, login_as, district):
    login_as("kabid")
    links = _start_here(client.get("/").text)
    assert links[:2] == [
        ("/penilaian/2025-T2", "Hasil penilaian 2025-T2"),
        ("/aktivitas/verifikasi/2025-T2", "Verifikasi 2 nilai yang diajukan"),
    ]
    assert not any(href.startswith("/admin/pengguna") for href, _ in links)


def test_an_admin_starts_with_the_registry_import_and_the_accounts(client, login_as, district):
    login_as("admin")
    links = _start_here(client.get("/").text)
    assert links[:2] == [
        ("/kim/transfer/impor", "Impor registri KIM"),
        ("/admin/pengguna/", "Pengguna"),
    ]
    assert ("/aktivitas/verifikasi/2025-T2", "Verifikasi 2 nilai yang diajukan") in links


def test_a_viewer_starts_with_the_results(client, login_as, district):
    login_as("viewer")
    links = _start_here(client.get("/").text)
    assert links[0] == ("/penilaian/2025-T2", "Hasil penilaian 2025-T2")
    assert ("/kerangka/", "Kerangka Penilaian") in links
    assert not any(href.startswith(("/aktivitas", "/admin")) for href, _ in links)


def test_without_any_assessment_the_results_link_goes_to_the_periods(client, login_as):
    login_as("viewer")
    links = _start_here(client.get("/").text)
    assert links[0] == ("/periode/", "Periode & Penilaian")


def test_every_page_carries_the_icon(client, login_as):
    for page in (client.get("/login").text, (login_as("viewer"), client.get("/").text)[1]):
        assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in page
        assert '<link rel="icon" href="/static/favicon.png" sizes="32x32"' in page
    svg = client.get("/static/favicon.svg")
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"
    png = client.get("/static/favicon.png")
    assert png.status_code == 200 and png.data[:8] == b"\x89PNG\r\n\x1a\n"
