"""The session-timeout warning in a browser (static/js/session-timeout.js), with the page's clock
driven by Playwright: five minutes before the idle end the banner says so; what was typed in the
form is kept and comes back when the page is opened again; "stay signed in" asks the server and
takes the banner away. No console error or CSP violation on the way."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e
expect = pytest.importorskip("playwright.sync_api", reason="playwright is not installed").expect


def test_the_warning_comes_before_the_end_and_typed_work_is_kept(open_session) -> None:
    s = open_session()
    s.page.clock.install()
    s.login("admin")
    s.go("/kim/baru")
    name = s.page.get_by_label("Nama KIM")
    name.fill("KIM Ketikan Belum Terkirim")
    banner = s.page.locator(".session-warning")
    expect(banner).to_have_count(0)
    s.page.clock.fast_forward("24:00")
    expect(banner).to_have_count(0)
    s.page.clock.fast_forward("01:30")  # 25.5 minutes: five minutes before the idle end
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("Sesi Anda akan berakhir dalam 5 menit")

    s.page.reload()  # e.g. the page opened again after signing in
    expect(s.page.get_by_label("Nama KIM")).to_have_value("KIM Ketikan Belum Terkirim")

    s.page.clock.fast_forward("25:30")
    expect(banner).to_be_visible()
    with s.page.expect_response(lambda r: r.url.endswith("/akun/sesi")) as answer:
        banner.get_by_role("button", name="Tetap masuk").click()
    assert answer.value.status == 204
    expect(banner).to_have_count(0)
    assert s.console.problems() == []
