"""One scheduler per database: a second one refuses with a message and a non-zero exit (the lease
row on SQLite, the advisory lock on PostgreSQL); a killed scheduler's lease lapses and its
unfinished run is taken up again; the heartbeat publishes the plan and stops a scheduler that
lost its guard."""

from __future__ import annotations

import os
from datetime import datetime, timedelta

import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import select, update

from tests import factories
from tests.scheduler.conftest import wib
from tracker.extensions import db
from tracker.jobs import process, runner
from tracker.jobs import runner as runner_module
from tracker.models import AuditEntry, JobRequest, JobRun, SchedulerLease
from tracker.models.scheduler import RUN_FAILED, RUN_RUNNING, RUN_SUCCEEDED
from tracker.services.scheduler import lease, requests, runs

ON_POSTGRES = os.environ.get("TEST_DATABASE_URL", "").startswith("postgres")


@pytest.mark.skipif(ON_POSTGRES, reason="the lease row is the guard on SQLite")
def test_second_scheduler_refuses_until_the_first_ones_lease_lapses(app, at):
    app.config["SCHEDULER_LEASE_SECONDS"] = 90
    start = wib(2026, 3, 2, 6, 0)
    at(start)
    first, second = process.Guard(app), process.Guard(app)
    first.acquire()
    with pytest.raises(process.AlreadyRunningError) as refused:
        second.acquire()
    assert first.holder in str(refused.value) and "sewanya" in str(refused.value)

    at(start + timedelta(seconds=80))  # the heartbeat keeps it
    assert first.renew()
    at(start + timedelta(seconds=160))
    with pytest.raises(process.AlreadyRunningError):
        second.acquire()

    at(start + timedelta(seconds=80 + 91))  # killed: no heartbeat for longer than the lease
    second.acquire()
    assert db.session.scalar(select(SchedulerLease.holder)) == second.holder
    assert first.renew() is False  # the first, if it ever wakes up, must stop


@pytest.mark.skipif(not ON_POSTGRES, reason="needs TEST_DATABASE_URL on PostgreSQL")
def test_postgresql_advisory_lock_lets_one_scheduler_run(app):
    first, second = process.Guard(app), process.Guard(app)
    first.acquire()
    try:
        with pytest.raises(process.AlreadyRunningError) as refused:
            second.acquire()
        assert "advisory" in str(refused.value)
        assert first.renew()
    finally:
        first.release()
    second.acquire()  # released (or its connection gone): the next one may run
    second.release()


def test_the_command_refuses_with_a_message_and_exit_1(app, runner, at):
    at(wib(2026, 3, 2, 6, 0))
    running = process.Guard(app)
    running.acquire()
    try:
        result = runner.invoke(args=["scheduler", "run"])
        assert result.exit_code == 1
        assert "Penjadwal lain sudah berjalan" in result.output
        result = runner.invoke(args=["scheduler", "run-job", "reminders"])
        assert result.exit_code == 1 and "Penjadwal lain" in result.output
    finally:
        running.release()
    result = runner.invoke(args=["scheduler", "run-job", "reminders"])
    assert result.exit_code == 0, result.output
    assert "reminders 2026-03-02: succeeded" in result.output
    result = runner.invoke(args=["scheduler", "run-job", "nope"])
    assert result.exit_code == 1 and "tidak dikenal" in result.output


def test_a_run_left_running_by_a_killed_scheduler_is_retried(app, at, fire):
    at(wib(2026, 3, 2, 6, 0))
    dead = process.Guard(app)
    dead.acquire()
    claimed = runs.claim("reminders", "2026-03-02")  # killed right after claiming
    assert claimed is not None
    db.session.expire_all()
    assert db.session.get(JobRun, claimed.run_id).status == RUN_RUNNING
    if dead.lock is not None:  # PostgreSQL: the killed process's connection ends with it
        dead.lock.connection.invalidate()
        dead.lock = None

    at(wib(2026, 3, 2, 6, 5))  # on SQLite the lease lapsed; the new scheduler takes over
    successor = process.Guard(app)
    successor.acquire()
    try:
        db.session.expire_all()
        left = db.session.get(JobRun, claimed.run_id)
        assert left.status == RUN_FAILED and "interrupted" in left.error
        [outcome] = fire("reminders")
        assert outcome.run_key == "2026-03-02" and outcome.status == RUN_SUCCEEDED
        assert db.session.get(JobRun, claimed.run_id).attempts == 2
    finally:
        successor.release()


def test_heartbeat_publishes_the_plan_and_stops_a_scheduler_that_lost_its_guard(app, at):
    at(wib(2026, 3, 3, 9, 0))  # a Tuesday
    guard = process.Guard(app)
    guard.acquire()
    scheduler = process.build(app, guard, scheduler_class=BackgroundScheduler)
    scheduler.start(paused=True)  # next run times computed, nothing runs
    try:
        scheduler.heartbeat()
        state = lease.current()
        planned = {job["name"]: job["next"] for job in state.jobs}
        assert planned == {
            "recompute": "2026-03-04T01:00:00+07:00",
            "period_close": "2026-03-04T00:30:00+07:00",
            "reminders": "2026-03-04T06:00:00+07:00",
            "digest": "2026-03-09T07:00:00+07:00",  # Monday 07:00 WIB
            "harvest": "2026-03-03T12:20:00+07:00",  # every six hours at :20
            "letter_batches": "2026-03-03T09:05:00+07:00",  # every five minutes
        }
        assert scheduler.exit_code == 0 and scheduler.running
        # another process took the row (its lease lapsed while this one was frozen)
        db.session.execute(update(SchedulerLease).values(holder="elsewhere:1:x"))
        db.session.commit()
        if lease.is_postgresql():  # there the lock is the guard: the row is taken back
            scheduler.heartbeat()
            assert scheduler.running
            return
        scheduler.heartbeat()
        assert scheduler.exit_code == 1 and not scheduler.running
    finally:
        if scheduler.running:
            scheduler.shutdown(wait=False)
        guard.release()


def test_scheduler_time_zone_is_a_setting(app, at, fire):
    app.config["SCHEDULER_TIMEZONE"] = "Asia/Makassar"  # WITA, an hour ahead of Jakarta
    at(wib(2026, 3, 1, 23, 30))
    [outcome] = fire("reminders")
    assert outcome.run_key == "2026-03-02"
    trigger = process.JOBS[0].trigger(runner.timezone(app))
    assert str(trigger.timezone) == "Asia/Makassar"


def test_run_now_is_a_request_the_scheduler_picks_up(app, regions, at):
    at(wib(2026, 3, 4, 10, 0))
    admin = factories.user("admin", [regions.kabupaten], username="admin1")
    guard = process.Guard(app)
    guard.acquire()
    scheduler = process.build(app, guard, scheduler_class=BackgroundScheduler)
    scheduler.start(paused=True)
    try:
        scheduler.heartbeat()  # the plan the page offers
        made = requests.request_run(admin, "reminders")
        [entry] = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "job.request"))
        assert entry.user_id == admin.id and entry.params == {"job": "reminders"}
        assert db.session.scalar(select(JobRun)) is None  # the web ran nothing

        [outcome] = runner.serve_requests(app)
        db.session.expire_all()
        assert outcome.run_key == f"request-{made.id}" and outcome.status == RUN_SUCCEEDED
        run = db.session.scalar(select(JobRun))
        assert run.trigger == "request" and run.requested_by_id == admin.id
        assert run.target == "2026-03-04"
        request = db.session.get(JobRequest, made.id)
        assert request.picked_at is not None and request.run_id == run.id
        assert runner.serve_requests(app) == []  # picked once
    finally:
        scheduler.shutdown(wait=False)
        guard.release()


def test_scheduler_run_takes_the_guard_schedules_every_job_and_lets_go(
    app, runner, at, monkeypatch
):
    """`flask scheduler run` end to end, with APScheduler's blocking loop replaced by one that
    records what was scheduled and returns at once (as after SIGTERM)."""
    from apscheduler.schedulers.blocking import BlockingScheduler

    at(wib(2026, 3, 2, 6, 0))
    seen = {}

    def start(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        seen["jobs"] = sorted(job.id for job in self.get_jobs())
        seen["holder"] = lease.holder_of_row()
        seen["tz"] = str(self.timezone)

    monkeypatch.setattr(BlockingScheduler, "start", start)
    result = runner.invoke(args=["scheduler", "run"])
    assert result.exit_code == 0, result.output
    assert "Penjadwal berjalan" in result.output
    assert seen["jobs"] == [
        "_heartbeat",
        "_requests",
        "digest",
        "harvest",
        "letter_batches",
        "period_close",
        "recompute",
        "reminders",
    ]
    assert seen["holder"] is not None and seen["tz"] == "Asia/Jakarta"
    db.session.expire_all()
    assert lease.current() is None  # released on the way out: the next one starts at once


def test_jobs_command_lists_the_plan_in_office_time(app, runner, at):
    at(wib(2026, 3, 3, 9, 0))  # a Tuesday
    result = runner.invoke(args=["scheduler", "jobs"])
    assert result.exit_code == 0
    lines = {line.split()[0]: line for line in result.output.splitlines()}
    assert "2026-03-04 01:00 WIB" in lines["recompute"]
    assert "2026-03-09 07:00 WIB" in lines["digest"]


@pytest.mark.slow
def test_a_requested_run_waits_for_the_job_under_way_and_the_heartbeat_does_not(
    sibling_app, monkeypatch
):
    """A "run now" request runs on the jobs' worker thread: never beside a scheduled job (two
    recomputations at once), and never on the heartbeat's thread (a long requested job would let
    the lease lapse). Real time, waits bounded by events. On a database file (PostgreSQL: the
    test database), as in production: the in-memory test database is one connection that the
    threads' transactions would share (under load the heartbeat's renewal was lost in one)."""
    import threading

    from tracker.jobs.registry import Job, every

    app = sibling_app(SCHEDULER_POLL_SECONDS=1, SCHEDULER_LEASE_SECONDS=3)
    context = app.app_context()
    context.push()
    slow_started, slow_release, quick_ran = threading.Event(), threading.Event(), threading.Event()
    overlapped: list[bool] = []

    def slow(_context, _key):  # type: ignore[no-untyped-def]
        slow_started.set()
        slow_release.wait(10)
        return {}

    def quick(_context, _key):  # type: ignore[no-untyped-def]
        overlapped.append(not slow_release.is_set())
        quick_ran.set()
        return {}

    jobs = [Job("slow", every(hours=1), slow), Job("quick", every(hours=1), quick)]
    monkeypatch.setattr(runner, "find", lambda name: next(j for j in jobs if j.name == name))
    guard = process.Guard(app)
    guard.acquire()
    scheduler = process.build(app, guard, jobs=jobs, scheduler_class=BackgroundScheduler)
    scheduler.start()
    try:
        scheduler.modify_job("slow", next_run_time=datetime.now(runner.timezone(app)))
        assert slow_started.wait(10)
        db.session.add(JobRequest(job="quick", requested_at=lease.utcnow()))
        db.session.commit()
        renewed = lease.current().renewed_at
        assert not quick_ran.wait(2.5)  # two polls went by: the request waits for the slow job
        db.session.expire_all()
        assert lease.current().renewed_at > renewed  # the heartbeat went on meanwhile
        slow_release.set()
        assert quick_ran.wait(10)
        assert overlapped == [False]
    finally:
        slow_release.set()
        scheduler.shutdown(wait=True)
        db.session.remove()
        guard.release()
        context.pop()


@pytest.mark.slow
@pytest.mark.skipif(ON_POSTGRES, reason="the lease row is the guard on SQLite")
def test_a_job_run_by_hand_keeps_its_lease_while_it_runs(app, runner, monkeypatch):
    """`flask scheduler run-job` renews the lease while the job runs: a job longer than the lease
    must not let a scheduler start beside it (real time: a 1 s lease, a 2.5 s job)."""
    import time

    app.config["SCHEDULER_LEASE_SECONDS"] = 1
    seen: list[str] = []

    def long_job(_app, _name):  # type: ignore[no-untyped-def]
        time.sleep(2.5)
        try:
            process.Guard(app).acquire()
            seen.append("a second scheduler started")
        except process.AlreadyRunningError:
            seen.append("refused")
        return []

    monkeypatch.setattr(runner_module, "fire_by_name", long_job)
    result = runner.invoke(args=["scheduler", "run-job", "recompute"])
    assert result.exit_code == 0, result.output
    assert seen == ["refused"]
    db.session.expire_all()
    assert lease.current() is None  # released at the end


def test_a_run_now_takes_the_jobs_thread_never_the_heartbeats(app, at):
    """A requested run is a job like the others: it runs on the jobs' thread. On the heartbeat's
    thread a long one (a letter batch taken up by "run now") held back every renewal: the lease
    lapsed while the scheduler still ran, and on SQLite a second scheduler could take it."""
    at(wib(2026, 3, 4, 10, 0))
    guard = process.Guard(app)
    guard.acquire()
    scheduler = process.build(app, guard, scheduler_class=BackgroundScheduler)
    scheduler.start(paused=True)
    try:
        heartbeat = scheduler.get_job(process.HEARTBEAT_ID)
        served = scheduler.get_job(process.REQUESTS_ID)
        jobs = [scheduler.get_job(job.name) for job in process.JOBS]
        assert heartbeat.executor == process.CONTROL
        assert served.executor == jobs[0].executor != process.CONTROL
        assert {job.executor for job in jobs} == {served.executor}
    finally:
        scheduler.shutdown(wait=False)
        guard.release()
