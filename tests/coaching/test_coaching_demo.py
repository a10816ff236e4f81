"""The demo district's coaching: the topic catalogue and a year of sessions with attendance, so
P1 differs between KIMs and quarters."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select

from tracker.demo import seed
from tracker.extensions import db
from tracker.models import (
    Assessment,
    CoachingAttendance,
    CoachingInvitation,
    CoachingParticipant,
    CoachingSession,
    Period,
    Topic,
)


def _p1_scores(code: str) -> Counter[float]:
    rows = db.session.scalars(select(Assessment.indicators).join(Period).where(Period.code == code))
    return Counter(row["P1"]["score"] for row in rows)


def test_the_demo_has_a_year_of_coaching_and_p1_varies(app) -> None:
    seed.seed(kim_count=60)
    assert db.session.scalar(select(func.count()).select_from(Topic)) == 10
    days = list(db.session.scalars(select(CoachingSession.start_date)))
    assert len(days) == 13 and min(days).isoformat() == "2025-10-08"
    assert max(days).isoformat() == "2026-09-09"
    invited = db.session.scalar(select(func.count()).select_from(CoachingInvitation))
    came = db.session.scalar(select(func.count()).select_from(CoachingAttendance))
    assert 0 < came < invited
    guests = db.session.scalar(select(func.count()).where(CoachingParticipant.kim_id.is_(None)))
    assert guests and guests > 0
    assert set(_p1_scores("2025-T3")) == {0}  # no session before October 2025
    assert set(_p1_scores("2025-T4")) == {0, 50, 100}
    assert len(_p1_scores("2026-T2")) >= 2
