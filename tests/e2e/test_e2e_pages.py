"""Every main page loads without console errors or CSP violations, and fits a 360-px phone.

The app sends a strict Content-Security-Policy (no inline script or style); a template that slips
an inline style or script in shows up here as a console error, which plain HTTP tests cannot see.

At 360 px nothing may reach past the screen's edge, not even inside a scrolling box: a table that
cannot fit reads as cards (macros.data_table), and the columns a Kabid plans from (score, tier,
"+N poin", training topic) stay on screen. Screenshots of every page at both widths are written to
tests/e2e/artifacts/ for a person to look at.
"""

from __future__ import annotations

import itertools
import re

import pytest

from tests.e2e.layout import cut_selects, overflowing, page_width, screenshot

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
    "/wilayah/?q=tek",
    "/periode/",
    "/penilaian/top-konten",
    "/aktivitas/",
    "/kerangka/",
    "/kerangka/1",
    "/admin/pengguna/",
    "/admin/pengguna/baru",
    "/admin/pengguna/1/kata-sandi",
    "/admin/audit/",
    "/akun",
    "/pemantauan/",
    "/pemantauan/baru",
    "/pemantauan/baru?kecamatan=35.08.15",
    "/pemantauan/1",
    "/tindak-lanjut/",
    "/tindak-lanjut/?status=semua",
    "/tindak-lanjut/1",
    "/tindak-lanjut/baru",
    "/surat/",
    "/surat/pengaturan/",
    "/surat/batch/",
    "/notifikasi/",
    "/admin/penjadwal/",
    "/aktivitas/panen/kim/1",
    "/pembinaan/",
    "/pembinaan/impor-daftar-hadir",
]


def _period_pages(s) -> list[str]:
    """The latest period's overview, the assessment of its lowest-scoring KIM (a roadmap with
    steps), the entry grid and the verification page, found by link."""
    s.go("/periode/")
    overview = s.page.locator("main table tbody tr").first.get_by_role("link").first
    path = overview.get_attribute("href")
    code = overview.inner_text().strip()
    s.go(path + "?sort=skor")
    kim = s.page.locator("main table").last.locator("tbody tr a").first.get_attribute("href")
    return [
        path,
        kim,
        f"/aktivitas/pengukuran/{code}?kecamatan=35.08.15",
        f"/aktivitas/verifikasi/{code}",
    ]


def _key_columns(page) -> list:
    """What must stay on screen on a page that plans from it: score and tier of the period's
    KIMs, "+N poin" and the training topic of a roadmap, the value field of the grid's card."""
    main = page.locator("main")
    if re.search(r"/penilaian/\d{4}-T\d/kim/", page.url):
        # the first step that adds points (a gate step, "syarat dasar", adds none)
        gain = re.compile(r"\+[\d,]+ poin")
        plan = main.locator("table.roadmap-steps tbody tr").filter(has_text=gain).first
        return [
            main.locator("section.cards .big").first,
            plan.locator("td.key").filter(has_text=re.compile(r"\+[\d,]+ poin")),
            plan.locator("td.key").last,
        ]
    if re.search(r"/penilaian/\d{4}-T\d$", page.url.split("?")[0]):
        row = main.locator("table").last.locator("tbody tr").first
        return [row.locator("td.key").first, row.locator("td.key .badge")]
    if "/aktivitas/pengukuran/" in page.url:
        return [main.locator(".measure-grid tbody tr.current input").first]
    return []


def _on_screen(page, locator) -> bool:
    box = locator.bounding_box() if locator.count() == 1 else None
    return (
        box is not None and box["x"] >= 0 and box["x"] + box["width"] <= page.viewport_size["width"]
    )


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_main_pages_have_no_console_errors_and_fit_the_screen(open_session, phone):
    s = open_session("admin", phone=phone)
    too_wide, off_screen, hidden_keys = [], [], []
    for path in PAGES + _period_pages(s):
        s.go(path)
        expect(s.page.locator("main h1").first).to_be_visible()
        screenshot(s.page, ("phone" if phone else "desktop") + re.sub(r"\W+", "_", path))
        width = page_width(s.page)
        if width > s.page.viewport_size["width"]:
            too_wide.append(f"{path}: {width}px")
        if phone:
            off_screen += [f"{path}: {element}" for element in overflowing(s.page)]
            off_screen += [f"{path}: cut {element}" for element in cut_selects(s.page)]
        keys = _key_columns(s.page)
        hidden_keys += [f"{path}: {k}" for k in keys if not _on_screen(s.page, k)]
    # wider than the screen: a table escaping its box, a field that does not wrap…
    assert (s.console.problems(), too_wide, off_screen, hidden_keys) == ([], [], [], [])


def test_the_layout_check_catches_a_table_wider_than_a_phone(open_session):
    """The checks above can fail: a wide table inside a scrolling box still reaches past the
    screen's edge, although the page itself does not scroll sideways."""
    s = open_session("admin", phone=True)
    s.go("/kim/")
    assert overflowing(s.page) == []
    cells = "<td>x</td>" * 40
    s.page.evaluate(
        "html => document.querySelector('main').insertAdjacentHTML('beforeend', html)",
        f'<div class="overflow-auto"><table><tr>{cells}</tr></table></div>',
    )
    assert page_width(s.page) <= 360  # the box scrolls…
    assert overflowing(s.page)  # …but its cells lie past the edge


def test_the_layout_check_catches_a_drop_down_too_narrow_for_its_choice(open_session):
    """A drop-down whose chosen option is wider than its box reads "Semua kecama…": caught."""
    s = open_session("admin", phone=True)
    s.go("/surat/")
    assert cut_selects(s.page) == []
    s.page.evaluate(
        "() => { const el = document.querySelector('main select[name=kecamatan]');"
        " el.parentElement.insertBefore(document.createElement('span'), el);"
        " el.style.flex = '0 0 6rem'; el.style.width = '6rem'; }"
    )
    assert cut_selects(s.page) == ['select[name=kecamatan] "Semua kecamatan"']


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


MEASURES = (
    "KIM;Indikator;Nilai;Catatan\n"
    "KIM Kutorenon;K3;9;x\n"
    "KIM Yang Tidak Ada Di Registri Kabupaten Ini;K1;ya;y\n"
    "KIM Kutorenon;D1;2;https://contoh.example/bukti/alamat-panjang-tanpa-spasi-sama-sekali-x\n"
)


def test_login_error_and_import_preview_pages_fit_a_phone(open_session):
    s = open_session(phone=True)
    s.go("/login")
    assert overflowing(s.page) == []
    s.login("admin")
    response = s.page.goto(s.base_url + "/kim/999999")
    assert response is not None and response.status == 404
    assert overflowing(s.page) == []
    s.go("/aktivitas/")
    form = s.page.locator("#impor-pengukuran form")
    form.get_by_label("Berkas CSV atau XLSX").set_input_files(
        files=[{"name": "nilai.csv", "mimeType": "text/csv", "buffer": MEASURES.encode()}]
    )
    form.get_by_role("button", name="Periksa berkas").click()
    expect(s.page.get_by_role("heading", name="Masalah pada berkas")).to_be_visible()
    screenshot(s.page, "phone-import-preview")
    assert (overflowing(s.page), page_width(s.page)) == ([], 360)


def test_a_list_page_prints_on_a4_without_the_navigation(open_session):
    """Print media at A4's width: the header, filters, pager and download links are gone and the
    list is a table again (not the phone's cards, whose breakpoint A4 falls under), its header
    row repeated on every page."""
    s = open_session("admin")
    s.page.set_viewport_size({"width": 720, "height": 1000})  # A4 less its margins, in CSS px
    s.page.emulate_media(media="print")
    s.go("/kim/")
    shown = s.page.evaluate(
        """() => ({
          header: getComputedStyle(document.querySelector('.site-header')).display,
          toolbar: getComputedStyle(document.querySelector('form.toolbar')).display,
          exports: getComputedStyle(document.querySelector('.export-links')).display,
          row: getComputedStyle(document.querySelector('main table tbody tr')).display,
          head: getComputedStyle(document.querySelector('main table thead')).display,
        })"""
    )
    assert shown == {
        "header": "none",
        "toolbar": "none",
        "exports": "none",
        "row": "table-row",
        "head": "table-header-group",
    }
    assert page_width(s.page) <= 720
    s.page.emulate_media(media="screen")


_TEXT_BOX = """el => { const r = document.createRange(); r.selectNodeContents(el);
  const b = r.getBoundingClientRect(); return {x: b.x, y: b.y, width: b.width}; }"""


def _gaps(links) -> list[float]:
    """The room between one link's words and the next's, on the same line."""
    boxes = [links.nth(i).evaluate(_TEXT_BOX) for i in range(links.count())]
    pairs = itertools.pairwise(boxes)
    return [b["x"] - (a["x"] + a["width"]) for a, b in pairs if b["y"] == a["y"]]


def test_a_batch_is_issued_only_after_its_question_and_its_filter_reads_as_one_line(
    open_session,
):
    """Issuing letters in a batch takes numbers that cannot be given back: the button asks first.
    On the batch's page the result filter (Semua · Terbit · Dilewati · Gagal · Menunggu) sits
    together on one line (it was once spread across the page's width)."""
    s = open_session("admin")
    page = s.page
    s.go("/surat/pengaturan/")  # the demo names no signatory: no letter without one
    page.get_by_label("Jabatan penanda tangan").fill("Kepala Dinas Komunikasi dan Informatika")
    page.get_by_label("Nama penanda tangan (dengan gelar)").fill("Dr. Hendra Wijaya, S.Kom.")
    page.get_by_label("NIP").fill("197001011995031001")
    page.get_by_role("button", name="Simpan pengaturan").click()
    expect(page.locator(".flash-success")).to_be_visible()

    periods = None
    for index in range(8):
        s.go("/surat/batch/")
        form = page.locator("form[action='/surat/batch/']")
        periods = periods or form.locator("select#periode option").count()
        if index >= periods:
            break
        form.locator("select#periode").select_option(index=index)
        form.locator("select#kecamatan").select_option(index=1)
        question = form.get_by_text("tidak dapat dikembalikan")
        expect(question).to_be_hidden()
        form.get_by_text("Terbitkan serentak", exact=True).click()
        expect(question).to_be_visible()
        assert page.url.endswith("/surat/batch/")  # nothing sent yet
        form.get_by_role("button", name="Ya, terbitkan").click()
        page.wait_for_load_state()
        if re.search(r"/surat/batch/\d+$", page.url):
            break
    assert re.search(r"/surat/batch/\d+$", page.url), page.locator("main").inner_text()
    links = page.get_by_role("navigation", name="Saring menurut hasil").get_by_role("link")
    expect(links).to_have_count(5)
    gaps = _gaps(links)
    assert len(gaps) == 4 and max(gaps) < 40, gaps
    screenshot(page, "desktop-letter-batch")
    assert s.console.problems() == []
