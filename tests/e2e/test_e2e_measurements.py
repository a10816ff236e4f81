"""A field officer on a phone enters indicator values for the KIMs of their kecamatan."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.e2e
expect = pytest.importorskip("playwright.sync_api", reason="playwright is not installed").expect

NOTE = "SK diperiksa saat kunjungan (uji peramban)"


def test_petugas_on_a_phone_fixes_a_bad_cell_and_saves(open_session):
    s = open_session("petugas", phone=True)
    page = s.page
    s.open_menu("Data Aktivitas")
    sheet = page.locator("#isian")
    sheet.locator("details[open]").get_by_role("link", name="Kec. Tekung", exact=True).click()
    expect(page.get_by_role("heading", name="Nilai indikator manual")).to_be_visible()
    expect(page.locator("hgroup")).to_contain_text("Kecamatan Tekung")
    grid_url = page.url

    k1 = page.get_by_label("K1 KIM Tukum Mandiri", exact=True)
    k1_note = page.get_by_label("Catatan bukti K1 KIM Tukum Mandiri", exact=True)
    k1.fill("mungkin")
    k1_note.fill(NOTE)
    page.get_by_role("button", name="Simpan semua").click()

    expect(page.locator(".flash-error")).to_contain_text("1 isian belum benar; tidak ada yang")
    expect(k1).to_have_attribute("aria-invalid", "true")
    error_id = k1.get_attribute("aria-describedby")
    assert error_id
    expect(page.locator(f"#{error_id}")).to_contain_text("'mungkin' bukan ya/tidak")
    expect(k1).to_have_value("mungkin")  # what was typed is kept, with its note
    expect(k1_note).to_have_value(NOTE)

    page.goto(grid_url)  # nothing was written
    expect(k1_note).not_to_have_value(NOTE)

    k1.fill("ya")
    k1_note.fill(NOTE)
    page.get_by_role("button", name="Simpan semua").click()
    expect(page.locator(".flash-success")).to_contain_text(re.compile(r"Tersimpan: \d+ nilai baru"))
    expect(k1).to_have_value("ya")
    expect(k1_note).to_have_value(NOTE)
    cell = page.locator("td").filter(has=k1)
    expect(cell.locator(".recorded")).to_contain_text("Dwi Ayu Lestari")
    # the table scrolls inside its container; the page itself stays phone-wide
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
