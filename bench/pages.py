"""Benchmark: the server time of the main pages at district scale, beside a bare Flask route.

    python -m bench.pages [--kims 10000] [--posts 1000000] [--requests 30] [--database-url URL]

Generates a fresh database (a SQLite file under bench/out/ by default; with --database-url a
PostgreSQL database, whose tables are DROPPED and recreated): N KIMs in their own desa (200 per
kecamatan), `--posts` posts spread over two years (bulk insert: one executemany per 50,000 rows,
COPY on PostgreSQL) and their per-KIM totals counted once as the post import keeps them, 8 triwulan
periods (2023-T2 … 2025-T1, the first seven closed) with verified manual values for 70 % of the
KIMs, each assessed by `assess_period`, coaching
sessions with invitations and attendance, monitoring visits with findings, follow-ups, and letters
issued for part of the last closed period. Then, logged in as an admin of the whole kabupaten
through the Flask test client, requests each page `--requests` times (after one warm-up request)
and prints the median and 95th percentile of the time from request to response, beside a bare
Flask route (`/bench-bare`, returning a constant) measured in the same process and run: the
ceiling of what the framework and test client cost.

Pages: the home dashboard, the KIM list, a KIM page, the period overview, Top Konten, and one
JSON API list when the application has `/api/v1/kims` (see API_LIST below), read with an API token
of the bench user made for the run (its rate limit lifted, revoked afterwards). Never part of the
test run.
"""

from __future__ import annotations

import argparse
import os
import random
import time
from datetime import date, datetime, timedelta
from statistics import median, quantiles
from typing import Any

from bench.assess import OUT_DIR, _app, _measurements, _sqlite_url, fresh_district

TYPES = ("berita", "galeri", "pengumuman", "agenda")
TYPE_WEIGHTS = (60, 20, 5, 15)
PERIODS = [
    (f"{year}-T{q}", date(year, 3 * q - 2, 1), date(year + (q == 4), (3 * q) % 12 + 1, 1))
    for year, q in (
        (2023, 2),
        (2023, 3),
        (2023, 4),
        (2024, 1),
        (2024, 2),
        (2024, 3),
        (2024, 4),
        (2025, 1),
    )
]
START = date(2023, 4, 1)
DAYS = 731  # 2023-04-01 … 2025-03-31
API_LIST = "/api/v1/kims"  # measured only when the application serves it


def _bulk(connection: Any, table: str, columns: str, rows: Any) -> int:
    """Rows (tuples) into `table` by the driver's bulk path; returns how many."""
    raw = connection.connection.driver_connection
    count = 0
    if connection.dialect.name == "postgresql":
        with raw.cursor() as cursor, cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
        return count
    cursor = raw.cursor()
    marks = ",".join("?" * len(columns.split(",")))
    batch: list[tuple[Any, ...]] = []
    for row in rows:
        batch.append(tuple(v.isoformat() if isinstance(v, date) else v for v in row))
        if len(batch) == 50_000:
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", batch)
            count += len(batch)
            batch.clear()
    if batch:
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", batch)
        count += len(batch)
    return count


def _posts(kims: int, total: int, rng: random.Random) -> Any:
    now = datetime(2025, 4, 1, 8, 0)
    per_kim = total / kims
    made = 0
    for kim_id in range(1, kims + 1):
        n = total - made if kim_id == kims else round(per_kim * rng.uniform(0.2, 1.8))
        n = max(0, min(n, total - made))
        for i in range(n):
            day = START + timedelta(days=rng.randrange(DAYS))
            kind = rng.choices(TYPES, TYPE_WEIGHTS)[0]
            yield (kim_id, kind, day, f"{kind} {kim_id}-{i}", f"https://kim{kim_id}.ex/{i}", now)
        made += n


def generate(url: str, kims: int, posts: int, seed: int) -> dict[str, Any]:
    from sqlalchemy import insert, text, update

    from tracker.extensions import db
    from tracker.models import (
        CoachingAttendance,
        CoachingInvitation,
        CoachingSession,
        FollowUp,
        Kim,
        Letter,
        Measurement,
        MonitoringVisit,
        Period,
        User,
        UserScope,
        VisitFinding,
    )
    from tracker.models.letters import KIND_EVALUATION
    from tracker.services.accounts.authentication import hash_password
    from tracker.services.activity import content_totals
    from tracker.services.assessment.runner import assess_period
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
        db.session.execute(
            insert(Kim.__table__),
            [
                {
                    "id": i,
                    "name": f"KIM Bench {i}",
                    "name_key": fold(f"KIM Bench {i}"),
                    "desa_code": code,
                    "kimid_number": f"KIM-{i:06d}",
                    "sk_number": f"188/{i}/2023",
                    "sk_date": date(2023, 1, 15),
                    "status": "aktif",
                    "version": 1,
                    "created_at": now,
                    "updated_at": now,
                }
                for i, code in enumerate(desa, start=1)
            ],
        )
        period_ids = {}
        for code, start, end in PERIODS:
            period = Period(
                code=code, kind="triwulan", start_date=start, end_date=end - timedelta(days=1)
            )
            db.session.add(period)
            db.session.flush()
            period_ids[code] = period.id
        admin = User(
            username="bench", full_name="Bench", password_hash=hash_password("bench"), role="admin"
        )
        admin.scopes = [UserScope(region_code="35.99")]
        db.session.add(admin)
        db.session.commit()
        connection = db.session.connection()
        made = _bulk(
            connection,
            "content_post",
            "kim_id, type, posted_on, title, url, created_at",
            _posts(kims, posts, rng),
        )
        content_totals.recount()  # what the post import keeps, counted once here
        # verified manual values (K3, D1, M1, M2) for 70 % of the KIMs in each period, as
        # bench/assess.py: the tiers spread over the four and KIMs move between periods
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
                for k, p, c, v, note, verified, at in _measurements(kims, period_ids, rng)
            ],
        )
        db.session.commit()
        with db.engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").execute(
                text("VACUUM ANALYZE" if db.engine.dialect.name == "postgresql" else "ANALYZE")
            )
        generated = time.perf_counter() - started
        for code, _start, _end in PERIODS:
            assess_period(code, None)
        db.session.execute(
            update(Period).where(Period.code != PERIODS[-1][0]).values(state="closed")
        )
        assessed = time.perf_counter() - started - generated
        # coaching: 300 sessions over the two years (and 20 ahead), 40 KIMs invited to each
        sessions = []
        for s in range(320):
            day = START + timedelta(days=rng.randrange(DAYS + 60))
            sessions.append(
                {
                    "title": f"Pelatihan {s}",
                    "title_key": f"pelatihan {s}",
                    "start_date": day,
                    "end_date": day,
                    "region_code": "35.99",
                    "version": 1,
                    "created_at": now,
                    "updated_at": now,
                }
            )
        db.session.execute(insert(CoachingSession.__table__), sessions)
        session_ids = list(db.session.scalars(text("SELECT id FROM coaching_session")))
        invitations, attendance = [], []
        for sid in session_ids:
            for kim_id in rng.sample(range(1, kims + 1), 40):
                invitations.append({"session_id": sid, "kim_id": kim_id})
                if rng.random() < 0.7:
                    attendance.append({"session_id": sid, "kim_id": kim_id, "participant_count": 2})
        db.session.execute(insert(CoachingInvitation.__table__), invitations)
        db.session.execute(insert(CoachingAttendance.__table__), attendance)
        # visits: 1,500, each to five KIMs of one kecamatan, and a follow-up for one in three
        kecamatan = [c for c, _n, lvl, _k, _p in regions if lvl == 3]
        visits = []
        for v in range(1500):
            day = START + timedelta(days=rng.randrange(DAYS))
            visits.append(
                {
                    "kecamatan_code": rng.choice(kecamatan),
                    "started_on": day,
                    "ended_on": day,
                    "idempotency_key": f"bench-visit-{v:06d}-abcdefgh",
                    "created_by_id": admin.id,
                    "created_at": now,
                }
            )
        db.session.execute(insert(MonitoringVisit.__table__), visits)
        visit_rows = db.session.execute(
            text("SELECT id, kecamatan_code, started_on FROM monitoring_visit")
        ).all()
        by_kecamatan: dict[str, list[int]] = {}
        for kim_id, code in enumerate(desa, start=1):
            by_kecamatan.setdefault(code.rsplit(".", 1)[0], []).append(kim_id)
        findings, follow_ups = [], []
        for vid, code, started_on in visit_rows:
            day = started_on if isinstance(started_on, date) else date.fromisoformat(started_on)
            for kim_id in rng.sample(by_kecamatan[code], 5):
                findings.append({"visit_id": vid, "kim_id": kim_id, "problems": []})
                if rng.random() < 0.33:
                    follow_ups.append(
                        {
                            "kim_id": kim_id,
                            "visit_id": vid,
                            "recommendation": "Unggah berita setiap minggu",
                            "owner_id": admin.id,
                            "due_on": day + timedelta(days=30),
                            "status": "open" if rng.random() < 0.4 else "done",
                            "created_at": now,
                            "version": 1,
                        }
                    )
        db.session.execute(insert(VisitFinding.__table__), findings)
        db.session.execute(insert(FollowUp.__table__), follow_ups)
        # letters: 60 % of the KIMs of the last closed period
        last_closed = period_ids[PERIODS[-2][0]]
        letters = []
        for n, kim_id in enumerate(rng.sample(range(1, kims + 1), kims * 6 // 10), start=1):
            code = desa[kim_id - 1]
            letters.append(
                {
                    "kind": KIND_EVALUATION,
                    "number": f"400/{n}/2025",
                    "year": 2025,
                    "sequence": n,
                    "letter_date": date(2025, 1, 10),
                    "kim_id": kim_id,
                    "period_id": last_closed,
                    "region_code": code,
                    "kecamatan_code": code.rsplit(".", 1)[0],
                    "kim_name": f"KIM Bench {kim_id}",
                    "kim_name_key": f"kim bench {kim_id}",
                    "period_code": PERIODS[-2][0],
                    "content": {},
                    "token": f"{n:032d}",
                    "pdf_path": f"{n}.pdf",
                    "pdf_sha256": "0" * 64,
                    "pdf_size": 1,
                    "status": "issued",
                    "issued_at": now,
                }
            )
        db.session.execute(insert(Letter.__table__), letters)
        db.session.commit()
        with db.engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").execute(
                text("VACUUM ANALYZE" if db.engine.dialect.name == "postgresql" else "ANALYZE")
            )
    return {
        "kims": kims,
        "posts": made,
        "sessions": len(sessions),
        "visits": len(visits),
        "follow_ups": len(follow_ups),
        "letters": len(letters),
        "generate_s": generated,
        "assess_s": assessed,
    }


def _time(
    client: Any, path: str, times: int, headers: dict[str, str] | None = None
) -> tuple[float, float, float, int]:
    """(median ms, p95 ms, median CPU ms, status) of `times` requests after one warm-up. The
    CPU time is the process's (SQLite runs inside it), which other work on a shared machine
    disturbs less than the wall clock."""
    response = client.get(path, headers=headers)
    status = response.status_code
    spent, cpu = [], []
    for _ in range(times):
        started, started_cpu = time.perf_counter(), time.process_time()
        response = client.get(path, headers=headers)
        spent.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
        status = max(status, response.status_code)
    p95 = quantiles(spent, n=20)[-1] if len(spent) > 1 else spent[0]
    return median(spent), p95, median(cpu), status


def measure(url: str, kims: int, times: int) -> list[tuple[str, float, float, float, int]]:
    app = _app(url)

    @app.get("/bench-bare")
    def bare() -> str:
        return "ok"

    rows = []
    with app.app_context():
        client = app.test_client()
        response = client.post("/login", data={"username": "bench", "password": "bench"})
        assert response.status_code == 302, "bench login failed"
        pages = [
            ("bare Flask route (ceiling)", "/bench-bare"),
            ("home dashboard", "/"),
            ("KIM list", "/kim/"),
            ("KIM page", f"/kim/{kims // 2}"),
            ("period overview", f"/penilaian/{PERIODS[-1][0]}"),
            ("Top Konten", "/penilaian/top-konten"),
        ]
        for label, path in pages:
            rows.append((label, *_time(client, path, times)))
        if any(rule.rule == API_LIST for rule in app.url_map.iter_rules()):
            headers, revoke = _api_token(app)
            rows.append(("API list", *_time(client, API_LIST, times, headers)))
            revoke()
    return rows


def _api_token(app: Any) -> tuple[dict[str, str], Any]:
    """The headers of a new API token of the bench user (made as on the account page; the API
    is read with a token, not the browser session), its rate limit lifted for the measurement,
    and what revokes it afterwards."""
    from sqlalchemy import select

    from tracker.extensions import db
    from tracker.models import User
    from tracker.services.accounts.api_tokens import create_token, revoke_token

    app.config["API_RATE_LIMIT"] = 1_000_000
    user = db.session.scalar(select(User).where(User.username == "bench"))
    made = create_token(user, "bench")
    return {"Authorization": f"Bearer {made.secret}"}, lambda: revoke_token(user, made.row.id)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kims", type=int, default=10_000)
    parser.add_argument("--posts", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--reuse", action="store_true", help="measure an existing bench database")
    args = parser.parse_args()
    os.environ.setdefault("JENJANG_ENV", "testing")
    if args.database_url:
        url = args.database_url
    elif args.reuse:
        url = f"sqlite:///{OUT_DIR / f'pages-{args.kims}.sqlite3'}"
    else:
        url = _sqlite_url(args.kims, "pages")
    if not args.reuse:
        made = generate(url, args.kims, args.posts, args.seed)
        print(
            f"{made['kims']:,} KIMs, {made['posts']:,} posts, 8 assessed periods, "
            f"{made['sessions']} sessions, {made['visits']:,} visits, "
            f"{made['follow_ups']:,} follow-ups, {made['letters']:,} letters "
            f"(generated in {made['generate_s']:.0f} s, assessed in {made['assess_s']:.0f} s)"
        )
    print(
        f"{'PostgreSQL' if url.startswith('postgres') else 'SQLite'}; "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; "
        f"{args.requests} requests per page after one warm-up"
    )
    print(f"  {'page':30} {'median':>9} {'p95':>9} {'CPU med.':>9}  status")
    rows = measure(url, args.kims, args.requests)
    for label, mid, p95, cpu, status in rows:
        print(f"  {label:30} {mid:6.1f} ms {p95:6.1f} ms {cpu:6.1f} ms  {status}")
    if not any(label == "API list" for label, *_rest in rows):
        # slot for the JSON API (developed in parallel): measured here once the route exists
        print(f"  {'API list':30} {'—':>9} {'—':>9} {'—':>9}  ({API_LIST} not in this build)")


if __name__ == "__main__":
    main()
