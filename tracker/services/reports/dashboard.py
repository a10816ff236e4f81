"""Figures for the home page, in a few set-based queries: the district's KIMs and tiers, and what
waits in the open period for the user's role (values to verify, values sent back)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select

from tracker.extensions import db
from tracker.models import Assessment, Kim, Period
from tracker.models.kim import STATUS_ACTIVE
from tracker.models.user import User
from tracker.services.activity.verification import review_counts
from tracker.services.common.permissions import ENTER_ACTIVITY, VIEW, has_permission, require
from tracker.services.common.scope import user_scope_filter
from tracker.services.rules.periods import open_periods


@dataclass
class Summary:
    kims_total: int = 0
    kims_active: int = 0
    period: Period | None = None
    tier_counts: dict[str, int] = field(default_factory=dict)
    open_period: Period | None = None  # the newest period data may still be entered for
    submitted: int = 0  # values in the user's scope waiting for verification in it
    rejected: int = 0  # values in the user's scope sent back with a reason in it


def summary(user: User) -> Summary:
    require(user, VIEW)
    in_scope = user_scope_filter(Kim.desa_code, user)
    rows = db.session.execute(
        select(Kim.status, func.count()).where(in_scope).group_by(Kim.status)
    ).all()
    counts = {status: n for status, n in rows}
    result = Summary(kims_total=sum(counts.values()), kims_active=counts.get(STATUS_ACTIVE, 0))
    period = db.session.scalar(
        select(Period)
        .join(Assessment, Assessment.period_id == Period.id)
        .order_by(Period.end_date.desc(), Period.start_date.desc())
        .limit(1)
    )
    if period is not None:
        result.period = period
        tier_rows = db.session.execute(
            select(Assessment.tier, func.count())
            .join(Kim, Kim.id == Assessment.kim_id)
            .where(Assessment.period_id == period.id, in_scope)
            .group_by(Assessment.tier)
        ).all()
        result.tier_counts = {tier: n for tier, n in tier_rows}
    opened = open_periods()
    if opened:
        result.open_period = opened[0]
        if has_permission(user.role, ENTER_ACTIVITY):
            counts = review_counts(user, [opened[0].id]).values()
            result.submitted = sum(submitted for submitted, _rejected in counts)
            result.rejected = sum(rejected for _submitted, rejected in counts)
    return result
