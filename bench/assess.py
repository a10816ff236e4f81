"""Benchmark: one full-period assessment of N KIMs with about a year of posts each.

    python -m bench.assess --kims 10000 [--posts-per-kim 100] [--database-url URL] [--repeat 3]

Generates a fresh database (a SQLite file under bench/out/ by default; with --database-url a
PostgreSQL database, whose tables are DROPPED and recreated), fills it with N KIMs in their own
desa, about M posts per KIM spread over April 2024 – March 2025, a few manual measurements, and
the assessments of 2024-T4 (so the stability rule has previous tiers to read). Then, `--repeat`
times on the same data, it times:

1. `assess_period("2025-T1")` in a fresh child process, so the peak resident memory it reports
   (ru_maxrss) belongs to the assessment and not to the data generation: the first run (the
   period's rows are deleted beforehand, untimed), then reruns that replace the rows it wrote;
2. the same KIMs assessed one at a time through the ORM (a deliberately naive implementation kept
   here only for comparison: per-KIM queries and a flush per row), on a sample of KIMs when N is
   large, extrapolated linearly to N and labelled as such. The rows it writes must equal, column
   by column and character by character, the rows the set-based run stored for the same KIMs;
   the bench stops if they do not.

and prints each repetition and the medians. Generation uses the drivers' bulk paths (sqlite3
executemany in one transaction, PostgreSQL COPY). Never part of the test run.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import resource
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from statistics import median
from typing import Any

OUT_DIR = Path(__file__).resolve().parent / "out"
YEAR_START = date(2024, 4, 1)
YEAR_DAYS = 365
PERIODS = (
    ("2024-T4", date(2024, 10, 1), date(2024, 12, 31)),
    ("2025-T1", date(2025, 1, 1), date(2025, 3, 31)),
)
TYPES = ("berita", "galeri", "pengumuman", "agenda")
TYPE_WEIGHTS = (60, 20, 5, 15)
KIMS_PER_KECAMATAN = 200


def _app(url: str):  # type: ignore[no-untyped-def]
    from tracker import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": False})


def _sqlite_url(kims: int, name: str = "assess") -> str:
    """A fresh SQLite file under bench/out/ (any previous one removed)."""
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    path = OUT_DIR / f"{name}-{kims}.sqlite3"
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{path}"


# ------------------------------------------------------------------------------ generation


RegionRow = tuple[str, str, int, str | None, str | None]  # code, name, level, kind, parent


def region_rows(kims: int) -> list[RegionRow]:
    """The bench kabupaten (35.99): KIMS_PER_KECAMATAN desa to a kecamatan, `kims` desa in all."""
    rows: list[RegionRow] = [
        ("35", "Jawa Timur", 1, None, None),
        ("35.99", "Kabupaten Bench", 2, "kabupaten", "35"),
    ]
    kecamatan = -(-kims // KIMS_PER_KECAMATAN)
    for k in range(kecamatan):
        kec = f"35.99.{k + 1:02d}"
        rows.append((kec, f"Kecamatan {k + 1}", 3, None, "35.99"))
        for d in range(min(KIMS_PER_KECAMATAN, kims - k * KIMS_PER_KECAMATAN)):
            rows.append((f"{kec}.{2001 + d}", f"Desa {k + 1}-{d + 1}", 4, "desa", kec))
    return rows


def fresh_district(kims: int) -> list[RegionRow]:
    """Inside an app context: every table dropped and created empty, then the bench kabupaten's
    regions inserted (not committed); returns them."""
    from sqlalchemy import insert

    from tracker.extensions import db
    from tracker.models import Region

    db.drop_all()
    db.create_all()
    rows = region_rows(kims)
    db.session.execute(
        insert(Region),
        [
            {"code": c, "name": n, "level": lvl, "kind": kind, "parent_code": parent}
            for c, n, lvl, kind, parent in rows
        ],
    )
    return rows


def _posts(kims: int, per_kim: int, rng: random.Random) -> Iterator[tuple[Any, ...]]:
    """About `per_kim` posts per KIM over the year; activity varies from KIM to KIM so every tier
    appears, and some KIMs post in bursts (few weeks, many posts)."""
    now = datetime(2025, 4, 1, 8, 0)
    for kim_id in range(1, kims + 1):
        level = rng.choice((0.1, 0.4, 0.8, 1.0, 1.2, 1.5, 2.0))
        n = max(0, round(per_kim * level * rng.uniform(0.8, 1.2)))  # mean ≈ per_kim
        bursty = rng.random() < 0.2
        for i in range(n):
            offset = rng.randrange(YEAR_DAYS)
            if bursty:
                offset = (offset // 60) * 60 + rng.randrange(10)
            day = YEAR_START + timedelta(days=min(offset, YEAR_DAYS - 1))
            kind = rng.choices(TYPES, TYPE_WEIGHTS)[0]
            yield (
                kim_id,
                kind,
                day,
                f"{kind} {kim_id}-{i}",
                f"https://kim{kim_id}.example/{kind}/{i}",
                now,
            )


def _measurements(kims: int, period_ids: dict[str, int], rng: random.Random) -> list[tuple]:  # type: ignore[type-arg]
    rows = []
    now = datetime(2025, 4, 1, 8, 0)
    for kim_id in range(1, kims + 1):
        for code, period_id in period_ids.items():
            del code
            if rng.random() < 0.7:
                for indicator in ("K3", "D1", "M1", "M2"):
                    high = 12 if indicator == "M2" else (3 if indicator == "M1" else 4)
                    value = float(rng.randint(0, high))
                    rows.append((kim_id, period_id, indicator, value, "bukti", True, now))
    return rows


def generate(url: str, kims: int, per_kim: int, seed: int) -> dict[str, Any]:
    from sqlalchemy import insert, text

    from tracker.extensions import db
    from tracker.models import Kim, Measurement, Period
    from tracker.services.rules import frameworks
    from tracker.text import fold

    rng = random.Random(seed)
    app = _app(url)
    started = time.perf_counter()
    with app.app_context():
        regions = fresh_district(kims)
        frameworks.ensure_default()
        desa = [c for c, _n, lvl, _k, _p in regions if lvl == 4]
        now = datetime(2025, 4, 1, 8, 0)
        kim_rows = []
        for i, code in enumerate(desa, start=1):
            name = f"KIM Bench {i}"
            registered = rng.random() < 0.92
            kim_rows.append(
                {
                    "id": i,
                    "name": name,
                    "name_key": fold(name),
                    "desa_code": code,
                    "kimid_number": f"KIM-{i:06d}" if registered else None,
                    "website": None,
                    "sk_number": f"188/{i}/2024" if rng.random() < 0.95 else None,
                    "sk_date": date(2024, 1, 15),
                    "status": "aktif",
                    "version": 1,
                    "created_at": now,
                    "updated_at": now,
                }
            )
        db.session.execute(insert(Kim.__table__), kim_rows)
        period_ids = {}
        for code, start, end in PERIODS:
            period = Period(code=code, kind="triwulan", start_date=start, end_date=end)
            db.session.add(period)
            db.session.flush()
            period_ids[code] = period.id
        db.session.commit()

        columns = "kim_id, type, posted_on, title, url, created_at"
        posts = 0
        connection = db.session.connection()
        raw = connection.connection.driver_connection
        if db.engine.dialect.name == "postgresql":
            with (
                raw.cursor() as cursor,
                cursor.copy(f"COPY content_post ({columns}) FROM STDIN") as copy,
            ):
                for row in _posts(kims, per_kim, rng):
                    copy.write_row(row)
                    posts += 1
        else:
            cursor = raw.cursor()
            batch: list[tuple[Any, ...]] = []
            for row in _posts(kims, per_kim, rng):
                batch.append(
                    (row[0], row[1], row[2].isoformat(), row[3], row[4], row[5].isoformat(" "))
                )
                if len(batch) == 50_000:
                    cursor.executemany(
                        f"INSERT INTO content_post ({columns}) VALUES (?,?,?,?,?,?)", batch
                    )
                    posts += len(batch)
                    batch.clear()
            if batch:
                cursor.executemany(
                    f"INSERT INTO content_post ({columns}) VALUES (?,?,?,?,?,?)", batch
                )
                posts += len(batch)
        db.session.commit()
        measurement_rows = _measurements(kims, period_ids, rng)
        db.session.execute(
            insert(Measurement.__table__),
            [
                {
                    "kim_id": k,
                    "period_id": p,
                    "indicator_code": c,
                    "value": v,
                    "note": note,
                    "status": "verified" if verified else "submitted",
                    "recorded_at": at,
                }
                for k, p, c, v, note, verified, at in measurement_rows
            ],
        )
        db.session.commit()
        # fresh statistics and visibility map, as autovacuum keeps them on a live database
        with db.engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").execute(
                text("VACUUM ANALYZE" if db.engine.dialect.name == "postgresql" else "ANALYZE")
            )
        generated = time.perf_counter() - started

        from tracker.services.assessment.runner import assess_period

        assess_period("2024-T4", None)  # previous tiers for the stability rule (not timed)
    return {
        "kims": kims,
        "posts": posts,
        "measurements": len(measurement_rows),
        "seconds": generated,
    }


# ------------------------------------------------------------------------------ timed run


def _peak_rss_mb() -> float:
    # Linux reports ru_maxrss in kilobytes
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _current_rss_mb() -> float:
    """Resident memory now (Linux /proc; 0 elsewhere): the start-up's peak hides the run's own."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _vacuum_assessments() -> None:
    """PostgreSQL only (SQLite keeps no dead rows): what autovacuum does on a live database."""
    from sqlalchemy import text

    from tracker.extensions import db

    if db.engine.dialect.name == "postgresql":
        with db.engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").execute(
                text("VACUUM ANALYZE assessment")
            )


def measure(url: str, period: str, reruns: int = 3) -> dict[str, Any]:
    """Runs in a fresh process: the first run of the period (its stored assessments are deleted
    beforehand, untimed, so every repetition starts from the same state), then `reruns` replacing
    runs (the best is reported: the machine is shared, the minimum is the least disturbed figure),
    the input queries alone and the engine alone, and one run under tracemalloc for the Python
    allocation peak (slower, untimed)."""
    from sqlalchemy import delete, select

    from tracker.extensions import db
    from tracker.models import Assessment, Period
    from tracker.scoring.framework import load_framework
    from tracker.services.assessment.inputs import collect_inputs
    from tracker.services.assessment.runner import assess_period, previous_tiers, resolve_period
    from tracker.services.assessment.store import assessment_rows
    from tracker.services.rules import frameworks

    app = _app(url)
    with app.app_context():
        period_id = db.session.scalar(select(Period.id).where(Period.code == period))
        db.session.execute(delete(Assessment).where(Assessment.period_id == period_id))
        db.session.commit()
        _vacuum_assessments()  # no dead rows left from a previous repetition
        baseline = _peak_rss_mb()
        resident_before = _current_rss_mb()
        first = assess_period(period, None)
        resident_after = _current_rss_mb()
        rerun = min(assess_period(period, None).duration_seconds for _ in range(reruns))
        peak = _peak_rss_mb()
        inputs_seconds = engine_seconds = 9e9
        fw_row = frameworks.get_active()
        previous = previous_tiers(resolve_period(period))
        for _ in range(reruns):
            started = time.perf_counter()
            inputs = collect_inputs(resolve_period(period))
            inputs_seconds = min(inputs_seconds, time.perf_counter() - started)
            fw = load_framework(fw_row.definition)  # a fresh framework: its caches start empty
            gc.disable()  # as assess_period does
            started = time.perf_counter()
            assessment_rows(fw, inputs, previous, period_id, fw_row.id, datetime.now())
            engine_seconds = min(engine_seconds, time.perf_counter() - started)
            gc.enable()
        db.session.rollback()
        tracemalloc.start()
        assess_period(period, None)
        _current, traced_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return {
        "first_seconds": first.duration_seconds,
        "rerun_seconds": rerun,
        "inputs_seconds": inputs_seconds,
        "engine_seconds": engine_seconds,
        "kims_assessed": first.kims_assessed,
        "tiers": first.tier_counts,
        "rss_before_mb": baseline,
        "resident_before_mb": resident_before,
        "resident_after_mb": resident_after,
        "peak_rss_mb": peak,
        "traced_peak_mb": traced_peak / 1024 / 1024,
    }


# ------------------------------------------------------------------------------ naive per-KIM


_COMPARED = ("score", "raw_tier", "tier", "reason", "dimension_scores", "indicators", "data_gaps")


def _stored(kim_ids: list[int], period_id: int) -> dict[int, tuple[Any, ...]]:
    """The stored assessments of these KIMs for the period, JSON columns as their stored text."""
    from sqlalchemy import Text, cast, select

    from tracker.extensions import db
    from tracker.models import Assessment

    columns = [
        cast(getattr(Assessment, c), Text) if c in _COMPARED[4:] else getattr(Assessment, c)
        for c in _COMPARED
    ]
    rows = db.session.execute(
        select(Assessment.kim_id, *columns).where(
            Assessment.period_id == period_id, Assessment.kim_id.in_(kim_ids)
        )
    )
    return {kim_id: tuple(rest) for kim_id, *rest in rows}


def naive(url: str, period_code: str, sample: int) -> dict[str, Any]:
    """The slow way, for comparison only: every KIM on its own, through the ORM, one flush each,
    as code written without the set-based service would do it (the KIMs are loaded once; per KIM:
    its posts of the period as ORM objects, its last upload, its period totals, its measurements,
    its previous assessment, the engine, `session.add` + `flush`). The values are computed by the
    same rules as `collect_inputs`; only the access pattern differs. The rows it writes are then
    compared, column by column and character by character, with the rows the set-based run
    stored for the same KIMs, and everything is rolled back."""
    from sqlalchemy import func, select

    from tracker.extensions import db
    from tracker.models import Assessment, ContentCount, ContentPost, Kim, Measurement, Period
    from tracker.scoring.engine import IndicatorValue, PreviousTier, assess
    from tracker.scoring.framework import load_framework
    from tracker.scoring.periods import months_in, window_count, window_index
    from tracker.services.rules import frameworks

    app = _app(url)
    with app.app_context():
        _vacuum_assessments()  # the timed runs before left dead rows; a live database's
        # autovacuum would have removed them, and they would slow the per-KIM lookups
        fw_row = frameworks.get_active()
        fw = load_framework(fw_row.definition)
        period = db.session.scalar(select(Period).where(Period.code == period_code))
        previous = db.session.scalar(select(Period).where(Period.code == "2024-T4"))
        kims = db.session.scalars(
            select(Kim).where(Kim.status == "aktif").order_by(Kim.id).limit(sample)
        ).all()
        total = db.session.scalar(
            select(func.count()).select_from(Kim).where(Kim.status == "aktif")
        )
        kim_ids = [k.id for k in kims]
        set_based = _stored(kim_ids, period.id)
        db.session.execute(
            db.delete(Assessment).where(
                Assessment.period_id == period.id, Assessment.kim_id.in_(kim_ids)
            )
        )
        started = time.perf_counter()
        months = months_in(period.start_date, period.end_date)
        windows = window_count(period.start_date, period.end_date)
        for kim in kims:
            posts = db.session.scalars(
                select(ContentPost).where(
                    ContentPost.kim_id == kim.id,
                    ContentPost.posted_on.between(period.start_date, period.end_date),
                )
            ).all()
            last = db.session.scalar(
                select(func.max(ContentPost.posted_on)).where(
                    ContentPost.kim_id == kim.id, ContentPost.posted_on <= period.end_date
                )
            )
            count = db.session.scalar(
                select(ContentCount).where(
                    ContentCount.kim_id == kim.id, ContentCount.period_id == period.id
                )
            )
            has_sk = bool((kim.sk_number or "").strip() and kim.sk_date)
            on_kimid = bool((kim.kimid_number or "").strip() + (kim.website or "").strip())
            values: dict[str, IndicatorValue] = {
                "K1": IndicatorValue(float(has_sk), "registry"),
                "K2": IndicatorValue(float(on_kimid), "registry"),
                "W1": IndicatorValue(None, None),
                "W2": IndicatorValue(None, None),
                "W3": IndicatorValue(None, None),
                "W4": IndicatorValue(None, None),
                "P1": IndicatorValue(0.0, "attendance"),  # no attendance in the bench district
                "P2": IndicatorValue(100.0, "default"),
            }
            if not posts and count is not None:  # period totals stand in for missing posts
                typed = (count.berita, count.galeri, count.pengumuman, count.agenda)
                values["W1"] = IndicatorValue((count.berita or 0) / months, "counts")
                values["W3"] = IndicatorValue(float(sum((n or 0) > 0 for n in typed)), "counts")
            elif (
                posts
                or last is not None
                or db.session.scalar(  # a post record of any date: W1-W3 are measured
                    select(ContentPost.id).where(ContentPost.kim_id == kim.id).limit(1)
                )
                is not None
            ):
                values["W1"] = IndicatorValue(
                    sum(p.type == "berita" for p in posts) / months, "computed"
                )
                weeks = {window_index(p.posted_on, period.start_date) for p in posts}
                values["W2"] = IndicatorValue(100 * len(weeks) / windows, "computed")
                values["W3"] = IndicatorValue(float(len({p.type for p in posts})), "computed")
                if last is not None:
                    values["W4"] = IndicatorValue(float((period.end_date - last).days), "computed")
            for m in db.session.scalars(
                select(Measurement).where(
                    Measurement.kim_id == kim.id,
                    Measurement.period_id == period.id,
                    Measurement.status == "verified",
                )
            ):
                values[m.indicator_code.strip().upper()] = IndicatorValue(m.value, "manual")
            before = db.session.scalar(
                select(Assessment).where(
                    Assessment.kim_id == kim.id,
                    Assessment.period_id == previous.id,
                    Assessment.framework_id == fw_row.id,
                )
            )
            prev = PreviousTier(before.tier, before.raw_tier, before.score) if before else None
            result = assess(fw, values, prev)
            row = Assessment(
                kim_id=kim.id, period_id=period.id, framework_id=fw_row.id, **result.to_json()
            )
            db.session.add(row)
            db.session.flush()
        seconds = time.perf_counter() - started
        one_by_one = _stored(kim_ids, period.id)
        db.session.rollback()
    differing = sorted(k for k in kim_ids if one_by_one.get(k) != set_based.get(k))
    if differing or len(set_based) != len(kim_ids):
        example = differing[0] if differing else None
        raise SystemExit(
            f"the one-at-a-time rows differ from the set-based rows for {len(differing)} of "
            f"{len(kim_ids)} KIMs (set-based rows found: {len(set_based)}); e.g. KIM {example}: "
            f"{one_by_one.get(example)} != {set_based.get(example)}"
        )
    return {
        "sample": len(kims),
        "seconds": seconds,
        "extrapolated_seconds": seconds * total / max(1, len(kims)),
        "total_kims": total,
        "identical_rows": len(kim_ids),
    }


# ------------------------------------------------------------------------------ main


def _child(args: argparse.Namespace, phase: str) -> dict[str, Any]:
    command = [
        sys.executable,
        "-m",
        "bench.assess",
        "--phase",
        phase,
        "--database-url",
        args.database_url,
        "--kims",
        str(args.kims),
        "--naive-sample",
        str(args.naive_sample),
        "--posts-per-kim",
        str(args.posts_per_kim),
        "--seed",
        str(args.seed),
    ]
    env = {**os.environ, "JENJANG_ENV": "testing"}
    done = subprocess.run(command, check=False, capture_output=True, text=True, env=env)
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"the {phase} phase failed (exit status {done.returncode})")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--kims", type=int, required=True)
    parser.add_argument("--posts-per-kim", type=int, default=100)
    parser.add_argument("--database-url", default="")
    parser.add_argument(
        "--naive-sample",
        type=int,
        default=1000,
        help="KIMs assessed one at a time (extrapolated to --kims)",
    )
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="measure and one-at-a-time phases, each repeated on the same data (median reported)",
    )
    parser.add_argument(
        "--phase",
        choices=("all", "generate", "measure", "naive"),
        default="all",
        help=argparse.SUPPRESS,
    )
    args = parser.parse_args(argv)
    if args.phase == "generate":
        print(json.dumps(generate(args.database_url, args.kims, args.posts_per_kim, args.seed)))
        return
    if args.phase == "measure":
        print(json.dumps(measure(args.database_url, "2025-T1")))
        return
    if args.phase == "naive":
        print(json.dumps(naive(args.database_url, "2025-T1", args.naive_sample)))
        return

    if not args.database_url:
        args.database_url = _sqlite_url(args.kims)
    dialect = "PostgreSQL" if args.database_url.startswith("postgres") else "SQLite"
    print(f"Jenjang bench: {args.kims:,} KIMs, ~{args.posts_per_kim} posts per KIM, {dialect}")
    print(f"  load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    # every phase runs in its own process, so each reports its own peak memory
    made = _child(args, "generate")
    print(
        f"  generated {made['posts']:,} posts and {made['measurements']:,} manual values "
        f"in {made['seconds']:.1f} s"
    )
    runs = []
    for n in range(1, args.repeat + 1):
        fast = _child(args, "measure")
        slow = _child(args, "naive")
        runs.append((fast, slow))
        print(f"  repetition {n} of {args.repeat}:")
        print(
            f"    assess_period 2025-T1: first run {fast['first_seconds']:.2f} s; rerun "
            f"replacing {fast['kims_assessed']:,} rows, best of 3: {fast['rerun_seconds']:.2f} s"
        )
        print(
            f"      of which the input queries {fast['inputs_seconds']:.2f} s and the engine "
            f"(assess() and the row with its JSON text per KIM) {fast['engine_seconds']:.2f} s "
            "(best of 3 each)"
        )
        print(f"      tiers: {fast['tiers']}")
        print(
            f"    peak resident memory of the assessing process (ru_maxrss): "
            f"{fast['peak_rss_mb']:.0f} MB (after start-up {fast['rss_before_mb']:.0f} MB); "
            f"resident before the first run {fast['resident_before_mb']:.0f} MB, after it "
            f"{fast['resident_after_mb']:.0f} MB; Python allocation peak during one run "
            f"(tracemalloc): {fast['traced_peak_mb']:.0f} MB"
        )
        label = (
            f"{slow['sample']:,} KIMs measured in {slow['seconds']:.1f} s, "
            f"extrapolated to {slow['total_kims']:,}"
            if slow["sample"] < slow["total_kims"]
            else "every KIM measured"
        )
        print(
            f"    one KIM at a time through the ORM: {slow['extrapolated_seconds']:.1f} s "
            f"({label}); its {slow['identical_rows']:,} rows are identical to the set-based "
            f"ones: {slow['extrapolated_seconds'] / fast['first_seconds']:.1f}x the set-based "
            "first run"
        )
    if args.repeat > 1:
        first = median(f["first_seconds"] for f, _s in runs)
        one_by_one = median(s["extrapolated_seconds"] for _f, s in runs)
        ratio = median(s["extrapolated_seconds"] / f["first_seconds"] for f, s in runs)
        print(
            f"  median of {args.repeat}: first run {first:.2f} s, rerun "
            f"{median(f['rerun_seconds'] for f, _s in runs):.2f} s, input queries "
            f"{median(f['inputs_seconds'] for f, _s in runs):.2f} s, engine "
            f"{median(f['engine_seconds'] for f, _s in runs):.2f} s, peak RSS "
            f"{median(f['peak_rss_mb'] for f, _s in runs):.0f} MB, one at a time "
            f"{one_by_one:.1f} s, ratio {ratio:.1f}x"
        )
    print(f"  load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
