"""Whole journeys through the app, the way the office works, in one browser each.

Each journey starts where a person starts (the login page, the start page, the header menu) and
goes to the end of one piece of work: importing KIMs, entering and verifying a period's values
then assessing, planning a coaching session and recording who came, a field visit sent from a
phone without signal, a letter issued, downloaded and checked on the public page. Every step is
saved as a screenshot under tests/e2e/artifacts/journey-*.png; on a phone every step must fit
360 px (no sideways scrolling, nothing cut at the edge).

The journeys write, so they get a server of their own (a fresh demo district, `journey_server`),
not the one the page checks read; they do not depend on each other's writes. The start page
journey lists what each role must find there (START_PAGE); the dashboard extends that table.
"""

from __future__ import annotations

import io
import re
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from openpyxl import Workbook
from pypdf import PdfReader

from tests.e2e.conftest import PASSWORDS, Session, serve_fresh_app, session_factory
from tests.e2e.layout import cut_selects, overflowing, page_width, screenshot
from tests.e2e.test_e2e_visits import COUNT_DRAFTS, FIRST_KIM, SUKODONO, _fill_first_kim
from tracker.services.common.clock import office_today

pytestmark = pytest.mark.e2e
expect = pytest.importorskip("playwright.sync_api", reason="playwright is not installed").expect

TEKUNG = "35.08.09"  # the petugas's other kecamatan (the page checks use Sukodono's grid)


@pytest.fixture(scope="module")
def journey_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A server of the journeys' own: letters' QR codes and links point at it."""
    with serve_fresh_app(tmp_path_factory.mktemp("journeys"), public=True) as url:
        yield url


@pytest.fixture
def journey(browser, journey_server: str) -> Iterator[Callable[..., Session]]:
    contexts: list = []
    yield session_factory(browser, journey_server, contexts)
    for context in contexts:
        context.close()


@dataclass
class Steps:
    """Screenshots named journey-<name>-<n>-<step>; on a phone each step must fit 360 px:
    no sideways scrolling, nothing past the edge, no drop-down whose chosen option is cut."""

    s: Session
    name: str
    phone: bool = False
    count: int = 0

    def shot(self, step: str) -> None:
        self.count += 1
        screenshot(self.s.page, f"journey-{self.name}-{self.count:02d}-{step}")
        if self.phone:
            assert page_width(self.s.page) <= 360, f"{step}: {self.s.page.url} scrolls sideways"
            assert overflowing(self.s.page) == [], f"{step}: {self.s.page.url}"
            assert cut_selects(self.s.page) == [], f"{step}: {self.s.page.url}"


# --- log in, and the start page ---------------------------------------------------------------

# What each role must find on the start page: a heading, and the first thing it does (a link
# that leads to a page with that heading). The dashboard adds its rows to this table.
START_PAGE = {
    "admin": ("Impor registri KIM", "Impor registri KIM"),
    "kabid": (re.compile(r"^Hasil penilaian \d{4}-T\d$"), re.compile(r"^Penilaian \d{4}-T\d$")),
    "petugas": ("Data Aktivitas", "Data aktivitas"),
    "viewer": (re.compile(r"^Hasil penilaian \d{4}-T\d$"), re.compile(r"^Penilaian \d{4}-T\d$")),
}


def test_journey_login_refused_then_accepted(journey):
    s = journey(phone=True)
    steps = Steps(s, "login", phone=True)
    page = s.page
    s.go("/")  # not logged in: sent to the login page
    expect(page).to_have_url(re.compile(r"/login"))
    page.get_by_label("Nama pengguna").fill("kabid")
    page.get_by_label("Kata sandi").fill("bukan-sandinya")
    page.locator("main").get_by_role("button", name="Masuk").click()
    expect(page.locator(".flash-error")).to_have_text("Nama pengguna atau kata sandi salah.")
    expect(page.get_by_label("Nama pengguna")).to_have_value("kabid")
    steps.shot("refused")
    page.get_by_label("Kata sandi").fill(PASSWORDS["kabid"])
    page.locator("main").get_by_role("button", name="Masuk").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Selamat datang, Drs. Bambang Hariyanto"
    )
    steps.shot("start")
    page.locator("header").get_by_text("Menu", exact=True).click()
    page.locator("header").get_by_role("button", name="Keluar").click()
    expect(page.locator(".flash-info")).to_have_text("Anda telah keluar.")
    s.go("/kim/")
    expect(page).to_have_url(re.compile(r"/login"))  # the session is gone
    assert s.console.problems() == []


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
@pytest.mark.parametrize("role", sorted(START_PAGE))
def test_journey_start_page_leads_to_the_first_task(journey, role, phone):
    s = journey(role, phone=phone)
    steps = Steps(s, f"start-{role}-{'phone' if phone else 'desktop'}", phone=phone)
    page = s.page
    expect(page.get_by_role("heading", level=1)).to_contain_text("Selamat datang")
    cards = page.locator("main section.cards article .big")
    expect(cards.first).to_have_text(re.compile(r"^\d+$"))  # KIM aktif
    expect(page.get_by_role("heading", name="Mulai dari sini")).to_be_visible()
    steps.shot("start")
    link, heading = START_PAGE[role]
    page.locator("ul.start-here").get_by_role("link", name=link).first.click()
    expect(page.get_by_role("heading", level=1).first).to_have_text(heading)
    steps.shot("first-task")
    assert s.console.problems() == []


# --- import KIMs from a file --------------------------------------------------------------------


def _kim_workbook(suffix: str) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["Nama KIM", "Desa/Kelurahan", "Kecamatan", "Tanggal SK"])
    sheet.append([f"KIM Jalur Satu {suffix}", "Wonosari", "Kec. Tekung", "07/03/2025"])
    sheet.append([f"KIM Jalur Dua {suffix}", "Tukum", "Tekung", "08/03/2025"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_journey_admin_imports_kims_from_a_spreadsheet(journey):
    s = journey("admin")
    steps = Steps(s, "import")
    page = s.page
    suffix = secrets.token_hex(3).upper()
    page.locator("ul.start-here").get_by_role("link", name="Impor registri KIM").click()
    page.get_by_label("Berkas").set_input_files(
        files=[
            {
                "name": "kim-kabupaten.xlsx",
                "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "buffer": _kim_workbook(suffix),
            }
        ]
    )
    steps.shot("chosen")
    page.get_by_role("button", name="Unggah dan periksa").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Pratinjau impor: Registri KIM")
    expect(page.get_by_text("Akan ditambahkan (2)")).to_be_visible()
    steps.shot("preview")
    other = page.context.new_page()  # the preview wrote nothing
    other.goto(f"{s.base_url}/kim/?q={suffix}")
    expect(other.locator("table.kim-table tbody tr")).to_have_count(0)
    other.close()
    page.get_by_role("button", name="Impor sekarang").click()
    expect(page.locator(".flash-success")).to_contain_text("Impor selesai:")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hasil impor: Registri KIM")
    steps.shot("done")

    s.open_menu("Registri KIM")
    page.get_by_placeholder("Cari nama KIM atau desa").fill(suffix)
    page.get_by_role("button", name="Tampilkan").click()
    names = page.locator("table.kim-table tbody tr td:first-child")
    expect(names).to_have_text([re.compile(f"KIM Jalur Dua {suffix}"), re.compile("Satu")])
    page.get_by_role("link", name=f"KIM Jalur Satu {suffix}").click()
    expect(page.locator("dl.facts")).to_contain_text("7 Maret 2025")
    steps.shot("kim")
    assert s.console.problems() == []


# --- the period's values: entered, verified, assessed, read on the KIM's roadmap ---------------


def test_journey_values_entered_verified_assessed_then_the_kims_roadmap(journey):
    p = journey("petugas")
    steps = Steps(p, "period")
    page = p.page
    p.open_menu("Data Aktivitas")
    page.locator("#isian details[open]").get_by_role("link", name="Kec. Tekung", exact=True).click()
    expect(page.get_by_role("heading", name="Nilai indikator manual")).to_be_visible()
    code = re.search(r"/aktivitas/pengukuran/(\d{4}-T\d)", page.url).group(1)
    k3 = page.locator("main input[id^='v-'][id$='-K3']").first  # K3: 0–4 butir
    kim_id = k3.get_attribute("id").split("-")[1]
    value = "1" if k3.input_value() != "1" else "2"
    k3.fill(value)
    page.locator(f"#n-{kim_id}-K3").fill("Dicek di balai desa (perjalanan uji)")
    steps.shot("typed")
    page.get_by_role("button", name="Simpan semua").first.click()
    expect(page.locator(".flash-success")).to_contain_text("diajukan")
    steps.shot("submitted")

    k = journey("kabid")
    steps = Steps(k, "period-kabid")
    page = k.page
    k.go(f"/aktivitas/verifikasi/{code}")
    group = page.locator("section.review-group").filter(has_text="Kec. Tekung")
    expect(group).to_contain_text("perjalanan uji")
    steps.shot("review")
    group.get_by_role("button", name="Verifikasi semua di Kec. Tekung").click()
    expect(page.locator(".flash-success")).to_contain_text("diverifikasi")

    k.open_menu("Periode & Penilaian")
    page.locator("main table tbody tr").get_by_role("link", name=code, exact=True).first.click()
    expect(page.get_by_role("heading", name=f"Penilaian {code}", level=1)).to_be_visible()
    expect(page.locator(".stale-notice").first).to_be_visible()  # the verified value is new
    page.locator("main summary", has_text="Jalankan penilaian").first.click()
    steps.shot("confirm-run")
    page.locator("main details.confirm[open]").get_by_role("button", name="Ya, lanjutkan").click()
    expect(page.locator(".flash-success")).to_contain_text(
        re.compile(rf"Penilaian {code} selesai: \d+ KIM dinilai dengan kerangka v\d+")
    )
    expect(page.locator(".stale-notice")).to_have_count(0)
    steps.shot("assessed")

    k.go(f"/kim/{kim_id}")  # the KIM's own page, then its breakdown and roadmap
    page.get_by_role("link", name="Rincian penilaian dan langkah ke jenjang berikutnya").click()
    expect(page).to_have_url(re.compile(rf"/penilaian/{code}/kim/{kim_id}$"))
    k3_row = page.locator("table.breakdown tbody tr").filter(
        has=page.locator("td.title", has_text=re.compile(r"^K3$"))
    )
    expect(k3_row.locator("td").nth(2)).to_contain_text(value)
    expect(k3_row).to_contain_text("diverifikasi Drs. Bambang Hariyanto")
    roadmap = page.get_by_role(
        "heading",
        name=re.compile(r"^(Langkah menuju jenjang berikutnya|Yang harus dicapai agar tetap)"),
    )
    expect(roadmap).to_be_visible()
    steps.shot("roadmap")
    assert p.console.problems() == [] and k.console.problems() == []


# --- training needs → a planned session → its attendance ---------------------------------------


def test_journey_session_planned_from_training_needs_then_attendance(journey):
    s = journey("kabid")
    steps = Steps(s, "coaching")
    page = s.page
    s.open_menu("Pembinaan")
    page.locator("main").get_by_role("link", name="Kebutuhan pelatihan").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        re.compile(r"^Kebutuhan pelatihan \d{4}-T\d$")
    )
    steps.shot("needs")
    topic = page.locator("article.topic-need").filter(
        has=page.get_by_role("button", name="Rencanakan sesi")
    )
    topic_name = topic.first.locator("h3").inner_text().split(" (")[0]
    topic.first.get_by_role("button", name="Rencanakan sesi").click()
    expect(page.locator(".flash-info")).to_contain_text(f"materi {topic_name}")
    invited = page.locator("fieldset.invite-list input[name=kims]:checked").count()
    assert invited > 0
    title = f"{topic_name} (uji {secrets.token_hex(2)})"
    page.get_by_label("Judul sesi").fill(title)
    page.get_by_label("Tanggal mulai").fill((office_today() - timedelta(days=1)).isoformat())
    page.get_by_label("Tempat").fill("Aula Diskominfo")
    steps.shot("planned")
    page.get_by_role("button", name="Simpan").click()
    expect(page.locator(".flash-success")).to_have_text(f"Sesi {title} direncanakan.")
    expect(page.get_by_role("heading", level=1)).to_contain_text(title)
    steps.shot("session")

    page.locator("main").get_by_role("button", name="Isi daftar hadir").click()
    kims = page.locator("fieldset.attendance-kim")
    expect(kims).to_have_count(invited)
    first = kims.first
    kim_name = first.locator("legend strong").inner_text()
    first.get_by_label("Hadir").check()
    first.get_by_label("Nama peserta").fill("Siti Rahayu\nAgus Salim")
    steps.shot("attendance")
    page.get_by_role("button", name="Simpan daftar hadir").click()
    expect(page.locator(".flash-success")).to_be_visible()
    roster = page.locator("main table.roster-table tbody tr").filter(has_text=kim_name)
    expect(roster).to_contain_text("Siti Rahayu, Agus Salim")
    expect(roster.locator("td.key")).to_have_text("Hadir")
    steps.shot("recorded")
    assert s.console.problems() == []


# --- a field visit on a phone, sent without signal ---------------------------------------------


def test_journey_visit_on_a_phone_offline_then_reconnected(journey):
    s = journey("petugas", phone=True)
    steps = Steps(s, "visit", phone=True)
    page = s.page
    steps.shot("start")
    s.open_menu("Pemantauan")
    steps.shot("list")
    page.get_by_role("button", name="Catat kunjungan").click()
    page.get_by_role("button", name="Kec. Sukodono").click()
    expect(page.get_by_role("heading", name="Kunjungan ke Kec. Sukodono")).to_be_visible()
    note = "Perjalanan luring " + secrets.token_hex(4)
    _fill_first_kim(page, note)  # values, a finding and a photo for the first KIM
    steps.shot("filled")

    page.context.set_offline(True)
    page.get_by_role("button", name="Simpan kunjungan").click()
    expect(page.locator(".draft-notice")).to_contain_text("Tidak ada koneksi")
    assert page.evaluate(COUNT_DRAFTS) == [{"pending": True, "files": 1}]
    steps.shot("offline")

    page.context.set_offline(False)
    page.wait_for_url(re.compile(r"/pemantauan/\d+$"))
    expect(page.locator(".flash-success")).to_contain_text("Kunjungan tersimpan.")
    expect(page.locator("main")).to_contain_text(note)
    expect(page.locator("main .photo-grid img").first).to_be_visible()
    steps.shot("saved")
    visit = page.url

    s.go(f"/pemantauan/?kecamatan={SUKODONO}")
    expect(page.locator(f"main a[href$='{visit.split(s.base_url)[1]}']")).to_have_count(1)
    steps.shot("listed")
    page.locator(f"main a[href$='{visit.split(s.base_url)[1]}']").click()
    expect(page.locator("main")).to_contain_text(FIRST_KIM)
    assert s.console.problems() == []


# --- a letter: issued, downloaded, checked on the public page ----------------------------------


def test_journey_letter_issued_downloaded_and_verified_publicly(journey):
    # the admin names the signatory first (the demo leaves it empty: no letter without one)
    a = journey("admin", phone=True)
    steps = Steps(a, "letter-office", phone=True)
    a.open_menu("Pengaturan Surat")
    a.page.get_by_label("Jabatan penanda tangan").fill("Kepala Dinas Komunikasi dan Informatika")
    a.page.get_by_label("Nama penanda tangan (dengan gelar)").fill("Dr. Hendra Wijaya, S.Kom.")
    a.page.get_by_label("NIP").fill("197001011995031001")
    steps.shot("settings")
    a.page.get_by_role("button", name="Simpan pengaturan").click()
    expect(a.page.locator(".flash-success")).to_be_visible()
    steps.shot("saved")

    s = journey("kabid")
    steps = Steps(s, "letter")
    page = s.page
    s.open_menu("Periode & Penilaian")
    page.locator("main table tbody tr").first.get_by_role("link").first.click()
    page.locator("main table").last.locator("tbody tr a").first.click()
    kim_name = page.get_by_role("heading", level=1).inner_text()
    page.get_by_role("button", name="Surat hasil evaluasi").click()
    expect(page.get_by_role("heading", level=1).first).to_have_text(
        "Pratinjau surat hasil evaluasi"
    )
    expect(page.locator(".sheet-stack")).to_contain_text(kim_name)
    steps.shot("preview")
    # the attachment's table stays inside its sheet (the app's own breakdown widths once leaked)
    sheet = page.locator(".sheet.attachment").bounding_box()
    table = page.locator(".sheet.attachment table.breakdown").bounding_box()
    assert table["x"] + table["width"] <= sheet["x"] + sheet["width"], (table, sheet)
    page.get_by_role("button", name="Terbitkan surat").click()
    flash = page.locator(".flash-success")
    expect(flash).to_contain_text(re.compile(r"^Surat .+ diterbitkan\.$"))
    number = re.match(r"Surat (.+) diterbitkan\.", flash.inner_text()).group(1)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Surat {number}")
    steps.shot("issued")

    with page.expect_download() as info:
        page.get_by_role("button", name="Unduh PDF").click()
    pdf = info.value.path().read_bytes()
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert number in text and kim_name in " ".join(text.split())
    verify_url = page.locator("dl.facts").get_by_role("link", name="buka").get_attribute("href")
    letter_url = page.url

    # the same letter and the register on the kabid's phone
    k = journey("kabid", phone=True)
    steps_phone = Steps(k, "letter-kabid", phone=True)
    k.go(letter_url.split(k.base_url)[1])
    expect(k.page.get_by_role("heading", level=1)).to_have_text(f"Surat {number}")
    steps_phone.shot("detail")
    k.page.get_by_role("link", name="Agenda Surat Keluar").click()
    expect(k.page.locator("main")).to_contain_text(number)
    steps_phone.shot("register")

    # anyone with the letter, not logged in, on a phone: the page, then the file they hold
    public = journey(phone=True)
    steps = Steps(public, "letter-public", phone=True)
    public.go(verify_url)
    ppage = public.page
    expect(ppage.locator(".verify-status")).to_have_text("Surat ini asli dan BERLAKU.")
    expect(ppage.locator("dl.facts")).to_contain_text(number)
    steps.shot("verify")
    ppage.locator("input[name=berkas]").set_input_files(
        files=[{"name": "surat.pdf", "mimeType": "application/pdf", "buffer": pdf}]
    )
    ppage.get_by_role("button", name="Periksa berkas").click()
    expect(ppage.locator(".check-result")).to_have_text(
        "Cocok: berkas ini sama persis dengan surat yang diarsipkan."
    )
    steps.shot("match")
    altered = pdf.replace(b"%%EOF", b"%%EOF\n% diubah", 1)
    ppage.locator("input[name=berkas]").set_input_files(
        files=[{"name": "surat.pdf", "mimeType": "application/pdf", "buffer": altered}]
    )
    ppage.get_by_role("button", name="Periksa berkas").click()
    expect(ppage.locator(".check-result")).to_contain_text("Tidak cocok")
    steps.shot("mismatch")
    assert [x.console.problems() for x in (a, s, k, public)] == [[], [], [], []]
