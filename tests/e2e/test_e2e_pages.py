"""Every main page loads without console errors or CSP violations, and fits a 360-px phone.

The app sends a strict Content-Security-Policy (no inline script or style); a template that slips
an inline style or script in shows up here as a console error, which plain HTTP tests cannot see.
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e
expect = pytest.importorskip("playwright.sync_api", reason="playwright is not installed").expect

PAGES = [
    "/",
    "/kim/",
    "/kim/?q=tukum",
    "/kim/1",
    "/kim/1/ubah",
    "/kim/baru",
    "/kim/transfer/impor",
    "/wilayah/",
    "/wilayah/35.08.09",
    "/periode/",
    "/penilaian/top-konten",
    "/aktivitas/",
    "/kerangka/",
    "/kerangka/1",
    "/admin/pengguna/",
    "/admin/pengguna/baru",
    "/admin/audit/",
    "/akun",
]


def _period_pages(s) -> list[str]:
    """The latest period's overview, one KIM's assessment and the entry grid, found by link."""
    s.go("/periode/")
    overview = s.page.locator("main table tbody tr").first.get_by_role("link").first
    path = overview.get_attribute("href")
    code = overview.inner_text().strip()
    s.go(path)
    kim = s.page.locator("main table").last.locator("tbody tr a").first.get_attribute("href")
    return [path, kim, f"/aktivitas/pengukuran/{code}?kecamatan=35.08.09"]


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_main_pages_have_no_console_errors_and_fit_the_screen(open_session, phone):
    s = open_session("admin", phone=phone)
    too_wide = []
    for path in PAGES + _period_pages(s):
        s.go(path)
        expect(s.page.locator("main h1").first).to_be_visible()
        width = s.page.evaluate("document.documentElement.scrollWidth")
        if width > s.page.viewport_size["width"]:
            too_wide.append(f"{path}: {width}px")
    # wider than the screen: a table escaping its scroll box, a field that does not wrap…
    assert (s.console.problems(), too_wide) == ([], [])


def test_the_console_check_catches_a_csp_violation(open_session):
    """The check above can fail: an inline style attribute is refused and reported."""
    s = open_session()
    s.go("/login")
    s.page.evaluate(
        "document.body.insertAdjacentHTML('beforeend', '<p style=\"color: red\">x</p>')"
    )
    s.page.wait_for_timeout(100)
    assert any("Content Security Policy" in e for e in s.console.problems())


def test_error_and_login_pages_are_indonesian(open_session):
    s = open_session()
    s.page.goto(s.base_url + "/kim/")
    expect(s.page).to_have_url(s.base_url + "/login?next=%2Fkim%2F")
    expect(s.page.get_by_role("heading", name="Masuk ke Jenjang")).to_be_visible()
    s.login("viewer")
    response = s.page.goto(s.base_url + "/admin/pengguna/")
    assert response is not None and response.status == 403
    expect(s.page.get_by_role("heading", level=1)).to_have_text("403 · Akses ditolak")
    response = s.page.goto(s.base_url + "/kim/999999")
    assert response is not None and response.status == 404
    expect(s.page.get_by_role("heading", level=1)).to_have_text("404 · Halaman tidak ditemukan")
