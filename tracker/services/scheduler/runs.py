"""Exactly once: every run of a job is recorded under its unique key before the job acts.

`claim` inserts the run (job, key) with status "running" in its own committed unit of work,
before anything else happens. A second claim of the same key (a restart, a double start, a misfire
fired late, a retry racing the schedule) finds the row and gets nothing, unless that run failed:
then it is taken up again (`attempts` + 1) by a conditional UPDATE that only one claimer can win.
The job then acts in its own units of work and `finish`/`fail` record how it went.

A scheduler killed mid-job leaves its run "running". The next scheduler, once it holds the lease
(so no other process can be running it), calls `interrupted`: those runs become failed and are
retried like any failure. What the killed job wrote is whole or absent, since every job writes in
units of work; and a job's side effects are keyed too (a notification per recipient, kind,
subject and date), so running a key again never doubles them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update

from tracker.extensions import db
from tracker.models.base import utcnow
from tracker.models.scheduler import (
    RUN_FAILED,
    RUN_RUNNING,
    RUN_SUCCEEDED,
    TRIGGER_SCHEDULE,
    JobRun,
)
from tracker.services.common.unit_of_work import depth, transaction
from tracker.services.common.upsert import insert_for

ERROR_MAX_LENGTH = 4000


@dataclass(frozen=True)
class Claim:
    run_id: int
    job: str
    run_key: str
    target: str
    attempt: int
    started: datetime


def _own_unit(what: str) -> None:
    if depth():
        raise RuntimeError(f"{what} is its own unit of work: call it outside any transaction()")


def claim(
    job: str,
    run_key: str,
    *,
    target: str | None = None,
    trigger: str = TRIGGER_SCHEDULE,
    requested_by_id: int | None = None,
) -> Claim | None:
    """Record the run (job, run_key) as running and commit; None when that key already ran, is
    running, or was claimed by someone else a moment ago. A failed run is claimed again."""
    _own_unit("claim")
    now = utcnow()
    with transaction():
        connection = db.session.connection()
        table = JobRun.__table__
        inserted = connection.execute(
            insert_for(connection.dialect.name)(table)
            .values(
                job=job,
                run_key=run_key,
                target=run_key if target is None else target,
                trigger=trigger,
                status=RUN_RUNNING,
                attempts=1,
                requested_by_id=requested_by_id,
                started_at=now,
                counts={},
            )
            .on_conflict_do_nothing(index_elements=[table.c.job, table.c.run_key])
            .returning(table.c.id, table.c.attempts, table.c.target)
        ).first()
        if inserted is None:  # the key exists: only a failed run is taken up again
            inserted = connection.execute(
                update(table)
                .where(table.c.job == job, table.c.run_key == run_key, table.c.status == RUN_FAILED)
                .values(
                    status=RUN_RUNNING,
                    attempts=table.c.attempts + 1,
                    trigger=trigger,
                    started_at=now,
                    finished_at=None,
                    duration_ms=None,
                    error=None,
                )
                .returning(table.c.id, table.c.attempts, table.c.target)
            ).first()
    if inserted is None:
        return None
    run_id, attempt, stored_target = inserted
    return Claim(run_id, job, run_key, stored_target, attempt, now)


def _close(claimed: Claim, status: str, counts: Mapping[str, Any], error: str | None) -> None:
    _own_unit("recording a run")
    db.session.rollback()  # whatever the job left in the session is not part of the record
    finished = utcnow()
    with transaction():
        db.session.execute(
            update(JobRun)
            .where(JobRun.id == claimed.run_id)
            .values(
                status=status,
                finished_at=finished,
                duration_ms=max(0, int((finished - claimed.started).total_seconds() * 1000)),
                counts=dict(counts),
                error=error[:ERROR_MAX_LENGTH] if error else None,
            )
        )


def finish(claimed: Claim, counts: Mapping[str, Any]) -> None:
    _close(claimed, RUN_SUCCEEDED, counts, None)


def fail(claimed: Claim, error: str, counts: Mapping[str, Any] | None = None) -> None:
    _close(claimed, RUN_FAILED, counts or {}, error)


def interrupted(message: str) -> int:
    """Runs left "running" by a scheduler that is gone become failed (to be retried). Call only
    while holding the lease: then no other process can be running them."""
    _own_unit("interrupted")
    with transaction():
        result = db.session.execute(
            update(JobRun)
            .where(JobRun.status == RUN_RUNNING)
            .values(status=RUN_FAILED, finished_at=utcnow(), error=message)
        )
    return int(result.rowcount or 0)


def failed_keys(job: str, max_attempts: int) -> list[tuple[str, str]]:
    """(run key, target) of the job's failed runs that may be tried again, oldest first."""
    return [
        (key, target)
        for key, target in db.session.execute(
            select(JobRun.run_key, JobRun.target)
            .where(JobRun.job == job, JobRun.status == RUN_FAILED, JobRun.attempts < max_attempts)
            .order_by(JobRun.started_at, JobRun.id)
        )
    ]


def get_run(job: str, run_key: str) -> JobRun | None:
    return db.session.scalar(select(JobRun).where(JobRun.job == job, JobRun.run_key == run_key))
