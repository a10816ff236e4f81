"""P2 (tindak lanjut rekomendasi) of every KIM of a period, in one grouped query.

DESIGN.md §4: the % of follow-ups due by the period's end that are done; none due → 100. As
implemented (docs/visits.md):

- counted: the KIM's follow-ups with a due date on or before the period's end, whatever period
  they were made in; a dropped follow-up (the recommendation no longer applies) is not counted at
  all, neither as done nor as due;
- done: closed as done on a day on or before the period's end. One done after the end counts as
  not done for that period (it was late) and as done from the period that holds its closing day
  on, so a period's P2 does not change when something is done after it ended, and a re-run of an
  old period gives the same value;
- a KIM with no counted follow-up is absent here: `inputs.coaching_values` gives it 100 by rule
  (source "default", not a measurement).

The writes that change these rows (tracker.services.visits.follow_ups) mark the open periods
they touch as changed, so a result assessed before says it is stale.
"""

from __future__ import annotations

from sqlalchemy import and_, case, func, select

from tracker.extensions import db
from tracker.models import FollowUp, Period
from tracker.models.visits import FOLLOW_UP_DONE, FOLLOW_UP_DROPPED


def follow_up_rates(period: Period) -> dict[int, float]:
    """{KIM id: % of its counted follow-ups done by the period's end}, for every KIM with at least
    one follow-up counted in the period."""
    end = period.end_date
    done = case((and_(FollowUp.status == FOLLOW_UP_DONE, FollowUp.closed_on <= end), 1), else_=0)
    rows = db.session.connection().execute(
        select(FollowUp.kim_id, func.count(), func.sum(done))
        .where(FollowUp.due_on <= end, FollowUp.status != FOLLOW_UP_DROPPED)
        .group_by(FollowUp.kim_id)
    )
    return {kim_id: 100.0 * int(done or 0) / due for kim_id, due, done in rows if due}
