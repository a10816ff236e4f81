"""Roadmap to the next tier: what a KIM still lacks and which single improvements pay most.

For every scored indicator the step is "raise it to its next score band": the next band's bound for
banded indicators (for lower-is-better W4 the upper bound of the next better band, e.g. 45 days →
30 days), the next milestone for linear ones (W2: 25/50/75/100 %; counts: the next item). The gain
is the change of the printed total S when only that indicator moves.

"Cheapest first" is defined as the smallest remaining distance to the target relative to the width
of the band the value sits in (effort 0–1: 3,9 berita/bulan needs 0,1 of a 1→4 band, effort ≈ 0,03;
an indicator at the bottom of its band, or with no data, has effort 1). Ties go to the larger gain,
then to the framework's order. Effort is in each indicator's own unit, so it is comparable across
indicators without pretending to know what a berita costs compared with a social-media post.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from tracker.scoring.engine import (
    AssessmentResult,
    clamp_value,
    dimension_scores,
    failing_conditions,
    fmt_bound,
    fmt_score,
    score_value,
    total_score,
)
from tracker.scoring.framework import Framework, Indicator, dec, round2


@dataclass(frozen=True)
class RoadmapStep:
    code: str
    name: str
    unit: str
    current_value: float | None
    current_score: float
    target_value: float
    target_score: float
    gain_points: float  # "+N poin" on the total S
    topic_hint: str
    effort: float  # 0–1, share of the current band still to cover (the sort key)
    closes_gap: bool  # this step alone reaches the next tier's lower bound


@dataclass(frozen=True)
class Roadmap:
    tier: str
    next_tier: str | None  # None at the top
    points_missing: float  # to the next tier's lower bound, 0 when already reached
    failed_conditions: list[str]
    steps: list[RoadmapStep]


def _next_step(ind: Indicator, value: float | None) -> tuple[Decimal, Decimal, Decimal] | None:
    """(target value, target score, effort) of raising `value` to the next better score band,
    or None when it is already in the best band."""
    current = score_value(ind, value)
    if ind.bands and ind.higher_is_better:
        v = ind.minimum if value is None else clamp_value(ind, round2(dec(value)))
        i = max(k for k, b in enumerate(ind.bands) if b.bound is not None and v >= b.bound)
        j = next((k for k in range(i + 1, len(ind.bands)) if ind.bands[k].score > current), None)
        if j is None:
            return None
        lo, target = ind.bands[i].bound, ind.bands[j].bound
        assert lo is not None and target is not None
        return target, ind.bands[j].score, (target - v) / (target - lo)
    if ind.bands:  # lower is better: bounds are inclusive upper bounds, the last one open
        if value is None:
            i = len(ind.bands) - 1
            v = None
        else:
            v = clamp_value(ind, round2(dec(value)))
            i = next(k for k, b in enumerate(ind.bands) if b.bound is None or v <= b.bound)
        j = next((k for k in range(i - 1, -1, -1) if ind.bands[k].score > current), None)
        if j is None:
            return None
        target = ind.bands[j].bound
        hi = ind.bands[i].bound
        assert target is not None
        effort = Decimal(1) if v is None or hi is None else (v - target) / (hi - target)
        return target, ind.bands[j].score, min(Decimal(1), effort)
    # linear: milestones
    v = ind.minimum if value is None else clamp_value(ind, round2(dec(value)))
    for k, milestone in enumerate(ind.milestones):
        if milestone > v and score_value(ind, milestone) > current:
            below = [m for m in ind.milestones[:k] if m <= v]
            lo = below[-1] if below else ind.minimum
            return milestone, score_value(ind, milestone), (milestone - v) / (milestone - lo)
    return None


def roadmap(fw: Framework, result: AssessmentResult) -> Roadmap:
    """Points missing to the tier above the assigned one, what blocks it, and the steps."""
    names = fw.tier_names
    index = names.index(result.tier) if result.tier in names else 0
    next_tier = names[index + 1] if index + 1 < len(names) else None

    values = {code: r.value for code, r in result.indicators.items()}
    scores = {
        code: score_value(ind, values.get(code))
        for code, ind in fw.indicators.items()
        if not ind.is_gate
    }
    dims = dimension_scores(fw, scores)
    base = total_score(fw, scores)

    failed: list[str] = []
    for code in fw.gates:
        r = result.indicators.get(code)
        if r is None or not r.passed:
            failed.append(f"Syarat dasar {fw.label(code)} belum 'ya'.")
    # every condition on the way up to the next tier must hold (the cascade re-checks lower tiers)
    check_upto = index + 1 if next_tier else index
    for tier_name in names[1 : check_upto + 1]:
        for target, value, minimum in failing_conditions(fw, tier_name, scores, dims):
            failed.append(
                f"{tier_name} memerlukan {fw.label(target)} ≥ {fmt_bound(minimum)} "
                f"(sekarang {fmt_score(value)})."
            )

    if next_tier is None:
        return Roadmap(result.tier, None, 0.0, failed, [])

    missing = max(Decimal(0), fw.tier_minimum(next_tier) - base)
    steps: list[tuple[Decimal, Decimal, int, RoadmapStep]] = []
    for order, (code, ind) in enumerate(fw.indicators.items()):
        if ind.is_gate:
            continue
        step = _next_step(ind, values.get(code))
        if step is None:
            continue
        target_value, target_score, effort = step
        gain = total_score(fw, {**scores, code: target_score}) - base
        if gain <= 0:
            continue
        steps.append(
            (
                effort,
                -gain,
                order,
                RoadmapStep(
                    code=code,
                    name=ind.name,
                    unit=ind.unit,
                    current_value=values.get(code),
                    current_score=float(round2(scores[code])),
                    target_value=float(target_value),
                    target_score=float(target_score),
                    gain_points=float(gain),
                    topic_hint=ind.topic,
                    effort=float(round(effort, 4)),
                    closes_gap=missing > 0 and gain >= missing,
                ),
            )
        )
    steps.sort(key=lambda item: item[:3])
    return Roadmap(result.tier, next_tier, float(round2(missing)), failed, [s[3] for s in steps])
