"""Roadmap: the cheapest plan of indicator targets that takes a KIM to its next tier.

What the plan aims at (the *target tier*):

- the tier above the assigned one (goal "next");
- when the stability rule holds the assigned tier above the raw one ("Mandiri dipertahankan satu
  periode"), the assigned tier itself (goal "keep"): next period the raw tier must reach it again,
  or the KIM drops, so that is what the KIM is told first;
- nothing at the top tier reached on its own merit (goal "top").

A plan reaches the target tier when, with its targets in place, S printed (2 decimals) is at least
the tier's lower bound, every condition of that tier holds (on printed scores), and every gate is
"ya". Then the tier rule's cascade cannot land below the target tier, and the stability rule
promotes (max_promotion ≥ 1) or keeps it. The framework is read as data: any valid version works.

Cost, what "cheapest" means: each indicator moves by *band steps* — its score bands, or for a
linear indicator its milestones (and its maximum). Each further step on the same indicator costs
more than the one before: the first costs the share of the current band still to cover (W1 at 3,9
berita/bulan needs 0,1 of the 1→4 band: 0,03; a value at the bottom of its band, or no data, costs
1), the second 2, the third 3 (so a move of k steps costs share + 2 + … + k). A gate not yet "ya"
costs 1. The sum over indicators is the plan's cost, in "langkah". This reads as a Kabid would
weigh it: a KIM close to the next band is nearly there; lifting one indicator far (0 → 12 berita a
month) is harder than several small lifts, and a plan spread over a few indicators matches how
coaching works (one training topic per indicator). An optional `effort` per indicator multiplies
its steps (how hard that indicator is to move, e.g. from a topic catalogue); by default every
indicator weighs 1, because the framework does not say that one is harder than another. Equal cost:
fewer indicators moved, then fewer steps, then the larger S.

Search: exact. Options per indicator are "stay" and each band step it can reach in one period
(`reach`, default its best band). Each dimension's combinations are reduced to a Pareto front (no
kept combination is both dearer and lower than another), the fronts are combined the same way, and
the cheapest combination whose S reaches the lower bound wins. Sums are made with the same
`Decimal` operations, in the same order, as the engine, so what the plan claims is what
re-assessing prints. Under a millisecond per KIM on framework v1 (bench/roadmap.py); a table of
plans (the export) reuses what one framework object remembers and drops partial plans that cannot
be the cheapest (docs/roadmap.md, "Search").

Each step carries its "+N poin": what it adds to the printed S after the steps listed above it, so
the steps add up exactly to the plan's total. Training topics come in as a mapping indicator →
topic (`framework_topics` gives the framework's own), so the planner stays free of any database.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from operator import itemgetter
from typing import Any

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

GOAL_NEXT = "next"  # the tier above the assigned one
GOAL_KEEP = "keep"  # the assigned tier, held by the stability rule, must be reached again
GOAL_TOP = "top"  # the top tier, reached on its own merit: nothing above

_ZERO = Decimal(0)
_ONE = Decimal(1)
_MICRO = Decimal("0.000001")
_CENT = Decimal("0.01")
_HALF_CENT = Decimal("0.005")
_HAIR = Decimal("1e-9")  # far above Decimal's rounding, far below a printed cent
_PACK = 10**6
_KEY = itemgetter(0)
_VALUE = itemgetter(1)


@dataclass(frozen=True)
class RoadmapStep:
    code: str
    name: str
    unit: str
    gate: bool
    higher_is_better: bool  # the target is "at least" (else "at most", e.g. W4 days)
    current_value: float | None
    current_score: float | None  # None for a gate
    target_value: float  # the value to reach (a gate: 1, "ya")
    target_score: float | None  # None for a gate
    bands: int  # band steps climbed (a gate: 1)
    gain_points: float  # "+N poin": added to the printed S after the steps listed above it
    topic_hint: str
    cost: float  # in band steps, as the module docstring defines it


@dataclass(frozen=True)
class Roadmap:
    tier: str  # assigned
    raw_tier: str
    next_tier: str | None  # the tier above the assigned one; None at the top
    goal: str  # GOAL_NEXT | GOAL_KEEP | GOAL_TOP
    target_tier: str | None  # what the plan reaches (None at the top)
    target_minimum: float  # its lower bound (0 at the top)
    score: float  # S now
    points_missing: float  # to the target's lower bound, 0 when already there
    failed_conditions: list[str]  # what fails now, on the way up to the target tier
    reachable: bool  # a plan within one period reaches the target tier
    unreachable: list[str]  # why not: conditions no plan can meet
    steps: list[RoadmapStep]  # the plan; when unreachable, the way to the best reachable score
    plan_gain: float  # the steps' "+N poin" added up: planned_score − score
    planned_score: float  # S printed with every step done
    cost: float

    @property
    def best_score(self) -> float | None:
        """The highest S one period can reach, when even that does not reach the target tier."""
        return None if self.reachable else self.planned_score


def framework_topics(fw: Framework) -> dict[str, str]:
    """The training topic the framework names for each indicator."""
    return {code: ind.topic for code, ind in fw.indicators.items() if ind.topic}


# --- options: where each indicator can go in one period ----------------------------------------


@dataclass(frozen=True)
class _Option:
    code: str
    target: Decimal | None  # None: stays where it is
    score: Decimal
    weighted: Decimal  # indicator weight × score, the engine's term of the dimension mean
    key: int  # cost in millionths, then indicators moved, then band steps (see `_key`)
    bands: int
    cost: Decimal


def _current(ind: Indicator, value: float | None) -> Decimal | None:
    return None if value is None else clamp_value(ind, round2(dec(value)))


def _marks(ind: Indicator) -> list[Decimal]:
    """An indicator's band steps, worst to best: band bounds where the score rises (for
    lower-is-better bands, upper bounds from the open band down), or milestones and the maximum."""
    if ind.bands:
        marks: list[Decimal] = []
        best: Decimal | None = None
        for band in ind.bands if ind.higher_is_better else reversed(ind.bands):
            if best is not None and band.score > best:
                assert band.bound is not None
                marks.append(band.bound)
            if best is None or band.score > best:
                best = band.score
        return marks
    assert ind.maximum is not None
    return sorted({*ind.milestones, ind.maximum})


def _better(ind: Indicator, a: Decimal, b: Decimal) -> bool:
    """a is a better value than b."""
    return a > b if ind.higher_is_better else a < b


def _candidates(
    ind: Indicator, v: Decimal | None, extra: Iterable[Decimal], limit: Decimal | None
) -> list[Decimal]:
    """Target values better than `v`, worst first, each scoring more than the previous one."""
    marks = _marks(ind)
    values = {*marks, *extra}
    if ind.bands and ind.higher_is_better and v is None:
        values.add(ind.bands[0].bound)  # type: ignore[arg-type] # having data at all may score
    if not ind.bands and limit is not None and ind.minimum < limit:
        values.add(min(limit, ind.maximum))  # type: ignore[type-var] # a linear reach in between
    ordered = sorted(values, reverse=not ind.higher_is_better)
    out: list[Decimal] = []
    best = score_value(ind, v)
    for t in ordered:
        if v is not None and not _better(ind, t, v):
            continue
        if limit is not None and _better(ind, t, limit):
            continue
        score = score_value(ind, t)
        if score > best:
            out.append(t)
            best = score
    return out


def _step_count_and_share(ind: Indicator, v: Decimal | None, t: Decimal) -> tuple[int, Decimal]:
    """Band steps from `v` to `t` (a target between two marks counts as a step of its own), and
    the share of the current band the first step covers (1 with no data or from an open band)."""
    marks = _marks(ind)
    higher = ind.higher_is_better
    if v is None:
        passed = [m for m in marks if not _better(ind, m, t)]
        steps = len([m for m in passed if m != t]) + 1
        return steps, _ONE
    between = [m for m in marks if _better(ind, m, v) and _better(ind, t, m)]
    steps = len(between) + 1
    first = between[0] if between else t
    if higher:
        below = [m for m in marks if m <= v]
        lo = below[-1] if below else ind.minimum
        share = (first - v) / (first - lo)
    else:
        above = [m for m in marks if m >= v]  # marks run from large to small
        hi = above[-1] if above else None
        share = _ONE if hi is None else (v - first) / (hi - first)
    return steps, min(_ONE, share)


def _cost(effort: Decimal, steps: int, share: Decimal) -> Decimal:
    return effort * (share + Decimal(steps * (steps + 1) // 2 - 1))


def _key(cost: Decimal, moved: int, steps: int) -> int:
    """What the search minimises, as one integer that adds up like the triple it packs: the cost
    in millionths, then the indicators moved, then the band steps (each sum stays below _PACK)."""
    micro = int(cost.quantize(_MICRO, rounding=ROUND_HALF_UP) / _MICRO)
    return (micro * _PACK + moved) * _PACK + steps


# what the planner remembers per framework object (`fw.memo`), as the engine does: an indicator's
# options per (code, value, condition levels, effort, reach), a dimension's Pareto front per
# (target tier, dimension, its indicators' option keys). Both are exactly what the computation
# returns (immutable options, lists never changed by their readers), so plans are the same with or
# without them; a table planning thousands of KIMs (the period export) meets the same values
# again and again. Each cache is emptied when it reaches _CACHE_LIMIT entries.
_CACHE_LIMIT = 4096
_OptionKey = tuple[str, float | None, tuple[Decimal, ...], Decimal, Decimal | None]


def _memo(fw: Framework, name: str) -> dict[Any, Any]:
    cache = fw.memo.get(name)
    if cache is None or len(cache) >= _CACHE_LIMIT:
        cache = fw.memo[name] = {}
    return cache


def _options(
    fw: Framework,
    code: str,
    value: float | None,
    condition_levels: Iterable[Decimal],
    effort: Decimal,
    limit: Decimal | None,
) -> list[_Option]:
    """'Stay' first, then each reachable band step, worst to best (remembered per arguments)."""
    cache = _memo(fw, "roadmap.options")
    levels = tuple(condition_levels)
    key = (code, value, levels, effort, limit)
    found = cache.get(key)
    if found is None:
        found = cache[key] = _new_options(fw, code, value, levels, effort, limit)
    return found


def _new_options(
    fw: Framework,
    code: str,
    value: float | None,
    condition_levels: tuple[Decimal, ...],
    effort: Decimal,
    limit: Decimal | None,
) -> list[_Option]:
    ind = fw.indicators[code]
    v = _current(ind, value)
    now = score_value(ind, value)
    extra = [] if ind.bands else condition_levels
    options = [_Option(code, None, now, ind.weight * now, 0, 0, _ZERO)]
    for t in _candidates(ind, v, extra, limit):
        score = score_value(ind, t)
        steps, share = _step_count_and_share(ind, v, t)
        cost = _cost(effort, steps, share)
        options.append(
            _Option(code, t, score, ind.weight * score, _key(cost, 1, steps), steps, cost)
        )
    return options


# --- the search --------------------------------------------------------------------------------

# a partial plan: (key, value, chosen options as nested pairs)
_State = tuple[int, Decimal, object]


def _front(states: list[_State]) -> list[_State]:
    """Keep only what no other state beats: sorted by key, each kept value above every cheaper."""
    states.sort(key=_VALUE, reverse=True)
    states.sort(key=_KEY)  # stable: on equal keys the larger value stays first
    kept: list[_State] = []
    best: Decimal | None = None
    for state in states:
        if best is None or state[1] > best:
            kept.append(state)
            best = state[1]
    return kept


def _combine(a: list[_State], b: list[_State]) -> list[_State]:
    return _front([(ka + kb, va + vb, (ca, cb)) for ka, va, ca in a for kb, vb, cb in b])


def _flatten(chosen: object) -> list[_Option]:
    out: list[_Option] = []
    stack = [chosen]
    while stack:
        item = stack.pop()
        if isinstance(item, _Option):
            out.append(item)
        elif isinstance(item, tuple):
            stack.extend(item)
    return out


def _dimension_front(
    fw: Framework,
    dim_code: str,
    options: Mapping[str, list[_Option]],
    floor: Decimal | None,
) -> list[_State]:
    """The Pareto front of a dimension's option combinations, as terms of S (dimension weight ×
    mean), without those whose mean misses the dimension's condition `floor`."""
    dim = fw.dimension(dim_code)
    codes = dim.scored(fw)
    weights = sum((fw.indicators[c].weight for c in codes), _ZERO)
    partial: list[_State] = [(0, _ZERO, None)]
    for code in codes:
        partial = _combine(partial, [(o.key, o.weighted, o) for o in options[code]])
    terms: list[_State] = []
    for key, weighted_sum, chosen in partial:
        mean = weighted_sum / weights
        if floor is not None and round2(mean) < floor:
            continue
        terms.append((key, dim.weight * mean, chosen))
    return terms


def _prune(
    states: list[_State], low: Decimal, high: Decimal, rest: tuple[Decimal, Decimal]
) -> list[_State]:
    """Drop from a partial front (sorted by key) what cannot lead to the cheapest plan.

    `rest` is what the dimensions still to come can add: (the most, the cheapest way's value).
    A state that cannot reach `low` even with the most goes; the first state that reaches `high`
    with the cheapest way already completes a plan, and every dearer state after it goes, since
    no completion costs less than the cheapest way (the chosen plan is the same as without the
    cut: its partial states are never dropped). `low` and `high` sit a hair either side of the
    sum that prints the target's lower bound, so a rounding difference never drops too much."""
    most, cheapest = rest
    kept: list[_State] = []
    for state in states:
        if state[1] + most < low:
            continue
        kept.append(state)
        if state[1] + cheapest >= high:
            break
    return kept


def _search(
    fw: Framework,
    options: Mapping[str, list[_Option]],
    target: str,
    minimum: Decimal,
    option_keys: Mapping[str, _OptionKey],
) -> list[_Option] | None:
    """The cheapest choice of one option per scored indicator that reaches `minimum` and meets
    `target`'s conditions, or None. `option_keys` are the arguments each indicator's options
    were made from: a dimension's front is remembered per target and per its indicators' keys."""
    dim_conditions: dict[str, Decimal] = {}  # the highest floor when one is set twice
    for cond in fw.conditions_for(target):
        if cond.target not in fw.indicators:
            floor = dim_conditions.get(cond.target, cond.minimum)
            dim_conditions[cond.target] = max(floor, cond.minimum)
    weight_total = sum((d.weight for d in fw.dimensions), _ZERO)
    cache = _memo(fw, "roadmap.fronts")
    fronts: list[list[_State]] = []
    for dim in fw.dimensions:
        key = (target, dim.code, tuple(option_keys[c] for c in dim.scored(fw)))
        terms = cache.get(key)
        if terms is None:
            terms = cache[key] = _dimension_front(
                fw, dim.code, options, dim_conditions.get(dim.code)
            )
        if not terms:
            return None
        fronts.append(terms)
    # the weighted sum S × weight_total must reach for S to print at least `minimum`
    bound = (minimum.quantize(_CENT, rounding=ROUND_CEILING) - _HALF_CENT) * weight_total
    low, high = bound - _HAIR, bound + _HAIR
    rests: list[tuple[Decimal, Decimal]] = []  # what the fronts after each one can add
    most = cheapest = _ZERO
    for terms in reversed(fronts):
        rests.append((most, cheapest))
        most, cheapest = most + terms[-1][1], cheapest + terms[0][1]
    rests.reverse()
    total: list[_State] = [(0, _ZERO, None)]
    for terms, rest in zip(fronts, rests, strict=True):
        total = _prune(_combine(total, terms), low, high, rest)
    for _key, weighted, chosen in total:
        if round2(weighted / weight_total) >= minimum:
            return _flatten(chosen)
    return None


# --- the roadmap -------------------------------------------------------------------------------


def _requirement_met(
    fw: Framework, target: str, scores: Mapping[str, Decimal], gates_ok: bool
) -> bool:
    dims = dimension_scores(fw, scores)
    return (
        gates_ok
        and total_score(fw, scores) >= fw.tier_minimum(target)
        and not failing_conditions(fw, target, scores, dims)
    )


def _condition_levels(fw: Framework, target: str, code: str) -> list[Decimal]:
    """Values of a linear indicator at which one of `target`'s conditions on it is met."""
    ind = fw.indicators[code]
    levels = []
    for cond in fw.conditions_for(target):
        if cond.target == code and not ind.bands:
            value = (cond.minimum / ind.factor).quantize(_CENT, rounding=ROUND_CEILING)
            levels.append(clamp_value(ind, value))
    return levels


def roadmap(
    fw: Framework,
    result: AssessmentResult,
    topics: Mapping[str, str],
    *,
    effort: Mapping[str, float] | None = None,
    reach: Mapping[str, float] | None = None,
) -> Roadmap:
    """The plan for `result` (an assessment under `fw`); `topics` names each indicator's training
    topic; `effort` (> 0) weighs an indicator's steps (default 1); `reach` is the best value an
    indicator can reach in one period (default its best band or maximum)."""
    goal, target, next_tier = _goal(fw, result)
    values = {code: r.value for code, r in result.indicators.items()}
    scored = [code for code, ind in fw.indicators.items() if not ind.is_gate]
    scores = {code: score_value(fw.indicators[code], values.get(code)) for code in scored}
    base = total_score(fw, scores)
    failing_gates = [
        code for code in fw.gates if (r := result.indicators.get(code)) is None or not r.passed
    ]
    failed = _failing_now(fw, target or result.tier, scores, failing_gates)
    chosen: list[_Option] = []
    unreachable: list[str] | None = None
    minimum = fw.tier_minimum(target) if target is not None else _ZERO
    if target is not None:
        weights = {
            code: dec(effort[code]) if effort and code in effort else _ONE for code in fw.indicators
        }
        option_keys: dict[str, _OptionKey] = {
            code: (
                code,
                values.get(code),
                tuple(_condition_levels(fw, target, code)),
                weights[code],
                None if reach is None or code not in reach else dec(reach[code]),
            )
            for code in scored
        }
        options = {code: _options(fw, *key) for code, key in option_keys.items()}
        gate_steps = [  # a gate to "ya": one step, no points
            _Option(code, _ONE, _ZERO, _ZERO, _key(weights[code], 1, 1), 1, weights[code])
            for code in failing_gates
        ]
        chosen, unreachable = _plan(fw, target, options, scores, gate_steps, option_keys)
    steps, planned = _steps(fw, chosen, values, scores, base, topics)
    return Roadmap(
        tier=result.tier,
        raw_tier=result.raw_tier,
        next_tier=next_tier,
        goal=goal,
        target_tier=target,
        target_minimum=float(minimum),
        score=float(base),
        points_missing=float(round2(max(_ZERO, minimum - base))),
        failed_conditions=failed,
        reachable=unreachable is None,
        unreachable=unreachable or [],
        steps=steps,
        plan_gain=float(planned - base),
        planned_score=float(planned),
        cost=float(round(sum((o.cost for o in chosen), _ZERO), 2)),
    )


def _goal(fw: Framework, result: AssessmentResult) -> tuple[str, str | None, str | None]:
    """(goal, target tier, the tier above the assigned one)."""
    names = fw.tier_names
    index = names.index(result.tier) if result.tier in names else 0
    raw_index = names.index(result.raw_tier) if result.raw_tier in names else index
    next_tier = names[index + 1] if index + 1 < len(names) else None
    if raw_index < index:
        return GOAL_KEEP, names[index], next_tier
    if next_tier is not None:
        return GOAL_NEXT, next_tier, next_tier
    return GOAL_TOP, None, None


def _failing_now(
    fw: Framework, upto: str, scores: Mapping[str, Decimal], failing_gates: list[str]
) -> list[str]:
    """Gates not "ya", and conditions failing now of every tier up to `upto` (the tier rule's
    cascade checks the lower tiers again on the way down)."""
    failed = [f"Syarat dasar {fw.label(code)} belum 'ya'." for code in failing_gates]
    dims = dimension_scores(fw, scores)
    names = fw.tier_names
    for tier_name in names[1 : names.index(upto) + 1] if upto in names else ():
        for code, value, minimum in failing_conditions(fw, tier_name, scores, dims):
            failed.append(
                f"{tier_name} memerlukan {fw.label(code)} ≥ {fmt_bound(minimum)} "
                f"(sekarang {fmt_score(value)})."
            )
    return failed


def _plan(
    fw: Framework,
    target: str,
    options: Mapping[str, list[_Option]],
    scores: Mapping[str, Decimal],
    gate_steps: list[_Option],
    option_keys: Mapping[str, _OptionKey],
) -> tuple[list[_Option], list[str] | None]:
    """The chosen moves and None; or, when one period cannot reach `target`, the moves to the best
    reachable score and why not (conditions that even the best of every indicator fails)."""
    minimum = fw.tier_minimum(target)
    best = {code: opts[-1] for code, opts in options.items()}
    best_scores = {code: o.score for code, o in best.items()}
    unreachable = [
        f"{target} memerlukan {fw.label(code)} ≥ {fmt_bound(floor)}; paling tinggi yang dapat "
        f"dicapai dalam satu periode {fmt_score(value)}."
        for code, value, floor in failing_conditions(
            fw, target, best_scores, dimension_scores(fw, best_scores)
        )
    ]
    if unreachable or total_score(fw, best_scores) < minimum:
        return [o for o in best.values() if o.target is not None] + gate_steps, unreachable
    if _requirement_met(fw, target, scores, not gate_steps):
        return [], None
    floors = {
        code: [c.minimum for c in fw.conditions_for(target) if c.target == code] for code in options
    }
    allowed = {
        code: [o for o in opts if all(round2(o.score) >= m for m in floors[code])]
        for code, opts in options.items()
    }
    found = _search(fw, allowed, target, minimum, option_keys)
    assert found is not None  # the best of every indicator meets everything
    return [o for o in found if o.target is not None] + gate_steps, None


def _steps(
    fw: Framework,
    chosen: list[_Option],
    values: Mapping[str, float | None],
    scores: Mapping[str, Decimal],
    base: Decimal,
    topics: Mapping[str, str],
) -> tuple[list[RoadmapStep], Decimal]:
    """The chosen options as steps: gates first, then cheapest first (the larger gain on equal
    cost, then the framework's order), each with what it adds after the ones before it."""
    order = {code: i for i, code in enumerate(fw.indicators)}

    def alone(o: _Option) -> Decimal:
        return total_score(fw, {**scores, o.code: o.score}) - base if o.code in scores else _ZERO

    ranked = sorted(chosen, key=lambda o: (o.code in scores, o.cost, -alone(o), order[o.code]))
    running = dict(scores)
    previous = base
    steps = []
    for o in ranked:
        ind = fw.indicators[o.code]
        assert o.target is not None
        if not ind.is_gate:
            running[o.code] = o.score
        now = total_score(fw, running)
        steps.append(
            RoadmapStep(
                code=o.code,
                name=ind.name,
                unit=ind.unit,
                gate=ind.is_gate,
                higher_is_better=ind.higher_is_better,
                current_value=values.get(o.code),
                current_score=None if ind.is_gate else float(round2(scores[o.code])),
                target_value=float(o.target),
                target_score=None if ind.is_gate else float(round2(o.score)),
                bands=o.bands,
                gain_points=float(now - previous),
                topic_hint=topics.get(o.code, ""),
                cost=float(round(o.cost, 2)),
            )
        )
        previous = now
    return steps, previous
