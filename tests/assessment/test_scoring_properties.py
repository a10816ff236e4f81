"""Hypothesis invariants of the engine and of band validation."""

from __future__ import annotations

import copy
from decimal import Decimal

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from tracker.scoring.engine import IndicatorValue, assess, score_value
from tracker.scoring.framework import (
    FrameworkInvalid,
    default_definition,
    default_framework,
    load_framework,
    round2,
)

FW = default_framework()
SCORED = [c for c, ind in FW.indicators.items() if not ind.is_gate]

indicator_value = st.one_of(
    st.none(),
    st.floats(min_value=-50, max_value=2000, allow_nan=False, allow_infinity=False),
    st.integers(min_value=0, max_value=20).map(float),
)
gate_value = st.sampled_from([None, 0.0, 1.0])


@st.composite
def kim_values(draw: st.DrawFn) -> dict[str, IndicatorValue]:
    data = {c: draw(indicator_value) for c in SCORED}
    data.update({g: draw(gate_value) for g in FW.gates})
    return {c: IndicatorValue(v, None if v is None else "computed") for c, v in data.items()}


@given(kim_values())
def test_total_and_dimensions_stay_within_0_100(values: dict[str, IndicatorValue]) -> None:
    result = assess(FW, values, None)
    assert 0 <= result.total <= 100
    assert all(0 <= d <= 100 for d in result.dimensions.values())
    assert result.tier in FW.tier_names


@given(
    kim_values(),
    st.sampled_from(SCORED),
    st.floats(min_value=0, max_value=500, allow_nan=False),
    st.floats(min_value=0, max_value=500, allow_nan=False),
)
def test_total_never_decreases_when_one_indicator_improves(
    values: dict[str, IndicatorValue], code: str, a: float, b: float
) -> None:
    ind = FW.indicators[code]
    worse, better = (min(a, b), max(a, b)) if ind.higher_is_better else (max(a, b), min(a, b))
    before = assess(FW, {**values, code: IndicatorValue(worse, "computed")}, None)
    after = assess(FW, {**values, code: IndicatorValue(better, "computed")}, None)
    assert after.total >= before.total
    # and having data never scores below having none
    missing = assess(FW, {**values, code: IndicatorValue(None, None)}, None)
    assert before.total >= missing.total


@st.composite
def ascending_bands(draw: st.DrawFn, higher: bool) -> list[list[float | None]]:
    bounds = sorted(
        draw(
            st.sets(
                st.integers(min_value=1, max_value=10_000).map(lambda n: n / 100),
                min_size=1,
                max_size=6,
            )
        )
    )
    scores = sorted(
        draw(st.lists(st.integers(0, 100), min_size=len(bounds) + 1, max_size=len(bounds) + 1))
    )
    if higher:
        return [[0.0, scores[0]], *([b, s] for b, s in zip(bounds, scores[1:], strict=True))]
    scores = scores[::-1]
    return [*([b, s] for b, s in zip(bounds, scores, strict=False)), [None, scores[-1]]]


def _with_w1_bands(bands: list[list[float | None]], higher: bool = True) -> dict:
    definition = default_definition()
    w1 = next(i for i in definition["indicators"] if i["code"] == "W1")
    w1["bands"] = bands
    w1["higher_is_better"] = higher
    return definition


@given(ascending_bands(higher=True), st.floats(min_value=0, max_value=200, allow_nan=False))
def test_bands_map_every_value_to_exactly_one_score(
    bands: list[list[float | None]], value: float
) -> None:
    ind = load_framework(_with_w1_bands(bands)).indicators["W1"]
    v = round2(Decimal(repr(value)))
    bounds = [Decimal(repr(b[0])) for b in bands] + [Decimal("Infinity")]
    matches = [i for i in range(len(bands)) if bounds[i] <= v < bounds[i + 1]]
    assert len(matches) == 1
    assert score_value(ind, value) == Decimal(str(bands[matches[0]][1]))


@given(ascending_bands(higher=False), st.floats(min_value=0, max_value=200, allow_nan=False))
def test_lower_is_better_bands_map_every_value_to_exactly_one_score(
    bands: list[list[float | None]], value: float
) -> None:
    ind = load_framework(_with_w1_bands(bands, higher=False)).indicators["W1"]
    v = round2(Decimal(repr(value)))
    uppers = [Decimal(repr(b[0])) if b[0] is not None else Decimal("Infinity") for b in bands]
    lowers = [Decimal("-Infinity"), *uppers[:-1]]
    matches = [i for i in range(len(bands)) if lowers[i] < v <= uppers[i]]
    assert len(matches) == 1
    assert score_value(ind, value) == Decimal(str(bands[matches[0]][1]))


@given(ascending_bands(higher=True), st.data())
def test_validation_rejects_overlapping_bands(
    bands: list[list[float | None]], data: st.DataObject
) -> None:
    assume(len(bands) >= 2)
    broken = copy.deepcopy(bands)
    i = data.draw(st.integers(1, len(broken) - 1))
    # move one bound to or below its predecessor: duplicate or overlapping bands
    broken[i][0] = broken[i - 1][0] - data.draw(st.sampled_from([0, 0.5, 1]))
    with pytest.raises(FrameworkInvalid) as err:
        load_framework(_with_w1_bands(broken))
    assert any("Pita skor W1" in p for p in err.value.problems)


@given(ascending_bands(higher=True), st.integers(min_value=1, max_value=50))
def test_validation_rejects_a_gap_at_the_start(bands: list[list[float | None]], start: int) -> None:
    broken = copy.deepcopy(bands)
    broken[0][0] = start / 100  # values from 0 up to the first bound get no score
    assume(len(broken) == 1 or broken[0][0] < broken[1][0])
    with pytest.raises(FrameworkInvalid) as err:
        load_framework(_with_w1_bands(broken))
    assert any("harus mulai dari nilai minimum 0" in p for p in err.value.problems)


@settings(max_examples=50)
@given(ascending_bands(higher=False))
def test_validation_rejects_lower_is_better_without_open_band(
    bands: list[list[float | None]],
) -> None:
    assume(len(bands) >= 2)
    closed = bands[:-1]
    with pytest.raises(FrameworkInvalid) as err:
        load_framework(_with_w1_bands(closed, higher=False))
    assert any("pita terakhir harus terbuka" in p for p in err.value.problems)
