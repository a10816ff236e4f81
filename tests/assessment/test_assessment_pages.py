"""Assessment pages: period overview, run button, export, a KIM's assessment, Top Konten."""

from __future__ import annotations

import copy
import csv
import io
from dataclasses import dataclass
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from flask import render_template
from sqlalchemy import func, select

from tests import factories
from tracker.extensions import db
from tracker.models import Assessment, Kim, Period
from tracker.services.assessment.runner import assess_period, latest_for_kim
from tracker.services.rules import frameworks


@dataclass
class World:
    sukodono: Kim  # kec_a, climbs from Rintisan to Berkembang
    pasirian: Kim  # kec_b


def _measure(kim: Kim, period, **values: float) -> None:  # type: ignore[no-untyped-def]
    for code, value in values.items():
        factories.make_measurement(kim, period, code, value)


@pytest.fixture
def world(regions) -> World:
    frameworks.ensure_default()
    before = factories.make_period("2024-T4")
    now = factories.make_period("2025-T1")
    sukodono = factories.kim(
        desa_code=regions.desa_a1, name="KIM Kutorenon Maju", kimid_number="KIM-3508-001"
    )
    pasirian = factories.kim(
        desa_code=regions.desa_b1, name="KIM Condro Sejahtera", website="https://condro.example"
    )
    start = date(2025, 1, 1)
    factories.make_posts(sukodono, *[("berita", start + timedelta(days=7 * w)) for w in range(13)])
    _measure(sukodono, now, K3=4, D1=4)
    assess_period(before, None)
    assess_period(now, None)
    return World(sukodono, pasirian)


def test_overview_shows_tiers_kecamatan_movers_and_kims(client, login_as, world):
    login_as("admin")
    response = client.get("/penilaian/2025-T1")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for text in (
        "Penilaian 2025-T1",
        "Sukodono",
        "Pasirian",
        "KIM Kutorenon Maju",
        "KIM Condro Sejahtera",
        "Dibandingkan periode 2024-T4: 1 KIM naik, 0 KIM turun.",
        "Jalankan penilaian",
        "Unduh XLSX",
    ):
        assert text in page, text
    # the mover is listed with both tiers
    assert "Naik jenjang" in page and "Berkembang" in page


def _kim_list(page: str) -> str:
    return page[page.index("Daftar KIM") :]


def test_overview_search_and_scope(client, login_as, world, regions):
    login_as("admin")
    listed = _kim_list(client.get("/penilaian/2025-T1?q=condro").get_data(as_text=True))
    assert "KIM Condro Sejahtera" in listed
    assert "KIM Kutorenon Maju" not in listed
    listed = _kim_list(client.get("/penilaian/2025-T1?q=sukodono").get_data(as_text=True))
    assert "KIM Condro Sejahtera" not in listed
    assert "KIM Kutorenon Maju" in listed
    client.post("/logout")
    login_as("petugas", scope=[regions.kec_b])
    page = client.get("/penilaian/2025-T1").get_data(as_text=True)
    assert "KIM Condro Sejahtera" in page
    assert "KIM Kutorenon Maju" not in page
    assert "Sukodono" not in page
    assert "Jalankan penilaian" not in page


def test_unknown_period_is_404_and_login_is_required(client, login_as, world):
    assert client.get("/penilaian/2025-T1").status_code == 302
    login_as("viewer")
    assert client.get("/penilaian/2030-T1").status_code == 404
    assert client.get("/penilaian/bukan-kode").status_code == 404
    assert client.get("/penilaian/2025-T1").status_code == 200


def test_run_button_reassesses_for_managers_only(client, login_as, world):
    count = db.session.scalar(select(func.count()).select_from(Assessment))
    login_as("petugas", username="pet")
    assert client.post("/penilaian/2025-T1/jalankan").status_code == 403
    client.post("/logout")
    login_as("viewer")
    assert client.post("/penilaian/2025-T1/jalankan").status_code == 403
    client.post("/logout")
    login_as("kabid")
    response = client.post("/penilaian/2025-T1/jalankan", follow_redirects=True)
    assert response.status_code == 200
    assert "Penilaian 2025-T1 selesai: 2 KIM dinilai" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Assessment)) == count
    assert client.post("/penilaian/2031-T1/jalankan").status_code == 404


def test_run_needs_the_csrf_token(app, client, login_as, world):
    login_as("admin")
    app.config["WTF_CSRF_ENABLED"] = True
    assert client.post("/penilaian/2025-T1/jalankan").status_code == 400


def test_a_closed_period_cannot_be_rerun(client, login_as, world):
    closed = db.session.scalar(select(Period).where(Period.code == "2025-T1"))
    closed.state = "closed"
    db.session.commit()
    before = db.session.scalars(select(Assessment.computed_at)).all()
    login_as("admin")
    page = client.get("/penilaian/2025-T1").get_data(as_text=True)
    assert "Jalankan penilaian" not in page
    response = client.post("/penilaian/2025-T1/jalankan", follow_redirects=True)
    assert "sudah ditutup" in response.get_data(as_text=True)
    assert db.session.scalars(select(Assessment.computed_at)).all() == before


def test_export_downloads_the_scoped_rows(client, login_as, world, regions):
    login_as("petugas", scope=[regions.kec_a], username="pet-a")
    response = client.get("/penilaian/2025-T1/ekspor.csv")
    assert response.status_code == 200
    assert "penilaian-2025-T1.csv" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert rows[0][:5] == ["Nomor KIM.id", "KIM", "Desa", "Kecamatan", "Skor"]
    assert [r[1] for r in rows[1:]] == ["KIM Kutorenon Maju"]
    xlsx = client.get("/penilaian/2025-T1/ekspor.xlsx")
    assert xlsx.status_code == 200
    assert xlsx.data[:2] == b"PK"
    assert client.get("/penilaian/2025-T1/ekspor.pdf").status_code == 302
    assert client.get("/penilaian/2030-T1/ekspor.csv").status_code == 404


def test_kim_page_shows_breakdown_sources_gaps_history_and_roadmap(client, login_as, world):
    login_as("viewer")
    response = client.get(f"/penilaian/2025-T1/kim/{world.sukodono.id}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for text in (
        "KIM Kutorenon Maju",
        "Berita per bulan",
        "unggahan",
        "registri",
        "terverifikasi",
        "data belum ada",
        "Kenaikan dibatasi 1 jenjang per periode",
        "Langkah menuju jenjang berikutnya",
        # raw Maju held back to Berkembang by the promotion limit: nothing more to plan
        "Nilai periode ini sudah memenuhi skor dan syarat Maju; bila dipertahankan, KIM ini naik "
        "ke Maju pada periode berikutnya.",
        "2024-T4",
        "Riwayat jenjang",
    ):
        assert text in page, text


def _source_cells(page: str) -> dict[str, str]:
    """Indicator code → the text of its "Sumber" cell on a KIM's breakdown, tags removed."""
    import re

    cells = {}
    for row in re.findall(r"<tr>\s*<td class=\"title\">(\w+)</td>(.*?)</tr>", page, re.S):
        code, rest = row
        source = rest[rest.index('class="source"') :]
        cells[code] = " ".join(re.sub(r"<[^>]+>", " ", source.split(">", 1)[1]).split())
    return cells


def test_breakdown_says_where_each_value_comes_from(client, login_as, world):
    login_as("viewer")
    page = client.get(f"/penilaian/2025-T1/kim/{world.sukodono.id}").get_data(as_text=True)
    cells = _source_cells(page)
    # K1/K2 from the registry, with what the registry holds
    assert cells["K1"].startswith("registri Registri: 'ya' bila data KIM memuat nomor dan tanggal")
    assert f"Registri sekarang: SK {world.sukodono.sk_number}, 15 Januari 2024." in cells["K1"]
    assert "Registri sekarang: KIM.id KIM-3508-001." in cells["K2"]
    # W from the posts, K3 and D1 entered and verified (who/when), M1 missing: entered by hand
    assert cells["W1"].startswith("unggahan Berita dalam periode dibagi jumlah bulannya")
    assert cells["W2"].startswith("unggahan Persen minggu")
    assert cells["K3"].startswith("terverifikasi diisi (sistem)")
    assert cells["M1"].startswith("data belum ada Diisi dengan tangan: unggahan media sosial")
    assert "Yang perlu dilakukan: Periksa akun medsos KIM dan isi M1" in cells["M1"]
    # P: counted from the attendance (none here: 0 sessions) and the follow-ups (none due)
    assert cells["P1"].startswith("daftar hadir Sesi pembinaan yang dihadiri KIM dalam 12 bulan")
    assert cells["P2"].startswith("ketentuan Persen tindak lanjut")
    assert "tanpa tindak lanjut jatuh tempo, skor 100 menurut ketentuan" in cells["P2"]
    gaps = page[page.index("<h3>Data belum ada</h3>") :]
    assert "M1 Kanal medsos aktif</strong>: Periksa akun medsos KIM" in gaps
    assert "P1" not in gaps[: gaps.index("</ul>")]  # set by rule: not a gap


def test_breakdown_of_a_kim_with_only_a_site_and_totals(client, login_as, world, regions):
    now = db.session.scalar(select(Period).where(Period.code == "2025-T1"))
    factories.make_count(world.pasirian, now, berita=6, galeri=2)
    factories.make_measurement(world.pasirian, now, "M1", 2, status="submitted")
    assess_period("2025-T1", None)
    login_as("viewer")
    page = client.get(f"/penilaian/2025-T1/kim/{world.pasirian.id}").get_data(as_text=True)
    cells = _source_cells(page)
    assert "Registri sekarang: situs https://condro.example, tanpa nomor KIM.id." in cells["K2"]
    assert cells["W1"].startswith("rekap per periode")
    assert cells["W3"].startswith("rekap per periode")
    # the totals carry no dates: W2 and W4 are missing, and the page says what to do
    assert cells["W2"].startswith("data belum ada")
    assert "Yang perlu dilakukan: Impor unggahan KIM.id bertanggal" in cells["W2"]
    # a petugas's value waiting for verification is shown, and not counted
    assert cells["M1"].startswith("data belum ada")
    assert "Diajukan (sistem): 2, menunggu verifikasi (belum dihitung)" in cells["M1"]


def test_the_framework_page_and_the_breakdown_share_one_vocabulary(client, login_as, world):
    import re

    login_as("viewer")
    breakdown = client.get(f"/penilaian/2025-T1/kim/{world.sukodono.id}").get_data(as_text=True)
    framework = client.get("/kerangka/1").get_data(as_text=True)

    def legend(page: str) -> list[tuple[str, str]]:
        part = page[page.index('class="source-legend"') :]
        return re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", part[: part.index("</details>")])

    words = legend(breakdown)
    assert [w for w, _meaning in words] == [
        "registri",
        "unggahan",
        "unggahan (dipanen)",
        "rekap per periode",
        "daftar hadir",
        "tindak lanjut",
        "diajukan",
        "terverifikasi",
        "ditolak",
        "ketentuan",
        "data belum ada",
    ]
    assert legend(framework) == words
    # each indicator's sources on the framework page, in those words
    rows = dict(
        re.findall(
            r'<td class="title">(\w+)</td>.*?class="source-word">(.*?)</strong>', framework, re.S
        )
    )
    assert rows["K1"] == rows["K2"] == "registri · terverifikasi"
    assert (
        rows["W1"]
        == rows["W3"]
        == ("unggahan · unggahan (dipanen) · rekap per periode · terverifikasi")
    )
    assert rows["W2"] == rows["W4"] == "unggahan · unggahan (dipanen) · terverifikasi"
    assert rows["M1"] == rows["K3"] == rows["D1"] == "terverifikasi"
    assert rows["P1"] == "daftar hadir · terverifikasi"
    assert rows["P2"] == "tindak lanjut · ketentuan · terverifikasi"
    assert "manual" not in rows.values() and "dihitung" not in rows.values()


def _roadmap_section(client, login_as, kim: Kim) -> str:  # type: ignore[no-untyped-def]
    """The roadmap part of the KIM's 2025-T1 page, as a viewer reads it."""
    login_as("viewer")
    page = client.get(f"/penilaian/2025-T1/kim/{kim.id}").get_data(as_text=True)
    return page[page.index("Langkah menuju jenjang berikutnya") : page.index("Riwayat jenjang")]


def test_kim_page_shows_the_plan_against_the_gap(client, login_as, world):
    # KIM Condro Sejahtera has an SK and a KIM.id site and nothing else, as KIM Alun-Alun: 5,00
    section = _roadmap_section(client, login_as, world.pasirian)
    assert (
        "Kurang 35,00 poin untuk mencapai batas bawah Berkembang; rencana ini +35,65 poin "
        "(skor menjadi 40,65)." in section
    )
    assert "Rencana menuju Berkembang" in section
    assert "≥ 4 <small" in section and "2 pita" in section  # W1 climbs two bands at once
    assert "Penulisan berita desa" in section
    total = section[section.index("<tfoot>") :]
    assert "+35,65 poin" in total and "kekurangan 35,00 poin" in total
    assert "tidak dapat dicapai" not in section


def test_kim_page_says_when_the_next_tier_is_out_of_reach(client, login_as, world):
    # a version under which Berkembang needs D1 ≥ 50 while D1 scores at most 4 × 10 = 40
    active = frameworks.get_active()
    assert active is not None
    draft = frameworks.create_draft(active.version, None)
    definition = copy.deepcopy(draft.definition)
    for ind in definition["indicators"]:
        if ind["code"] == "D1":
            ind["factor"] = 10
    definition["conditions"].append({"tier": "Berkembang", "target": "D1", "min": 50})
    frameworks.update_draft(draft.version, definition, None)
    frameworks.activate(draft.version, None)
    assess_period("2025-T1", None)

    section = _roadmap_section(client, login_as, world.pasirian)
    assert (
        "Berkembang tidak dapat dicapai dalam satu periode: skor tertinggi yang dapat dicapai "
        "88,00 (batas bawah Berkembang 40,00)." in section
    )
    assert (
        "Berkembang memerlukan D1 Bukti kemandirian (konten potensi/UMKM rutin, literasi/cek "
        "fakta, mitra/dana non-APBD, prestasi) ≥ 50; paling tinggi yang dapat dicapai dalam satu "
        "periode 40,00." in section
    )
    assert "Langkah menuju skor tertinggi yang dapat dicapai" in section
    assert "rencana ini" not in section


def test_kim_page_tells_a_held_kim_what_keeps_its_tier(client, login_as, world):
    # stored as held by the stability rule: Berkembang kept one period at a raw Rintisan 5,00
    stored = db.session.scalar(
        select(Assessment)
        .join(Period, Period.id == Assessment.period_id)
        .where(Assessment.kim_id == world.pasirian.id, Period.code == "2025-T1")
    )
    stored.tier = "Berkembang"
    db.session.commit()
    login_as("viewer")
    page = client.get(f"/penilaian/2025-T1/kim/{world.pasirian.id}").get_data(as_text=True)
    assert "Langkah menuju jenjang berikutnya" not in page
    assert "Yang harus dicapai agar tetap Berkembang" in page
    assert (
        "Berkembang dipertahankan satu periode oleh aturan stabilitas (jenjang mentah Rintisan). "
        "Agar tetap Berkembang pada periode berikutnya, skor harus mencapai 40,00" in page
    )
    assert "Kurang 35,00 poin untuk mencapai batas bawah Berkembang; rencana ini +35,65" in page


def test_kim_page_scope_and_missing(client, login_as, world, regions):
    login_as("petugas", scope=[regions.kec_b], username="pet-b")
    assert client.get(f"/penilaian/2025-T1/kim/{world.sukodono.id}").status_code == 404
    assert client.get(f"/penilaian/2025-T1/kim/{world.pasirian.id}").status_code == 200
    assert client.get("/penilaian/2025-T1/kim/999999").status_code == 404


def test_names_are_escaped(client, login_as, world):
    world.pasirian.name = "<script>alert(1)</script>"
    db.session.commit()
    login_as("admin")
    page = client.get("/penilaian/2025-T1").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page


def test_leaderboard_page(client, login_as, world, regions):
    login_as("viewer")
    response = client.get("/penilaian/top-konten?sampai=2025-03-31")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Top Konten" in page
    assert "KIM Kutorenon Maju" in page
    assert "31 Maret 2025" in page
    filtered = client.get(f"/penilaian/top-konten?kecamatan={regions.kec_b}").get_data(as_text=True)
    assert "KIM Kutorenon Maju" not in filtered
    assert "Belum ada unggahan" in filtered
    # a bad date falls back to today and says why
    bad = client.get("/penilaian/top-konten?sampai=31-31-2025")
    assert bad.status_code == 200
    text = bad.get_data(as_text=True)
    assert "Tanggal tidak valid" in text
    assert 'value="31-31-2025"' in text  # what was typed stays in the form


def test_kim_summary_include(app, world):
    latest = latest_for_kim(world.sukodono.id)
    with app.test_request_context():
        html = render_template(
            "assessments/_kim_summary.html", kim=world.sukodono, latest_assessment=latest
        )
        never = render_template(
            "assessments/_kim_summary.html", kim=world.pasirian, latest_assessment=None
        )
        via_detail = render_template(
            "assessments/_kim_summary.html",
            kim=world.sukodono,
            detail=SimpleNamespace(latest_assessment=latest),
        )
        not_given = render_template("assessments/_kim_summary.html", kim=world.pasirian)
    assert "Berkembang" in html and "2025-T1" in html
    assert f"/penilaian/2025-T1/kim/{world.sukodono.id}" in html
    assert "belum pernah dinilai" in never
    assert "Berkembang" in via_detail
    assert not_given.strip() == ""


def test_overview_sorts_by_the_header_links(client, login_as, world):
    login_as("admin")
    by_name = _kim_list(client.get("/penilaian/2025-T1?sort=nama").get_data(as_text=True))
    assert by_name.index("KIM Condro Sejahtera") < by_name.index("KIM Kutorenon Maju")
    by_score = _kim_list(client.get("/penilaian/2025-T1?sort=-skor").get_data(as_text=True))
    assert by_score.index("KIM Kutorenon Maju") < by_score.index("KIM Condro Sejahtera")
    by_kec = _kim_list(client.get("/penilaian/2025-T1?sort=-kecamatan").get_data(as_text=True))
    assert by_kec.index("KIM Kutorenon Maju") < by_kec.index("KIM Condro Sejahtera")
    # an unknown sort key falls back to the score, not an error
    assert client.get("/penilaian/2025-T1?sort=drop+table").status_code == 200
