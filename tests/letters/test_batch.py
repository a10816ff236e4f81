"""Batches of letters: every KIM of a filter issued as one job, numbers gapless while worker
processes render, one KIM's failure reported and the others issued, a killed batch resumed without
a letter issued twice, the ZIP and the combined PDF made from the archive, who may start one and
where, and the pages that follow it."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import zipfile

import pytest
from pypdf import PdfReader, PdfWriter
from sqlalchemy import func, select

from tests import factories
from tests.letters.conftest import TODAY
from tracker.extensions import db
from tracker.models import Assessment, AuditEntry, Letter, LetterBatch, LetterBatchItem
from tracker.models.base import utcnow
from tracker.models.letters import (
    BATCH_DONE,
    BATCH_FAILED,
    BATCH_QUEUED,
    BATCH_RUNNING,
    ITEM_FAILED,
    ITEM_ISSUED,
    ITEM_PENDING,
    ITEM_RUNNING,
    ITEM_SKIPPED,
)
from tracker.pdf import letter as letter_pdf
from tracker.services.common import input_changes
from tracker.services.common.errors import Forbidden, Invalid
from tracker.services.common.unit_of_work import transaction
from tracker.services.letters import archive, batch, issue


def small_pdf(data: letter_pdf.LetterData, logo=None, chart_svg="") -> letter_pdf.RenderedLetter:  # type: ignore[no-untyped-def]
    """A stand-in for the renderer: a real two-page PDF whose title is the letter's number."""
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.add_blank_page(595, 842)
    writer.add_metadata({"/Title": data.number or "", "/Subject": data.kim_name})
    out = io.BytesIO()
    writer.write(out)
    return letter_pdf.RenderedLetter(pdf=out.getvalue(), signature_box=None)


@pytest.fixture
def small_render(monkeypatch) -> None:
    monkeypatch.setattr(letter_pdf, "render_letter", small_pdf)


@pytest.fixture
def district(regions, monkeypatch):  # type: ignore[no-untyped-def]
    """Signatory set, today 7 April 2025; 3 KIMs assessed in Sukodono and 2 in Pasirian."""
    factories.office_ready()
    factories.freeze_today(monkeypatch, TODAY)
    sukodono, period = factories.assessed_kims(regions.desa_a1, count=3)
    pasirian, _period = factories.assessed_kims(regions.desa_b1, count=2)
    return sukodono, pasirian, period


def _items(batch_id: int) -> list[LetterBatchItem]:
    return list(
        db.session.scalars(
            select(LetterBatchItem)
            .where(LetterBatchItem.batch_id == batch_id)
            .order_by(LetterBatchItem.position)
        )
    )


def _sequences() -> list[int]:
    return list(db.session.scalars(select(Letter.sequence).order_by(Letter.sequence)))


def _numbers_in_pdfs() -> dict[str, str]:
    """Each archived letter's number as its PDF prints it (the stand-in's title)."""
    return {
        letter.number: PdfReader(io.BytesIO(archive.read(letter.pdf_path))).metadata.title
        for letter in db.session.scalars(select(Letter))
    }


def test_a_batch_issues_every_kim_of_the_filter_in_order(district, small_render):
    sukodono, pasirian, _period = district
    started = batch.start_batch(None, "2025-T1")
    assert started.total == 5 and started.status == BATCH_QUEUED
    done = batch.run_batch(started.id, workers=0)
    assert done.status == BATCH_DONE
    assert (done.issued, done.skipped, done.failed) == (5, 0, 0)
    items = _items(done.id)
    assert [i.status for i in items] == [ITEM_ISSUED] * 5
    # kecamatan in name order: Pasirian before Sukodono
    assert [i.kim_id for i in items] == [k.id for k in pasirian] + [k.id for k in sukodono]
    assert _sequences() == [1, 2, 3, 4, 5]
    numbers = _numbers_in_pdfs()
    assert all(number == printed for number, printed in numbers.items())
    assert db.session.scalar(
        select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "letter.batch")
    )


def test_the_filter_narrows_by_kecamatan_by_name_and_by_tier(district, small_render):
    sukodono, _pasirian, _period = district
    by_name = batch.start_batch(None, "2025-T1", kecamatan="sukodono")
    assert [i.kim_id for i in _items(by_name.id)] == [k.id for k in sukodono]
    tier = db.session.scalar(select(func.min(Assessment.tier)))
    by_tier = batch.start_batch(None, "2025-T1", tier=tier.lower())
    assert by_tier.total == 5 and by_tier.tier == tier
    with pytest.raises(Invalid, match="tidak dikenal"):
        batch.start_batch(None, "2025-T1", tier="Juara")
    with pytest.raises(Invalid, match="tidak ditemukan"):
        batch.start_batch(None, "2025-T1", kecamatan="Atlantis")


def test_one_failing_kim_does_not_stop_the_others(district, monkeypatch):
    sukodono, _pasirian, _period = district
    broken = sukodono[1].name

    def render(data, logo=None, chart_svg=""):  # type: ignore[no-untyped-def]
        if data.kim_name == broken:
            raise RuntimeError("WeasyPrint kehabisan memori")
        return small_pdf(data, logo)

    monkeypatch.setattr(letter_pdf, "render_letter", render)
    done = batch.run_batch(batch.start_batch(None, "2025-T1").id, workers=0)
    assert done.status == BATCH_DONE
    assert (done.issued, done.skipped, done.failed) == (4, 0, 1)
    failed = [i for i in _items(done.id) if i.status == ITEM_FAILED]
    assert [i.kim_name for i in failed] == [broken]
    assert "kehabisan memori" in failed[0].message and failed[0].letter_id is None
    # the failed render took no number: the four letters are 1..4 and each prints its own
    assert _sequences() == [1, 2, 3, 4]
    assert all(number == printed for number, printed in _numbers_in_pdfs().items())


def test_a_kim_that_cannot_be_built_is_reported_and_the_rest_issued(district, small_render):
    sukodono, _pasirian, period = district
    with transaction():  # its data changed since the run
        input_changes.period_changed(period.id, [sukodono[0].id])
    done = batch.run_batch(batch.start_batch(None, "2025-T1").id, workers=0)
    failed = [i for i in _items(done.id) if i.status == ITEM_FAILED]
    assert [i.kim_id for i in failed] == [sukodono[0].id]
    assert "penilaian ulang" in failed[0].message
    assert done.issued == 4 and _sequences() == [1, 2, 3, 4]


def test_a_kim_with_a_letter_in_force_is_skipped_not_issued_again(district, small_render):
    sukodono, _pasirian, _period = district
    first = issue.issue_letter(None, "2025-T1", sukodono[2].id)
    done = batch.run_batch(batch.start_batch(None, "2025-T1").id, workers=0)
    skipped = [i for i in _items(done.id) if i.status == ITEM_SKIPPED]
    assert [i.kim_id for i in skipped] == [sukodono[2].id]
    assert first.number in skipped[0].message
    assert (done.issued, done.skipped) == (4, 1)
    assert db.session.scalar(select(func.count()).select_from(Letter)) == 5
    assert _sequences() == [1, 2, 3, 4, 5]


class Killed(BaseException):
    """What a SIGKILL looks like from inside: nothing after it runs."""


def test_a_killed_batch_resumes_without_issuing_twice(district, monkeypatch):
    calls = []

    def render_then_die(data, logo=None, chart_svg=""):  # type: ignore[no-untyped-def]
        calls.append(data.kim_name)
        if len(calls) == 4:
            raise Killed
        return small_pdf(data, logo)

    monkeypatch.setattr(letter_pdf, "render_letter", render_then_die)
    started = batch.start_batch(None, "2025-T1")
    with pytest.raises(Killed):
        batch.run_batch(started.id, workers=0)
    db.session.rollback()
    db.session.expire_all()
    left = db.session.get(LetterBatch, started.id)
    statuses = [i.status for i in _items(started.id)]
    assert left.status == BATCH_RUNNING
    assert statuses.count(ITEM_ISSUED) == 2 and ITEM_RUNNING in statuses
    assert ITEM_PENDING in statuses

    monkeypatch.setattr(letter_pdf, "render_letter", small_pdf)
    done = batch.run_batch(started.id, workers=0)
    assert done.status == BATCH_DONE and (done.issued, done.failed) == (5, 0)
    kims = db.session.scalars(select(Letter.kim_id)).all()
    assert len(kims) == len(set(kims)) == 5
    assert _sequences() == [1, 2, 3, 4, 5]
    assert all(number == printed for number, printed in _numbers_in_pdfs().items())


def test_resume_pending_batches_runs_a_batch_whose_process_died(district, small_render):
    started = batch.start_batch(None, "2025-T1")
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    row = db.session.get(LetterBatch, started.id)
    row.status, row.runner_pid = BATCH_RUNNING, dead.pid
    row.runner_host, row.heartbeat_at = os.uname().nodename, row.created_at
    db.session.commit()
    assert batch.resume_pending_batches(workers=0) == [started.id]
    assert db.session.get(LetterBatch, started.id).status == BATCH_DONE
    assert batch.resume_pending_batches(workers=0) == []  # nothing left to resume


def test_a_batch_another_live_process_runs_is_not_run_twice(district, small_render):
    started = batch.start_batch(None, "2025-T1")
    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        row = db.session.get(LetterBatch, started.id)
        row.status, row.runner_pid = BATCH_RUNNING, alive.pid
        row.runner_host = os.uname().nodename
        row.heartbeat_at = utcnow()
        db.session.commit()
        with pytest.raises(Invalid, match="sedang dijalankan"):
            batch.run_batch(started.id, workers=0)
        assert batch.resume_pending_batches(workers=0) == []
    finally:
        alive.kill()
        alive.wait()


def test_without_a_signatory_a_batch_is_refused_and_a_run_stops_resumably(
    regions, monkeypatch, small_render
):
    factories.freeze_today(monkeypatch, TODAY)
    factories.assessed_kims(regions.desa_a1, count=2)
    with pytest.raises(Invalid, match="Penanda tangan"):
        batch.start_batch(None, "2025-T1")
    factories.office_ready()
    started = batch.start_batch(None, "2025-T1")
    factories.office_ready(signatory_name="")
    stopped = batch.run_batch(started.id, workers=0)
    assert stopped.status == BATCH_FAILED and "Penanda tangan" in stopped.message
    factories.office_ready()
    assert batch.run_batch(started.id, workers=0).issued == 2


def test_zip_and_combined_pdf_hold_the_archived_letters(district, small_render):
    done = batch.run_batch(batch.start_batch(None, "2025-T1").id, workers=0)
    letters = {
        letter.number: archive.read(letter.pdf_path)
        for letter in db.session.scalars(select(Letter))
    }
    zipped = zipfile.ZipFile(batch.result_file(None, done.id, "zip").path)
    names = zipped.namelist()
    assert len(names) == 5 and names[0].startswith("001-")
    assert sorted(zipped.read(n) for n in names) == sorted(letters.values())
    combined = PdfReader(batch.result_file(None, done.id, "pdf").path)
    pages = sum(len(PdfReader(io.BytesIO(pdf)).pages) for pdf in letters.values())
    assert len(combined.pages) == pages == 10


@pytest.mark.slow
def test_worker_processes_render_real_letters_with_their_own_numbers(district):
    """Two spawned worker processes and WeasyPrint: each letter prints its own number, the ZIP
    holds the archived files and the combined PDF all their pages."""
    started = batch.start_batch(None, "2025-T1", kecamatan="Sukodono")
    done = batch.run_batch(started.id, workers=2)
    assert done.status == BATCH_DONE and done.issued == 3 and done.workers == 2
    total_pages = 0
    for letter in db.session.scalars(select(Letter).order_by(Letter.sequence)):
        reader = PdfReader(io.BytesIO(archive.read(letter.pdf_path)))
        total_pages += len(reader.pages)
        text = reader.pages[0].extract_text()
        assert letter.number in text and letter.kim_name in text
    assert _sequences() == [1, 2, 3]
    combined = PdfReader(batch.result_file(None, done.id, "pdf").path)
    assert len(combined.pages) == total_pages
    assert len(zipfile.ZipFile(batch.result_file(None, done.id, "zip").path).namelist()) == 3


# ------------------------------------------------------------------------ who, where


def test_petugas_and_viewer_cannot_start_a_batch(district, login_as):
    for role in ("petugas", "viewer"):
        user = factories.user(role=role, username=f"{role}-batch")
        with pytest.raises(Forbidden):
            batch.start_batch(user, "2025-T1")


def test_a_kabid_batches_only_his_region(district, regions, small_render):
    sukodono, _pasirian, _period = district
    kabid = factories.user(role="kabid", scope=[regions.kec_a], username="kabid-sukodono")
    mine = batch.start_batch(kabid, "2025-T1")
    assert [i.kim_id for i in _items(mine.id)] == [k.id for k in sukodono]
    assert mine.region_code == regions.desa_a1
    with pytest.raises(Invalid, match="tidak ditemukan"):
        batch.start_batch(kabid, "2025-T1", kecamatan="Pasirian")
    other = factories.user(role="kabid", scope=[regions.kec_b], username="kabid-pasirian")
    with pytest.raises(batch.BatchNotFoundError):
        batch.get_batch(other, mine.id)


# ------------------------------------------------------------------------------- pages


@pytest.fixture
def launched(app):  # type: ignore[no-untyped-def]
    """The batches the web launched (instead of a process, a list)."""
    ids: list[int] = []
    app.config["LETTER_BATCH_LAUNCHER"] = ids.append
    return ids


def test_the_web_starts_a_batch_in_its_own_process_and_shows_its_progress(
    client, login_as, district, launched, small_render
):
    login_as("kabid")
    page = client.get("/surat/batch/?periode=2025-T1").get_data(as_text=True)
    assert "Terbitkan serentak" in page and "Sukodono" in page
    response = client.post("/surat/batch/", data={"periode": "2025-T1", "kecamatan": ""})
    assert response.status_code == 302
    started = db.session.scalar(select(LetterBatch))
    assert launched == [started.id]
    assert response.headers["Location"].endswith(f"/surat/batch/{started.id}")
    page = client.get(f"/surat/batch/{started.id}").get_data(as_text=True)
    assert "Menunggu" in page and "batch-progress.js" in page and "<script>" not in page
    progress = client.get(f"/surat/batch/{started.id}/progress.json").get_json()
    assert progress["total"] == 5 and progress["done"] == 0 and not progress["finished"]

    batch.run_batch(started.id, workers=0)  # what the launched process does
    progress = client.get(f"/surat/batch/{started.id}/progress.json").get_json()
    assert progress["issued"] == 5 and progress["percent"] == 100 and progress["finished"]
    page = client.get(f"/surat/batch/{started.id}").get_data(as_text=True)
    assert "Selesai" in page and "surat.zip" in page and "gabungan.pdf" in page
    zipped = client.get(f"/surat/batch/{started.id}/surat.zip")
    assert zipped.status_code == 200 and zipped.mimetype == "application/zip"
    assert len(zipfile.ZipFile(io.BytesIO(zipped.data)).namelist()) == 5
    combined = client.get(f"/surat/batch/{started.id}/gabungan.pdf")
    assert len(PdfReader(io.BytesIO(combined.data)).pages) == 10


def test_the_default_launcher_starts_the_batch_command(app, monkeypatch, district):
    started = []

    class FakePopen:
        def __init__(self, args, **kwargs):  # type: ignore[no-untyped-def]
            started.append((args, kwargs))

    monkeypatch.setattr(batch.subprocess, "Popen", FakePopen)
    batch.launch(42)
    ((args, kwargs),) = started
    assert args[1:] == ["-m", "flask", "letters", "run-batch", "42"]
    assert kwargs["start_new_session"] is True
    assert kwargs["env"]["DATABASE_URL"] == app.config["SQLALCHEMY_DATABASE_URI"]


def test_petugas_cannot_open_or_start_batches(client, login_as, district, launched):
    login_as("petugas")
    assert client.get("/surat/batch/").status_code == 403
    assert client.post("/surat/batch/", data={"periode": "2025-T1"}).status_code == 403
    assert launched == [] and db.session.scalar(select(func.count()).select_from(LetterBatch)) == 0


def test_a_batch_of_another_region_is_not_found(client, login_as, regions, district, launched):
    started = batch.start_batch(None, "2025-T1", kecamatan="Sukodono")
    login_as("kabid", scope=[regions.kec_b])
    assert client.get(f"/surat/batch/{started.id}").status_code == 404
    assert client.get(f"/surat/batch/{started.id}/progress.json").status_code == 404
    assert client.get(f"/surat/batch/{started.id}/surat.zip").status_code == 404


def test_starting_a_batch_needs_the_csrf_token(app, client, login_as, district, launched):
    login_as("kabid")
    app.config["WTF_CSRF_ENABLED"] = True
    assert client.post("/surat/batch/", data={"periode": "2025-T1"}).status_code == 400
    assert launched == []


def test_a_refused_batch_says_why_on_the_form(client, login_as, district, launched):
    login_as("kabid")
    response = client.post("/surat/batch/", data={"periode": "2025-T1", "jenjang": "Juara"})
    assert response.status_code == 422
    assert "tidak dikenal" in response.get_data(as_text=True) and launched == []


# ------------------------------------------------------------------------- command line


def test_the_command_issues_a_batch_and_writes_zip_and_combined_pdf(
    runner, district, small_render, tmp_path
):
    out = tmp_path / "hasil"
    result = runner.invoke(
        args=[
            *("letters", "issue", "--period", "2025-T1", "--kecamatan", "Pasirian"),
            *("--out", str(out), "--workers", "0"),
        ]
    )
    assert result.exit_code == 0, result.output
    assert "2 terbit, 0 dilewati, 0 gagal dari 2 KIM" in result.output
    written = sorted(p.name for p in out.iterdir())
    assert len(written) == 2
    assert written[0].endswith("-gabungan.pdf") and written[1].endswith(".zip")
    assert len(PdfReader(out / written[0]).pages) == 4

    again = runner.invoke(
        args=["letters", "issue", "--period", "2025-T1", "--out", str(out), "--workers", "0"]
    )
    assert "3 terbit, 2 dilewati, 0 gagal dari 5 KIM" in again.output
    assert "dilewati:" in again.output


def test_the_command_reports_failures_and_exits_non_zero(runner, district, monkeypatch, tmp_path):
    def render(data, logo=None, chart_svg=""):  # type: ignore[no-untyped-def]
        if data.kecamatan_name == "Pasirian":
            raise RuntimeError("rusak")
        return small_pdf(data, logo)

    monkeypatch.setattr(letter_pdf, "render_letter", render)
    result = runner.invoke(
        args=["letters", "issue", "--period", "2025-T1", "--out", str(tmp_path), "--workers", "0"]
    )
    assert result.exit_code == 1
    assert "3 terbit, 0 dilewati, 2 gagal" in result.output and "GAGAL" in result.output


def test_run_batch_command_resumes_by_id(runner, district, small_render):
    started = batch.start_batch(None, "2025-T1")
    result = runner.invoke(args=["letters", "run-batch", str(started.id), "--workers", "0"])
    assert result.exit_code == 0 and "5 terbit" in result.output
    assert runner.invoke(args=["letters", "run-batch", "999"]).exit_code == 1


def test_the_batch_pages_queries_do_not_grow_with_its_kims(
    client, login_as, regions, district, small_render, count_queries
):
    login_as("kabid")
    small = batch.run_batch(batch.start_batch(None, "2025-T1", kecamatan="Pasirian").id, workers=0)
    large = batch.run_batch(batch.start_batch(None, "2025-T1", kecamatan="Sukodono").id, workers=0)
    counts = []
    for done in (small, large):
        with count_queries() as queries:
            assert client.get(f"/surat/batch/{done.id}").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
    with count_queries() as listing:
        assert client.get("/surat/batch/").status_code == 200
    factories.assessed_kims(regions.desa_a2, count=2)
    batch.start_batch(None, "2025-T1")
    with count_queries() as more:
        assert client.get("/surat/batch/").status_code == 200
    assert len(more) == len(listing)


def test_a_letter_issued_elsewhere_mid_batch_renumbers_the_letters_in_flight(district, monkeypatch):
    """A letter issued from the web while the batch renders takes the number the batch expected:
    the batch's letters are rendered again with the numbers they get; none is skipped or doubled,
    and each prints its own."""
    _sukodono, pasirian, _period = district
    calls = []

    def render(data, logo=None, chart_svg=""):  # type: ignore[no-untyped-def]
        calls.append(data.number)
        if len(calls) == 2:  # meanwhile, someone issues one letter by itself
            monkeypatch.setattr(letter_pdf, "render_letter", small_pdf)
            issue.issue_letter(None, "2025-T1", pasirian[0].id)
            monkeypatch.setattr(letter_pdf, "render_letter", render)
        return small_pdf(data, logo)

    monkeypatch.setattr(letter_pdf, "render_letter", render)
    done = batch.run_batch(batch.start_batch(None, "2025-T1", kecamatan="Sukodono").id, workers=0)
    assert (done.issued, done.failed) == (3, 0)
    assert _sequences() == [1, 2, 3, 4]
    assert all(number == printed for number, printed in _numbers_in_pdfs().items())
    assert len(calls) > 3  # the letters in flight were rendered again


@pytest.mark.slow
def test_the_launched_process_runs_the_batch_to_its_end(app, sibling_app, tmp_path, monkeypatch):
    """The web's launcher for real: `python -m flask letters run-batch ID` as its own process,
    on the same database, with one worker process rendering real letters."""
    import time

    from tests.factories.registry import region_tree

    shared = sibling_app(LETTER_ARCHIVE=str(tmp_path / "shared-letters"))
    monkeypatch.setenv("JENJANG_ENV", "development")  # reads DATABASE_URL, as production does
    monkeypatch.setenv("LETTER_BATCH_WORKERS", "1")
    with shared.app_context():
        tree = region_tree()
        factories.office_ready()
        factories.assessed_kims(tree.desa_a1, count=2)
        started = batch.start_in_background(None, "2025-T1")  # the default launcher
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            db.session.expire_all()
            row = db.session.get(LetterBatch, started.id)
            if row.status == BATCH_DONE:
                break
            time.sleep(1)
        log = tmp_path / "shared-letters" / "batches" / f"{started.id:06d}.log"
        assert row.status == BATCH_DONE, log.read_text() if log.exists() else "no log"
        assert (row.issued, row.workers) == (2, 1)
        assert row.runner_pid != os.getpid()
        assert "2 terbit" in log.read_text()
        db.session.remove()


def test_the_scheduler_finishes_a_batch_whose_process_died(app, district, small_render):
    """The scheduler's "letter_batches" job is the same resume, once per five-minute key."""
    from tracker.jobs import runner
    from tracker.jobs.registry import find

    app.config["LETTER_BATCH_WORKERS"] = "0"  # rendered in the job's own process (the test's fake)
    started = batch.start_batch(None, "2025-T1")
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    row = db.session.get(LetterBatch, started.id)
    row.status, row.runner_pid = BATCH_RUNNING, dead.pid
    row.runner_host, row.heartbeat_at = os.uname().nodename, row.created_at
    db.session.commit()
    job = find("letter_batches")
    assert job is not None
    [outcome] = runner.fire(app, job)
    db.session.expire_all()
    assert outcome.status == "succeeded"
    assert db.session.get(LetterBatch, started.id).status == BATCH_DONE
    assert db.session.scalar(select(func.count()).select_from(Letter)) == started.total
