"""Benchmark: the coaching reads on a large district.

    python -m bench.coaching [--kims 10000] [--sessions 120] [--database-url URL] [--repeat 3]

Generates the same district as bench/assess.py (a SQLite file under bench/out/ by default; with
--database-url a PostgreSQL database, whose tables are DROPPED and recreated), adds the shipped
topic catalogue and `--sessions` coaching sessions over April 2024 – March 2025, each inviting 150
KIMs of which about two thirds come (1–3 named participants each), assesses 2024-T4 and 2025-T1,
then times (best of `--repeat`, wall clock and CPU): P1 for the whole period (one grouped query),
the training-needs analysis (a roadmap per KIM), the sessions list page, and the effect of one
session and of one topic. Never part of the test run.
"""

from __future__ import annotations

import argparse
import os
import random
import time
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from bench.assess import _app, _sqlite_url, generate

INVITED = 150


def _sessions(count: int, kims: int, rng: random.Random) -> int:
    """`count` sessions with invitations, attendance and participants, in bulk."""
    from sqlalchemy import insert, select

    from tracker.extensions import db
    from tracker.models import (
        CoachingAttendance,
        CoachingInvitation,
        CoachingParticipant,
        CoachingSession,
        Topic,
    )
    from tracker.models.coaching import session_topic
    from tracker.services.coaching.topics import ensure_default_topics

    ensure_default_topics(None)
    topics = list(db.session.scalars(select(Topic.id)))
    first = date(2024, 4, 1)
    invitations, attendance, people, links = [], [], [], []
    for n in range(count):
        start = first + timedelta(days=rng.randrange(365))
        session = CoachingSession(
            title=f"Sesi Bench {n}", start_date=start, end_date=start, region_code="35.99"
        )
        db.session.add(session)
        db.session.flush()
        links.append({"session_id": session.id, "topic_id": rng.choice(topics)})
        for kim_id in rng.sample(range(1, kims + 1), min(INVITED, kims)):
            invitations.append({"session_id": session.id, "kim_id": kim_id})
            if rng.random() < 0.66:
                came = rng.randint(1, 3)
                attendance.append(
                    {"session_id": session.id, "kim_id": kim_id, "participant_count": came}
                )
                people += [
                    {"session_id": session.id, "kim_id": kim_id, "name": f"Peserta {i}"}
                    for i in range(came)
                ]
    for table, rows in (
        (session_topic, links),
        (CoachingInvitation.__table__, invitations),
        (CoachingAttendance.__table__, attendance),
        (CoachingParticipant.__table__, people),
    ):
        for chunk in range(0, len(rows), 50_000):
            db.session.execute(insert(table), rows[chunk : chunk + 50_000])
    db.session.commit()
    return len(attendance)


def _best(repeat: int, call: Callable[[], Any]) -> tuple[float, float, Any]:
    best = best_cpu = 9e9
    result = None
    for _ in range(repeat):
        started, cpu = time.perf_counter(), time.process_time()
        result = call()
        best = min(best, time.perf_counter() - started)
        best_cpu = min(best_cpu, time.process_time() - cpu)
    return best, best_cpu, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kims", type=int, default=10_000)
    parser.add_argument("--posts-per-kim", type=int, default=30)
    parser.add_argument("--sessions", type=int, default=120)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    url = args.database_url or _sqlite_url(args.kims, "coaching")
    os.environ.setdefault("JENJANG_ENV", "testing")
    made = generate(url, args.kims, args.posts_per_kim, args.seed)

    from sqlalchemy import select

    from tracker.extensions import db
    from tracker.models import Period, Topic
    from tracker.services.assessment.inputs import sessions_attended
    from tracker.services.assessment.runner import assess_period
    from tracker.services.coaching import effect, sessions, training_needs

    app = _app(url)
    with app.app_context():
        came = _sessions(args.sessions, args.kims, random.Random(args.seed))
        print(
            f"{made['kims']:,} KIMs, {args.sessions} sessions, {came:,} attendances "
            f"({'PostgreSQL' if url.startswith('postgres') else 'SQLite'}); "
            f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
        )
        assess_period("2024-T4", None)
        assess_period("2025-T1", None)
        period = db.session.scalar(select(Period).where(Period.code == "2025-T1"))
        topic = db.session.scalar(select(Topic.id).order_by(Topic.id))
        session_id = sessions.sessions_page(None, sessions.SessionFilter(), 1, 1).page.items[0].id
        checks: list[tuple[str, Callable[[], Any]]] = [
            ("P1 for the period (sessions_attended)", lambda: sessions_attended(period)),
            ("training needs 2025-T1", lambda: training_needs.training_needs(None, "2025-T1")),
            (
                "sessions list, page 1",
                lambda: sessions.sessions_page(None, sessions.SessionFilter(), 1, 25),
            ),
            ("effect of one session", lambda: effect.session_effect(None, session_id)),
            ("effect of one topic", lambda: effect.topic_effect(None, topic)),
        ]
        for label, call in checks:
            wall, cpu, _result = _best(args.repeat, call)
            print(f"  {label}: best of {args.repeat} {wall:.2f} s ({cpu:.2f} s of CPU)")


if __name__ == "__main__":
    main()
