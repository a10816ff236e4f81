"""A field officer on a phone enters indicator values KIM by KIM; a kabid verifies them.

On a phone the data-entry grid is one card per KIM (every indicator with its hint, the registry's
value beside K1/K2, the value and its note) with previous/next and a KIM picker; a refused save
comes back on the first wrong field. What the petugas saves is submitted; the kabid verifies the
kecamatan's values in one step on the verification page.
"""

from __future__ import annotations

import re

import pytest

from tests.e2e.layout import overflowing, screenshot

pytestmark = pytest.mark.e2e
expect = pytest.importorskip("playwright.sync_api", reason="playwright is not installed").expect

NOTE = "SK diperiksa saat kunjungan (uji peramban)"
FIRST, SECOND = "KIM Kutorenon", "KIM Uranggantung Rukun"  # the two KIMs of Kec. Sukodono


def test_petugas_enters_values_kim_by_kim_on_a_phone_and_a_kabid_verifies(open_session):
    s = open_session("petugas", phone=True)
    page = s.page
    s.open_menu("Data Aktivitas")
    sheet = page.locator("#isian details[open]")
    sheet.get_by_role("link", name="Kec. Sukodono", exact=True).click()
    expect(page.get_by_role("heading", name="Nilai indikator manual")).to_be_visible()
    cards = page.locator(".measure-grid > tbody > tr")
    first, second = cards.nth(0), cards.nth(1)
    expect(first).to_be_visible()
    expect(second).to_be_hidden()  # one KIM at a time
    expect(first.locator("th")).to_contain_text(f"KIM 1 dari 2 {FIRST}")
    expect(first).to_contain_text("K3 Kelengkapan kelembagaan")  # every indicator, named
    expect(first).to_contain_text("(0–4 butir)")  # with its unit and range
    k1_cell = first.locator("td").filter(has_text="K1 SK pembentukan")
    expect(k1_cell.locator(".reference")).to_contain_text(re.compile(r"registri: ya \(SK "))

    # a wrong value on the first card, a right one on the second, saved from the second
    first_k2 = page.get_by_label(f"K2 {FIRST}", exact=True)
    first_k2.fill("mungkin")
    page.get_by_label(f"Catatan bukti K2 {FIRST}", exact=True).fill(NOTE)
    first.get_by_role("button", name="Berikutnya ›").click()
    expect(second).to_be_visible()
    expect(first).to_be_hidden()
    second_k1 = page.get_by_label(f"K1 {SECOND}", exact=True)
    second_k1.fill("ya")
    page.get_by_label(f"Catatan bukti K1 {SECOND}", exact=True).fill(NOTE)
    second.get_by_role("button", name="Simpan").click()

    # refused: the page comes back on the first wrong field, on its card, with what was typed
    expect(page.locator(".flash-error")).to_contain_text("1 isian belum benar")
    expect(first).to_be_visible()
    expect(first_k2).to_be_focused()
    expect(first_k2).to_be_in_viewport()
    assert page.evaluate("window.scrollY") > 0  # brought into view, not left at the top
    expect(first_k2).to_have_attribute("aria-invalid", "true")
    expect(page.locator(f"#{first_k2.get_attribute('aria-describedby')}")).to_contain_text(
        "'mungkin' bukan ya/tidak"
    )
    expect(second_k1).to_have_value("ya")
    screenshot(page, "phone-grid-refused")
    assert overflowing(page) == []

    first_k2.fill("ya")
    first.get_by_role("button", name="Simpan").click()
    expect(page.locator(".flash-success")).to_contain_text(
        re.compile(r"Tersimpan: 2 nilai baru.*diajukan; dihitung setelah diverifikasi")
    )
    expect(page).to_have_url(re.compile(r"#kim-\d+$"))  # back on the card it was saved from
    expect(first).to_be_visible()
    k2_cell = first.locator("td").filter(has=first_k2)
    expect(k2_cell.locator(".recorded")).to_contain_text("diajukan Dwi Ayu Lestari")

    # the picker reaches any KIM of the kecamatan
    page.locator(".kim-picker summary").click()
    page.locator(".kim-picker").get_by_role("link", name=SECOND).click()
    expect(second).to_be_visible()
    expect(second_k1).to_have_value("ya")
    screenshot(page, "phone-grid-card")
    # the refused save answered 422 on purpose; nothing else may show in the console
    assert [e for e in s.console.problems() if "status of 422" not in e] == []

    # the kabid verifies the kecamatan's submitted values in one step
    k = open_session("kabid")
    k.open_menu("Data Aktivitas")
    k.page.get_by_role(
        "button", name=re.compile(r"^Verifikasi \d+ nilai yang diajukan")
    ).first.click()
    expect(k.page.get_by_role("heading", name="Verifikasi nilai indikator")).to_be_visible()
    group = k.page.locator("section.review-group").filter(has_text="Kec. Sukodono")
    expect(group.locator("tbody tr")).to_have_count(2)
    expect(group).to_contain_text(NOTE)
    expect(group).to_contain_text("Dwi Ayu Lestari")
    screenshot(k.page, "desktop-review")
    group.get_by_role("button", name="Verifikasi semua di Kec. Sukodono").click()
    expect(k.page.locator(".flash-success")).to_have_text(
        "2 nilai diverifikasi dan dihitung pada penilaian berikutnya."
    )
    expect(k.page.locator("section.review-group").filter(has_text="Kec. Sukodono")).to_have_count(0)

    page.reload()
    expect(second).to_be_visible()
    k1_done = second.locator("td").filter(has_text="K1 SK pembentukan")
    expect(k1_done.locator(".recorded")).to_contain_text("terverifikasi")
    expect(k1_done.locator("input")).to_have_count(0)  # verified: now the kabid's to change
    assert k.console.problems() == []
