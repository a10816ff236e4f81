"""What holds a stored result below the tier its score alone would give: failed gates and failed
tier conditions, read back from a stored assessment for the badges of the period overview
("K2 belum", "W2 < 50 untuk Maju").

The same steps as the tier rule (`engine.assess`, steps 1–3): a gate not "ya" holds the KIM at the
lowest tier, and then no condition is looked at; otherwise the conditions of the tier S falls in
are checked, and of each lower tier in turn while one fails (the cascade). Conditions compare the
printed (2-decimal) scores, which are what an assessment stores. Pure: stored JSON in, data out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from tracker.scoring.engine import failing_conditions, fmt_bound, fmt_score
from tracker.scoring.framework import Framework, dec
from tracker.scoring.shares import failed_gates


@dataclass(frozen=True)
class Holdback:
    code: str  # the gate, or the indicator or dimension a condition reads
    tier: str | None  # the tier whose condition fails; None for a gate
    minimum: str = ""  # the condition's floor, printed ("50", "62,5")
    value: str = ""  # the printed score that fails it

    @property
    def gate(self) -> bool:
        return self.tier is None


def _band(fw: Framework, score: Decimal) -> int:
    index = 0
    for i, tier in enumerate(fw.tiers):
        if score >= tier.minimum:
            index = i
    return index


def holdbacks(
    fw: Framework,
    score: float,
    indicators: Mapping[str, Mapping[str, Any]],
    dimension_scores: Mapping[str, float],
) -> list[Holdback]:
    """Failed gates (in framework order), else the conditions that failed in the cascade from the
    tier of S downwards (highest tier first)."""
    failed = [Holdback(code, None) for code in failed_gates(fw, indicators)]
    if failed:
        return failed
    scores = {
        code: dec(data["score"])
        for code, data in indicators.items()
        if code in fw.indicators and data.get("score") is not None
    }
    dims = {code: dec(value) for code, value in dimension_scores.items() if value is not None}
    found: list[Holdback] = []
    names = fw.tier_names
    for index in range(_band(fw, dec(score)), 0, -1):
        failing = failing_conditions(fw, names[index], scores, dims)
        if not failing:
            break
        found.extend(
            Holdback(code, names[index], fmt_bound(minimum), fmt_score(value))
            for code, value, minimum in failing
        )
    return found
