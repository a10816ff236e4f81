"""Assessment: a stored result row, for pages and reports that only read assessments (tests of
the computation itself run the real engine through services.assessment.runner)."""

from __future__ import annotations

from typing import Any

from tracker.extensions import db
from tracker.models import Assessment, Framework, Kim, Period


def make_assessment(
    kim: Kim,
    period: Period,
    framework: Framework,
    score: float = 50.0,
    tier: str = "Berkembang",
    raw_tier: str | None = None,
    **fields: Any,
) -> Assessment:
    row = Assessment(
        kim_id=kim.id,
        period_id=period.id,
        framework_id=framework.id,
        score=score,
        raw_tier=raw_tier or tier,
        tier=tier,
        reason=fields.pop("reason", ""),
        dimension_scores=fields.pop("dimension_scores", {}),
        indicators=fields.pop("indicators", {}),
        data_gaps=fields.pop("data_gaps", []),
        **fields,
    )
    db.session.add(row)
    db.session.commit()
    return row
