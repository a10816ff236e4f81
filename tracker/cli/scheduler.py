"""`flask scheduler …`: the scheduler process, and one job run by hand.

flask scheduler run            the scheduler (foreground; one per database: a second refuses)
flask scheduler run-job NAME   one job now, its due keys exactly once (also takes the guard)
flask scheduler jobs           the jobs and when each runs next
"""

from __future__ import annotations

import logging
from datetime import datetime

import click
from flask import current_app
from flask.cli import AppGroup

from tracker.cli.common import fail

# tracker.jobs (and APScheduler with it) is imported by the commands that use it: every other
# `flask` command starts without it

scheduler = AppGroup("scheduler", help="Penjadwal: tugas terjadwal Jenjang.")


@scheduler.command("run")
def run_command() -> None:
    """Jalankan penjadwal (proses tersendiri, di latar depan)."""
    from tracker.jobs import process

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    # what each run did, on stderr (the journal under systemd); no-op when logging is set up
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        code = process.run(app, click.echo)
    except process.AlreadyRunningError as refused:
        fail(str(refused))
    if code:
        fail("Penjadwal berhenti: kuncinya diambil proses lain.", code)


@scheduler.command("run-job")
@click.argument("name")
def run_job_command(name: str) -> None:
    """Jalankan satu tugas sekarang (kunci yang sudah berjalan dilewati)."""
    from tracker.jobs import process, runner

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if name not in runner.names():
        fail(f"Tugas {name} tidak dikenal. Tugas: {', '.join(runner.names())}.")
    guard = process.Guard(app)
    try:
        guard.acquire()
    except process.AlreadyRunningError as refused:
        fail(str(refused))
    try:
        with guard.kept():  # renewed while the job runs
            outcomes = runner.fire_by_name(app, name)
    finally:
        guard.release()
    if not outcomes:
        click.echo(f"{name}: tidak ada yang jatuh tempo.")
    for outcome in outcomes:
        counts = ", ".join(f"{k} {v}" for k, v in outcome.counts.items())
        click.echo(
            f"{outcome.job} {outcome.run_key}: {outcome.status}{': ' + counts if counts else ''}"
        )
    if any(o.status == "failed" for o in outcomes):
        fail("\n".join(o.error or "" for o in outcomes if o.status == "failed"))


@scheduler.command("jobs")
def jobs_command() -> None:
    """Daftar tugas dan waktu jalan berikutnya."""
    from tracker.jobs import runner
    from tracker.jobs.registry import JOBS

    tz = runner.timezone(current_app)
    now = datetime.now(tz)
    for job in JOBS:
        trigger = job.trigger(tz)
        following = trigger.get_next_fire_time(None, now)
        click.echo(f"{job.name:16} {following:%Y-%m-%d %H:%M %Z}  {trigger}")


COMMANDS = (scheduler,)
