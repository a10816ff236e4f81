"""Results that say when they are stale (issue 13, point 4): every change to a period's inputs
makes the period page, the KIM's assessment page and its registry page say "data berubah sejak
penilaian terakhir (N KIM)" until the period is assessed again."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from sqlalchemy import select

from tests import factories
from tests.factories import import_counts, import_kims, import_posts
from tracker.extensions import db
from tracker.models import Assessment, InputRevision, Kim, Period
from tracker.services.assessment import runner
from tracker.services.assessment.freshness import period_freshness
from tracker.services.assessment.runner import assess_period, framework_for_period
from tracker.services.common import input_changes
from tracker.services.rules import frameworks

PERIOD = "2025-T1"
STALE = "Data berubah sejak penilaian terakhir"


@pytest.fixture(autouse=True)
def _uploads_in_tmp(app, tmp_path):
    app.config["UPLOAD_FOLDER"] = str(tmp_path / "uploads")


@pytest.fixture
def district(regions):
    """Three KIMs (two in Sukodono, one in Pasirian), assessed in 2025-T1."""
    frameworks.ensure_default()
    factories.make_period(PERIOD)
    kims = {
        "a": factories.kim(regions.desa_a1, "KIM Tukum Mandiri", kimid_number="KIM-1"),
        "b": factories.kim(regions.desa_a2, "KIM Sumber Rejeki", website="https://b.example"),
        "c": factories.kim(regions.desa_b1, "KIM Condro Jaya", kimid_number="KIM-3"),
    }
    factories.make_posts(kims["a"], ("berita", date(2025, 1, 6)))
    assess_period(PERIOD, None)
    return kims


def stale_count(page: str) -> int | None:
    """N of the notice on a page, or None when there is none."""
    found = re.search(STALE + r" \((\d+) KIM\)", page)
    return int(found.group(1)) if found else None


def pages(client, kim: Kim) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {
        "period": client.get(f"/penilaian/{PERIOD}").get_data(as_text=True),
        "kim": client.get(f"/penilaian/{PERIOD}/kim/{kim.id}").get_data(as_text=True),
        "registry": client.get(f"/kim/{kim.id}").get_data(as_text=True),
    }


def upload_posts(client, content: bytes):  # type: ignore[no-untyped-def]
    preview = client.post(
        "/aktivitas/impor/unggahan",
        data={"unggahan-file": (io.BytesIO(content), "unggahan.csv")},
        content_type="multipart/form-data",
    )
    token = re.search(r'name="token" (?:type="hidden" )?value="([^"]+)"', preview.text)
    assert token, preview.text
    return client.post(
        "/aktivitas/impor/unggahan/konfirmasi", data={"token": token.group(1), "skip_invalid": ""}
    )


ONE_POST = (
    b"Nomor KIM.id;Jenis;Tanggal;Judul;Tautan\r\n"
    b"KIM-1;berita;07/03/2025;Kerja bakti;https://a.example/1\r\n"
)


def test_fresh_results_say_nothing(client, login_as, district):
    login_as("admin")
    for page in pages(client, district["a"]).values():
        assert stale_count(page) is None
    assert "Belum dinilai" not in pages(client, district["a"])["period"]


def test_a_post_import_makes_the_pages_stale_until_a_rerun(client, login_as, district):
    login_as("petugas", scope=["35.08.09"], username="pet")
    posts = (
        b"Nomor KIM.id;Nama KIM;Desa;Jenis;Tanggal;Judul;Tautan\r\n"
        b"KIM-1;;;berita;07/03/2025;Kerja bakti;https://a.example/1\r\n"
        b"KIM-1;;;galeri;08/03/2025;Foto kerja bakti;https://a.example/2\r\n"
        b";KIM Sumber Rejeki;Sumberejo;agenda;09/03/2025;Rapat;https://b.example/3\r\n"
    )
    done = upload_posts(client, posts)
    assert done.status_code == 200, done.text
    # the result page offers the re-run: a petugas cannot run it, so it links to the period
    assert "Impor ini mengubah data penilaian periode 2025-T1" in done.text
    assert "Jalankan ulang penilaian" not in done.text
    assert f'href="/penilaian/{PERIOD}"' in done.text
    # a petugas sees the notice within its scope, without the button
    seen = pages(client, district["a"])
    assert stale_count(seen["period"]) == 2
    assert "Jalankan penilaian" not in seen["period"]
    client.post("/logout")

    login_as("admin")
    for name, page in pages(client, district["a"]).items():
        assert stale_count(page) == 2, name  # a and b changed; c did not
        assert "Jalankan penilaian" in page, name
    assert "Data KIM ini berubah sesudah penilaian" in pages(client, district["b"])["kim"]
    untouched = pages(client, district["c"])
    assert stale_count(untouched["period"]) == 2
    assert stale_count(untouched["kim"]) is None  # its own result is still right
    assert stale_count(untouched["registry"]) is None
    # the changed KIMs are marked in the list
    listed = untouched["period"][untouched["period"].index("Daftar KIM") :]
    assert listed.count("data berubah") == 2

    client.post("/logout")
    login_as("petugas", scope=["35.08.02"], username="pet-b")
    assert stale_count(pages(client, district["c"])["period"]) is None  # nothing in its scope
    client.post("/logout")

    login_as("kabid")
    assert client.post(f"/penilaian/{PERIOD}/jalankan").status_code == 302
    for kim in district.values():
        for name, page in pages(client, kim).items():
            assert stale_count(page) is None, (kim.name, name)


def test_an_admins_import_result_offers_the_run_button(client, login_as, district):
    login_as("admin")
    done = upload_posts(client, ONE_POST)
    assert "Jalankan ulang penilaian 2025-T1" in done.text
    assert 'action="/penilaian/2025-T1/jalankan"' in done.text


def _edit(client, kim: Kim, **changes: str):  # type: ignore[no-untyped-def]
    data = {
        "name": kim.name,
        "desa_code": kim.desa_code,
        "kimid_number": kim.kimid_number or "",
        "website": kim.website or "",
        "sk_number": kim.sk_number or "",
        "sk_date": kim.sk_date.isoformat() if kim.sk_date else "",
        "chair": "",
        "phone": "",
        "email": "",
        "members": "",
        "notes": "",
        "version": str(kim.version),
        **{f"channels-{i}-{f}": "" for i in range(4) for f in ("platform", "url")},
    }
    data.update(changes)
    return client.post(f"/kim/{kim.id}/ubah", data=data)


def test_a_registry_edit_is_stale_only_when_a_gate_flips(client, login_as, district):
    login_as("admin")
    b = district["b"]
    # a new chair or another SK number changes no result
    assert _edit(client, b, chair="Pak Baru", sk_number="188/99/2024").status_code == 302
    assert stale_count(pages(client, b)["period"]) is None
    # no KIM.id number and no site any more: K2 is no longer "ya"
    assert _edit(client, db.session.get(Kim, b.id), website="").status_code == 302
    seen = pages(client, b)
    assert stale_count(seen["period"]) == 1
    assert stale_count(seen["kim"]) == 1 and stale_count(seen["registry"]) == 1
    assert stale_count(pages(client, district["a"])["kim"]) is None
    assess_period(PERIOD, None)
    assert stale_count(pages(client, b)["period"]) is None


def test_new_and_deactivated_kims(client, login_as, district, regions):
    login_as("admin")
    created = client.post(
        "/kim/baru",
        data={
            "name": "KIM Baru Sekali",
            "desa_code": regions.desa_a1,
            "sk_number": "",
            "version": "",
            **{f"channels-{i}-{f}": "" for i in range(4) for f in ("platform", "url")},
        },
    )
    assert created.status_code == 302
    new = db.session.scalar(select(Kim).where(Kim.name == "KIM Baru Sekali"))
    assert client.post(f"/kim/{district['c'].id}/nonaktifkan").status_code == 302
    period_page = client.get(f"/penilaian/{PERIOD}").text
    assert stale_count(period_page) == 2  # one not assessed yet, one no longer active
    start, end = period_page.index('id="belum-dinilai"'), period_page.index("Per kecamatan")
    belum = period_page[start:end]
    assert "KIM Baru Sekali" in belum and "KIM Condro Jaya" not in belum
    kim_page = client.get(f"/penilaian/{PERIOD}/kim/{new.id}").text
    assert stale_count(kim_page) == 2 and "KIM ini belum dinilai pada periode ini." in kim_page
    full = client.get(f"/penilaian/{PERIOD}/belum-dinilai").text
    assert "KIM Baru Sekali" in full and "KIM Tukum Mandiri" not in full

    assess_period(PERIOD, None)
    period_page = client.get(f"/penilaian/{PERIOD}").text
    assert stale_count(period_page) is None
    assert "1 KIM nonaktif tidak dinilai." in period_page
    assert 'id="belum-dinilai"' not in period_page
    assert "Semua KIM aktif sudah dinilai." in client.get(f"/penilaian/{PERIOD}/belum-dinilai").text


def test_the_not_assessed_list_is_cut_with_a_link_to_all(client, login_as, district, regions):
    for n in range(12):
        factories.kim(regions.desa_b1, f"KIM Susulan {n:02}")
    login_as("viewer")
    page = client.get(f"/penilaian/{PERIOD}").text
    belum = page[page.index('id="belum-dinilai"') : page.index("Per kecamatan")]
    assert belum.count("KIM Susulan") == 10
    assert "lihat semua (12 KIM)" in belum
    assert stale_count(page) == 12
    full = client.get(f"/penilaian/{PERIOD}/belum-dinilai?per_page=50").text
    assert full.count("KIM Susulan") == 12
    # the list is the shared data_table: a card per KIM on a phone, each value labelled
    assert 'class="striped responsive' in full
    assert full.count('data-label="Kecamatan"') == 12


def _grid(client, kim: Kim, value: str, note: str = ""):  # type: ignore[no-untyped-def]
    return client.post(
        f"/aktivitas/pengukuran/{PERIOD}?kecamatan=35.08.09",
        data={f"v-{kim.id}-K3": value, f"n-{kim.id}-K3": note},
    )


def test_measurements_mark_only_the_kims_whose_values_changed(client, login_as, district):
    login_as("kabid")
    assert _grid(client, district["a"], "2").status_code == 302
    assert stale_count(client.get(f"/penilaian/{PERIOD}").text) == 1
    assess_period(PERIOD, None)
    # the same value with a new note changes no result
    assert _grid(client, district["a"], "2", "AD/ART ada").status_code == 302
    assert stale_count(client.get(f"/penilaian/{PERIOD}").text) is None
    assert _grid(client, district["a"], "").status_code == 302  # cleared
    assert stale_count(client.get(f"/penilaian/{PERIOD}").text) == 1


TOTALS = b"Nomor KIM.id;Berita;Galeri;Pengumuman;Agenda\r\nKIM-3;4;1;0;0\r\n"


def test_period_totals_mark_their_period(district):
    result = import_counts(TOTALS, "jumlah.csv", PERIOD, None)
    assert result.written and result.changed_periods == [PERIOD]
    period = db.session.scalar(select(Period).where(Period.code == PERIOD))
    assert period_freshness(None, period, framework_for_period(period.id).id).changed == 1
    again = import_counts(TOTALS, "jumlah.csv", PERIOD, None)
    assert again.changed_periods == []  # the same totals: nothing changed
    assert period_freshness(None, period, framework_for_period(period.id).id).changed == 1


def test_posts_mark_the_open_periods_they_can_change(district):
    frameworks.ensure_default()
    factories.make_period("2025-T2")
    a, c = district["a"], district["c"]  # a has a post in 2025-T1, c has none at all
    later = b"Nomor KIM.id;Jenis;Tanggal;Judul;Tautan\r\n%s;berita;05/04/2025;Baru;\r\n"
    # a post after 2025-T1 cannot change a KIM's 2025-T1 values when it already has posts
    assert import_posts(later % b"KIM-1", "a.csv", None).changed_periods == ["2025-T2"]
    # a KIM's first post ever turns its W1-W3 of every period from "no data" into measured
    assert import_posts(later % b"KIM-3", "c.csv", None).changed_periods == [PERIOD, "2025-T2"]
    marked = set(db.session.execute(select(InputRevision.period_id, InputRevision.kim_id)).all())
    t1, t2 = (
        db.session.scalar(select(Period.id).where(Period.code == p)) for p in (PERIOD, "2025-T2")
    )
    assert marked == {(t2, a.id), (t1, c.id), (t2, c.id)}


def test_a_closed_period_is_never_stale(client, login_as, district):
    period = db.session.scalar(select(Period).where(Period.code == PERIOD))
    period.state = "closed"
    db.session.commit()
    factories.kim(name="KIM Sesudah Tutup")
    login_as("admin")
    assert stale_count(client.get(f"/penilaian/{PERIOD}").text) is None


def test_a_change_during_a_run_leaves_the_result_stale(district, monkeypatch):
    """The run reads the revisions before the inputs: a change that lands after that read is
    never taken as included, even when the run goes on to store its results."""
    period = db.session.scalar(select(Period).where(Period.code == PERIOD))
    real = runner.collect_inputs

    def changed_meanwhile(*args, **kwargs):  # type: ignore[no-untyped-def]
        input_changes.period_changed(period.id, [district["a"].id])
        return real(*args, **kwargs)

    monkeypatch.setattr(runner, "collect_inputs", changed_meanwhile)
    assess_period(PERIOD, None)
    state = period_freshness(None, period, framework_for_period(period.id).id)
    assert state.changed == 1
    stored = db.session.scalar(select(Assessment).where(Assessment.kim_id == district["a"].id))
    assert stored.inputs_revision == 0
    monkeypatch.setattr(runner, "collect_inputs", real)
    assess_period(PERIOD, None)
    assert period_freshness(None, period, framework_for_period(period.id).id).stale == 0


def test_the_period_page_runs_the_same_queries_however_many_kims_are_stale(
    client, login_as, district, regions, count_queries
):
    login_as("admin", username="pembaca")

    def grow(n: int, start: int) -> None:
        for i in range(start, start + n):
            kim = factories.kim(regions.desa_a1, f"KIM Tambahan {i:03}", kimid_number=f"T-{i}")
            factories.make_posts(kim, ("berita", date(2025, 2, 1)))
        assess_period(PERIOD, None)
        for i in range(start, start + n):  # and as many again registered after the run
            factories.kim(regions.desa_b1, f"KIM Susulan {i:03}")
        import_posts(
            b"Nomor KIM.id;Jenis;Tanggal;Judul;Tautan\r\n"
            + b"".join(b"T-%d;galeri;03/02/2025;Foto;\r\n" % i for i in range(start, start + n)),
            "t.csv",
            None,
        )

    grow(2, 0)
    with count_queries() as few:
        page = client.get(f"/penilaian/{PERIOD}")
    assert stale_count(page.text) == 4
    grow(12, 100)
    with count_queries() as many:
        page = client.get(f"/penilaian/{PERIOD}")
    assert stale_count(page.text) == 24
    assert len(many) == len(few)


def test_a_registry_import_marks_gate_flips_and_offers_new_kims_a_run(district, regions):
    d = factories.kim(regions.desa_a1, "KIM Tanpa SK", sk_number=None, sk_date=None)
    assess_period(PERIOD, None)
    header = "Nomor KIM.id,Nama KIM,Desa/Kelurahan,Kecamatan,No. SK,Tanggal SK\r\n"
    period = db.session.scalar(select(Period).where(Period.code == PERIOD))

    def state():  # type: ignore[no-untyped-def]
        return period_freshness(None, period, framework_for_period(period.id).id)

    unchanged = import_kims(
        (header + ",KIM Tanpa SK,Kutorenon,Sukodono,,\r\n").encode(), "a.csv", None
    )
    assert unchanged.written and unchanged.changed_periods == [] and state().stale == 0
    with_sk = import_kims(
        (header + ",KIM Tanpa SK,Kutorenon,Sukodono,188/7/2024,07/03/2025\r\n").encode(),
        "b.csv",
        None,
    )
    assert with_sk.written and with_sk.changed_periods == [PERIOD]  # K1 is "ya" now
    assert (state().changed, state().unassessed) == (1, 0)
    assert db.session.get(Kim, d.id).sk_number == "188/7/2024"
    new = import_kims((header + ",KIM Impor Baru,Condro,Pasirian,,\r\n").encode(), "c.csv", None)
    assert new.written and new.changed_periods == [PERIOD]
    assert (state().changed, state().unassessed) == (1, 1)


def test_a_submitted_value_marks_nothing_until_it_is_verified(client, auth, login_as, district):
    """A petugas's value does not count until verified, so it cannot make a result stale; the
    verification that makes it count does."""
    factories.user("petugas", scope=["35.08.09"], username="lapangan")
    assert auth.login("lapangan").status_code == 302
    assert _grid(client, district["a"], "3").status_code == 302
    assert stale_count(client.get(f"/penilaian/{PERIOD}").text) is None
    auth.logout()
    login_as("kabid")
    review = client.get(f"/aktivitas/verifikasi/{PERIOD}").text
    picked = re.findall(r'name="pilih" value="([^"]+)"', review)
    assert picked
    response = client.post(
        f"/aktivitas/verifikasi/{PERIOD}", data={"aksi": "verifikasi", "pilih": picked}
    )
    assert response.status_code == 302
    assert stale_count(client.get(f"/penilaian/{PERIOD}").text) == 1
