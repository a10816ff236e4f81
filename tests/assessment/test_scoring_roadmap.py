"""Roadmap: the cheapest plan that reaches the next tier (or keeps a tier held by stability),
checked by applying its targets and re-assessing with the engine."""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.scoring.engine import (
    AssessmentResult,
    IndicatorValue,
    PreviousTier,
    assess,
    dimension_scores,
    failing_conditions,
    score_value,
    total_score,
)
from tracker.scoring.framework import (
    Framework,
    dec,
    default_definition,
    default_framework,
    load_framework,
)
from tracker.scoring.roadmap import (
    GOAL_KEEP,
    GOAL_NEXT,
    GOAL_TOP,
    Roadmap,
    _condition_levels,
    _options,
    framework_topics,
    roadmap,
)

FW = default_framework()
TOPICS = framework_topics(FW)
SCORED = [c for c, ind in FW.indicators.items() if not ind.is_gate]


def values(**data: float | None) -> dict[str, IndicatorValue]:
    base: dict[str, float | None] = {"K1": 1, "K2": 1}
    base.update(data)
    return {c: IndicatorValue(v, None if v is None else "computed") for c, v in base.items()}


def applied(inputs: dict[str, IndicatorValue], plan: Roadmap) -> dict[str, IndicatorValue]:
    return {**inputs, **{s.code: IndicatorValue(s.target_value, "manual") for s in plan.steps}}


def printed(fw: Framework, result: AssessmentResult, target: str) -> dict[str, Decimal]:
    """The printed score of every condition target of `target` after re-assessment."""
    out = {}
    for cond in fw.conditions_for(target):
        r = result.indicators.get(cond.target)
        value = r.score if r is not None else result.dimensions[cond.target]
        out[cond.target] = dec(value or 0)
    return out


def assert_reaches(fw: Framework, inputs, result: AssessmentResult, plan: Roadmap) -> None:
    """Applied and re-assessed (with this period as the previous one), the plan reaches its
    target tier: S at least the lower bound, the tier's conditions met, the gates "ya", the tier
    assigned; and its claimed total is the re-assessed gain, step by step."""
    assert plan.target_tier is not None
    after = assess(fw, applied(inputs, plan), PreviousTier(result.tier, result.raw_tier, 0))
    assert dec(after.total) >= fw.tier_minimum(plan.target_tier)
    for cond in fw.conditions_for(plan.target_tier):
        assert printed(fw, after, plan.target_tier)[cond.target] >= cond.minimum
    assert not after.failed_gates
    assert fw.tier_index(after.raw_tier) >= fw.tier_index(plan.target_tier)
    assert fw.tier_index(after.tier) >= fw.tier_index(plan.target_tier)
    assert after.total == plan.planned_score
    assert dec(after.total) - dec(result.total) == dec(plan.plan_gain)
    assert sum((dec(s.gain_points) for s in plan.steps), Decimal(0)) == dec(plan.plan_gain)


# --- KIM Alun-Alun ---------------------------------------------------------------------------

# KIM Alun-Alun in 2026-T3: SK and KIM.id, no post, no manual value, no coaching, no follow-up due
ALUN_ALUN = values(P1=0, P2=100)
# the old roadmap's one step per indicator: each to its next band
OLD_STEPS = {"K3": 1, "W1": 1, "W2": 25, "W3": 1, "W4": 90, "M1": 1, "M2": 1, "P1": 1, "D1": 1}


def test_alun_alun_gets_a_plan_that_closes_the_gap() -> None:
    result = assess(FW, ALUN_ALUN, None)
    assert (result.total, result.tier) == (5.0, "Rintisan")
    old = sum(
        dec(assess(FW, {**ALUN_ALUN, c: IndicatorValue(v, "manual")}).total) - dec(result.total)
        for c, v in OLD_STEPS.items()
    )
    assert old == Decimal("27.65")  # what the old roadmap listed: not enough

    plan = roadmap(FW, result, TOPICS)
    assert (plan.goal, plan.target_tier, plan.points_missing) == (GOAL_NEXT, "Berkembang", 35.0)
    assert plan.reachable and plan.best_score is None
    assert plan.plan_gain >= 35.0
    assert (plan.plan_gain, plan.planned_score) == (35.65, 40.65)
    several = [s for s in plan.steps if s.bands > 1]
    assert several  # some indicator moves more than one band
    w1 = next(s for s in plan.steps if s.code == "W1")
    assert (w1.current_value, w1.target_value, w1.target_score, w1.bands) == (None, 4.0, 60.0, 2)
    assert w1.topic_hint == "Penulisan berita desa"
    assert all(s.topic_hint == TOPICS[s.code] for s in plan.steps)
    # cost: first band 1, the second on the same indicator 2
    assert w1.cost == 3.0
    assert plan.cost == sum(s.cost for s in plan.steps) == 12.0
    assert_reaches(FW, ALUN_ALUN, result, plan)


def test_topics_come_from_the_mapping_given() -> None:
    result = assess(FW, ALUN_ALUN, None)
    plan = roadmap(FW, result, {"W1": "Menulis berita bersama"})
    topics = {s.code: s.topic_hint for s in plan.steps}
    assert topics["W1"] == "Menulis berita bersama"
    assert topics["D1"] == ""


def test_effort_steers_the_plan_away_from_a_hard_indicator() -> None:
    result = assess(FW, ALUN_ALUN, None)
    plain = roadmap(FW, result, TOPICS)
    assert "D1" in {s.code for s in plain.steps}
    hard = roadmap(FW, result, TOPICS, effort={"D1": 10})
    assert "D1" not in {s.code for s in hard.steps}
    assert hard.cost >= plain.cost
    assert_reaches(FW, ALUN_ALUN, result, hard)


# --- the shape of a plan -----------------------------------------------------------------------


def test_partial_band_is_cheap_and_conditions_are_met() -> None:
    # 40,00 Berkembang; Maju needs 20 points and W2 ≥ 50: W2 26,75 → 50 covers 0,93 of its band
    inputs = values(K3=3, D1=4, P2=100, W2=26.75)
    result = assess(FW, inputs, None)
    plan = roadmap(FW, result, TOPICS)
    assert (plan.target_tier, plan.points_missing) == ("Maju", 20.0)
    assert plan.failed_conditions == [
        "Maju memerlukan W2 Konsistensi mingguan ≥ 50 (sekarang 26,75)."
    ]
    w2 = next(s for s in plan.steps if s.code == "W2")
    assert (w2.target_value, w2.bands, w2.cost) == (50.0, 1, 0.93)
    assert plan.steps[0].code == "W2"  # cheapest first
    assert_reaches(FW, inputs, result, plan)


def test_lower_is_better_targets_an_upper_bound() -> None:
    # 58,30, 1,70 short of Maju; W4 45 days: the next band is "≤ 30 hari" (+2,40), a quarter of
    # the 30–90 band away: cheaper than any other step
    inputs = values(K3=4, D1=4, W1=1, W2=60, W3=3, W4=45, P2=100)
    result = assess(FW, inputs, None)
    assert result.total == 58.3
    plan = roadmap(FW, result, TOPICS)
    assert len(plan.steps) == 1
    w4 = plan.steps[0]
    assert (w4.code, w4.higher_is_better, w4.current_value, w4.target_value) == (
        "W4",
        False,
        45.0,
        30.0,
    )
    assert (w4.cost, w4.gain_points) == (0.25, 2.4)
    assert_reaches(FW, inputs, result, plan)


def test_a_failing_gate_is_a_step_of_the_plan() -> None:
    inputs = values(K1=0, K3=4, D1=4, W2=100)
    result = assess(FW, inputs, None)
    assert result.tier == "Rintisan"
    plan = roadmap(FW, result, TOPICS)
    assert (plan.target_tier, plan.points_missing) == ("Berkembang", 0.0)  # S = 49 already
    assert plan.failed_conditions == [
        "Syarat dasar K1 SK pembentukan dari Kepala Desa/Lurah belum 'ya'."
    ]
    assert [(s.code, s.gate, s.target_value, s.gain_points) for s in plan.steps] == [
        ("K1", True, 1.0, 0.0)
    ]
    assert plan.steps[0].topic_hint == "Administrasi dan legalitas KIM"
    assert_reaches(FW, inputs, result, plan)


def test_promotion_capped_already_meets_the_next_tier() -> None:
    # raw Maju, but from Rintisan it may rise one tier: Berkembang now, Maju next period if kept
    inputs = values(K3=4, D1=4, W2=100, W3=4, W1=4, M1=1, P1=2)
    result = assess(FW, inputs, PreviousTier("Rintisan", "Rintisan", 30))
    assert (result.raw_tier, result.tier) == ("Maju", "Berkembang")
    plan = roadmap(FW, result, TOPICS)
    assert (plan.goal, plan.target_tier, plan.reachable) == (GOAL_NEXT, "Maju", True)
    assert plan.steps == [] and plan.plan_gain == 0.0


def test_top_tier_has_nothing_above() -> None:
    top = values(K3=4, W1=12, W2=75, W3=4, W4=3, M1=3, M2=12, P1=2, P2=100, D1=4)
    plan = roadmap(FW, assess(FW, top, None), TOPICS)
    assert (plan.goal, plan.next_tier, plan.target_tier) == (GOAL_TOP, None, None)
    assert plan.steps == [] and plan.failed_conditions == []


def test_roadmap_from_stored_json() -> None:
    result = assess(FW, values(K3=3, D1=4, P2=100, W2=26.75), None)
    stored = AssessmentResult.from_json(result.to_json())
    assert roadmap(FW, stored, TOPICS) == roadmap(FW, result, TOPICS)


# --- held by the stability rule ----------------------------------------------------------------

HELD = values(K3=4, W1=12, W2=72.15, W3=4, W4=30, M1=3, M2=4, P1=1, P2=100, D1=2)


def test_held_tier_is_told_what_keeps_it() -> None:
    result = assess(FW, HELD, PreviousTier("Mandiri", "Mandiri", 82))
    assert (result.total, result.raw_tier, result.tier) == (78.2, "Maju", "Mandiri")
    assert "Mandiri dipertahankan satu periode" in result.reason
    plan = roadmap(FW, result, TOPICS)
    # not "already at the top": what it must reach next period to stay Mandiri
    assert (plan.goal, plan.target_tier, plan.next_tier) == (GOAL_KEEP, "Mandiri", None)
    assert (plan.target_minimum, plan.points_missing) == (80.0, 1.8)
    assert plan.failed_conditions == [
        "Mandiri memerlukan W2 Konsistensi mingguan ≥ 75 (sekarang 72,15)."
    ]
    assert {s.code: s.target_value for s in plan.steps}["W2"] == 75.0
    assert_reaches(FW, HELD, result, plan)
    # without the plan, next period drops it (raw below Mandiri a second time)
    again = assess(FW, HELD, PreviousTier(result.tier, result.raw_tier, result.total))
    assert again.tier == "Maju"


def test_held_lower_tier_keeps_it_through_its_condition() -> None:
    # held at Maju with W2 = 40 (Maju needs W2 ≥ 50)
    inputs = values(K3=4, D1=1, W1=12, W2=40, W3=4, W4=0, M1=3)
    result = assess(FW, inputs, PreviousTier("Maju", "Maju", 61))
    assert (result.raw_tier, result.tier) == ("Berkembang", "Maju")
    plan = roadmap(FW, result, TOPICS)
    assert (plan.goal, plan.target_tier, plan.next_tier) == (GOAL_KEEP, "Maju", "Mandiri")
    assert [(s.code, s.target_value) for s in plan.steps] == [("W2", 50.0)]
    assert_reaches(FW, inputs, result, plan)


# --- unreachable within one period -------------------------------------------------------------


def test_unreachable_when_one_period_cannot_lift_enough() -> None:
    # in one period every indicator can rise one unit at most (reach = one more than now)
    reach = {"K3": 1, "W1": 1, "W2": 1, "W3": 1, "W4": 89, "M1": 1, "M2": 1, "P1": 1, "D1": 1}
    result = assess(FW, ALUN_ALUN, None)
    plan = roadmap(FW, result, TOPICS, reach=reach)
    assert not plan.reachable
    assert plan.points_missing == 35.0
    assert plan.best_score is not None and plan.best_score < 40
    # the steps shown are the way to the best reachable score; re-assessing confirms it
    after = assess(FW, applied(ALUN_ALUN, plan))
    assert after.total == plan.best_score
    assert after.tier == "Rintisan"
    assert dec(after.total) - dec(result.total) == dec(plan.plan_gain)


def _v1_with_d1_at_most_40() -> Framework:
    definition = default_definition()
    for ind in definition["indicators"]:
        if ind["code"] == "D1":
            ind["factor"] = 10  # at most 4 items × 10 = 40
    return load_framework(definition)


def test_unreachable_condition_says_which_and_the_best_score() -> None:
    fw = _v1_with_d1_at_most_40()  # Mandiri needs D ≥ 50: D1 scores at most 40 now
    inputs = values(K3=4, W1=12, W2=80, W3=4, W4=3, M1=3, M2=12, P1=2, P2=100, D1=1)
    result = assess(fw, inputs, None)
    assert result.tier == "Maju"
    plan = roadmap(fw, result, framework_topics(fw))
    assert plan.target_tier == "Mandiri"
    assert not plan.reachable
    assert plan.unreachable == [
        "Mandiri memerlukan D Kemandirian & dampak ≥ 50; paling tinggi yang dapat dicapai dalam "
        "satu periode 40,00."
    ]
    assert plan.best_score == 88.0  # S ≥ 80, yet the condition cannot hold
    after = assess(fw, applied(inputs, plan))
    assert after.total == 88.0 and after.raw_tier == "Maju"


def test_a_condition_set_twice_holds_at_its_highest_floor() -> None:
    definition = default_definition()
    definition["conditions"].append({"tier": "Mandiri", "target": "D", "min": 25})
    fw = load_framework(definition)  # Mandiri: D ≥ 50 and D ≥ 25
    inputs = values(K3=4, W1=12, W2=80, W3=4, W4=3, M1=3, M2=12, P1=2, P2=100, D1=1)
    result = assess(fw, inputs, None)
    plan = roadmap(fw, result, framework_topics(fw))
    assert {s.code: s.target_value for s in plan.steps}["D1"] == 2.0
    assert_reaches(fw, inputs, result, plan)


# --- hypothesis: any inputs, any previous tier -------------------------------------------------

indicator_value = st.one_of(
    st.none(),
    st.floats(min_value=-5, max_value=150, allow_nan=False, allow_infinity=False),
    st.integers(min_value=0, max_value=15).map(float),
    st.integers(min_value=0, max_value=10_000).map(lambda n: n / 100),
)
gate_value = st.sampled_from([None, 0.0, 1.0, 1.0, 1.0])


@st.composite
def kim_inputs(draw: st.DrawFn, fw: Framework = FW) -> dict[str, IndicatorValue]:
    data = {c: draw(indicator_value) for c, ind in fw.indicators.items() if not ind.is_gate}
    data.update({g: draw(gate_value) for g in fw.gates})
    return {c: IndicatorValue(v, None if v is None else "computed") for c, v in data.items()}


def previous_tiers(fw: Framework) -> st.SearchStrategy[PreviousTier | None]:
    names = st.sampled_from(fw.tier_names)
    return st.one_of(st.none(), st.builds(PreviousTier, names, names, st.just(50.0)))


@settings(max_examples=300, deadline=None)
@given(kim_inputs(), previous_tiers(FW))
def test_v1_plan_applied_and_reassessed_reaches_the_target(inputs, previous) -> None:
    result = assess(FW, inputs, previous)
    plan = roadmap(FW, result, TOPICS)
    assert plan.score == result.total
    if plan.goal == GOAL_TOP:
        assert result.tier == result.raw_tier == FW.tier_names[-1]
        return
    # v1: every indicator can reach its best band in one period, and that reaches Mandiri
    assert plan.reachable
    assert plan.goal == (GOAL_KEEP if plan.target_tier == result.tier else GOAL_NEXT)
    assert_reaches(FW, inputs, result, plan)


@settings(max_examples=200, deadline=None)
@given(
    kim_inputs(),
    previous_tiers(FW),
    st.dictionaries(st.sampled_from(SCORED), st.integers(0, 100).map(float), max_size=6),
)
def test_v1_with_limited_reach_plans_or_says_unreachable(inputs, previous, reach) -> None:
    result = assess(FW, inputs, previous)
    plan = roadmap(FW, result, TOPICS, reach=reach)
    if plan.goal == GOAL_TOP:
        return
    if plan.reachable:
        assert_reaches(FW, inputs, result, plan)
        return
    assert plan.target_tier is not None and plan.best_score is not None
    after = assess(FW, applied(inputs, plan))
    assert after.total == plan.best_score
    assert dec(after.total) - dec(result.total) == dec(plan.plan_gain)
    short = dec(after.total) < FW.tier_minimum(plan.target_tier)
    assert short or plan.unreachable


@st.composite
def frameworks(draw: st.DrawFn) -> Framework:
    """v1 with other weights, tier bounds and conditions, and linear factors: any valid version."""
    definition = default_definition()
    for dim in definition["dimensions"]:
        dim["weight"] = draw(st.integers(1, 60))
    for ind in definition["indicators"]:
        if ind["kind"] != "gate":
            ind["weight"] = draw(st.integers(1, 60))
        if ind["kind"] == "linear" and ind["max"] == 4:
            ind["factor"] = draw(st.sampled_from([10, 20, 25, 30]))
    bounds = sorted(draw(st.sets(st.integers(1, 100), min_size=3, max_size=3)))
    for tier, bound in zip(definition["tiers"][1:], bounds, strict=True):
        tier["min"] = bound
    targets = st.sampled_from(["W2", "D", "K3", "M", "W1", "W4"])
    definition["conditions"] = [
        {"tier": draw(st.sampled_from(["Berkembang", "Maju", "Mandiri"])), "target": t, "min": m}
        for t, m in draw(st.lists(st.tuples(targets, st.integers(0, 100)), max_size=4))
    ]
    return load_framework(definition)


@pytest.mark.slow
@settings(max_examples=150, deadline=None)
@given(st.data())
def test_any_framework_plan_reaches_or_is_confirmed_unreachable(data) -> None:
    fw = data.draw(frameworks())
    inputs = data.draw(kim_inputs(fw))
    result = assess(fw, inputs, data.draw(previous_tiers(fw)))
    plan = roadmap(fw, result, framework_topics(fw))
    if plan.goal == GOAL_TOP:
        return
    if plan.reachable:
        assert_reaches(fw, inputs, result, plan)
        return
    assert plan.target_tier is not None
    after = assess(fw, applied(inputs, plan))
    assert after.total == plan.best_score
    fails = any(
        printed(fw, after, plan.target_tier)[c.target] < c.minimum
        for c in fw.conditions_for(plan.target_tier)
    )
    assert dec(after.total) < fw.tier_minimum(plan.target_tier) or fails


# --- hypothesis: no cheaper plan exists (brute force over every combination) -------------------


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_no_cheaper_plan_exists(data) -> None:
    """Indicators outside `movable` cannot move this period (reach = their value); every
    combination of the others' options is tried, and none reaching the target costs less."""
    fw = data.draw(st.one_of(st.just(FW), frameworks()))
    scored = [c for c, ind in fw.indicators.items() if not ind.is_gate]
    inputs = data.draw(kim_inputs(fw))
    movable = data.draw(st.sets(st.sampled_from(scored), min_size=1, max_size=4))
    fixed = {c: inputs[c].value for c in scored if c not in movable}
    pinned = {c: IndicatorValue(0.0 if v is None else v, "computed") for c, v in fixed.items()}
    inputs = {**inputs, **pinned}
    reach = {c: inputs[c].value for c in fixed}
    result = assess(fw, inputs, data.draw(previous_tiers(fw)))
    plan = roadmap(fw, result, framework_topics(fw), reach=reach)  # type: ignore[arg-type]
    if plan.goal == GOAL_TOP or not plan.reachable:
        return
    target = plan.target_tier
    assert target is not None
    values_now = {c: inputs[c].value for c in scored}
    scores = {c: score_value(fw.indicators[c], values_now[c]) for c in scored}
    gate_cost = sum(Decimal(1) for s in plan.steps if s.gate)
    choices = [
        _options(
            fw,
            c,
            values_now[c],
            _condition_levels(fw, target, c),
            Decimal(1),
            dec(reach[c]) if c in reach else None,  # type: ignore[arg-type]
        )
        for c in scored
    ]
    best: Decimal | None = None
    for combo in itertools.product(*choices):
        trial = {**scores, **{o.code: o.score for o in combo}}
        if total_score(fw, trial) < fw.tier_minimum(target):
            continue
        if failing_conditions(fw, target, trial, dimension_scores(fw, trial)):
            continue
        cost = sum((o.cost for o in combo), Decimal(0)) + gate_cost
        best = cost if best is None else min(best, cost)
    assert best is not None
    assert round(best, 2) == dec(plan.cost)
