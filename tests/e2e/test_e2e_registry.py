"""Registry journeys in the browser: find and edit a KIM; import a spreadsheet with a bad row."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.e2e
expect = pytest.importorskip("playwright.sync_api", reason="playwright is not installed").expect


def test_admin_finds_a_kim_and_edits_it(open_session):
    s = open_session("admin")
    page = s.page
    s.open_menu("Registri KIM")
    expect(page.get_by_role("heading", name="Registri KIM")).to_be_visible()

    page.get_by_placeholder("Cari nama KIM atau desa").fill("sibedjo")
    page.get_by_role("button", name="Tampilkan").click()
    rows = page.locator("table.kim-table tbody tr")
    expect(rows).to_have_count(1)
    rows.get_by_role("link", name="KIM Sibedjo").click()
    expect(page.get_by_role("heading", name="KIM Sibedjo", level=1)).to_be_visible()

    page.locator("main").get_by_role("button", name="Ubah", exact=True).click()
    # bad input first: a clear message, what was typed is kept, nothing is written
    page.get_by_label("Ketua").fill("Siti Aminah Peramban")
    page.get_by_label("Website").fill("bukan alamat")
    page.get_by_role("button", name="Simpan").click()
    expect(page.locator(".flash-error")).to_contain_text("belum ada yang disimpan")
    expect(page.locator(".field-error")).to_contain_text("bukan tautan (URL) yang valid")
    expect(page.get_by_label("Website")).to_have_value("bukan alamat")
    expect(page.get_by_label("Ketua")).to_have_value("Siti Aminah Peramban")

    page.get_by_label("Website").fill("https://sibedjo.kim.id")
    page.get_by_role("button", name="Simpan").click()
    expect(page.locator(".flash-success")).to_have_text("Perubahan pada KIM Sibedjo disimpan.")
    facts = page.locator("dl.facts")
    expect(facts).to_contain_text("Siti Aminah Peramban")
    expect(facts.get_by_role("link", name="https://sibedjo.kim.id")).to_be_visible()
    history = page.locator("section").filter(has_text="Riwayat perubahan").locator("table")
    expect(history.locator("tbody tr").first).to_contain_text("Ketua")
    expect(history.locator("tbody tr").first).to_contain_text("→ Siti Aminah Peramban")


CSV = (
    "Nama KIM;Desa/Kelurahan;Kecamatan;Tanggal SK\r\n"
    "KIM Wonosari Peramban;Wonosari;Kec. Tekung;07/03/2025\r\n"
    "KIM Entah Di Mana;Desa Entah;Tekung;7-3-2025\r\n"
)


def test_import_with_a_bad_row_then_only_the_valid_rows(open_session):
    s = open_session("admin")
    page = s.page
    s.open_menu("Registri KIM")
    page.locator("main").get_by_role("button", name="Impor", exact=True).click()
    page.get_by_label("Berkas").set_input_files(
        files=[{"name": "kim-baru.csv", "mimeType": "text/csv", "buffer": CSV.encode("utf-8")}]
    )
    page.get_by_role("button", name="Unggah dan periksa").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Pratinjau impor: Registri KIM")
    problems = page.locator("section").filter(has_text="Masalah pada berkas").locator("tbody tr")
    expect(problems).to_have_count(1)
    expect(problems.first.locator("td").nth(0)).to_have_text("3")
    expect(problems.first.locator("td").nth(1)).to_have_text("Desa/Kelurahan")
    expect(problems.first.locator("td").nth(2)).to_contain_text("Desa Entah")
    expect(page.get_by_text("Akan ditambahkan (1)")).to_be_visible()

    # with a bad row, only "the valid rows" is offered; nothing was written by the preview
    expect(page.get_by_role("button", name="Impor sekarang")).to_have_count(0)
    page.get_by_role("button", name="Impor 1 baris yang valid saja").click()
    expect(page.locator(".flash-success")).to_contain_text("Impor selesai:")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hasil impor: Registri KIM")
    page.get_by_text("Ditambahkan (1)").click()
    page.get_by_role("link", name="KIM Wonosari Peramban").click()
    expect(page.locator("dl.facts")).to_contain_text("Wonosari")
    expect(page.locator("dl.facts")).to_contain_text("7 Maret 2025")

    s.go("/kim/?q=peramban")
    names = page.locator("table.kim-table tbody tr td:first-child")
    expect(names).to_have_text([re.compile("KIM Wonosari Peramban")])
