"""One scheduler per database: the lease row (SQLite) or an advisory lock (PostgreSQL).

SQLite has no session-level lock that outlives a transaction, so the guard is a row: the holder
writes its name and an expiry, and renews the expiry from a heartbeat (every third of the lease).
Another process may take the row only once the expiry has passed: a scheduler killed with
SIGKILL stops renewing, and its lease lapses after `SCHEDULER_LEASE_SECONDS`.

PostgreSQL has one: `pg_try_advisory_lock` on a dedicated connection that the scheduler keeps open
for its whole life. The database releases it when that connection ends, however the process died.
The lease row is written there too, but only to show on the admin page who holds the lock.
"""

from __future__ import annotations

import os
import socket
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, delete, select, text, update

from tracker.extensions import db
from tracker.models.base import utcnow
from tracker.models.scheduler import SchedulerLease
from tracker.services.common.unit_of_work import transaction
from tracker.services.common.upsert import insert_for

LEASE_NAME = "scheduler"
# pg_try_advisory_lock key: a fixed 64-bit number for "jenjang scheduler" (any constant that no
# other part of the application uses)
ADVISORY_KEY = 0x4A454E4A414E47  # "JENJANG" in ASCII


def holder_name() -> str:
    """Who this process is, as the lease row and the refusal message say it."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@dataclass(frozen=True)
class LeaseState:
    holder: str
    acquired_at: datetime
    renewed_at: datetime
    expires_at: datetime
    jobs: list[dict[str, Any]]

    def alive(self, now: datetime | None = None) -> bool:
        return self.expires_at > (now or utcnow())


def current() -> LeaseState | None:
    row = db.session.get(SchedulerLease, LEASE_NAME)
    if row is None:
        return None
    return LeaseState(row.holder, row.acquired_at, row.renewed_at, row.expires_at, row.jobs or [])


def try_take(holder: str, seconds: int, *, force: bool = False) -> bool:
    """Take the lease for `seconds` when free, expired or already ours (`force`: whatever its
    state, for PostgreSQL where the advisory lock is the guard)."""
    now = utcnow()
    expires = now + timedelta(seconds=seconds)
    with transaction():
        connection = db.session.connection()
        table = SchedulerLease.__table__
        inserted = connection.execute(
            insert_for(connection.dialect.name)(table)
            .values(
                name=LEASE_NAME,
                holder=holder,
                acquired_at=now,
                renewed_at=now,
                expires_at=expires,
                jobs=[],
            )
            .on_conflict_do_nothing(index_elements=[table.c.name])
            .returning(table.c.name)
        ).first()
        if inserted is not None:
            return True
        stmt = update(table).where(table.c.name == LEASE_NAME)
        if not force:
            stmt = stmt.where((table.c.expires_at <= now) | (table.c.holder == holder))
        taken = connection.execute(
            stmt.values(holder=holder, acquired_at=now, renewed_at=now, expires_at=expires)
        )
        return bool(taken.rowcount)


def renew(holder: str, seconds: int, jobs: list[dict[str, Any]] | None = None) -> bool:
    """Push the expiry on (and publish the planned jobs); False when the lease is no longer ours
    (it lapsed and another scheduler took it): this one must stop."""
    now = utcnow()
    values: dict[str, Any] = {"renewed_at": now, "expires_at": now + timedelta(seconds=seconds)}
    if jobs is not None:
        values["jobs"] = jobs
    with transaction():
        result = db.session.execute(
            update(SchedulerLease)
            .where(SchedulerLease.name == LEASE_NAME, SchedulerLease.holder == holder)
            .values(**values)
        )
    return bool(result.rowcount)


def release(holder: str) -> None:
    with transaction():
        db.session.execute(
            delete(SchedulerLease).where(
                SchedulerLease.name == LEASE_NAME, SchedulerLease.holder == holder
            )
        )


def is_postgresql() -> bool:
    return db.engine.dialect.name == "postgresql"


class AdvisoryLock:
    """PostgreSQL's session advisory lock, held on a connection of its own for the process's
    life (never returned to the pool while held)."""

    def __init__(self) -> None:
        self.connection: Connection | None = None

    def try_acquire(self) -> bool:
        connection = db.engine.connect()
        got = connection.execute(
            text("SELECT pg_try_advisory_lock(:key)"), {"key": ADVISORY_KEY}
        ).scalar()
        connection.commit()  # end the implicit transaction; the session-level lock stays
        if not got:
            connection.close()
            return False
        self.connection = connection
        return True

    def check(self) -> bool:
        """The connection (and so the lock) is still there."""
        if self.connection is None:
            return False
        try:
            self.connection.execute(text("SELECT 1")).scalar()
            self.connection.commit()
        except Exception:  # the connection is gone: so is the lock
            return False
        return True

    def release(self) -> None:
        if self.connection is None:
            return
        try:
            self.connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_KEY})
            self.connection.commit()
        finally:
            self.connection.close()
            self.connection = None


def holder_of_row() -> str | None:
    return db.session.scalar(select(SchedulerLease.holder).where(SchedulerLease.name == LEASE_NAME))
