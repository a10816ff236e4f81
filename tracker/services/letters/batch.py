"""Batches of evaluation letters: every KIM of a filter (a period, and a kecamatan and/or a tier,
or all) issued as one job, in its own process, rendered on every core.

A batch is a row (`LetterBatch`) with one item per KIM (`LetterBatchItem`), written when it is
started (`start_batch`, the web's "Terbitkan serentak" and `flask letters issue`). It is run by
`run_batch`: from the web as its own OS process (`launch`: `python -m flask letters run-batch ID`,
never a thread of a web worker), from the command line in the command's process, and by
`resume_pending_batches` (for the scheduler) for a batch whose process died.

**Numbers stay gapless while rendering runs in parallel.** A letter prints its number, and a
number is taken only in the unit of work that archives the letter (`issue_letter`'s rule), so the
run renders each letter *with the number it expects the letter to get*: the next free number of
the year, then the one after, in the order the letters will be committed. Worker processes
(`tracker.pdf.issuing.render_job`, plain data in, bytes out) render up to two letters per core
ahead; this process commits them one at a time in that order, each in its own unit of work: take
the year's next number (locking the sequence for milliseconds, not for a render), check that it
is the number the letter was rendered with, check that the KIM has no letter in force, archive the
file, add the letter with its audit entry and mark the item issued. When the numbers differ
(another letter was issued meanwhile, or a letter ahead failed to render and took no number) the
unit rolls back and the letters in flight are rendered again with the right numbers; nothing
printed ever carries a number other than its own, and no number is skipped.

**Failures are per KIM.** A KIM whose letter cannot be built (not assessed, data changed since the
assessment) or rendered is marked failed with the reason and the others go on; a KIM that already
has a letter in force for the period is skipped with that letter's number.

**A killed batch resumes.** An item turns "issued" in the unit that issues its letter. Items left
"running" by a process that died go back to pending when the batch is run again, and the letters
already issued are not issued again (their items say so, and the in-force check holds anyway).

The results: a ZIP of the letters the batch issued and one combined PDF for printing, both made
from the archived files (`tracker.pdf.bundle`), never by rendering again.
"""

from __future__ import annotations

import dataclasses
import logging
import multiprocessing
import os
import secrets
import socket
import subprocess
import sys
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import Select, func, select, update

from tracker.extensions import db
from tracker.models import Assessment, Kim, Region
from tracker.models.base import utcnow
from tracker.models.kim import STATUS_ACTIVE
from tracker.models.letters import (
    BATCH_DONE,
    BATCH_FAILED,
    BATCH_QUEUED,
    BATCH_RUNNING,
    BATCH_STATUS_LABELS,
    ITEM_FAILED,
    ITEM_ISSUED,
    ITEM_PENDING,
    ITEM_RUNNING,
    ITEM_SKIPPED,
    KIND_EVALUATION,
    LETTER_ISSUED,
    Letter,
    LetterBatch,
    LetterBatchItem,
)
from tracker.models.region import LEVEL_KECAMATAN
from tracker.models.user import User
from tracker.pdf import bundle, issuing
from tracker.pdf.letter import LetterData
from tracker.scoring.framework import load_framework
from tracker.services.assessment.runner import framework_for_period
from tracker.services.common import audit_writer
from tracker.services.common.errors import Invalid, NotFound
from tracker.services.common.pagination import Page, paginate
from tracker.services.common.permissions import ISSUE_LETTERS, require
from tracker.services.common.scope import actor_scope_filter
from tracker.services.common.unit_of_work import transaction
from tracker.services.letters import archive, content, issue, numbering, office
from tracker.services.registry.places import Desa, Kecamatan, located
from tracker.services.rules.periods import get_period
from tracker.text import fold

log = logging.getLogger(__name__)

AHEAD_PER_WORKER = 2  # letters rendered ahead of the commits, per worker process
RUNNER_SILENT = timedelta(minutes=10)  # a runner not heard of for this long is presumed gone
QUEUED_GRACE = timedelta(minutes=1)  # a queued batch's own process has this long to start


class BatchNotFoundError(NotFound):
    """No such batch, or one outside the reader's scope."""


class BatchRefused(Invalid):
    """The batch cannot be started or run now; `message` says why."""


# ---------------------------------------------------------------------------------- starting


def _kecamatan(actor: User | None, value: str) -> Region | None:
    """The kecamatan a filter names, by code or by name, in the actor's scope."""
    value = (value or "").strip()
    if not value:
        return None
    found = db.session.scalars(
        select(Region)
        .where(
            Region.level == LEVEL_KECAMATAN,
            (Region.code == value) | (func.lower(Region.name) == value.lower()),
        )
        .order_by(Region.code)
    ).all()
    if not found:  # a name typed with "Kecamatan" before it, or with other spacing
        key = fold(value.removeprefix("Kecamatan ").removeprefix("kecamatan "))
        found = [
            r
            for r in db.session.scalars(select(Region).where(Region.level == LEVEL_KECAMATAN))
            if fold(r.name) == key
        ]
    if actor is not None:
        found = [r for r in found if any(_within(r.code, c) for c in actor.scope_codes)]
    if len(found) != 1:
        raise BatchRefused(
            _("Kecamatan %(name)s tidak ditemukan di wilayah Anda.", name=value)
            if not found
            else _("Nama kecamatan %(name)s tidak tunggal: pakai kodenya.", name=value),
            "kecamatan",
        )
    return found[0]


def _within(code: str, scope: str) -> bool:
    return code == scope or code.startswith(scope + ".")


def _common_region(codes: list[str]) -> str:
    """The deepest region holding every code (dotted prefix)."""
    parts = codes[0].split(".")
    for code in codes[1:]:
        other = code.split(".")
        n = 0
        while n < min(len(parts), len(other)) and parts[n] == other[n]:
            n += 1
        parts = parts[:n]
    return ".".join(parts)


def _candidates(
    actor: User | None, period_id: int, framework_id: int, kecamatan: Region | None, tier: str
) -> Select[Any]:
    stmt = located(
        select(Kim.id, Kim.name, Kim.desa_code, Desa.display_name, Kecamatan.display_name)
        .select_from(Assessment)
        .join(Kim, Kim.id == Assessment.kim_id)
    ).where(
        Assessment.period_id == period_id,
        Assessment.framework_id == framework_id,
        Kim.status == STATUS_ACTIVE,
        actor_scope_filter(Kim.desa_code, actor),
    )
    if kecamatan is not None:
        stmt = stmt.where(Kecamatan.code == kecamatan.code)
    if tier:
        stmt = stmt.where(Assessment.tier == tier)
    return stmt.order_by(Kecamatan.display_name, Desa.display_name, Kim.name_key, Kim.id)


def start_batch(
    actor: User | None, period_code: str, *, kecamatan: str = "", tier: str = ""
) -> LetterBatch:
    """Write a batch for the assessed, active KIMs of the filter in the actor's scope (one item
    each, in the order kecamatan, desa, name). Refused while the office cannot issue letters, or
    when no KIM matches. Does not run it: `launch` or `run_batch` does."""
    require(actor, ISSUE_LETTERS)
    issue.ready(office.current())
    period = get_period((period_code or "").strip())
    fw_row = framework_for_period(period.id)
    if fw_row is None:
        raise BatchRefused(
            _("Periode %(code)s belum dinilai: jalankan penilaian dulu.", code=period.code)
        )
    tier = (tier or "").strip()
    if tier:
        names = load_framework(fw_row.definition).tier_names
        matched = [n for n in names if n.lower() == tier.lower()]
        if not matched:
            raise BatchRefused(
                _("Jenjang %(tier)s tidak dikenal (%(names)s).", tier=tier, names=", ".join(names)),
                "tier",
            )
        tier = matched[0]
    region = _kecamatan(actor, kecamatan)
    rows = db.session.execute(_candidates(actor, period.id, fw_row.id, region, tier)).all()
    if not rows:
        raise BatchRefused(_("Tidak ada KIM yang dinilai pada periode ini untuk saringan itu."))
    with transaction():
        batch = LetterBatch(
            period_id=period.id,
            period_code=period.code,
            kecamatan_code=region.code if region is not None else None,
            kecamatan_name=region.display_name if region is not None else "",
            tier=tier,
            region_code=_common_region([row[2] for row in rows]),
            status=BATCH_QUEUED,
            total=len(rows),
            created_by_id=actor.id if actor is not None else None,
        )
        db.session.add(batch)
        db.session.flush()
        db.session.add_all(
            LetterBatchItem(
                batch_id=batch.id,
                position=n,
                kim_id=kim_id,
                kim_name=name,
                desa_name=desa or "",
                kecamatan_name=kec or "",
                status=ITEM_PENDING,
            )
            for n, (kim_id, name, _desa_code, desa, kec) in enumerate(rows, start=1)
        )
        audit_writer.record(
            "letter.batch",
            "letter_batch",
            batch.id,
            actor,
            params={"period": period.code, "count": len(rows), "filter": filter_text(batch)},
            region=batch.region_code,
        )
    return batch


def filter_text(batch: LetterBatch) -> str:
    """What the batch covers, as the pages and the audit say it."""
    parts = [f"periode {batch.period_code}"]
    if batch.kecamatan_name:
        parts.append(f"Kecamatan {batch.kecamatan_name}")
    if batch.tier:
        parts.append(f"jenjang {batch.tier}")
    return ", ".join(parts)


def launch(batch_id: int) -> None:
    """Run the batch in its own OS process (detached from the web worker: it outlives the
    request and a restart of the web server). `LETTER_BATCH_LAUNCHER`, when configured, is
    called instead (tests)."""
    launcher: Callable[[int], None] | None = current_app.config.get("LETTER_BATCH_LAUNCHER")
    if launcher is not None:
        launcher(batch_id)
        return
    subprocess.Popen(  # our own interpreter and module, an integer argument
        batch_command(batch_id),
        env=batch_environment(),
        cwd=str(Path(current_app.root_path).parent),
        stdin=subprocess.DEVNULL,
        stdout=_log_file(batch_id),
        stderr=subprocess.STDOUT,
        start_new_session=True,
        close_fds=True,
    )


def batch_command(batch_id: int) -> list[str]:
    return [sys.executable, "-m", "flask", "letters", "run-batch", str(int(batch_id))]


def batch_environment() -> dict[str, str]:
    """The web process's environment, with the database and archive it uses stated (a process
    started from a configured app object must not fall back to the defaults)."""
    env = dict(os.environ)
    env["FLASK_APP"] = env.get("FLASK_APP") or "wsgi:app"
    env["DATABASE_URL"] = str(current_app.config["SQLALCHEMY_DATABASE_URI"])
    env["LETTER_ARCHIVE"] = str(archive.root())
    return env


def _log_file(batch_id: int) -> Any:
    folder = archive.root() / "batches"
    folder.mkdir(parents=True, exist_ok=True)
    return (folder / f"{batch_id:06d}.log").open("ab")


def start_in_background(
    actor: User | None, period_code: str, *, kecamatan: str = "", tier: str = ""
) -> LetterBatch:
    """`start_batch`, then `launch` it: what the web's button does."""
    batch = start_batch(actor, period_code, kecamatan=kecamatan, tier=tier)
    launch(batch.id)
    return batch


def relaunch(actor: User | None, batch_id: int) -> None:
    """Start the process of a batch that stopped before its end (its process died, or it
    stopped on the office settings): the page's "Lanjutkan"."""
    found = get_batch(actor, batch_id)
    if found.status == BATCH_DONE:
        raise BatchRefused(_("Batch ini sudah selesai."))
    if found.status == BATCH_RUNNING and _alive(found, utcnow()):
        raise BatchRefused(_("Batch ini masih berjalan."))
    launch(found.id)


# ---------------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class FormOptions:
    """What the start form offers: the assessed periods, the kecamatan of the actor's scope and
    the tiers of the chosen period's framework."""

    periods: list[str]
    period: str
    kecamatan: list[tuple[str, str]]
    tiers: list[str]


def form_options(actor: User | None, period_code: str = "") -> FormOptions:
    require(actor, ISSUE_LETTERS)
    from tracker.models import Period

    periods = list(
        db.session.scalars(
            select(Period.code)
            .where(Period.id.in_(select(Assessment.period_id).distinct()))
            .order_by(Period.start_date.desc(), Period.code)
        )
    )
    chosen = period_code if period_code in periods else (periods[0] if periods else "")
    scope = None if actor is None else actor.scope_codes
    kecamatan = [
        (code, name)
        for code, name in db.session.execute(
            select(Region.code, Region.display_name)
            .where(Region.level == LEVEL_KECAMATAN)
            .order_by(Region.display_name)
        )
        if scope is None or any(_within(code, s) or _within(s, code) for s in scope)
    ]
    tiers: list[str] = []
    if chosen:
        fw_row = framework_for_period(get_period(chosen).id)
        if fw_row is not None:
            tiers = list(load_framework(fw_row.definition).tier_names)
    return FormOptions(periods, chosen, kecamatan, tiers)


def _scoped(actor: User | None) -> Select[Any]:
    return select(LetterBatch).where(actor_scope_filter(LetterBatch.region_code, actor))


def get_batch(actor: User | None, batch_id: int) -> LetterBatch:
    require(actor, ISSUE_LETTERS)
    found = db.session.scalar(_scoped(actor).where(LetterBatch.id == batch_id))
    if found is None:
        raise BatchNotFoundError(_("Batch surat tidak ditemukan."))
    return found


def list_batches(actor: User | None, page: int, per_page: int) -> Page[LetterBatch]:
    require(actor, ISSUE_LETTERS)
    return paginate(_scoped(actor).order_by(LetterBatch.id.desc()), page, per_page)


def batch_items(
    actor: User | None, batch_id: int, page: int, per_page: int, status: str = ""
) -> Page[LetterBatchItem]:
    batch = get_batch(actor, batch_id)
    stmt = select(LetterBatchItem).where(LetterBatchItem.batch_id == batch.id)
    if status:
        stmt = stmt.where(LetterBatchItem.status == status)
    return paginate(stmt.order_by(LetterBatchItem.position), page, per_page)


def unsettled_items(batch_id: int) -> list[LetterBatchItem]:
    """The batch's skipped and failed items, in order (for the command's report)."""
    return list(
        db.session.scalars(
            select(LetterBatchItem)
            .where(
                LetterBatchItem.batch_id == batch_id,
                LetterBatchItem.status.in_((ITEM_SKIPPED, ITEM_FAILED)),
            )
            .order_by(LetterBatchItem.position)
        )
    )


def item_letters(items: list[LetterBatchItem]) -> dict[int, str]:
    """The numbers of the items' letters (issued ones), by letter id: one query for a page."""
    ids = [i.letter_id for i in items if i.letter_id is not None]
    if not ids:
        return {}
    return {
        letter_id: number
        for letter_id, number in db.session.execute(
            select(Letter.id, Letter.number).where(Letter.id.in_(ids))
        )
    }


@dataclass(frozen=True)
class Progress:
    batch_id: int
    status: str
    status_label: str
    total: int
    issued: int
    skipped: int
    failed: int
    message: str

    @property
    def done(self) -> int:
        return self.issued + self.skipped + self.failed

    @property
    def percent(self) -> int:
        return int(100 * self.done / self.total) if self.total else 100

    @property
    def finished(self) -> bool:
        return self.status in (BATCH_DONE, BATCH_FAILED)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.batch_id,
            "status": self.status,
            "status_label": _(self.status_label),
            "total": self.total,
            "issued": self.issued,
            "skipped": self.skipped,
            "failed": self.failed,
            "done": self.done,
            "percent": self.percent,
            "finished": self.finished,
            "message": self.message,
        }


def progress(actor: User | None, batch_id: int) -> Progress:
    batch = get_batch(actor, batch_id)
    return Progress(
        batch.id,
        batch.status,
        BATCH_STATUS_LABELS.get(batch.status, batch.status),
        batch.total,
        batch.issued,
        batch.skipped,
        batch.failed,
        batch.message,
    )


@dataclass(frozen=True)
class Result:
    path: Path
    filename: str
    mimetype: str


def result_file(actor: User | None, batch_id: int, kind: str) -> Result:
    """The batch's ZIP (`kind` "zip") or combined PDF ("pdf"), once it is done."""
    batch = get_batch(actor, batch_id)
    relative = batch.zip_path if kind == "zip" else batch.combined_path
    if batch.status != BATCH_DONE or not relative:
        raise BatchNotFoundError(_("Hasil batch ini belum tersedia."))
    path = archive.root() / relative
    if kind == "zip":
        return Result(path, Path(relative).name, "application/zip")
    return Result(path, Path(relative).name, "application/pdf")


# ----------------------------------------------------------------------------------- running


def _alive(batch: LetterBatch, now: datetime) -> bool:
    """Whether another process is running the batch now."""
    if batch.runner_pid is None:
        return False
    heard = batch.heartbeat_at is not None and now - batch.heartbeat_at < RUNNER_SILENT
    if batch.runner_host != socket.gethostname():
        return heard
    if batch.runner_pid == os.getpid():
        return False  # this process: whatever ran it here before has ended
    try:
        os.kill(batch.runner_pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process has the number now
        return False
    state = Path(f"/proc/{batch.runner_pid}/stat")
    try:
        if state.read_text().rsplit(")", 1)[1].split()[0] == "Z":  # exited, not yet reaped
            return False
    except (OSError, IndexError):
        pass
    return heard


def _claim(batch_id: int, workers: int) -> LetterBatch | None:
    """Make this process the batch's runner; None when it is done already. Refused while
    another live process runs it. Items a dead runner left running go back to pending."""
    batch = db.session.get(LetterBatch, batch_id, populate_existing=True)  # as committed now
    if batch is None:
        raise BatchNotFoundError(_("Batch surat tidak ditemukan."))
    if batch.status == BATCH_DONE:
        return None
    now = utcnow()
    if batch.status == BATCH_RUNNING and _alive(batch, now):
        raise BatchRefused(
            _(
                "Batch %(id)s sedang dijalankan oleh proses lain (%(pid)s).",
                id=batch.id,
                pid=batch.runner_pid,
            )
        )
    seen = (batch.runner_pid, batch.heartbeat_at)
    with transaction():
        # compare and set: of two processes claiming at once, one changes the row
        claimed = db.session.execute(
            update(LetterBatch)
            .where(
                LetterBatch.id == batch_id,
                LetterBatch.runner_pid.is_(None)
                if seen[0] is None
                else LetterBatch.runner_pid == seen[0],
                LetterBatch.heartbeat_at.is_(None)
                if seen[1] is None
                else LetterBatch.heartbeat_at == seen[1],
            )
            .values(
                status=BATCH_RUNNING,
                runner_host=socket.gethostname(),
                runner_pid=os.getpid(),
                heartbeat_at=now,
                started_at=func.coalesce(LetterBatch.started_at, now),
                workers=workers,
                message="",
            )
            .execution_options(synchronize_session=False)
        ).rowcount
        if claimed != 1:
            raise BatchRefused(
                _("Batch %(id)s baru saja dijalankan oleh proses lain.", id=batch_id)
            )
        db.session.execute(
            update(LetterBatchItem)
            .where(LetterBatchItem.batch_id == batch_id, LetterBatchItem.status == ITEM_RUNNING)
            .values(status=ITEM_PENDING)
            .execution_options(synchronize_session=False)
        )
        _recount(batch_id)
    db.session.expire_all()
    return db.session.get(LetterBatch, batch_id)


def _recount(batch_id: int) -> None:
    counts = dict(
        db.session.execute(
            select(LetterBatchItem.status, func.count())
            .where(LetterBatchItem.batch_id == batch_id)
            .group_by(LetterBatchItem.status)
        ).all()
    )
    db.session.execute(
        update(LetterBatch)
        .where(LetterBatch.id == batch_id)
        .values(
            issued=counts.get(ITEM_ISSUED, 0),
            skipped=counts.get(ITEM_SKIPPED, 0),
            failed=counts.get(ITEM_FAILED, 0),
        )
        .execution_options(synchronize_session=False)
    )


def _count(batch_id: int, column: str) -> None:
    """One more item issued/skipped/failed, and the runner is alive (in the caller's unit)."""
    db.session.execute(
        update(LetterBatch)
        .where(LetterBatch.id == batch_id)
        .values({column: getattr(LetterBatch, column) + 1, "heartbeat_at": utcnow()})
        .execution_options(synchronize_session=False)
    )


def _settle(batch_id: int, item_id: int, status: str, message: str) -> None:
    """An item's outcome (skipped or failed, with why) and the batch's count, in its own unit."""
    with transaction():
        db.session.execute(
            update(LetterBatchItem)
            .where(LetterBatchItem.id == item_id)
            .values(status=status, message=message[:1000])
            .execution_options(synchronize_session=False)
        )
        _count(batch_id, {ITEM_ISSUED: "issued", ITEM_SKIPPED: "skipped"}.get(status, "failed"))


def default_workers() -> int:
    configured = current_app.config.get("LETTER_BATCH_WORKERS")
    if configured is not None and str(configured).strip() != "":
        return max(0, int(configured))
    return os.cpu_count() or 1


def run_batch(batch_id: int, *, workers: int | None = None) -> LetterBatch:
    """Run (or resume) a batch to its end in this process, rendering in `workers` worker
    processes (default: one per core; 0 renders here, one letter at a time). Returns the batch
    as it ended. As the server operator: the batch was authorised when it was started, and its
    KIMs are read in the scope of whoever started it."""
    workers = default_workers() if workers is None else workers
    batch = _claim(batch_id, workers)
    if batch is None:
        return db.session.get(LetterBatch, batch_id)  # type: ignore[return-value]
    actor = db.session.get(User, batch.created_by_id) if batch.created_by_id else None
    view = office.current()
    try:
        issue.ready(view)
    except Invalid as refused:
        with transaction():
            db.session.execute(
                update(LetterBatch)
                .where(LetterBatch.id == batch_id)
                .values(status=BATCH_FAILED, message=refused.message)
                .execution_options(synchronize_session=False)
            )
        db.session.expire_all()
        return db.session.get(LetterBatch, batch_id)  # type: ignore[return-value]
    _skip_in_force(batch)
    _Run(batch_id, batch.period_id, batch.period_code, actor, view, workers).run()
    _finish(batch_id)
    db.session.expire_all()
    return db.session.get(LetterBatch, batch_id)  # type: ignore[return-value]


def _already_message(number: str) -> str:
    return _("Sudah ada surat yang berlaku: %(number)s.", number=number)


def _skip_in_force(batch: LetterBatch) -> None:
    """Pending items whose KIM already has a letter in force for the period: skipped, with its
    number (one query and one unit for the whole batch)."""
    found = db.session.execute(
        select(LetterBatchItem.id, Letter.number)
        .join(
            Letter,
            (Letter.kim_id == LetterBatchItem.kim_id)
            & (Letter.period_id == batch.period_id)
            & (Letter.kind == KIND_EVALUATION)
            & (Letter.status == LETTER_ISSUED),
        )
        .where(LetterBatchItem.batch_id == batch.id, LetterBatchItem.status == ITEM_PENDING)
    ).all()
    if not found:
        return
    with transaction():
        db.session.execute(
            update(LetterBatchItem),
            [
                {"id": item_id, "status": ITEM_SKIPPED, "message": _already_message(number)}
                for item_id, number in found
            ],
        )
        _recount(batch.id)


@dataclass
class _Flight:
    """A letter in flight: built, numbered as it expects to be, handed to a renderer."""

    item_id: int
    source: content.LetterSource
    data: LetterData
    sequence: int
    future: Future[issuing.RenderOutcome] | None = None

    @property
    def year(self) -> int:
        return self.data.letter_date.year


class _RenumberError(Exception):
    """The year's next number is not the one the letter was rendered with."""

    def __init__(self, sequence: int) -> None:
        super().__init__(sequence)
        self.sequence = sequence


class _AlreadyIssuedError(Exception):
    def __init__(self, number: str) -> None:
        super().__init__(number)
        self.number = number


@contextmanager
def _renderer(
    workers: int, logo: tuple[bytes, str] | None, key: issuing.SigningKey | None
) -> Iterator[Callable[[issuing.RenderJob], Future[issuing.RenderOutcome]]]:
    """A function handing a letter to a renderer: a pool of `workers` processes (spawned: they
    import only what rendering needs and share no database connection), or this process."""
    if workers <= 0:
        issuing.start_worker(logo, key, warm=False, in_pool=False)

        def here(job: issuing.RenderJob) -> Future[issuing.RenderOutcome]:
            done: Future[issuing.RenderOutcome] = Future()
            done.set_result(issuing.render_job(job))
            return done

        yield here
        return
    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=issuing.start_worker,
        initargs=(logo, key),
    )
    try:
        yield lambda job: pool.submit(issuing.render_job, job)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


class _Run:
    """One run over a batch's pending items (see the module docstring)."""

    def __init__(
        self,
        batch_id: int,
        period_id: int,
        period_code: str,
        actor: User | None,
        view: office.OfficeView,
        workers: int,
    ) -> None:
        self.batch_id = batch_id
        self.period_id = period_id
        self.period_code = period_code
        self.actor = actor
        self.view = view
        self.workers = workers
        self.key = issue.signing_key(view)
        self.expected: dict[int, int] = {}  # year → the number the next letter should get
        self.inflight: deque[_Flight] = deque()
        self.handed = 0  # renders asked for (a letter rendered again counts again)
        self.render_cpu: list[float] = []  # CPU seconds of each render whose letter was kept
        self.submit: Callable[[issuing.RenderJob], Future[issuing.RenderOutcome]]

    def run(self) -> None:
        todo = deque(
            db.session.execute(
                select(LetterBatchItem.id, LetterBatchItem.kim_id)
                .where(
                    LetterBatchItem.batch_id == self.batch_id,
                    LetterBatchItem.status == ITEM_PENDING,
                )
                .order_by(LetterBatchItem.position)
            ).all()
        )
        ahead = max(1, self.workers) * AHEAD_PER_WORKER
        with _renderer(self.workers, office.logo(), self.key) as submit:
            self.submit = submit
            while todo or self.inflight:
                handed = []
                while todo and len(self.inflight) < ahead:
                    item_id, kim_id = todo.popleft()
                    flight = self._build(item_id, kim_id)
                    if flight is not None:
                        self._hand(flight)
                        self.inflight.append(flight)
                        handed.append(item_id)
                if handed:
                    self._mark_running(handed)
                if self.inflight:
                    self._settle_head()
        log.info(
            "batch %s: %s renders for %s letters kept, %.1f s of CPU in those renders",
            self.batch_id,
            self.handed,
            len(self.render_cpu),
            sum(self.render_cpu),
            extra={"renders": self.handed, "render_cpu": list(self.render_cpu)},
        )

    def _build(self, item_id: int, kim_id: int) -> _Flight | None:
        try:
            source = content.build(self.actor, self.period_code, kim_id, self.view)
            if source.stale:
                raise content.LetterNotReady(issue.stale_message())
        except (Invalid, NotFound) as refused:
            _settle(self.batch_id, item_id, ITEM_FAILED, refused.message)
            return None
        except Exception as exc:  # one KIM's failure is its own
            log.exception("batch %s: building the letter of KIM %s failed", self.batch_id, kim_id)
            _settle(self.batch_id, item_id, ITEM_FAILED, f"{type(exc).__name__}: {exc}")
            return None
        token = secrets.token_urlsafe(issue.TOKEN_BYTES)
        data = source.data.issued(
            "", token, office.verify_url(token, self.view), signed=self.key is not None
        )
        return _Flight(item_id, source, data, sequence=0)

    def _next(self, year: int) -> int:
        if year not in self.expected:
            self.expected[year] = numbering.peek_next(year)
        sequence = self.expected[year]
        self.expected[year] = sequence + 1
        return sequence

    def _hand(self, flight: _Flight) -> None:
        """Number the letter as it expects to be numbered and hand it to a renderer."""
        flight.sequence = self._next(flight.year)
        number = issue.number_for(self.view, flight.sequence, flight.data.letter_date)
        flight.data = dataclasses.replace(flight.data, number=number)
        if flight.future is not None:
            flight.future.cancel()  # rendered with a number it will not get: not waited for
        flight.future = self.submit(issuing.RenderJob(flight.item_id, flight.data))
        self.handed += 1

    def _renumber(self, year: int, sequence: int) -> None:
        """The year's next free number is `sequence`: render the letters in flight again."""
        self.expected[year] = sequence
        for flight in self.inflight:
            if flight.year == year:
                self._hand(flight)

    def _mark_running(self, item_ids: list[int]) -> None:
        with transaction():
            db.session.execute(
                update(LetterBatchItem)
                .where(LetterBatchItem.id.in_(item_ids), LetterBatchItem.status == ITEM_PENDING)
                .values(status=ITEM_RUNNING)
                .execution_options(synchronize_session=False)
            )
            db.session.execute(
                update(LetterBatch)
                .where(LetterBatch.id == self.batch_id)
                .values(heartbeat_at=utcnow())
                .execution_options(synchronize_session=False)
            )

    def _settle_head(self) -> None:
        head = self.inflight.popleft()
        assert head.future is not None
        outcome = head.future.result()
        if outcome.pdf is None:
            _settle(self.batch_id, head.item_id, ITEM_FAILED, outcome.error)
            self._renumber(head.year, head.sequence)  # its number was not taken
            return
        try:
            letter_id, number = self._commit(head, outcome.pdf)
        except _RenumberError as moved:
            self.inflight.appendleft(head)
            self._renumber(head.year, moved.sequence)
        except _AlreadyIssuedError as found:
            _settle(self.batch_id, head.item_id, ITEM_SKIPPED, _already_message(found.number))
            self._renumber(head.year, head.sequence)
        except (Invalid, NotFound) as refused:
            _settle(self.batch_id, head.item_id, ITEM_FAILED, refused.message)
            self._renumber(head.year, head.sequence)
        except Exception as exc:
            log.exception("batch %s: issuing item %s failed", self.batch_id, head.item_id)
            db.session.rollback()
            _settle(self.batch_id, head.item_id, ITEM_FAILED, f"{type(exc).__name__}: {exc}")
            self._renumber(head.year, numbering.peek_next(head.year))
        else:
            self.render_cpu.append(outcome.cpu_seconds)
            log.debug("batch %s: %s issued (letter %s)", self.batch_id, number, letter_id)

    def _commit(self, flight: _Flight, pdf: bytes) -> tuple[int, str]:
        """Issue the rendered letter in one unit of work (see the module docstring)."""
        day = flight.data.letter_date
        written: str | None = None
        try:
            with transaction():
                sequence = numbering.take_next(day.year)
                if issue.number_for(self.view, sequence, day) != flight.data.number:
                    raise _RenumberError(sequence)
                found = issue.in_force(flight.source.kim_id, flight.source.period_id)
                if found is not None:
                    raise _AlreadyIssuedError(found.number)
                written = archive.relative_path(day.year, sequence)
                archive.write(written, pdf)
                letter = issue.record(
                    self.actor, flight.source, flight.data, sequence, written, pdf, None
                )
                db.session.execute(
                    update(LetterBatchItem)
                    .where(LetterBatchItem.id == flight.item_id)
                    .values(status=ITEM_ISSUED, letter_id=letter.id, message="")
                    .execution_options(synchronize_session=False)
                )
                _count(self.batch_id, "issued")
                result = (letter.id, letter.number)
            return result
        except BaseException:
            if written is not None:
                archive.discard(written)
            raise


def _slug(text: str) -> str:
    kept = "".join(c if c.isalnum() else "-" for c in text)
    return "-".join(part for part in kept.split("-") if part)[:80]


def _finish(batch_id: int) -> None:
    """Make the ZIP and the combined PDF from the archived letters the batch issued, and mark
    it done."""
    batch = db.session.get(LetterBatch, batch_id)
    assert batch is not None
    letters = db.session.execute(
        select(Letter.pdf_path, Letter.number, Letter.kim_name)
        .join(LetterBatchItem, LetterBatchItem.letter_id == Letter.id)
        .where(LetterBatchItem.batch_id == batch_id, LetterBatchItem.status == ITEM_ISSUED)
        .order_by(LetterBatchItem.position)
    ).all()
    zip_path = combined_path = ""
    if letters:
        root = archive.root()
        folder = f"batches/{batch_id:06d}"
        stem = f"surat-evaluasi-{_slug(batch.period_code)}-batch-{batch_id}"
        zip_path = f"{folder}/{stem}.zip"
        combined_path = f"{folder}/{stem}-gabungan.pdf"
        files = [root / path for path, _number, _name in letters]
        names = [
            f"{n:03d}-{_slug(number)}-{_slug(name)}.pdf"
            for n, (_path, number, name) in enumerate(letters, start=1)
        ]
        (root / folder).mkdir(parents=True, exist_ok=True)
        bundle.write_zip(root / zip_path, list(zip(names, files, strict=True)))
        bundle.write_combined(root / combined_path, files)
    with transaction():
        _recount(batch_id)
        db.session.execute(
            update(LetterBatch)
            .where(LetterBatch.id == batch_id)
            .values(
                status=BATCH_DONE,
                finished_at=utcnow(),
                heartbeat_at=utcnow(),
                zip_path=zip_path,
                combined_path=combined_path,
            )
            .execution_options(synchronize_session=False)
        )


def resume_pending_batches(*, workers: int | None = None) -> list[int]:
    """Run every batch whose process is gone before it finished (killed, or never started):
    for the scheduler, and `flask letters resume`. Returns the batches run."""
    now = utcnow()
    waiting = db.session.scalars(
        select(LetterBatch)
        .where(LetterBatch.status.in_((BATCH_QUEUED, BATCH_RUNNING)))
        .order_by(LetterBatch.id)
    ).all()
    due = [
        b.id
        for b in waiting
        if (b.status == BATCH_QUEUED and now - b.created_at >= QUEUED_GRACE)
        or (b.status == BATCH_RUNNING and not _alive(b, now))
    ]
    ran = []
    for batch_id in due:
        try:
            run_batch(batch_id, workers=workers)
        except BatchRefused:  # another process took it meanwhile
            continue
        ran.append(batch_id)
    return ran
