"""The tier rule of DESIGN.md §4 at its boundaries, on the shipped framework v1.

Points each input adds to S under v1 (used to craft exact totals below):
K3 3,75 per item · W1/W2 0,14 × score · W3 1,5 per type · W4 0,06 × score · M1/M2 0,075 × score ·
P1/P2 0,05 × score · D1 5 per item.
"""

from __future__ import annotations

import pytest

from tracker.scoring.engine import (
    AssessmentResult,
    IndicatorValue,
    PreviousTier,
    assess,
    score_value,
)
from tracker.scoring.framework import default_framework

FW = default_framework()


def V(value: float | None, source: str | None = "computed") -> IndicatorValue:  # noqa: N802
    return IndicatorValue(value, source if value is not None else None)


def values(**overrides: float | None) -> dict[str, IndicatorValue]:
    """Gates passed and nothing else; overrides set indicator values (None = no data)."""
    data: dict[str, float | None] = {"K1": 1, "K2": 1}
    data.update(overrides)
    return {code: V(v) for code, v in data.items()}


# A KIM at the top of every indicator: S = 96,5 with W2 = 75.
TOP = dict(K3=4, W1=12, W2=75, W3=4, W4=3, M1=3, M2=12, P1=2, P2=100, D1=4)


def test_default_framework_matches_design() -> None:
    assert [d.code for d in FW.dimensions] == ["K", "W", "M", "P", "D"]
    assert [float(d.weight) for d in FW.dimensions] == [15, 40, 15, 10, 20]
    assert FW.gates == ("K1", "K2")
    assert FW.tier_names == ("Rintisan", "Berkembang", "Maju", "Mandiri")
    assert [float(t.minimum) for t in FW.tiers] == [0, 40, 60, 80]
    assert {c for c, i in FW.indicators.items() if i.manual} == {"K1", "K2", "K3", "M1", "M2", "D1"}
    assert FW.indicators["W1"].topic == "Penulisan berita desa"
    assert FW.indicators["W4"].higher_is_better is False


# --- indicator scores -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "value", "score"),
    [
        ("W1", 0, 0),
        ("W1", 0.99, 0),
        ("W1", 0.995, 30),  # printed as 1,00
        ("W1", 1, 30),
        ("W1", 3.99, 30),
        ("W1", 4, 60),
        ("W1", 7.99, 60),
        ("W1", 8, 80),
        ("W1", 11.99, 80),
        ("W1", 12, 100),
        ("W1", 400, 100),
        ("M2", 3.67, 30),
        ("M2", 12, 100),
        ("W4", 0, 100),
        ("W4", 7, 100),
        ("W4", 7.004, 100),
        ("W4", 7.005, 60),
        ("W4", 8, 60),
        ("W4", 30, 60),
        ("W4", 31, 20),
        ("W4", 90, 20),
        ("W4", 91, 0),
        ("W4", 365, 0),
        ("M1", 0, 0),
        ("M1", 1, 50),
        ("M1", 2, 80),
        ("M1", 3, 100),
        ("M1", 7, 100),
        ("P1", 0, 0),
        ("P1", 1, 50),
        ("P1", 2, 100),
        ("P1", 9, 100),
        ("K3", 0, 0),
        ("K3", 3, 75),
        ("K3", 4, 100),
        ("K3", 6, 100),
        ("W3", 2, 50),
        ("D1", 1, 25),
        ("W2", 53.846, 53.85),
        ("W2", -4, 0),
        ("W2", 130, 100),
        ("P2", 100, 100),
        ("P2", 0, 0),
    ],
)
def test_indicator_score(code: str, value: float, score: float) -> None:
    assert float(score_value(FW.indicators[code], value)) == score


def test_no_data_scores_zero_and_is_a_gap() -> None:
    result = assess(FW, values(W1=None, W2=50), None)
    assert result.indicators["W1"].score == 0
    assert result.indicators["W1"].missing is True
    assert result.indicators["W1"].source is None
    assert "W1" in result.gaps
    assert "W2" not in result.gaps
    assert result.indicators["W2"].source == "computed"


def test_p2_none_due_default_is_100_and_not_a_gap() -> None:
    result = assess(FW, {**values(), "P2": IndicatorValue(100.0, "default")}, None)
    assert result.indicators["P2"].score == 100
    assert result.indicators["P2"].source == "default"
    assert "P2" not in result.gaps
    assert result.dimensions["P"] == 50  # P1 has no data: (0 + 100) / 2
    assert result.total == 5.0


def test_dimension_is_weighted_mean_and_k_is_k3_only() -> None:
    result = assess(FW, values(K3=2, W1=4, W2=50, W3=2, W4=10), None)
    assert result.dimensions["K"] == 50  # gates are not scored
    # W = .35·60 + .35·50 + .15·50 + .15·60 = 21 + 17,5 + 7,5 + 9 = 55
    assert result.dimensions["W"] == 55
    assert result.total == pytest.approx(0.15 * 50 + 0.40 * 55)
    assert result.indicators["K1"].score is None
    assert result.indicators["K1"].gate is True


# --- rounding and tier bands -----------------------------------------------------------------


def test_39_995_rounds_to_40_and_is_berkembang() -> None:
    # 11,25 (K3=3) + 20 (D1=4) + 5 (P2=100) + 0,14 × 26,75 = 39,995 exactly
    result = assess(FW, values(K3=3, D1=4, P2=100, W2=26.75), None)
    assert result.total == 40.0
    assert result.raw_tier == result.tier == "Berkembang"


def test_39_994_is_rintisan() -> None:
    # 15 + 20 + 0,05 × 99,88 = 39,994
    result = assess(FW, values(K3=4, D1=4, P2=99.88), None)
    assert result.total == 39.99
    assert result.tier == "Rintisan"


def test_59_994_stays_berkembang() -> None:
    # 15 (K3) + 20 (D1) + 14 (W2=100) + 6 (W3=4) + 0,05 × 99,88 = 59,994
    result = assess(FW, values(K3=4, D1=4, W2=100, W3=4, P2=99.88), None)
    assert result.total == 59.99
    assert result.tier == "Berkembang"


def test_59_995_reaches_maju() -> None:
    # 0,05 × 99,9 = 4,995 → 59,995 → 60,00
    result = assess(FW, values(K3=4, D1=4, W2=100, W3=4, P2=99.9), None)
    assert result.total == 60.0
    assert result.tier == "Maju"


def test_exact_80_is_mandiri() -> None:
    # 15 + 20 + 14 (W2=100) + 6 (W3) + 6 (W4 ≤ 7) + 14 (W1 ≥ 12) + 5 (P2) = 80
    result = assess(FW, values(K3=4, D1=4, W2=100, W3=4, W4=0, W1=12, P2=100), None)
    assert result.total == 80.0
    assert result.tier == "Mandiri"


# --- conditions ------------------------------------------------------------------------------


def _maju_values(w2: float) -> dict[str, IndicatorValue]:
    # 15 + 20 + 6 (W3) + 6 (W4) + 14 (W1) + 0,14 × W2: with W2 = 50 → 68
    return values(K3=4, D1=4, W3=4, W4=0, W1=12, W2=w2)


def test_w2_exactly_50_is_maju() -> None:
    result = assess(FW, _maju_values(50), None)
    assert result.total == 68.0
    assert result.tier == "Maju"


def test_w2_just_below_50_drops_to_berkembang() -> None:
    result = assess(FW, _maju_values(49.99), None)
    assert result.band_tier == "Maju"
    assert result.raw_tier == result.tier == "Berkembang"
    assert "Syarat Maju tidak terpenuhi" in result.reason
    assert "W2 Konsistensi mingguan 49,99 < 50" in result.reason


def test_w2_exactly_75_is_mandiri_and_just_below_is_maju() -> None:
    assert assess(FW, values(**TOP), None).tier == "Mandiri"
    result = assess(FW, values(**{**TOP, "W2": 74.99}), None)
    assert result.total >= 80
    assert result.tier == "Maju"
    assert "Syarat Mandiri tidak terpenuhi" in result.reason


def test_w2_value_printed_as_75_counts_as_75() -> None:
    assert assess(FW, values(**{**TOP, "W2": 74.995}), None).tier == "Mandiri"


def test_d_exactly_50_is_mandiri_and_below_is_maju() -> None:
    assert assess(FW, values(**{**TOP, "D1": 2}), None).tier == "Mandiri"
    result = assess(FW, values(**{**TOP, "D1": 1}), None)
    assert result.total == 81.5
    assert result.tier == "Maju"
    assert "D Kemandirian & dampak 25,00 < 50" in result.reason


def test_cascade_mandiri_to_maju_to_berkembang() -> None:
    result = assess(FW, values(**{**TOP, "W2": 40}), None)
    assert result.total == 91.6
    assert result.band_tier == "Mandiri"
    assert result.tier == "Berkembang"
    assert "Syarat Mandiri tidak terpenuhi" in result.reason
    assert "Syarat Maju tidak terpenuhi" in result.reason
    assert result.reason.index("Mandiri tidak") < result.reason.index("Maju tidak")


def test_missing_w2_fails_conditions() -> None:
    result = assess(FW, values(**{**TOP, "W2": None}), None)
    assert result.tier == "Berkembang"
    assert "W2" in result.gaps


# --- gates -----------------------------------------------------------------------------------


@pytest.mark.parametrize("gate", ["K1", "K2"])
@pytest.mark.parametrize("value", [0, None])
def test_each_gate_forces_rintisan(gate: str, value: float | None) -> None:
    result = assess(FW, values(**{**TOP, gate: value}), None)
    assert result.total == 96.5  # the score is still shown
    assert result.raw_tier == result.tier == "Rintisan"
    assert "belum memenuhi syarat dasar" in result.reason
    assert gate in result.reason
    assert result.indicators[gate].passed is False
    assert (gate in result.gaps) == (value is None)


def test_both_gates_named_when_both_fail() -> None:
    result = assess(FW, values(**{**TOP, "K1": 0, "K2": 0}), None)
    assert "K1 SK pembentukan" in result.reason and "K2 Terdaftar di KIM.id" in result.reason
    assert result.failed_gates == ("K1", "K2")


# --- stability -------------------------------------------------------------------------------


def prev(tier: str, raw: str | None = None, score: float = 0) -> PreviousTier:
    return PreviousTier(tier=tier, raw_tier=raw or tier, score=score)


def test_no_previous_assigns_raw() -> None:
    assert assess(FW, values(**TOP), None).tier == "Mandiri"


@pytest.mark.parametrize(
    ("previous", "expected"),
    [
        ("Rintisan", "Berkembang"),
        ("Berkembang", "Maju"),
        ("Maju", "Mandiri"),
        ("Mandiri", "Mandiri"),
    ],
)
def test_promotion_capped_at_one_tier(previous: str, expected: str) -> None:
    result = assess(FW, values(**TOP), prev(previous))
    assert result.raw_tier == "Mandiri"
    assert result.tier == expected
    if previous in ("Rintisan", "Berkembang"):
        assert "Kenaikan dibatasi 1 jenjang per periode" in result.reason


def _score_values(target_points: float) -> dict[str, IndicatorValue]:
    """A KIM with W2 = 100 (conditions of Maju met) and S = 15 + 20 + 14 + 6 + 0,05 × P2."""
    p2 = (target_points - 55) / 0.05
    return values(K3=4, D1=4, W2=100, W3=4, P2=round(p2, 2))


def test_first_period_below_is_held() -> None:
    result = assess(FW, _score_values(57), prev("Maju"))
    assert result.total == 57.0
    assert result.raw_tier == "Berkembang"
    assert result.tier == "Maju"
    assert "dipertahankan" in result.reason


def test_second_consecutive_period_below_demotes() -> None:
    result = assess(FW, _score_values(57), prev("Maju", raw="Berkembang"))
    assert result.tier == "Berkembang"
    assert "dua periode berturut-turut" in result.reason


def test_previous_demotion_applied_does_not_count_as_below() -> None:
    # the previous period was already demoted (raw = assigned = Berkembang): a new fall is held
    result = assess(FW, values(K3=4, D1=4, P2=10), prev("Berkembang", raw="Berkembang"))
    assert result.raw_tier == "Rintisan"
    assert result.tier == "Berkembang"


def test_five_points_below_demotes_at_once() -> None:
    # 15 + 20 + 14 + 6 = 55 exactly: 5 points under Maju's 60
    result = assess(FW, values(K3=4, D1=4, W2=100, W3=4), prev("Maju"))
    assert result.total == 55.0
    assert result.tier == "Berkembang"
    assert "5 poin atau lebih di bawah batas bawah Maju" in result.reason


def test_just_under_five_points_below_is_held() -> None:
    result = assess(FW, _score_values(55.01), prev("Maju"))
    assert result.total == 55.01
    assert result.tier == "Maju"


def test_demotion_by_two_tiers_after_margin() -> None:
    # from Mandiri (80) with S = 30 → raw Rintisan assigned at once
    result = assess(FW, values(K3=4, D1=3), prev("Mandiri"))
    assert result.total == 30.0
    assert result.tier == "Rintisan"


def test_gate_failure_demotes_at_once() -> None:
    result = assess(FW, values(**{**TOP, "K2": 0}), prev("Mandiri"))
    assert result.tier == "Rintisan"
    assert "syarat dasar tidak terpenuhi" in result.reason


def test_condition_failure_first_period_is_held() -> None:
    result = assess(FW, _maju_values(40), prev("Maju"))
    assert result.raw_tier == "Berkembang"
    assert result.tier == "Maju"


def test_unknown_previous_tier_assigns_raw() -> None:
    result = assess(FW, values(**TOP), prev("Emas"))
    assert result.tier == "Mandiri"
    assert "tidak dikenal" in result.reason


# --- serialisation ---------------------------------------------------------------------------


def test_to_json_round_trip_matches_assessment_columns() -> None:
    result = assess(FW, values(**{**TOP, "M1": None}), prev("Maju"))
    data = result.to_json()
    assert set(data) == {
        "score",
        "raw_tier",
        "tier",
        "reason",
        "dimension_scores",
        "indicators",
        "data_gaps",
    }
    assert data["indicators"]["M1"] == {
        "value": None,
        "score": 0.0,
        "source": None,
        "missing": True,
        "gate": False,
    }
    assert data["indicators"]["K1"]["passed"] is True
    again = AssessmentResult.from_json(data)
    assert again.to_json() == data
