"""Roadmap to the next tier: points missing, failed conditions, "+N poin" steps, cheapest first."""

from __future__ import annotations

import pytest

from tracker.scoring.engine import IndicatorValue, PreviousTier, assess
from tracker.scoring.framework import default_framework
from tracker.scoring.roadmap import roadmap

FW = default_framework()


def values(**data: float | None) -> dict[str, IndicatorValue]:
    base: dict[str, float | None] = {"K1": 1, "K2": 1}
    base.update(data)
    return {c: IndicatorValue(v, None if v is None else "computed") for c, v in base.items()}


def test_points_missing_and_steps_with_gains() -> None:
    # 11,25 + 20 + 5 + 0,14 × 26,75 = 39,995 → 40,00 Berkembang; Maju needs 20 more points
    result = assess(FW, values(K3=3, D1=4, P2=100, W2=26.75), None)
    plan = roadmap(FW, result)
    assert plan.tier == "Berkembang"
    assert plan.next_tier == "Maju"
    assert plan.points_missing == 20.0
    assert plan.failed_conditions == [
        "Maju memerlukan W2 Konsistensi mingguan ≥ 50 (sekarang 26,75)."
    ]
    steps = {s.code: s for s in plan.steps}
    # W1 with no data: raising it to 1 berita/bulan scores 30 → 0,14 × 30 = +4,2 poin
    assert steps["W1"].current_value is None
    assert (steps["W1"].target_value, steps["W1"].target_score) == (1.0, 30.0)
    assert steps["W1"].gain_points == 4.2
    assert steps["W1"].topic_hint == "Penulisan berita desa"
    # W2 26,75 % → 50 %: +3,255 → S 43,25 (printed) − 40,00
    assert (steps["W2"].target_value, steps["W2"].gain_points) == (50.0, 3.25)
    # W4 with no data: the next band is "≤ 90 hari" (score 20) → +1,2
    assert (steps["W4"].target_value, steps["W4"].target_score) == (90.0, 20.0)
    # K3 3 → 4 items: +3,75; D1 already full, P2 at 100: no step
    assert steps["K3"].gain_points == 3.75
    assert "D1" not in steps and "P2" not in steps
    assert not any(s.closes_gap for s in plan.steps)


def test_steps_cheapest_first() -> None:
    # W1 3,9 berita/bulan: 0,1 of the 1→4 band left (effort 0,033); W4 45 days: (45 − 30)/(90 − 30)
    # = 0,25; M1 one channel: a whole band (1 → 2) left.
    result = assess(FW, values(K3=4, D1=4, W1=3.9, W4=45, M1=1, W2=60, W3=2), None)
    plan = roadmap(FW, result)
    order = [s.code for s in plan.steps]
    assert order[:2] == ["W1", "W4"]
    assert order.index("W4") < order.index("M1")
    w4 = plan.steps[1]
    assert (w4.current_value, w4.target_value, w4.current_score, w4.target_score) == (
        45.0,
        30.0,
        20.0,
        60.0,
    )
    assert w4.effort == 0.25
    efforts = [s.effort for s in plan.steps]
    assert efforts == sorted(efforts)


def test_equal_effort_sorted_by_larger_gain() -> None:
    result = assess(FW, values(K3=3, D1=3), None)  # both one item short: same effort 1
    plan = roadmap(FW, result)
    ones = [s for s in plan.steps if s.effort == 1.0]
    gains = [s.gain_points for s in ones]
    assert gains == sorted(gains, reverse=True)


def test_gain_is_the_change_of_printed_total() -> None:
    base: dict[str, float | None] = dict(K3=2, D1=1, W1=5, W2=33.33, M2=2, W4=100)
    result = assess(FW, values(**base), None)
    plan = roadmap(FW, result)
    assert len(plan.steps) == 10  # every scored indicator can still rise
    for step in plan.steps:
        raised = assess(FW, values(**{**base, step.code: step.target_value}))
        assert raised.total - result.total == pytest.approx(step.gain_points)


def test_closes_gap_flag() -> None:
    # S = 15 + 20 + 14 + 6 + 4,5 (P2 = 90) = 59,5: 0,5 short of Maju; any step of ≥ 0,5 closes it
    result = assess(FW, values(K3=4, D1=4, W2=100, W3=4, P2=90), None)
    plan = roadmap(FW, result)
    assert plan.points_missing == 0.5
    assert all(s.closes_gap == (s.gain_points >= 0.5) for s in plan.steps)
    assert any(s.closes_gap for s in plan.steps)


def test_failed_gate_listed_and_next_tier_from_rintisan() -> None:
    result = assess(FW, values(K1=0, K3=4, D1=4, W2=100), None)
    plan = roadmap(FW, result)
    assert plan.tier == "Rintisan"
    assert plan.next_tier == "Berkembang"
    assert plan.points_missing == 0.0  # S = 49 already
    assert plan.failed_conditions == [
        "Syarat dasar K1 SK pembentukan dari Kepala Desa/Lurah belum 'ya'."
    ]


def test_conditions_up_to_next_tier_are_listed() -> None:
    # held at Maju by stability with W2 = 40: Mandiri needs W2 ≥ 75 and Maju's W2 ≥ 50 too
    result = assess(
        FW,
        values(K3=4, D1=1, W1=12, W2=40, W3=4, W4=0, M1=3),
        PreviousTier("Maju", "Maju", 61),
    )
    assert result.tier == "Maju"
    plan = roadmap(FW, result)
    assert plan.next_tier == "Mandiri"
    assert (
        "Maju memerlukan W2 Konsistensi mingguan ≥ 50 (sekarang 40,00)." in plan.failed_conditions
    )
    assert (
        "Mandiri memerlukan W2 Konsistensi mingguan ≥ 75 (sekarang 40,00)."
        in plan.failed_conditions
    )
    assert (
        "Mandiri memerlukan D Kemandirian & dampak ≥ 50 (sekarang 25,00)." in plan.failed_conditions
    )


def test_top_tier_has_no_next_and_no_steps() -> None:
    top = dict(K3=4, W1=12, W2=75, W3=4, W4=3, M1=3, M2=12, P1=2, P2=100, D1=4)
    result = assess(FW, values(**top), None)
    plan = roadmap(FW, result)
    assert plan.next_tier is None
    assert plan.points_missing == 0.0
    assert plan.steps == []
    assert plan.failed_conditions == []


def test_roadmap_from_stored_json() -> None:
    from tracker.scoring.engine import AssessmentResult

    result = assess(FW, values(K3=3, D1=4, P2=100, W2=26.75), None)
    stored = AssessmentResult.from_json(result.to_json())
    assert roadmap(FW, stored) == roadmap(FW, result)
