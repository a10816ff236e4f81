"""Running a job exactly once per key, and the admin's "run now" requests.

A fire of a job (its trigger's time came, `flask scheduler run-job`) first takes up its failed
keys again (at most JOB_MAX_ATTEMPTS tries each), then runs the keys due now; each key is claimed
in the database before the job acts (tracker/services/scheduler/runs.py), so a key that ran
already is skipped whatever the number of fires, processes or restarts. A request is one run,
keyed by the request, over the keys due at that moment.

Each fire runs in its own application context with a fresh database session. A job that raises
has its session rolled back, its run recorded failed with the error, and the fire goes on with
the next key: one failure stops nothing else.
"""

from __future__ import annotations

import logging
import traceback
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask, g

from tracker.extensions import db
from tracker.jobs.context import JobContext
from tracker.jobs.registry import JOBS, Job, as_counts, find
from tracker.models.scheduler import (
    RUN_FAILED,
    RUN_SUCCEEDED,
    TRIGGER_COMMAND,
    TRIGGER_REQUEST,
    TRIGGER_RETRY,
    TRIGGER_SCHEDULE,
)
from tracker.services.scheduler import requests, runs

log = logging.getLogger("tracker.jobs")

SKIPPED = "skipped"


@dataclass(frozen=True)
class Outcome:
    job: str
    run_key: str
    status: str  # succeeded, failed, or skipped (the key ran already, or is running)
    counts: dict[str, Any]
    error: str | None = None


def timezone(app: Flask) -> ZoneInfo:
    return ZoneInfo(str(app.config.get("SCHEDULER_TIMEZONE") or "Asia/Jakarta"))


def context(app: Flask) -> JobContext:
    return JobContext(app.config, datetime.now(timezone(app)))


def _error(exc: BaseException) -> str:
    """The error as the admin page shows it: its type and message, then the innermost frames."""
    frames = traceback.format_exception(exc, limit=-3)
    return "".join(frames[-4:]).strip()


def _run(
    job: Job,
    ctx: JobContext,
    run_key: str,
    targets: list[str],
    trigger: str,
    requested_by_id: int | None = None,
) -> Outcome:
    claimed = runs.claim(
        job.name,
        run_key,
        target=",".join(targets)[:40],
        trigger=trigger,
        requested_by_id=requested_by_id,
    )
    if claimed is None:
        return Outcome(job.name, run_key, SKIPPED, {})
    counts: dict[str, Any] = {}
    try:
        for target in targets:
            for name, value in as_counts(job.run(ctx, target)).items():
                both = isinstance(value, int) and isinstance(counts.get(name, 0), int)
                counts[name] = counts.get(name, 0) + value if both else value
    except Exception as exc:  # recorded, logged, and the scheduler goes on
        db.session.rollback()
        counts.update(getattr(exc, "counts", {}))  # PartlyDone: what was committed before
        message = _error(exc)
        log.exception("job %s (%s) failed", job.name, run_key)
        runs.fail(claimed, message, counts)
        return Outcome(job.name, run_key, RUN_FAILED, counts, message)
    runs.finish(claimed, counts)
    log.info("job %s (%s) done: %s", job.name, run_key, counts)
    return Outcome(job.name, run_key, RUN_SUCCEEDED, counts)


def fire(app: Flask, job: Job, trigger: str = TRIGGER_SCHEDULE) -> list[Outcome]:
    """The job's time came: its failed keys again, then the keys due now, each exactly once."""
    with app.app_context():
        g.jenjang_job = job.name  # a non-empty g: Flask-Babel's force_locale works in jobs
        try:
            ctx = context(app)
            max_attempts = int(app.config.get("JOB_MAX_ATTEMPTS", 3))
            outcomes: list[Outcome] = []
            tried: set[str] = set()
            for run_key, target in runs.failed_keys(job.name, max_attempts):
                targets = [t for t in target.split(",") if t] or job.keys(ctx)
                outcomes.append(_run(job, ctx, run_key, targets, TRIGGER_RETRY))
                tried.add(run_key)
            for key in job.keys(ctx):
                if key not in tried:
                    outcomes.append(_run(job, ctx, key, [key], trigger))
            return outcomes
        finally:
            db.session.remove()


def serve_requests(app: Flask) -> list[Outcome]:
    """The admin's "run now" requests waiting: each picked once, run as one run of its own."""
    with app.app_context():
        g.jenjang_job = "requests"
        try:
            outcomes = []
            for request in requests.pending_requests():
                if not requests.pick(request.id):
                    continue
                job = find(request.job)
                run_key = f"request-{request.id}"
                if job is None:  # the job is gone since the page listed it: say so in a run
                    claimed = runs.claim(request.job, run_key, target="", trigger=TRIGGER_REQUEST)
                    if claimed is not None:
                        runs.fail(claimed, f"unknown job {request.job!r}")
                        requests.link_run(request.id, claimed.run_id)
                    continue
                ctx = context(app)
                outcome = _run(
                    job, ctx, run_key, job.keys(ctx), TRIGGER_REQUEST, request.requested_by_id
                )
                stored = runs.get_run(job.name, run_key)
                requests.link_run(request.id, stored.id if stored else None)
                outcomes.append(outcome)
            return outcomes
        finally:
            db.session.remove()


def fire_by_name(app: Flask, name: str) -> list[Outcome]:
    job = find(name)
    if job is None:
        raise KeyError(name)
    return fire(app, job, TRIGGER_COMMAND)


def names() -> list[str]:
    return [job.name for job in JOBS]
