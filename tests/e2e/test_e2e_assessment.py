"""From the period overview to one KIM's breakdown and its roadmap to the next tier."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.e2e
expect = pytest.importorskip("playwright.sync_api", reason="playwright is not installed").expect

MONTHS = "Januari|Februari|Maret|April|Mei|Juni|Juli|Agustus|September|Oktober|November|Desember"
DATE = rf"\d{{1,2}} ({MONTHS}) \d{{4}}"
SCORE = r"\d{1,3}(,\d{1,2})?"


def test_period_overview_then_a_kims_breakdown_and_roadmap(open_session):
    s = open_session("kabid")
    page = s.page
    s.open_menu("Periode & Penilaian")
    latest = page.locator("main table tbody tr").first.get_by_role("link").first
    code = latest.inner_text().strip()
    assert re.fullmatch(r"\d{4}-T[1-4]", code)
    latest.click()

    expect(page.get_by_role("heading", name=f"Penilaian {code}", level=1)).to_be_visible()
    expect(page.locator("hgroup p")).to_contain_text(re.compile(rf"{DATE} – {DATE}"))
    tiers = page.locator("section.cards article")
    expect(tiers).to_have_count(5)  # assessed + one per tier
    expect(page.get_by_role("heading", name="Per kecamatan")).to_be_visible()
    expect(page.get_by_role("heading", name="Perubahan jenjang")).to_be_visible()

    # lowest score first: a KIM with somewhere to go
    page.get_by_role("link", name=re.compile(r"^Skor")).click()
    expect(page).to_have_url(re.compile(r"sort=skor$"))
    first = page.locator("main table").last.locator("tbody tr").first
    name = first.get_by_role("link").inner_text()
    first.get_by_role("link").click()

    expect(page.get_by_role("heading", name=name, level=1)).to_be_visible()
    score = page.locator("section.cards article").first.locator(".big")
    expect(score).to_have_text(re.compile(rf"^{SCORE}$"))
    for dimension in (
        "Kelembagaan",
        "Aktivitas website",
        "Media sosial",
        "Pembinaan",
        "Kemandirian & dampak",
    ):
        expect(page.get_by_role("heading", name=re.compile(dimension), level=3)).to_be_visible()
    breakdown = page.locator("table.breakdown")
    expect(breakdown).to_have_count(5)
    expect(breakdown.locator("tbody tr").filter(has_text="W2")).to_contain_text(
        "Konsistensi mingguan"
    )

    expect(page.get_by_role("heading", name="Langkah menuju jenjang berikutnya")).to_be_visible()
    # the plan's sum against the gap, and its steps with "+N poin" and a training topic
    expect(
        page.get_by_text(
            re.compile(r"^Kurang [\d,]+ poin untuk mencapai batas bawah \w+; rencana ini \+[\d,]+")
        )
    ).to_be_visible()
    plan = page.locator("table").filter(has_text="Tambahan skor")
    expect(
        plan.locator("tbody tr").filter(has_text=re.compile(r"\+[\d,]+ poin")).first
    ).to_be_visible()
    expect(plan.locator("tfoot")).to_contain_text(re.compile(r"\+[\d,]+ poin"))

    history = page.locator("table").filter(has_text="Jenjang mentah").locator("tbody tr")
    assert history.count() >= 2
    expect(page.locator("tr[aria-current]")).to_contain_text(code)  # this period, highlighted
