"""The coaching pages in a browser: no console errors or CSP violations (the effect chart is
inline SVG without style attributes), and nothing reaches past a 360-px phone's edge: the session
list, a session, its daftar hadir, the planning form, the topic catalogue, the training-needs
analysis, the effect report and a KIM's timeline."""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import PASSWORDS, PHONE
from tests.e2e.layout import overflowing, page_width, screenshot

pytestmark = pytest.mark.e2e
expect = pytest.importorskip("playwright.sync_api", reason="playwright is not installed").expect


def _pages(s) -> list[str]:
    """Found by link, as a person would: the newest session, and the first KIM it invited."""
    s.go("/pembinaan/")
    session = s.page.locator("main table tbody tr a").first.get_attribute("href")
    s.go(session)
    kim = s.page.locator("main table.roster-table tbody tr a").first.get_attribute("href")
    return [
        "/pembinaan/",
        "/pembinaan/?periode=2026-T1",
        session,
        session + "/kehadiran",
        session + "/ubah",
        session + "/dampak",
        "/pembinaan/sesi/baru",
        "/pembinaan/materi/",
        "/pembinaan/materi/1/dampak",
        "/pembinaan/kebutuhan/2026-T3",
        kim,
    ]


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_coaching_pages_have_no_console_errors_and_fit_the_screen(open_session, phone):
    s = open_session("admin", phone=phone)
    too_wide, off_screen = [], []
    for path in _pages(s):
        s.go(path)
        expect(s.page.locator("main h1").first).to_be_visible()
        screenshot(s.page, ("phone" if phone else "desktop") + re.sub(r"\W+", "_", path))
        width = page_width(s.page)
        if width > s.page.viewport_size["width"]:
            too_wide.append(f"{path}: {width}px")
        if phone:
            off_screen += [f"{path}: {element}" for element in overflowing(s.page)]
    assert (s.console.problems(), too_wide, off_screen) == ([], [], [])


def test_the_effect_chart_is_drawn_without_javascript(browser, live_server):
    context = browser.new_context(viewport=PHONE, java_script_enabled=False, locale="id-ID")
    try:
        page = context.new_page()
        page.goto(live_server + "/login")
        page.get_by_label("Nama pengguna").fill("viewer")
        page.get_by_label("Kata sandi").fill(PASSWORDS["viewer"])
        page.locator("main").get_by_role("button", name="Masuk").click()
        page.goto(live_server + "/pembinaan/materi/1/dampak")
        chart = page.locator("figure.chart-figure svg[role=img]")
        expect(chart).to_be_visible()  # the demo's first topic has quarters to compare
        box = chart.bounding_box()
        assert box is not None and box["width"] <= 360 and box["height"] > 100
        expect(chart.locator("title")).to_have_text(re.compile("^Perubahan skor: "))
    finally:
        context.close()
