"""Which assessment inputs an attendance change touches, so results can say they are stale.

P1 counts the sessions a KIM attended in the 12 months to a period's end, a session counting on
its first day (`tracker.services.assessment.inputs.sessions_attended`). So a KIM's attendance
added or removed, a session moved to another date or deleted, changes P1 of every open period
whose 12 months hold the session's (old or new) first day, for the KIMs that attended it. Every
coaching write that does so calls `attendance_changed` inside its unit of work.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import select

from tracker.extensions import db
from tracker.models import Period
from tracker.models.period import PERIOD_OPEN
from tracker.scoring.periods import twelve_months_to
from tracker.services.common import input_changes


def counting_periods(days: Iterable[date]) -> list[int]:
    """Ids of the open periods whose P1 counts a session starting on one of `days`."""
    wanted = set(days)
    if not wanted:
        return []
    rows = db.session.execute(
        select(Period.id, Period.end_date)
        .where(Period.state == PERIOD_OPEN, Period.end_date >= min(wanted))
        .order_by(Period.id)
    )
    return [
        period_id
        for period_id, end in rows
        if any(twelve_months_to(end) <= day <= end for day in wanted)
    ]


def attendance_changed(days: Iterable[date], kim_ids: Iterable[int]) -> None:
    """These KIMs' attendance at a session starting on one of `days` changed."""
    kims = sorted(set(kim_ids))
    if not kims:
        return
    for period_id in counting_periods(days):
        input_changes.period_changed(period_id, kims)
