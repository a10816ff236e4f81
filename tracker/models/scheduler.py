"""The scheduler's own rows: who holds the right to run jobs (the lease), every run of a job under
its unique key, and the "run now" requests an admin leaves for the scheduler to pick up.

See tracker/jobs (the process) and tracker/services/scheduler (these rows' rules)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.models.base import Base, utcnow
from tracker.models.user import User

RUN_RUNNING = "running"
RUN_SUCCEEDED = "succeeded"
RUN_FAILED = "failed"
RUN_STATUSES = (RUN_RUNNING, RUN_SUCCEEDED, RUN_FAILED)
RUN_STATUS_LABELS = {RUN_RUNNING: "Berjalan", RUN_SUCCEEDED: "Berhasil", RUN_FAILED: "Gagal"}

TRIGGER_SCHEDULE = "schedule"  # its time came
TRIGGER_RETRY = "retry"  # a failed run, taken up again
TRIGGER_REQUEST = "request"  # an admin's "run now"
TRIGGER_COMMAND = "command"  # `flask scheduler run-job`


class SchedulerLease(Base):
    """The one row that says which scheduler process may run jobs, until when (renewed by its
    heartbeat). On SQLite it is the guard itself; on PostgreSQL the guard is an advisory lock and
    this row only says who holds it. `jobs`: what that scheduler plans, [{name, trigger, next}]."""

    __tablename__ = "scheduler_lease"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    holder: Mapped[str] = mapped_column(String(200))  # host, pid and a random token
    acquired_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    renewed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    jobs: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)


class JobRun(Base):
    """One run of a job under its unique key (the job's date or period, plus the request for a run
    asked by hand). Inserted, committed, before the job acts: a second claim of the same key finds
    it and does nothing, unless the run failed (then it is taken up again, `attempts` + 1)."""

    __tablename__ = "job_run"
    __table_args__ = (UniqueConstraint("job", "run_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(40), index=True)
    run_key: Mapped[str] = mapped_column(String(80))
    target: Mapped[str] = mapped_column(String(40), default="")  # the date or period acted on
    trigger: Mapped[str] = mapped_column(String(10), default=TRIGGER_SCHEDULE)
    status: Mapped[str] = mapped_column(String(10), default=RUN_RUNNING, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    requested_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    started_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    duration_ms: Mapped[int | None] = mapped_column(Integer)
    counts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    error: Mapped[str | None] = mapped_column(Text)

    requested_by: Mapped[User | None] = relationship()


class JobRequest(Base):
    """An admin's "run now": recorded by the web (which never runs a job itself), picked up by the
    scheduler's next poll, which records the run it made."""

    __tablename__ = "job_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(40))
    requested_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    requested_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    picked_at: Mapped[datetime | None] = mapped_column(DateTime, index=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("job_run.id", ondelete="SET NULL"))

    requested_by: Mapped[User | None] = relationship()
