"""Marking a KIM's assessment inputs of a period as changed, so results can say they are stale.

Every write service that changes what `tracker.services.assessment.inputs.collect_inputs` reads
for a KIM and a period calls one function here inside its unit of work: content posts
(`posts_added`), per-period totals, measurements and their verification (`period_changed`),
the registry fields behind K1/K2 (`kims_changed`, through `registry.gates`), coaching attendance
behind P1 (`period_changed`, through `coaching.p1_changes`). Each bumps a counter
per (period, KIM), `InputRevision.revision`, in the same transaction as the change it marks.

The run (`assessment.runner.assess_period`) reads the period's counters *before* it reads the
inputs and stores each KIM's counter with its assessment (`Assessment.inputs_revision`). A result
is stale when the counter has moved since: `revision != inputs_revision`. Whether a period has
stale results is then one grouped query over its assessments joined to the counters, whatever
the number of KIMs (`assessment.freshness`).

Why a counter compared for equality, and not timestamps compared with `computed_at`: a writer
stamps its rows before it commits, and a commit can come later than a run that started after the
stamp. Such a run did not see the rows (they were not committed when it read), yet `stamp <
computed_at` would call its result fresh, for ever. With the counter, a writer still uncommitted
when the run reads the counter commits a different value than the run stored (the counter never
returns to an earlier value; concurrent writers of the same row queue on its row lock, and the
UPSERT adds 1 to the latest committed value), so the result is stale; a writer committed before
the run reads the counter is committed before the run reads the inputs, so the run saw its rows
and stored its value. The only imprecision left is on the safe side: a writer committing between
the counter read and the input reads is included in the result and still flags it stale, and a
re-run clears it. This holds under READ COMMITTED (PostgreSQL's default) and SQLite's serialised
writers alike, and costs writers one UPSERT per 500 (period, KIM) pairs.

What is marked: only open periods (a closed period is frozen and is never assessed again, and
periods are never reopened). KIMs registered, deactivated or reactivated need no mark: an active
KIM without an assessment, or an assessed KIM that is no longer active, is found by the same
query from the registry itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import select

from tracker.extensions import db
from tracker.models import ContentPost, InputRevision, Period
from tracker.models.period import PERIOD_OPEN
from tracker.services.common.import_rows import chunks
from tracker.services.common.upsert import insert_for


def revisions(period_id: int) -> dict[int, int]:
    """Every KIM's counter for the period (a KIM never marked is absent: its counter is 0)."""
    rows = db.session.connection().execute(
        select(InputRevision.kim_id, InputRevision.revision).where(
            InputRevision.period_id == period_id
        )
    )
    return dict(rows.all())


def open_period_codes() -> list[str]:
    """The open periods, oldest first: a KIM registered or reactivated is not yet assessed in any
    of them (nothing to mark: `assessment.freshness` finds it from the registry)."""
    return [code for _id, code, _end in _open_periods()]


def _open_periods() -> list[tuple[int, str, date]]:
    return [
        (row.id, row.code, row.end_date)
        for row in db.session.execute(
            select(Period.id, Period.code, Period.end_date)
            .where(Period.state == PERIOD_OPEN)
            .order_by(Period.start_date, Period.end_date)
        )
    ]


def _upsert(table: Any, dialect: str) -> Any:
    """INSERT … ON CONFLICT (period_id, kim_id) DO UPDATE SET revision = revision + 1 (the two
    databases the product runs on spell it the same way)."""
    return insert_for(dialect)(table).on_conflict_do_update(
        index_elements=[table.c.period_id, table.c.kim_id],
        set_={"revision": table.c.revision + 1},
    )


def bump(pairs: Iterable[tuple[int, int]]) -> None:
    """Add 1 to the counter of each (period id, KIM id), creating it at 1 (in the caller's
    transaction). Pairs are written in key order, so concurrent writers lock rows in one order."""
    keys = sorted(set(pairs))
    if not keys:
        return
    connection = db.session.connection()
    stmt = _upsert(InputRevision.__table__, connection.dialect.name)
    for chunk in chunks(keys):
        connection.execute(stmt, [{"period_id": p, "kim_id": k, "revision": 1} for p, k in chunk])


def period_changed(period_id: int, kim_ids: Iterable[int]) -> None:
    """These KIMs' inputs of one period changed (totals, measurements, a verification)."""
    bump((period_id, kim_id) for kim_id in kim_ids)


def kims_changed(kim_ids: Iterable[int]) -> list[str]:
    """Inputs of these KIMs that every period reads changed (a registry gate): every open period
    is marked. Returns the codes of the periods marked."""
    ids = set(kim_ids)
    periods = _open_periods() if ids else []
    bump((period_id, kim_id) for period_id, _code, _end in periods for kim_id in ids)
    return [code for _id, code, _end in periods] if ids else []


def posts_added(posts: Iterable[tuple[int, date]]) -> list[str]:
    """Posts (KIM id, date) are about to be inserted: call this *before* inserting them, in the
    same unit of work. Returns the codes of the open periods marked for at least one KIM.

    A post dated on or before a period's end changes that period's W1–W4 for its KIM. A KIM's
    first post ever also changes every other open period: a KIM with post records has W1–W3
    measured (0 without a post in the period) instead of "data belum ada" (DESIGN.md §4)."""
    earliest: dict[int, date] = {}
    for kim_id, day in posts:
        if kim_id not in earliest or day < earliest[kim_id]:
            earliest[kim_id] = day
    periods = _open_periods() if earliest else []
    if not periods:
        return []
    posting: set[int] = set()
    for chunk in chunks(sorted(earliest)):
        posting.update(
            db.session.scalars(
                select(ContentPost.kim_id).where(ContentPost.kim_id.in_(chunk)).distinct()
            )
        )
    pairs = [
        (period_id, kim_id)
        for kim_id, day in earliest.items()
        for period_id, _code, end in periods
        if day <= end or kim_id not in posting
    ]
    bump(pairs)
    marked = {period_id for period_id, _kim in pairs}
    return [code for period_id, code, _end in periods if period_id in marked]
