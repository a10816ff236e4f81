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

Speed (a district's ten thousand KIMs are assessed in one run): the framework is compiled once per
`Framework` object (weights per dimension, conditions per tier, labels), and the `Decimal` steps
that see few distinct inputs are computed once and remembered on that object: the indicator result
per (indicator, value) and the dimension score per tuple of indicator scores. What is remembered is
exactly what the computation returned, so results are the same with or without it; only the total
(one weighted mean per KIM) and the tier rule run on every call.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from math import copysign, isfinite
from operator import itemgetter
from typing import Any, NamedTuple

from tracker.scoring.framework import (
    Framework,
    Indicator,
    dec,
    round2,
)

SOURCES = (
    "computed",
    "harvested",
    "counts",
    "registry",
    "manual",
    "default",
    "attendance",
    "follow_ups",
)


class IndicatorValue(NamedTuple):
    """A value and where it came from. A named pair rather than a dataclass: a period's inputs are
    tens of thousands of them, and a tuple is built, compared and hashed in C (the engine keys its
    score cache on it)."""

    value: float | None
    source: str | None  # one of SOURCES, or None


class PreviousTier(NamedTuple):
    """The previous period's stored outcome, for the stability rule (a named tuple, as
    `IndicatorValue`: one is read per KIM)."""

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

    @cached_property
    def json_text(self) -> str:
        """`to_json()` as `json.dumps` writes it. Computed once per object: `assess` hands the same
        object to every KIM with the same value, so a period's breakdowns are joined from a few
        hundred texts instead of being dumped ten thousand times."""
        return json.dumps(self.to_json())


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

    def json_columns(self) -> tuple[str, str, str]:
        """The JSON columns of `to_json()` (dimension_scores, indicators, data_gaps) serialised,
        character for character as `json.dumps` writes them, for a bulk insert that stores the text
        as it is: a string join per KIM instead of three dumps."""
        keys = _JSON_KEYS
        return (
            "{"
            + ", ".join([keys[code] + _json_number(v) for code, v in self.dimensions.items()])
            + "}",
            "{"
            + ", ".join([keys[code] + r.json_text for code, r in self.indicators.items()])
            + "}",
            "[" + ", ".join([_JSON_STRINGS[code] for code in self.gaps]) + "]",
        )

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


class _JSONPieces(dict[str, str]):
    """Indicator and dimension codes as json.dumps writes them, made on first use (codes are few;
    the bound only guards against a runaway of distinct codes)."""

    def __init__(self, suffix: str) -> None:
        super().__init__()
        self.suffix = suffix

    def __missing__(self, code: str) -> str:
        if len(self) > 1000:
            self.clear()
        text = self[code] = json.dumps(code) + self.suffix
        return text


_JSON_STRINGS = _JSONPieces("")  # "W1"
_JSON_KEYS = _JSONPieces(": ")  # "W1": (a key and its separator)


def _json_number(value: float) -> str:
    """As json.dumps writes a number: a finite float is its repr."""
    if type(value) is float and isfinite(value):
        return repr(value)
    return json.dumps(value)


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
    """Unrounded dimension scores from unrounded indicator scores (gates are not scored).

    Each dimension's mean is remembered on `fw` per tuple of its indicator scores (the roadmap
    asks for thousands of totals that differ in one indicator); what is kept is what
    `weighted_mean` returned, so the result is the same with or without it."""
    cache = fw.memo.get("dimension_means")
    if cache is None or len(cache) >= _CACHE_LIMIT:
        cache = fw.memo["dimension_means"] = {}
    found: dict[str, Decimal] = {}
    for d in fw.dimensions:
        codes = d.scored(fw)
        key = (d.code, *(scores.get(c, _ZERO) for c in codes))
        mean = cache.get(key)
        if mean is None:
            mean = cache[key] = weighted_mean(
                [(fw.indicators[c].weight, scores.get(c, _ZERO)) for c in codes]
            )
        found[d.code] = mean
    return found


def total_score(fw: Framework, scores: Mapping[str, Decimal]) -> Decimal:
    """S, rounded half-up to 2 decimals."""
    dims = dimension_scores(fw, scores)
    return round2(weighted_mean([(d.weight, dims[d.code]) for d in fw.dimensions]))


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


# --- the framework compiled for `assess` -------------------------------------------------------

_ZERO = Decimal(0)
_ZERO_2 = round2(_ZERO)
_NO_DATA = IndicatorValue(None, None)
# A cache that outgrows this is emptied and starts again. Values are discrete in practice (at most a
# few hundred distinct ones per indicator in a period), so this only bounds memory (to a few tens of
# MB) when every KIM brings a value of its own.
_CACHE_LIMIT = 4096

# per indicator value: the result; for scored indicators the unrounded score (None for a gate);
# whether the value is missing; whether it fails a gate; for a zero its sign (1.0 or -1.0), else 0:
# 0.0 and -0.0 are one key but are stored as "0.0" and "-0.0", so a cached zero is reused only for a
# zero of the same sign
_Entry = tuple[IndicatorResult, Decimal | None, bool, bool, float]
# per tuple of indicator scores: the dimension score (unrounded, rounded, and the float stored) and
# its weighted term of S (dimension weight × unrounded score)
_DimEntry = tuple[Decimal, Decimal, float, Decimal]


def _indicator_entry(ind: Indicator, iv: IndicatorValue) -> _Entry:
    missing = iv.value is None
    value = None if missing else float(iv.value)  # type: ignore[arg-type]
    source = None if missing else iv.source
    zero_sign = copysign(1.0, value) if value == 0 else 0.0  # type: ignore[arg-type]
    if ind.is_gate:
        passed = gate_passed(value)
        result = IndicatorResult(value, None, source, missing, True, passed)
        return result, None, missing, not passed, zero_sign
    score = score_value(ind, value)
    result = IndicatorResult(value, float(round2(score)), source, missing, False)
    return result, score, missing, False, zero_sign


class _Plan:
    """Everything `assess` reads from the framework, in the shape it reads it, and the caches.

    `indicators`: (code, indicator, cache value → entry) in framework order;
    `dimensions`: (code, weight, scores getter, indicator weights, cache scores → entry), where the
    getter picks the dimension's scored indicators (in framework order, with their weights) out of
    the KIM's list of scores."""

    def __init__(self, fw: Framework) -> None:
        scored = [code for code, ind in fw.indicators.items() if not ind.is_gate]
        position = {code: i for i, code in enumerate(scored)}
        self.indicators = tuple(
            (code, ind, dict[IndicatorValue, _Entry]()) for code, ind in fw.indicators.items()
        )
        self.dimensions = tuple(
            (
                d.code,
                d.weight,
                _picker([position[c] for c in d.scored(fw)]),
                tuple(fw.indicators[c].weight for c in d.scored(fw)),
                dict[tuple[Decimal, ...], _DimEntry](),
            )
            for d in fw.dimensions
        )
        self.dimension_weight_total = sum((d.weight for d in fw.dimensions), _ZERO)
        self.names = fw.tier_names
        self.index = {name: i for i, name in enumerate(self.names)}
        self.tier_minimums = tuple(t.minimum for t in fw.tiers)
        # a condition's target: a scored indicator (its position in the scores), a gate (never
        # scored: 0) or a dimension (its code; an unknown code counts as 0, as `condition_value`)
        self.conditions = {
            name: tuple(
                (c.target, position.get(c.target, c.target in fw.indicators), c.minimum)
                for c in fw.conditions_for(name)
            )
            for name in self.names
        }
        self.labels = {code: fw.label(code) for code in fw.indicators}
        self.labels.update((d.code, fw.label(d.code)) for d in fw.dimensions)
        self.max_promotion = fw.stability.max_promotion
        self.margin = fw.stability.demotion_margin
        self.bands: dict[Decimal, tuple[int, str]] = {}  # rounded S → (band tier index, printed)

    def band(self, total: Decimal) -> tuple[int, str]:
        """The highest tier whose lower bound (inclusive) the rounded S reaches, and S printed."""
        known = self.bands.get(total)
        if known is None:
            index = 0
            for i, minimum in enumerate(self.tier_minimums):
                if total >= minimum:
                    index = i
            known = _remember(self.bands, total, (index, fmt_score(total)))
        return known


def _picker(picks: list[int]) -> Callable[[list[Decimal]], tuple[Decimal, ...]]:
    """The scores at `picks` as a tuple (itemgetter returns a bare item for a single index)."""
    if len(picks) > 1:
        return itemgetter(*picks)
    if picks:
        return lambda scores, at=picks[0]: (scores[at],)
    return lambda scores: ()


def _plan(fw: Framework) -> _Plan:
    plan = fw.memo.get("engine")
    if plan is None:
        plan = fw.memo["engine"] = _Plan(fw)
    return plan


def _remember(cache: dict[Any, Any], key: Any, entry: Any) -> Any:
    if len(cache) >= _CACHE_LIMIT:
        cache.clear()
    cache[key] = entry
    return entry


# --- the tier rule -----------------------------------------------------------------------------


def assess(
    fw: Framework,
    values: Mapping[str, IndicatorValue],
    previous: PreviousTier | None = None,
) -> AssessmentResult:
    """Score one KIM for one period and assign its tier (DESIGN.md §4, steps 1–4)."""
    plan = _plan(fw)
    results: dict[str, IndicatorResult] = {}
    scores: list[Decimal] = []  # scored indicators, in framework order
    gaps: list[str] = []
    failed_gates: list[str] = []
    for code, ind, cache in plan.indicators:
        iv = values.get(code) or _NO_DATA
        entry = cache.get(iv)
        if entry is None:
            entry = _remember(cache, iv, _indicator_entry(ind, iv))
        elif entry[4] and copysign(1.0, iv.value) != entry[4]:  # type: ignore[arg-type]
            entry = _indicator_entry(ind, iv)  # a zero of the other sign
        result, score, missing, failed, _zero_sign = entry
        results[code] = result
        if missing:
            gaps.append(code)
        if score is None:
            if failed:
                failed_gates.append(code)
        else:
            scores.append(score)

    # dimensions (weighted means of the unrounded scores), then S from the unrounded dimensions
    dims: dict[str, _DimEntry] = {}
    weighted = _ZERO
    for dim_code, dim_weight, pick, weights, dim_cache in plan.dimensions:
        key = pick(scores)
        dim = dim_cache.get(key)
        if dim is None:
            mean = weighted_mean(list(zip(weights, key, strict=True)))
            rounded = round2(mean)
            dim = _remember(dim_cache, key, (mean, rounded, float(rounded), dim_weight * mean))
        dims[dim_code] = dim
        weighted = weighted + dim[3]  # as weighted_mean: the same terms, added in the same order
    if plan.dimension_weight_total == 0:  # pragma: no cover - validation requires weights > 0
        total = round2(_ZERO)
    else:
        total = round2(weighted / plan.dimension_weight_total)
    names = plan.names
    band_index, printed = plan.band(total)
    reasons: list[str] = []
    labels = plan.labels

    # 1. gates, 2. band, 3. condition cascade
    if failed_gates:
        raw_index = 0
        listed = ", ".join(f"{labels[c]}" for c in failed_gates)
        reasons.append(
            f"Skor {printed}, tetapi belum memenuhi syarat dasar ({listed} belum 'ya'): {names[0]}."
        )
    else:
        raw_index = band_index
        reasons.append(f"Skor {printed} berada pada rentang {names[band_index]}.")
        while raw_index > 0:
            failing = []
            for target, at, minimum in plan.conditions[names[raw_index]]:
                # the printed (2-decimal) score of the indicator or dimension, as condition_value
                if at is True:  # a gate: not scored
                    value = _ZERO_2
                elif at is False:
                    value = dims[target][1] if target in dims else _ZERO_2
                else:
                    value = round2(scores[at])
                if value < minimum:
                    failing.append((target, value, minimum))
            if not failing:
                break
            detail = "; ".join(
                f"{labels[t]} {fmt_score(v)} < {fmt_bound(m)}" for t, v, m in failing
            )
            reasons.append(
                f"Syarat {names[raw_index]} tidak terpenuhi ({detail}): turun ke "
                f"{names[raw_index - 1]}."
            )
            raw_index -= 1

    # 4. stability against the previous period's assigned tier
    tier_index = raw_index
    if previous is not None and previous.tier in plan.index:
        prev_index = plan.index[previous.tier]
        prev_name = previous.tier
        if raw_index > prev_index:
            tier_index = min(raw_index, prev_index + plan.max_promotion)
            if tier_index < raw_index:
                reasons.append(
                    f"Kenaikan dibatasi {plan.max_promotion} jenjang per periode: dari "
                    f"{prev_name} naik ke {names[tier_index]} (jenjang mentah {names[raw_index]})."
                )
            else:
                reasons.append(f"Naik dari {prev_name} ke {names[tier_index]}.")
        elif raw_index < prev_index:
            floor = plan.tier_minimums[prev_index]
            margin = plan.margin
            prev_raw_below = plan.index.get(previous.raw_tier, prev_index) < prev_index
            if failed_gates:
                reasons.append(
                    f"Turun langsung dari {prev_name} ke {names[raw_index]} karena syarat dasar "
                    "tidak terpenuhi."
                )
            elif total <= floor - margin:
                reasons.append(
                    f"Skor {printed} berada {fmt_bound(margin)} poin atau lebih di bawah "
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
        dimensions={code: dim[2] for code, dim in dims.items()},
        indicators=results,
        raw_tier=names[raw_index],
        tier=names[tier_index],
        reason=" ".join(reasons),
        gaps=gaps,
        band_tier=names[band_index],
        failed_gates=tuple(failed_gates),
    )
