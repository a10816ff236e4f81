"""The scheduler process: `flask scheduler run`.

One BlockingScheduler (APScheduler 3.11) in the foreground, in SCHEDULER_TIMEZONE (Asia/Jakarta by
default). Nothing in the web application starts it: gunicorn workers only record "run now"
requests. Jobs run one at a time on one worker thread, the admin's "run now" requests too (the
request poll is one of its jobs); the heartbeat runs alone on a second one, so a long
recomputation or a letter batch taken up by "run now" never lets the lease lapse.

Before anything is scheduled the process takes the guard (tracker/services/scheduler/lease.py):
the advisory lock on PostgreSQL, the lease row on SQLite. Held by another scheduler, it refuses
with a message and exit code 1. Then it marks the runs a dead predecessor left "running" as failed
(they are retried). The heartbeat renews the lease every third of SCHEDULER_LEASE_SECONDS and
publishes the jobs' next run times for the admin page; a heartbeat that finds the guard lost stops
the scheduler (exit 1) rather than run beside another one. SIGTERM (systemd stop) and Ctrl-C shut
down after the job under way; the guard is released on the way out.
"""

from __future__ import annotations

import contextlib
import logging
import signal
from collections.abc import Callable
from datetime import datetime
from typing import Any

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask

from tracker.extensions import db
from tracker.jobs import runner
from tracker.jobs.registry import JOBS, Job
from tracker.services.scheduler import lease, runs

log = logging.getLogger("tracker.jobs")

CONTROL = "control"  # the heartbeat's executor
HEARTBEAT_ID = "_heartbeat"
REQUESTS_ID = "_requests"


class AlreadyRunningError(RuntimeError):
    """Another scheduler holds the guard; the message says which."""


class Guard:
    """The right to run jobs against this database, for this process's life."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.holder = lease.holder_name()
        self.seconds = int(app.config.get("SCHEDULER_LEASE_SECONDS", 90))
        self.lock: lease.AdvisoryLock | None = None

    def acquire(self) -> None:
        with self.app.app_context():
            try:
                if lease.is_postgresql():
                    lock = lease.AdvisoryLock()
                    if not lock.try_acquire():
                        holder = lease.holder_of_row() or "?"
                        raise AlreadyRunningError(
                            "Penjadwal lain sudah berjalan pada basis data ini (kunci advisory "
                            f"PostgreSQL dipegang; tercatat: {holder}). Hanya satu penjadwal "
                            "boleh berjalan: hentikan yang lain dulu."
                        )
                    self.lock = lock
                    lease.try_take(self.holder, self.seconds, force=True)
                elif not lease.try_take(self.holder, self.seconds):
                    state = lease.current()
                    holder = state.holder if state else "?"
                    until = state.expires_at.strftime("%Y-%m-%d %H:%M:%S") if state else "?"
                    raise AlreadyRunningError(
                        f"Penjadwal lain sudah berjalan pada basis data ini ({holder}, sewanya "
                        f"berlaku sampai {until} UTC). Hanya satu penjadwal boleh berjalan: "
                        "hentikan yang lain dulu, atau tunggu sewanya habis bila prosesnya "
                        "sudah mati."
                    )
                left = runs.interrupted("interrupted: the scheduler running it stopped")
                if left:
                    log.warning("%d run(s) left running by a stopped scheduler marked failed", left)
            finally:
                db.session.remove()

    def renew(self, jobs: list[dict[str, Any]] | None = None) -> bool:
        with self.app.app_context():
            try:
                if self.lock is not None and not self.lock.check():
                    return False
                ours = lease.renew(self.holder, self.seconds, jobs)
                if self.lock is not None and not ours:  # the row only informs: take it back
                    ours = lease.try_take(self.holder, self.seconds, force=True)
                    if ours and jobs is not None:
                        lease.renew(self.holder, self.seconds, jobs)
                return ours
            finally:
                db.session.remove()

    def release(self) -> None:
        with self.app.app_context():
            try:
                lease.release(self.holder)
            finally:
                db.session.remove()
                if self.lock is not None:
                    self.lock.release()
                    self.lock = None


def published(scheduler: Any) -> list[dict[str, Any]]:
    """The jobs as the admin page lists them: name, trigger, next run (ISO, with its offset)."""
    found = []
    for planned in scheduler.get_jobs():
        if planned.id.startswith("_"):
            continue
        when = getattr(planned, "next_run_time", None)
        found.append(
            {
                "name": planned.id,
                "trigger": str(planned.trigger),
                "next": when.isoformat() if when else None,
            }
        )
    return found


def build(
    app: Flask,
    guard: Guard,
    jobs: list[Job] | None = None,
    scheduler_class: type[BaseScheduler] = BlockingScheduler,
) -> Any:
    """The scheduler with every job of the registry, the heartbeat and the request poll (the
    tests build a BackgroundScheduler to look at it without blocking)."""
    tz = runner.timezone(app)
    scheduler = scheduler_class(
        timezone=tz,
        executors={"default": ThreadPoolExecutor(1), CONTROL: ThreadPoolExecutor(1)},
        job_defaults={
            "coalesce": True,  # a fire missed while down runs once, not once per missed time
            "max_instances": 1,
            "misfire_grace_time": int(app.config.get("SCHEDULER_MISFIRE_GRACE_SECONDS", 3600)),
        },
    )
    for job in JOBS if jobs is None else jobs:
        scheduler.add_job(runner.fire, job.trigger(tz), args=(app, job), id=job.name, name=job.name)

    def heartbeat() -> None:
        if not guard.renew(published(scheduler)):
            log.critical("scheduler guard lost (another scheduler took the lease): stopping")
            scheduler.exit_code = 1
            if scheduler.running:
                scheduler.shutdown(wait=False)

    scheduler.add_job(
        heartbeat,
        IntervalTrigger(seconds=max(1, guard.seconds // 3), timezone=tz),
        id=HEARTBEAT_ID,
        executor=CONTROL,
        next_run_time=datetime.now(tz),  # at once: it publishes the next run times
    )
    scheduler.add_job(  # on the jobs' thread: a requested run is as long as the job
        runner.serve_requests,
        IntervalTrigger(seconds=int(app.config.get("SCHEDULER_POLL_SECONDS", 30)), timezone=tz),
        args=(app,),
        id=REQUESTS_ID,
    )
    scheduler.heartbeat = heartbeat
    scheduler.exit_code = 0
    return scheduler


def run(app: Flask, echo: Callable[[str], None] = print) -> int:
    """Take the guard, then schedule until stopped; the exit code. Raises AlreadyRunningError."""
    guard = Guard(app)
    guard.acquire()
    try:
        scheduler = build(app, guard)

        def stop(signum: int, _frame: Any) -> None:
            log.info("signal %s: stopping after the job under way", signum)
            scheduler.shutdown(wait=True)

        previous = signal.signal(signal.SIGTERM, stop)
        echo(
            f"Penjadwal berjalan ({guard.holder}, zona {runner.timezone(app)}): "
            + ", ".join(job.name for job in JOBS)
        )
        try:
            with contextlib.suppress(KeyboardInterrupt, SystemExit):
                scheduler.start()
        finally:
            signal.signal(signal.SIGTERM, previous)
        return int(scheduler.exit_code)
    finally:
        guard.release()
