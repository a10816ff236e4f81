"""The admin page of the scheduler: its state, the jobs it plans with their next run, the last runs
(status, duration, counts, error), and "run now".

"Run now" does not run the job in the web worker (a recomputation of a district takes minutes, and
a web worker is not the scheduler: it holds no lease). It records a request, audited; the
scheduler's poll picks it up within `SCHEDULER_POLL_SECONDS` and runs the job under the same
exactly-once record as a scheduled run, keyed by the request. The page says when no scheduler is
running: the request then waits for one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select, update

from tracker.extensions import db
from tracker.models.base import utcnow
from tracker.models.scheduler import JobRequest, JobRun
from tracker.models.user import User
from tracker.services.common import audit_writer
from tracker.services.common.errors import Invalid
from tracker.services.common.pagination import Page, paginate
from tracker.services.common.permissions import RUN_JOBS, require
from tracker.services.common.unit_of_work import transaction
from tracker.services.scheduler import lease


def N_(msgid: str) -> str:  # noqa: N802 - a msgid, translated where shown
    return msgid


# The jobs' names as people read them (a job added at a merge without a label shows its name).
JOB_LABELS = {
    "recompute": N_("Hitung ulang periode terbuka"),
    "period_close": N_("Tutup periode yang berakhir"),
    "reminders": N_("Pengingat"),
    "digest": N_("Ringkasan mingguan Kabid"),
    "harvest": N_("Panen aktivitas situs KIM"),
    "letter_batches": N_("Batch surat"),
}

# The counts a run records, as people read them; a job may name a count its own way (the
# harvest's "failed" are KIMs, the mail's are e-mails). A count without a label shows its key.
COUNT_LABELS = {
    "periods_checked": N_("periode diperiksa"),
    "periods_recomputed": N_("periode dihitung ulang"),
    "kims_assessed": N_("KIM dinilai"),
    "closed": N_("periode ditutup"),
    "opened": N_("periode dibuka"),
    "follow_up": N_("pengingat tindak lanjut"),
    "not_visited": N_("pengingat belum dikunjungi"),
    "no_upload": N_("pengingat tanpa unggahan"),
    "tier_drop": N_("pengingat jenjang turun"),
    "digest": N_("ringkasan mingguan"),
    "sent": N_("e-mail terkirim"),
    "failed": N_("e-mail gagal"),
    "batches": N_("batch dilanjutkan"),
}
JOB_COUNT_LABELS = {
    "harvest": {
        "kims": N_("KIM dipanen"),
        "ok": N_("berhasil"),
        "not_modified": N_("tanpa perubahan"),
        "failed": N_("gagal"),
        "found": N_("unggahan ditemukan"),
        "new": N_("unggahan baru"),
        "requests": N_("permintaan ke situs"),
    },
}


def count_label(job: str, key: str) -> str:
    """The untranslated label of count `key` of a run of `job` (its key when it has none)."""
    return JOB_COUNT_LABELS.get(job, {}).get(key) or COUNT_LABELS.get(key) or key


@dataclass(frozen=True)
class PlannedJob:
    name: str
    trigger: str
    next_run: datetime | None
    last: JobRun | None
    pending: int  # requests not yet picked up


@dataclass(frozen=True)
class Overview:
    lease: lease.LeaseState | None
    alive: bool
    jobs: list[PlannedJob]
    runs: Page[JobRun]


def _parse(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


def overview(actor: User, page: int, per_page: int) -> Overview:
    """What the admin page shows. Jobs are the ones the running (or last) scheduler published;
    their last run and pending requests come in one grouped query each."""
    require(actor, RUN_JOBS)
    state = lease.current()
    published = state.jobs if state else []
    last_ids = select(func.max(JobRun.id)).group_by(JobRun.job)
    last = {
        run.job: run for run in db.session.scalars(select(JobRun).where(JobRun.id.in_(last_ids)))
    }
    pending = dict(
        db.session.execute(
            select(JobRequest.job, func.count())
            .where(JobRequest.picked_at.is_(None))
            .group_by(JobRequest.job)
        ).all()
    )
    jobs = [
        PlannedJob(
            name=str(item.get("name")),
            trigger=str(item.get("trigger", "")),
            next_run=_parse(item.get("next")),
            last=last.get(str(item.get("name"))),
            pending=int(pending.get(str(item.get("name")), 0)),
        )
        for item in published
    ]
    runs = paginate(
        select(JobRun).order_by(JobRun.started_at.desc(), JobRun.id.desc()), page, per_page
    )
    return Overview(state, bool(state and state.alive()), jobs, runs)


class UnknownJob(Invalid):
    """A job the scheduler does not plan."""


def request_run(actor: User, job: str) -> JobRequest:
    """Leave a "run now" request for the scheduler (admin only, audited)."""
    require(actor, RUN_JOBS)
    state = lease.current()
    known = {str(item.get("name")) for item in (state.jobs if state else [])}
    if job not in known:
        raise UnknownJob(_("Tugas %(job)s tidak dikenal penjadwal.", job=job))
    with transaction():
        made = JobRequest(job=job, requested_by_id=actor.id, requested_at=utcnow())
        db.session.add(made)
        db.session.flush()
        audit_writer.record("job.request", "job_request", made.id, actor, params={"job": job})
    return made


def pending_requests() -> list[JobRequest]:
    return list(
        db.session.scalars(
            select(JobRequest).where(JobRequest.picked_at.is_(None)).order_by(JobRequest.id)
        )
    )


def pick(request_id: int) -> bool:
    """Mark a request picked up (its own unit); False when someone else picked it."""
    with transaction():
        result = db.session.execute(
            update(JobRequest)
            .where(JobRequest.id == request_id, JobRequest.picked_at.is_(None))
            .values(picked_at=utcnow())
        )
    return bool(result.rowcount)


def link_run(request_id: int, run_id: int | None) -> None:
    with transaction():
        db.session.execute(
            update(JobRequest).where(JobRequest.id == request_id).values(run_id=run_id)
        )
