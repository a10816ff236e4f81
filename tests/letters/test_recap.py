"""The district recap report (Laporan Hasil Evaluasi KIM): its chapters, tables and chart as the
PDF prints them, its number from the letters' register, one in force per period, a render that
raises taking no number, and who may issue it from the page and the command line."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select, update

from tests import factories
from tests.letters.conftest import TODAY
from tracker.extensions import db
from tracker.models import Assessment, Letter, LetterSequence
from tracker.models.letters import KIND_RECAP
from tracker.pdf import letter as letter_pdf
from tracker.pdf import recap as recap_pdf
from tracker.services.common.errors import Forbidden, Invalid
from tracker.services.letters import archive, recap


def quick_recap(data: recap_pdf.RecapData, logo=None) -> letter_pdf.RenderedLetter:  # type: ignore[no-untyped-def]
    body = f"%PDF-1.7\n% {data.number} {data.period_code}\n%%EOF\n".encode()
    return letter_pdf.RenderedLetter(pdf=body, signature_box=None)


@pytest.fixture
def fast_recap(monkeypatch) -> None:
    monkeypatch.setattr(recap_pdf, "render_recap", quick_recap)


@pytest.fixture
def two_periods(regions, monkeypatch):  # type: ignore[no-untyped-def]
    """2024-T4 and 2025-T1 assessed for 3 KIMs in Sukodono and 1 in Pasirian; the first
    Sukodono KIM was Mandiri in 2024-T4 (so it moved down)."""
    factories.office_ready()
    factories.freeze_today(monkeypatch, TODAY)
    sukodono, _ = factories.assessed_kims(regions.desa_a1, count=3, period_code="2024-T4")
    pasirian, _ = factories.assessed_kims(regions.desa_b1, count=1, period_code="2024-T4")
    factories.assessed_kims(regions.desa_a1, count=0, period_code="2025-T1")
    from tracker.services.assessment.runner import assess_period
    from tracker.services.rules.periods import get_period

    previous = get_period("2024-T4")
    db.session.execute(
        update(Assessment)
        .where(Assessment.kim_id == sukodono[0].id, Assessment.period_id == previous.id)
        .values(tier="Mandiri")
    )
    db.session.commit()
    assess_period(get_period("2025-T1"), None)
    return sukodono, pasirian


def test_the_recap_prints_its_chapters_figures_and_signature(two_periods):
    sukodono, _pasirian = two_periods
    letter = recap.issue_recap(None, "2025-T1")
    assert letter.kind == KIND_RECAP and letter.kim_id is None and letter.sequence == 1
    reader = PdfReader(io.BytesIO(archive.read(letter.pdf_path)))
    text = " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)
    for expected in (
        "LAPORAN HASIL EVALUASI KELOMPOK INFORMASI MASYARAKAT",
        "TRIWULAN I TAHUN 2025",
        f"Nomor: {letter.number}",
        "I. PENDAHULUAN",
        "II. KEGIATAN YANG DILAKSANAKAN",
        "III. HASIL YANG DICAPAI",
        "Sebaran Jenjang per Kecamatan",
        "Sukodono",
        "Pasirian",
        "Grafik sebaran jenjang",
        "Perubahan Jenjang",
        "Dibanding Triwulan IV Tahun 2024, 0 KIM naik jenjang dan 1 KIM turun jenjang",
        "KIM yang turun jenjang",
        sukodono[0].name,
        "IV. SIMPULAN DAN SARAN",
        "Dari 4 KIM yang dinilai",
        "V. PENUTUP",
        "Lumajang, 7 April 2025",
        "Drs. SUPRIYADI, M.Si.",
        "NIP 19700101 199503 1 001",
    ):
        assert expected in text, expected
    assert b"<svg" not in archive.read(letter.pdf_path)  # the chart is drawn, not embedded as text


def test_the_recap_takes_the_registers_next_number_and_is_listed_as_a_recap(
    two_periods, fast_recap, client, login_as
):
    from tests.letters.conftest import quick_pdf
    from tracker.services.letters import issue

    sukodono, _pasirian = two_periods
    letter_pdf.render_letter, original = quick_pdf, letter_pdf.render_letter
    try:
        first = issue.issue_letter(None, "2025-T1", sukodono[0].id)
        report = recap.issue_recap(None, "2025-T1")
        after = issue.issue_letter(None, "2025-T1", sukodono[1].id)
    finally:
        letter_pdf.render_letter = original
    assert (first.sequence, report.sequence, after.sequence) == (1, 2, 3)
    assert db.session.scalar(select(LetterSequence.last_number)) == 3
    login_as("kabid")
    page = client.get("/surat/").get_data(as_text=True)
    assert report.number in page and "Rekap" in page
    detail = client.get(f"/surat/{report.id}").get_data(as_text=True)
    assert "Laporan Hasil Evaluasi KIM" in detail and "Skor rata-rata" in detail
    public = client.get(f"/verifikasi/{report.token}").get_data(as_text=True)
    assert report.number in public and "Laporan Hasil Evaluasi KIM" in public


def test_one_recap_in_force_per_period(two_periods, fast_recap):
    first = recap.issue_recap(None, "2025-T1")
    with pytest.raises(Invalid, match=first.number):
        recap.issue_recap(None, "2025-T1")
    assert recap.issue_recap(None, "2024-T4").sequence == 2


def test_a_recap_whose_render_raises_takes_no_number(two_periods, monkeypatch):
    def broken(data, logo=None):  # type: ignore[no-untyped-def]
        raise RuntimeError("render gagal")

    monkeypatch.setattr(recap_pdf, "render_recap", broken)
    with pytest.raises(RuntimeError):
        recap.issue_recap(None, "2025-T1")
    assert db.session.scalar(select(func.count()).select_from(Letter)) == 0
    assert db.session.scalar(select(LetterSequence.last_number)) in (None, 0)


def test_a_period_not_assessed_has_no_recap(regions, fast_recap):
    factories.office_ready()
    factories.make_period("2025-T2")
    with pytest.raises(Invalid, match="belum dinilai"):
        recap.issue_recap(None, "2025-T2")


def test_petugas_cannot_issue_a_recap(two_periods, client, login_as, fast_recap):
    with pytest.raises(Forbidden):
        recap.issue_recap(factories.user(role="petugas", username="petugas-rekap"), "2025-T1")
    login_as("petugas")
    response = client.post("/surat/batch/rekap", data={"rekap-periode": "2025-T1"})
    assert response.status_code == 403
    assert db.session.scalar(select(func.count()).select_from(Letter)) == 0


def test_the_page_button_issues_the_recap(two_periods, client, login_as, fast_recap):
    login_as("kabid")
    page = client.get("/surat/batch/?periode=2025-T1").get_data(as_text=True)
    assert "Terbitkan laporan rekap" in page
    response = client.post("/surat/batch/rekap", data={"rekap-periode": "2025-T1"})
    report = db.session.scalar(select(Letter))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/surat/{report.id}")
    assert report.kind == KIND_RECAP and report.issued_by.username == "kabid1"
    again = client.post("/surat/batch/rekap", data={"rekap-periode": "2025-T1"})
    assert again.status_code == 422 and report.number in again.get_data(as_text=True)


def test_the_period_page_leads_to_batches_and_the_recap(two_periods, client, auth, login_as):
    login_as("kabid")
    page = client.get("/penilaian/2025-T1").get_data(as_text=True)
    assert "/surat/batch/?periode=2025-T1" in page
    auth.logout()
    login_as("viewer")
    assert "/surat/batch/" not in client.get("/penilaian/2025-T1").get_data(as_text=True)


def test_the_recap_command_writes_the_pdf(two_periods, runner, tmp_path, fast_recap):
    result = runner.invoke(args=["letters", "recap", "--period", "2025-T1", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    report = db.session.scalar(select(Letter))
    written = list(tmp_path.glob("laporan-evaluasi-kim-2025-T1-*.pdf"))
    assert len(written) == 1 and written[0].read_bytes() == archive.read(report.pdf_path)
    assert report.number in result.output
    refused = runner.invoke(
        args=["letters", "recap", "--period", "2025-T1", "--out", str(tmp_path)]
    )
    assert refused.exit_code == 1 and "sudah terbit" in refused.output


def _issue_recap_at_once(config: dict, start, results) -> None:  # type: ignore[no-untyped-def]
    """One process (a second click on the button, another web worker): its own application on
    the shared database, issuing the period's recap when the other process does."""
    try:
        import time

        from tracker import create_app

        def slow_recap(data, logo=None):  # type: ignore[no-untyped-def]
            time.sleep(0.5)  # a render takes time: the other process checks meanwhile
            return quick_recap(data, logo)

        app = create_app(config)
        with app.app_context():
            recap_pdf.render_recap = slow_recap
            start.wait(timeout=60)
            try:
                results.put(("issued", recap.issue_recap(None, "2025-T1").number))
            except Invalid as refused:
                results.put(("refused", refused.message))
            db.session.remove()
            db.engine.dispose()
    except BaseException as exc:  # reported to the test
        results.put(("error", repr(exc)))
        start.abort()


@pytest.mark.slow
def test_two_recaps_issued_at_once_leave_one_in_force(app, sibling_app, monkeypatch, tmp_path):
    """A double click (or two users) on "Terbitkan laporan": one recap is issued, the other
    refused with its number; never two recaps in force for one period."""
    import contextlib
    import multiprocessing
    import threading

    factories.freeze_today(monkeypatch, TODAY)
    shared = sibling_app()
    with shared.app_context():
        tree = factories.region_tree()
        factories.office_ready()
        factories.assessed_kims(tree.desa_a1, count=2, period_code="2025-T1")
        db.session.remove()
        db.engine.dispose()
    db.engine.dispose()
    config = {
        "SQLALCHEMY_DATABASE_URI": shared.config["SQLALCHEMY_DATABASE_URI"],
        "LETTER_ARCHIVE": str(tmp_path / "letters"),
    }
    context = multiprocessing.get_context("fork")
    start, results = context.Barrier(3), context.Queue()
    workers = [
        context.Process(target=_issue_recap_at_once, args=(config, start, results))
        for _ in range(2)
    ]
    for worker in workers:
        worker.start()
    with contextlib.suppress(threading.BrokenBarrierError):
        start.wait(timeout=60)
    for worker in workers:
        worker.join(timeout=120)
    outcomes = sorted(results.get(timeout=5) for _ in workers)
    assert [kind for kind, _text in outcomes] == ["issued", "refused"], outcomes
    assert outcomes[0][1] in outcomes[1][1]  # the refusal names the recap in force
    with shared.app_context():
        in_force = db.session.scalars(
            select(Letter.number).where(Letter.kind == KIND_RECAP, Letter.status == "issued")
        ).all()
        assert in_force == [outcomes[0][1]]
        assert db.session.scalar(select(LetterSequence.last_number)) == 1  # no number skipped
