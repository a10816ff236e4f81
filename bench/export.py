"""Benchmark: the period export (CSV and XLSX) with each KIM's roadmap steps and training topics.

    python -m bench.export [--kims 10000] [--posts-per-kim 30] [--database-url URL] [--repeat 3]

Generates the same district as bench/assess.py (a SQLite file under bench/out/ by default; with
--database-url a PostgreSQL database, whose tables are DROPPED and recreated), assesses 2024-T4 and
2025-T1, then times `export_assessments(None, "2025-T1", fmt)` for CSV and XLSX (wall clock and
the process's CPU time, which a loaded machine disturbs less), and, on the same rows, the CPU time
spent planning roadmaps (`roadmap()` per KIM, on one framework object). Prints the best of
`--repeat` runs. Never part of the test run.
"""

from __future__ import annotations

import argparse
import os
import time
from collections import Counter

from bench.assess import _app, _sqlite_url, generate

PERIOD = "2025-T1"


def _roadmaps_only(period_code: str) -> tuple[float, Counter[str]]:
    """The planning alone, on the rows the export reads (stored results, one framework)."""
    from sqlalchemy import select

    from tracker.extensions import db
    from tracker.models import Assessment, Period
    from tracker.scoring.framework import load_framework
    from tracker.scoring.roadmap import framework_topics, roadmap
    from tracker.services.assessment.reports import stored_result
    from tracker.services.assessment.runner import framework_for_period

    period = db.session.scalar(select(Period).where(Period.code == period_code))
    fw_row = framework_for_period(period.id)
    fw = load_framework(fw_row.definition)
    topics = framework_topics(fw)
    rows = db.session.execute(
        select(
            Assessment.score,
            Assessment.raw_tier,
            Assessment.tier,
            Assessment.reason,
            Assessment.dimension_scores,
            Assessment.indicators,
            Assessment.data_gaps,
        ).where(Assessment.period_id == period.id, Assessment.framework_id == fw_row.id)
    ).all()
    results = [stored_result(*row) for row in rows]
    goals: Counter[str] = Counter()
    started = time.process_time()
    for result in results:
        plan = roadmap(fw, result, topics)
        goals[plan.goal if plan.reachable else "unreachable"] += 1
    return time.process_time() - started, goals


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kims", type=int, default=10_000)
    parser.add_argument("--posts-per-kim", type=int, default=30)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    url = args.database_url or _sqlite_url(args.kims, "export")
    os.environ.setdefault("JENJANG_ENV", "testing")
    made = generate(url, args.kims, args.posts_per_kim, args.seed)
    print(
        f"{made['kims']:,} KIMs, {made['posts']:,} posts "
        f"({'PostgreSQL' if url.startswith('postgres') else 'SQLite'}); "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )

    from tracker.services.assessment.reports import export_assessments
    from tracker.services.assessment.runner import assess_period

    app = _app(url)
    with app.app_context():
        assess_period(PERIOD, None)
        for fmt in ("csv", "xlsx"):
            best = best_cpu = 9e9
            for _ in range(args.repeat):
                started, cpu = time.perf_counter(), time.process_time()
                exported = export_assessments(None, PERIOD, fmt)
                best = min(best, time.perf_counter() - started)
                best_cpu = min(best_cpu, time.process_time() - cpu)
            print(
                f"  export .{fmt}: {exported.rows:,} rows, {len(exported.payload) / 1e6:.1f} MB, "
                f"best of {args.repeat}: {best:.2f} s ({best_cpu:.2f} s of CPU)"
            )
        planning = min(_roadmaps_only(PERIOD)[0] for _ in range(args.repeat))
        _seconds, goals = _roadmaps_only(PERIOD)
        print(f"  of which planning the roadmaps: {planning:.2f} s of CPU; goals: {dict(goals)}")


if __name__ == "__main__":
    main()
