"""Benchmark: one batch of N evaluation letters issued and rendered on every core.

    python -m bench.letters [--letters 500] [--workers N] [--ceiling 20] [--posts-per-kim 30]

A fresh SQLite database under bench/out/ seeded for it (the district of `bench/assess.py` with
N KIMs, 2024-T4 and 2025-T1 assessed, the office's signatory set) and a fresh letter archive.
Then, in the same run:

1. the ceiling: the batch's first letter (its `LetterData`, numbered) turned into its HTML once,
   then that HTML rendered by WeasyPrint alone (with the shared stylesheet and fonts, PDF/A)
   `--ceiling` times in a fresh process, after one warm-up render, before the batch and again
   after it (the machine's load changes in between): CPU and wall per render; and, for
   comparison, `render_letter` (HTML from the data, QR code, WeasyPrint) the same way; and
   `--ceiling` different letters of the batch each rendered once the same way (letters differ:
   a long plan makes a third page);
2. the batch: `start_batch` + `run_batch` for every KIM of 2025-T1, as `flask letters issue`
   runs it (this process reads, numbers, archives and commits; `--workers` spawned processes
   render), with its ZIP and combined PDF: wall time, CPU of this process and of the workers
   (RUSAGE_CHILDREN, counted when the pool has ended), per letter; the renders the workers did
   and the median CPU of one of them, as the batch logs it;
3. memory: the resident memory of this process and all its children, summed, sampled every
   0.25 s through /proc during the batch (peak), beside each one's own ru_maxrss.

It checks what the tests check (N letters, numbers 1..N once each, the combined PDF's pages are
the archived letters' pages) and prints the figures beside the targets (per-letter core time
within 1.2 × the bare render, N = 500 in under 130 s, under 600 MB). Never part of the tests.
"""

from __future__ import annotations

import argparse
import io
import logging
import multiprocessing
import os
import resource
import shutil
import threading
import time
from pathlib import Path
from statistics import median
from typing import Any

from bench.assess import OUT_DIR, _sqlite_url, generate

PERIOD = "2025-T1"
ARCHIVE = OUT_DIR / "letters-archive"
SIGNATORY = {
    "signatory_title": "Kepala Dinas Komunikasi dan Informatika",
    "signatory_name": "Drs. SUPRIYADI, M.Si.",
    "signatory_rank": "Pembina Utama Muda (IV/c)",
    "signatory_nip": "197001011995031001",
}


def _app(url: str):  # type: ignore[no-untyped-def]
    from tracker import create_app

    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "TESTING": False,
            "LETTER_ARCHIVE": str(ARCHIVE),
            "PUBLIC_BASE_URL": "https://jenjang.example.go.id",
        }
    )


# ------------------------------------------------------------------------------ memory


def _rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _descendants(root: int) -> list[int]:
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        parents.setdefault(ppid, []).append(int(entry))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(parents.get(pid, ()))
    return found


class Sampler(threading.Thread):
    """The summed RSS of this process and its descendants, every `every` seconds; the peak."""

    def __init__(self, every: float = 0.25) -> None:
        super().__init__(daemon=True)
        self.every = every
        self.peak_kb = 0
        self.peak_processes = 0
        self.cpu = 0.0  # this thread's own CPU, not the batch's
        self.halt = threading.Event()

    def run(self) -> None:
        me = os.getpid()
        while not self.halt.is_set():
            pids = _descendants(me)
            total = sum(_rss_kb(pid) for pid in pids)
            if total > self.peak_kb:
                self.peak_kb, self.peak_processes = total, len(pids)
            self.halt.wait(self.every)
        self.cpu = time.thread_time()


# ------------------------------------------------------------------------------ ceiling


def _ceiling_child(content: dict[str, Any], renders: int, out: Any) -> None:
    from weasyprint import HTML

    from tracker.pdf import styles
    from tracker.pdf.fetcher import make_fetcher, static_url
    from tracker.pdf.letter import PDF_VARIANT, LetterData, letter_document, render_letter
    from tracker.services.letters.content import attachment_chart

    data = LetterData.from_json(content)
    chart = attachment_chart(data)
    html = letter_document(data, None, chart)  # the letter's HTML, QR code and chart, built once
    css, fonts = styles.shared()

    def weasyprint_alone() -> bytes:
        document = HTML(string=html, base_url=static_url(""), url_fetcher=make_fetcher()).render(
            pdf_variant=PDF_VARIANT, stylesheets=[css], font_config=fonts
        )
        return document.write_pdf(pdf_variant=PDF_VARIANT)  # type: ignore[no-any-return]

    def timed(render: Any) -> tuple[float, float, int]:
        render()  # warm-up: imports, stylesheet, fonts
        cpu, wall, size = [], [], 0
        for _ in range(renders):
            started, used = time.perf_counter(), time.process_time()
            size = len(render())
            cpu.append(time.process_time() - used)
            wall.append(time.perf_counter() - started)
        return median(cpu), median(wall), size

    alone = timed(weasyprint_alone)
    whole = timed(lambda: render_letter(data, None, chart).pdf)
    out.send(
        {
            "cpu": alone[0],
            "wall": alone[1],
            "size": alone[2],
            "letter_cpu": whole[0],
            "load": os.getloadavg()[0],
        }
    )


def _sample_child(contents: list[dict[str, Any]], out: Any) -> None:
    from weasyprint import HTML

    from tracker.pdf import styles
    from tracker.pdf.fetcher import make_fetcher, static_url
    from tracker.pdf.letter import PDF_VARIANT, LetterData, letter_document
    from tracker.services.letters.content import attachment_chart

    css, fonts = styles.shared()
    letters = [LetterData.from_json(c) for c in contents]
    pages = [letter_document(data, None, attachment_chart(data)) for data in letters]

    def alone(html: str) -> None:
        HTML(string=html, base_url=static_url(""), url_fetcher=make_fetcher()).render(
            pdf_variant=PDF_VARIANT, stylesheets=[css], font_config=fonts
        ).write_pdf(pdf_variant=PDF_VARIANT)

    alone(pages[0])  # warm-up
    cpu = []
    for html in pages:
        used = time.process_time()
        alone(html)
        cpu.append(time.process_time() - used)
    out.send({"mean": sum(cpu) / len(cpu), "median": median(cpu), "load": os.getloadavg()[0]})


def sampled(contents: list[dict[str, Any]]) -> dict[str, float]:
    """Different letters of the batch, each rendered once by WeasyPrint alone (their HTML built
    first), in a fresh process: the mean and median CPU of a render."""
    return _in_fresh_process(_sample_child, contents)


def ceiling(content: dict[str, Any], renders: int) -> dict[str, float]:
    return _in_fresh_process(_ceiling_child, content, renders)


def _in_fresh_process(target: Any, *args: Any) -> dict[str, float]:
    """`target(*args, pipe)` in a fresh (spawned) process: the one message it sends back. A child
    that dies before sending ends the bench (status 1, its own exit status in the message) instead
    of a wait for ever (this process closes its copy of the pipe's writing end once the child has
    its own)."""
    context = multiprocessing.get_context("spawn")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=target, args=(*args, send))
    child.start()
    send.close()
    try:
        result = receive.recv()
    except EOFError:
        child.join()
        raise SystemExit(
            f"{target.__name__} ended without its figures (exit status {child.exitcode})"
        ) from None
    child.join()
    return result  # type: ignore[no-any-return]


# ------------------------------------------------------------------------------ the batch


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--letters", type=int, default=500)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--ceiling", type=int, default=20, help="bare renders for the ceiling")
    parser.add_argument("--posts-per-kim", type=int, default=30)
    parser.add_argument("--seed", type=int, default=2025)
    args = parser.parse_args()
    os.environ.setdefault("JENJANG_ENV", "testing")
    url = _sqlite_url(args.letters, "letters")
    shutil.rmtree(ARCHIVE, ignore_errors=True)
    made = generate(url, args.letters, args.posts_per_kim, args.seed)

    from pypdf import PdfReader
    from sqlalchemy import select

    from tracker.extensions import db
    from tracker.models import Letter
    from tracker.services.assessment.runner import assess_period
    from tracker.services.letters import archive, batch, office

    app = _app(url)
    with app.app_context():
        assess_period(PERIOD, None)
        office.update(None, SIGNATORY)
        db.session.remove()
    print(
        f"{made['kims']:,} KIMs assessed for {PERIOD} (SQLite); {args.workers} worker processes; "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )

    with app.app_context():  # the batch's first letter, numbered as it will be: the ceiling
        from tracker.models import Kim
        from tracker.services.letters import content, issue

        view = office.current()
        first_kim = db.session.scalar(select(Kim.id).order_by(Kim.id))
        source = content.build(None, PERIOD, first_kim, view)
        first = source.data.issued(
            issue.number_for(view, 1, source.data.letter_date), "t" * 32, "https://x/v/t", False
        ).to_json()
        db.session.remove()
    before = ceiling(first, args.ceiling)

    runs: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = runs.append  # type: ignore[method-assign]
    logging.getLogger("tracker.services.letters.batch").addHandler(handler)
    logging.getLogger("tracker.services.letters.batch").setLevel(logging.INFO)

    sampler = Sampler()
    with app.app_context():
        started = batch.start_batch(None, PERIOD)
        batch_id = started.id
        db.session.remove()
        children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
        self_before = resource.getrusage(resource.RUSAGE_SELF)
        sampler.start()
        wall_started = time.perf_counter()
        done = batch.run_batch(batch_id, workers=args.workers)
        wall = time.perf_counter() - wall_started
        sampler.halt.set()
        sampler.join()
        self_after = resource.getrusage(resource.RUSAGE_SELF)
        children_after = resource.getrusage(resource.RUSAGE_CHILDREN)
        issued, failed, skipped = done.issued, done.failed, done.skipped
        combined_path = archive.root() / done.combined_path
        zip_size = (archive.root() / done.zip_path).stat().st_size
        letters = db.session.execute(
            select(Letter.sequence, Letter.pdf_path, Letter.content).order_by(Letter.sequence)
        ).all()
        sample_content = letters[0].content
        pages = sum(
            len(PdfReader(io.BytesIO(archive.read(path))).pages) for _s, path, _c in letters
        )
        combined_pages = len(PdfReader(combined_path).pages)
        combined_size = combined_path.stat().st_size
        bundle_started = time.perf_counter()
        from tracker.pdf import bundle

        bundle.write_combined(
            OUT_DIR / "letters-combined-again.pdf",
            [archive.root() / path for _s, path, _c in letters],
        )
        bundle_wall = time.perf_counter() - bundle_started
        (OUT_DIR / "letters-combined-again.pdf").unlink()
        db.session.remove()

    assert issued == args.letters and not failed and not skipped, (issued, failed, skipped)
    assert [s for s, _p, _c in letters] == list(range(1, args.letters + 1))
    assert combined_pages == pages, (combined_pages, pages)

    parent_cpu = (self_after.ru_utime + self_after.ru_stime) - (
        self_before.ru_utime + self_before.ru_stime
    )
    parent_cpu -= sampler.cpu  # the memory sampler is not the batch
    workers_cpu = (children_after.ru_utime + children_after.ru_stime) - (
        children_before.ru_utime + children_before.ru_stime
    )
    per_letter = (parent_cpu + workers_cpu) / issued
    after = ceiling(sample_content, args.ceiling)
    step = max(1, len(letters) // args.ceiling)
    spread = sampled([content for _s, _p, content in letters[::step][: args.ceiling]])
    stats = next(r for r in runs if hasattr(r, "renders"))
    in_workers = median(stats.render_cpu)  # type: ignore[attr-defined]
    bare = {"cpu": (before["cpu"] + after["cpu"]) / 2}

    print(f"ceiling: the same letter's HTML rendered by WeasyPrint alone, median of {args.ceiling}")
    for when, found in (("before the batch", before), ("after the batch", after)):
        print(
            f"  {when}: {found['cpu']:.3f} s CPU, {found['wall']:.3f} s wall per render "
            f"({found['size'] / 1024:.0f} KB); render_letter (HTML from the data, QR code, "
            f"WeasyPrint) {found['letter_cpu']:.3f} s CPU; load average {found['load']:.1f}"
        )
    print(
        f"  {args.ceiling} different letters of the batch (every {step}th), each rendered once by "
        f"WeasyPrint alone: mean {spread['mean']:.3f} s CPU, median {spread['median']:.3f} s; "
        f"load average {spread['load']:.1f}"
    )
    print(f"batch of {issued} letters ({pages} pages), {args.workers} worker processes:")
    print(f"  wall {wall:.1f} s = {wall / issued * 1000:.0f} ms per letter")
    print(
        f"  CPU {parent_cpu:.1f} s in this process (reading, numbering, archiving, committing, "
        f"ZIP and combined PDF) + {workers_cpu:.1f} s in the workers (rendering)"
    )
    renders = stats.renders  # type: ignore[attr-defined]
    print(
        f"  renders: {renders} for {issued} letters; median CPU of a render inside a worker "
        f"{in_workers:.3f} s ({in_workers / bare['cpu']:.2f} × the ceiling)"
    )
    print(
        f"  per-letter core time {per_letter:.3f} s = {per_letter / bare['cpu']:.2f} × the bare "
        f"render (the mean of before and after; target ≤ 1.2 ×); "
        f"{per_letter / spread['mean']:.2f} × the mean of the {args.ceiling} different letters"
    )
    print(
        f"  peak memory, all processes together: {sampler.peak_kb / 1024:.0f} MB "
        f"({sampler.peak_processes} processes; target < 600 MB); ru_maxrss this process "
        f"{self_after.ru_maxrss / 1024:.0f} MB, "
        f"largest child {children_after.ru_maxrss / 1024:.0f} MB"
    )
    print(
        f"  results: ZIP {zip_size / 1e6:.1f} MB, combined PDF {combined_size / 1e6:.1f} MB "
        f"({combined_pages} pages; concatenating alone {bundle_wall:.1f} s)"
    )
    if args.letters == 500:
        verdict = "under" if wall < 130 else "OVER"
        print(f"  500 letters in {wall:.1f} s: {verdict} the 130 s target")


if __name__ == "__main__":
    main()
