"""The labels the visit and follow-up templates show for stored codes (Indonesian msgids, shown
through `_()`)."""

from __future__ import annotations

from typing import Any

from tracker.models.visits import FOLLOW_UP_STATUS_LABELS, PROBLEM_LABELS, RATING_LABELS


def template_labels() -> dict[str, Any]:
    return {
        "PROBLEM_LABELS": PROBLEM_LABELS,
        "RATING_LABELS": RATING_LABELS,
        "FOLLOW_UP_STATUS_LABELS": FOLLOW_UP_STATUS_LABELS,
    }
