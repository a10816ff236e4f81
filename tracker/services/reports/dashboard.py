"""Figures for the home page, in a few set-based queries."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select

from tracker.extensions import db
from tracker.models import Assessment, Kim, Period
from tracker.models.kim import STATUS_ACTIVE
from tracker.models.user import User
from tracker.services.common.permissions import VIEW, require
from tracker.services.common.scope import user_scope_filter


@dataclass
class Summary:
    kims_total: int = 0
    kims_active: int = 0
    period: Period | None = None
    tier_counts: dict[str, int] = field(default_factory=dict)


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
    return result
