"""The tier rule of DESIGN.md §4 as pure functions: values in, scores, tiers and reasons out.

Arithmetic is exact (`Decimal`): indicator values are taken as typed (26.75, not 26.7499…), and
every comparison is made on numbers rounded half-up to 2 decimals, because what is printed on the
letter decides (a total of 39.995 prints as 40,00 and is Berkembang). The same applies to indicator
values before they are banded (a W1 printed as 4,00 scores 60) and to the scores conditions look at.

Dimension and total scores are weighted means of the unrounded scores below them; only the results
are rounded. Data conventions (see `IndicatorValue`):

- value None        → no data: the indicator scores 0 and is listed in `gaps` (a gate fails);
- source "default"  → a value set by a rule rather than measured, e.g. P2 with no follow-up due is
                      `IndicatorValue(100.0, "default")`; it is not a data gap.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from tracker.scoring.framework import (
    Framework,
    Indicator,
    dec,
    round2,
)

SOURCES = ("computed", "counts", "registry", "manual", "default")


@dataclass(frozen=True)
class IndicatorValue:
    value: float | None
    source: str | None  # "computed" | "counts" | "registry" | "manual" | "default" | None


@dataclass(frozen=True)
class PreviousTier:
    """The previous period's stored outcome, for the stability rule."""

    tier: str  # assigned
    raw_tier: str
    score: float


@dataclass(frozen=True)
class IndicatorResult:
    value: float | None
    score: float | None  # None for gates: they are not scored
    source: str | None
    missing: bool
    gate: bool
    passed: bool | None = None  # gates only: "ya"

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "value": self.value,
            "score": self.score,
            "source": self.source,
            "missing": self.missing,
            "gate": self.gate,
        }
        if self.gate:
            data["passed"] = self.passed
        return data


@dataclass(frozen=True)
class AssessmentResult:
    total: float
    dimensions: dict[str, float]
    indicators: dict[str, IndicatorResult]
    raw_tier: str
    tier: str
    reason: str
    gaps: list[str]
    band_tier: str = ""  # the tier S alone falls in, before gates and conditions
    failed_gates: tuple[str, ...] = field(default=())

    def to_json(self) -> dict[str, Any]:
        """The columns of `Assessment`: score, raw_tier, tier, reason, dimension_scores,
        indicators, data_gaps."""
        return {
            "score": self.total,
            "raw_tier": self.raw_tier,
            "tier": self.tier,
            "reason": self.reason,
            "dimension_scores": dict(self.dimensions),
            "indicators": {code: r.to_json() for code, r in self.indicators.items()},
            "data_gaps": list(self.gaps),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> AssessmentResult:
        """Rebuild a result from what `to_json` stored (e.g. to draw the roadmap of a stored
        assessment without recomputing it)."""
        indicators = {
            code: IndicatorResult(
                value=r.get("value"),
                score=r.get("score"),
                source=r.get("source"),
                missing=bool(r.get("missing")),
                gate=bool(r.get("gate")),
                passed=r.get("passed"),
            )
            for code, r in (data.get("indicators") or {}).items()
        }
        return cls(
            total=float(data["score"]),
            dimensions={k: float(v) for k, v in (data.get("dimension_scores") or {}).items()},
            indicators=indicators,
            raw_tier=data["raw_tier"],
            tier=data["tier"],
            reason=data.get("reason") or "",
            gaps=list(data.get("data_gaps") or []),
            failed_gates=tuple(code for code, r in indicators.items() if r.gate and not r.passed),
        )


# --- formatting for reasons (Indonesian decimal comma) ---------------------------------------


def fmt_score(value: Decimal | float) -> str:
    """62,50"""
    return f"{round2(dec(value)):f}".replace(".", ",")


def fmt_bound(value: Decimal | float) -> str:
    """60 or 62,5: a threshold as the admin typed it."""
    d = dec(value).normalize()
    return f"{d:f}".replace(".", ",")


# --- scoring -----------------------------------------------------------------------------------


def clamp_value(ind: Indicator, value: Decimal) -> Decimal:
    if value < ind.minimum:
        return ind.minimum
    if ind.maximum is not None and value > ind.maximum:
        return ind.maximum
    return value


def score_value(ind: Indicator, value: float | Decimal | None) -> Decimal:
    """Score 0–100 of one scored indicator; no data scores 0."""
    if value is None:
        return Decimal(0)
    v = clamp_value(ind, round2(dec(value)))
    if ind.bands:
        if ind.higher_is_better:
            score = ind.bands[0].score
            for band in ind.bands:
                if band.bound is not None and v >= band.bound:
                    score = band.score
            return score
        for band in ind.bands:
            if band.bound is None or v <= band.bound:
                return band.score
        return ind.bands[-1].score
    return min(Decimal(100), max(Decimal(0), ind.factor * v))


def gate_passed(value: float | None) -> bool:
    """A gate is "ya" when its value is 1 (ya); 0 or no data is "tidak"."""
    return value is not None and dec(value) >= 1


def weighted_mean(pairs: list[tuple[Decimal, Decimal]]) -> Decimal:
    total_weight = sum((w for w, _ in pairs), Decimal(0))
    if total_weight == 0:
        return Decimal(0)
    return sum((w * s for w, s in pairs), Decimal(0)) / total_weight


def dimension_scores(fw: Framework, scores: Mapping[str, Decimal]) -> dict[str, Decimal]:
    """Unrounded dimension scores from unrounded indicator scores (gates are not scored)."""
    return {
        d.code: weighted_mean(
            [(fw.indicators[c].weight, scores.get(c, Decimal(0))) for c in d.scored(fw)]
        )
        for d in fw.dimensions
    }


def total_score(fw: Framework, scores: Mapping[str, Decimal]) -> Decimal:
    """S, rounded half-up to 2 decimals."""
    dims = dimension_scores(fw, scores)
    return round2(weighted_mean([(d.weight, dims[d.code]) for d in fw.dimensions]))


def band_tier_index(fw: Framework, total: Decimal) -> int:
    """Highest tier whose lower bound (inclusive) the rounded total reaches."""
    index = 0
    for i, tier in enumerate(fw.tiers):
        if total >= tier.minimum:
            index = i
    return index


def condition_value(
    fw: Framework, target: str, scores: Mapping[str, Decimal], dims: Mapping[str, Decimal]
) -> Decimal:
    """A condition compares the printed (2-decimal) score of an indicator or a dimension."""
    if target in fw.indicators:
        return round2(scores.get(target, Decimal(0)))
    return round2(dims.get(target, Decimal(0)))


def failing_conditions(
    fw: Framework, tier: str, scores: Mapping[str, Decimal], dims: Mapping[str, Decimal]
) -> list[tuple[str, Decimal, Decimal]]:
    """(target, value, minimum) of each condition of `tier` that is not met."""
    failing = []
    for cond in fw.conditions_for(tier):
        value = condition_value(fw, cond.target, scores, dims)
        if value < cond.minimum:
            failing.append((cond.target, value, cond.minimum))
    return failing


# --- the tier rule -----------------------------------------------------------------------------


def assess(
    fw: Framework,
    values: Mapping[str, IndicatorValue],
    previous: PreviousTier | None = None,
) -> AssessmentResult:
    """Score one KIM for one period and assign its tier (DESIGN.md §4, steps 1–4)."""
    results: dict[str, IndicatorResult] = {}
    scores: dict[str, Decimal] = {}
    gaps: list[str] = []
    failed_gates: list[str] = []
    for code, ind in fw.indicators.items():
        iv = values.get(code) or IndicatorValue(None, None)
        missing = iv.value is None
        if missing:
            gaps.append(code)
        value = None if missing else float(iv.value)  # type: ignore[arg-type]
        source = None if missing else iv.source
        if ind.is_gate:
            passed = gate_passed(value)
            if not passed:
                failed_gates.append(code)
            results[code] = IndicatorResult(value, None, source, missing, True, passed)
            continue
        score = score_value(ind, value)
        scores[code] = score
        results[code] = IndicatorResult(value, float(round2(score)), source, missing, False)

    dims = dimension_scores(fw, scores)
    total = round2(weighted_mean([(d.weight, dims[d.code]) for d in fw.dimensions]))
    names = fw.tier_names
    band_index = band_tier_index(fw, total)
    reasons: list[str] = []

    # 1. gates, 2. band, 3. condition cascade
    if failed_gates:
        raw_index = 0
        listed = ", ".join(f"{fw.label(c)}" for c in failed_gates)
        reasons.append(
            f"Skor {fmt_score(total)}, tetapi belum memenuhi syarat dasar ({listed} belum "
            f"'ya'): {names[0]}."
        )
    else:
        raw_index = band_index
        reasons.append(f"Skor {fmt_score(total)} berada pada rentang {names[band_index]}.")
        while raw_index > 0:
            failing = failing_conditions(fw, names[raw_index], scores, dims)
            if not failing:
                break
            detail = "; ".join(
                f"{fw.label(t)} {fmt_score(v)} < {fmt_bound(m)}" for t, v, m in failing
            )
            reasons.append(
                f"Syarat {names[raw_index]} tidak terpenuhi ({detail}): turun ke "
                f"{names[raw_index - 1]}."
            )
            raw_index -= 1

    # 4. stability against the previous period's assigned tier
    tier_index = raw_index
    if previous is not None and previous.tier in names:
        prev_index = names.index(previous.tier)
        prev_name = previous.tier
        if raw_index > prev_index:
            tier_index = min(raw_index, prev_index + fw.stability.max_promotion)
            if tier_index < raw_index:
                reasons.append(
                    f"Kenaikan dibatasi {fw.stability.max_promotion} jenjang per periode: dari "
                    f"{prev_name} naik ke {names[tier_index]} (jenjang mentah {names[raw_index]})."
                )
            else:
                reasons.append(f"Naik dari {prev_name} ke {names[tier_index]}.")
        elif raw_index < prev_index:
            floor = fw.tiers[prev_index].minimum
            margin = fw.stability.demotion_margin
            prev_raw_below = (
                previous.raw_tier in names and names.index(previous.raw_tier) < prev_index
            )
            if failed_gates:
                reasons.append(
                    f"Turun langsung dari {prev_name} ke {names[raw_index]} karena syarat dasar "
                    "tidak terpenuhi."
                )
            elif total <= floor - margin:
                reasons.append(
                    f"Skor {fmt_score(total)} berada {fmt_bound(margin)} poin atau lebih di bawah "
                    f"batas bawah {prev_name} ({fmt_bound(floor)}): turun langsung ke "
                    f"{names[raw_index]}."
                )
            elif prev_raw_below:
                reasons.append(
                    f"Jenjang mentah di bawah {prev_name} dua periode berturut-turut: turun ke "
                    f"{names[raw_index]}."
                )
            else:
                tier_index = prev_index
                reasons.append(
                    f"Jenjang mentah {names[raw_index]} di bawah jenjang periode sebelumnya "
                    f"({prev_name}) untuk pertama kali: {prev_name} dipertahankan satu periode."
                )
    elif previous is not None:
        reasons.append(
            f"Jenjang periode sebelumnya ({previous.tier}) tidak dikenal kerangka ini: jenjang "
            "ditetapkan dari skor."
        )

    return AssessmentResult(
        total=float(total),
        dimensions={code: float(round2(score)) for code, score in dims.items()},
        indicators=results,
        raw_tier=names[raw_index],
        tier=names[tier_index],
        reason=" ".join(reasons),
        gaps=gaps,
        band_tier=names[band_index],
        failed_gates=tuple(failed_gates),
    )
