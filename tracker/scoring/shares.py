"""How many points of the total score S each indicator is worth, and how many a result loses on
each: the training-needs page ranks indicators by the points KIMs lose on them.

S is the weighted mean of the dimension scores, each the weighted mean of its scored indicators
(DESIGN.md §4), so one point of an indicator's score is worth (indicator weight ÷ its dimension's
scored weight) × (dimension weight ÷ all dimension weights) points of S: W1 (35 of W's 100, W 40 of
100) is worth 0,14 points of S per point, at most 14 points. A result loses (100 − score) × that
on the indicator. Gates are not scored: they lose no points (a failed gate is counted apart).
Pure: framework and stored indicator scores in, numbers out.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from tracker.scoring.framework import Framework, dec, round2

_HUNDRED = Decimal(100)


def indicator_shares(fw: Framework) -> dict[str, Decimal]:
    """Points of S per point of each scored indicator (gates left out); remembered on `fw`."""
    found = fw.memo.get("indicator_shares")
    if found is not None:
        return dict(found)
    dimension_total = sum((d.weight for d in fw.dimensions), Decimal(0))
    shares: dict[str, Decimal] = {}
    for dim in fw.dimensions:
        scored = dim.scored(fw)
        weight_total = sum((fw.indicators[c].weight for c in scored), Decimal(0))
        if not weight_total or not dimension_total:
            continue
        for code in scored:
            shares[code] = fw.indicators[code].weight / weight_total * dim.weight / dimension_total
    fw.memo["indicator_shares"] = shares
    return dict(shares)


def points_lost(fw: Framework, indicators: Mapping[str, Mapping[str, Any]]) -> dict[str, float]:
    """Points of S a stored result loses on each scored indicator (an indicator without a score
    scores 0 and loses all its points), rounded to 2 decimals; indicators that lose nothing are
    left out."""
    lost: dict[str, float] = {}
    for code, share in indicator_shares(fw).items():
        raw = (indicators.get(code) or {}).get("score")
        score = dec(raw) if raw is not None else Decimal(0)
        points = (_HUNDRED - min(_HUNDRED, score)) * share
        if points > 0:
            lost[code] = float(round2(points))
    return lost


def failed_gates(fw: Framework, indicators: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """The gates a stored result does not pass, in framework order."""
    return [code for code in fw.gates if not (indicators.get(code) or {}).get("passed")]
