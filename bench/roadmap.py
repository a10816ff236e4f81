"""Benchmark: the roadmap planner, one KIM at a time, as a KIM's assessment page calls it.

    python -m bench.roadmap [--kims 10000] [--seed 2025]

Draws N KIMs' indicator values for framework v1 (each indicator: no data 25 %, else uniform over
its range; gates "ya" 90 %; a random previous tier, so some tiers are held by the stability rule),
assesses them, then times `roadmap()` on each result and prints the time per KIM (mean, median,
99th percentile, maximum), then for a KIM with no data at all (every indicator has every band
open). Pure computation: no database, no Flask. Never part of the test run.
"""

from __future__ import annotations

import argparse
import random
import time
from collections import Counter
from statistics import mean, median

from tracker.scoring.engine import IndicatorValue, PreviousTier, assess
from tracker.scoring.framework import default_framework
from tracker.scoring.roadmap import framework_topics, roadmap

RANGES = {
    "K3": (0, 4, True),
    "W1": (0, 16, False),
    "W2": (0, 100, False),
    "W3": (0, 4, True),
    "W4": (0, 120, True),
    "M1": (0, 4, True),
    "M2": (0, 16, False),
    "P1": (0, 3, True),
    "P2": (0, 100, False),
    "D1": (0, 4, True),
}


def draw(rng: random.Random) -> dict[str, IndicatorValue]:
    values: dict[str, IndicatorValue] = {}
    for code, (lo, hi, whole) in RANGES.items():
        if rng.random() < 0.25:
            values[code] = IndicatorValue(None, None)
            continue
        v = rng.randint(lo, hi) if whole else round(rng.uniform(lo, hi), 2)
        values[code] = IndicatorValue(float(v), "computed")
    for gate in ("K1", "K2"):
        values[gate] = IndicatorValue(1.0 if rng.random() < 0.9 else 0.0, "registry")
    return values


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kims", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=2025)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    fw = default_framework()
    topics = framework_topics(fw)
    names = fw.tier_names
    results = []
    for _ in range(args.kims):
        tier = rng.choice(names)
        previous = PreviousTier(tier, tier, 50.0) if rng.random() < 0.8 else None
        results.append(assess(fw, draw(rng), previous))

    times = []
    goals: Counter[str] = Counter()
    for result in results:
        start = time.perf_counter()
        plan = roadmap(fw, result, topics)
        times.append(time.perf_counter() - start)
        goals[plan.goal if plan.reachable else "unreachable"] += 1
    times.sort()

    empty = assess(
        fw, {"K1": IndicatorValue(1.0, "registry"), "K2": IndicatorValue(1.0, "registry")}
    )
    worst = []
    for _ in range(200):
        start = time.perf_counter()
        roadmap(fw, empty, topics)
        worst.append(time.perf_counter() - start)

    ms = 1000
    print(f"{args.kims} KIMs, framework v1, goals: {dict(goals)}")
    print(
        f"per KIM: mean {mean(times) * ms:.2f} ms, median {median(times) * ms:.2f} ms, "
        f"p99 {times[int(len(times) * 0.99)] * ms:.2f} ms, max {times[-1] * ms:.2f} ms; "
        f"all {args.kims}: {sum(times):.1f} s"
    )
    print(f"no data at all (every band open): median {median(worst) * ms:.2f} ms")


if __name__ == "__main__":
    main()
