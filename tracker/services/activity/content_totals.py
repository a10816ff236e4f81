"""Every KIM's posts counted once: the maintained aggregate Top Konten and the dashboard read.

`ContentTotal` holds per KIM the number of posts of each type and its latest post date. Whoever
writes posts calls `recount` with the KIMs it touched inside the same unit of work (the post
import, the demo seed), so the totals are committed with the posts or not at all. A recount is
set-based (one DELETE and one INSERT … SELECT per 500 KIMs, reading the posts' (kim, date, type)
index), never a per-post delta that could drift.

Top Konten up to a date subtracts the posts dated after it (none, for the usual "up to today":
then it is skipped), so a request reads one row per KIM instead of every post; the dashboard's
first ten read a handful of rows from the index on the totals (`ix_content_total_rank`).
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import case, delete, func, insert, select

from tracker.extensions import db
from tracker.models import ContentPost, ContentTotal
from tracker.models.activity import CONTENT_TYPES
from tracker.services.common.import_rows import chunks

_COLUMNS = ("kim_id", *CONTENT_TYPES, "last_posted_on")


def _counted(kim_ids: Iterable[int] | None):  # type: ignore[no-untyped-def]
    stmt = select(
        ContentPost.kim_id,
        *(func.sum(case((ContentPost.type == kind, 1), else_=0)) for kind in CONTENT_TYPES),
        func.max(ContentPost.posted_on),
    ).group_by(ContentPost.kim_id)
    if kim_ids is not None:
        stmt = stmt.where(ContentPost.kim_id.in_(list(kim_ids)))
    return stmt


def recount(kim_ids: Iterable[int] | None = None) -> None:
    """Count again the posts of `kim_ids` (None: every KIM), in the caller's transaction."""
    table = ContentTotal.__table__
    if kim_ids is None:
        db.session.execute(delete(table))
        db.session.execute(insert(table).from_select(_COLUMNS, _counted(None)))
        return
    for chunk in chunks(sorted(set(kim_ids)), 500):
        db.session.execute(delete(table).where(table.c.kim_id.in_(list(chunk))))
        db.session.execute(insert(table).from_select(_COLUMNS, _counted(chunk)))
