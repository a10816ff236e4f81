"""The demo's coaching: the shipped topic catalogue and a year of pembinaan sessions with
attendance, so that P1 differs from KIM to KIM and quarter to quarter."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, datetime, time, timedelta

from sqlalchemy import insert, select

from tracker.demo import data
from tracker.demo.kims import DEMO_KABUPATEN, DemoKim
from tracker.demo.timeline import DemoCalendar
from tracker.extensions import db
from tracker.models import CoachingSession, Topic, User
from tracker.models.coaching import (
    CoachingAttendance,
    CoachingInvitation,
    CoachingParticipant,
    session_topic,
)
from tracker.services.coaching.topics import ensure_default_topics

# the first day of the current triwulan the session plan below is written for
_PLAN_CURRENT = date(2026, 10, 1)


def _months_between(a: date, b: date) -> int:
    return (b.year - a.year) * 12 + b.month - a.month


def _shifted(day: date, months: int) -> date:
    """The same day of the month `months` later (days beyond 28 never occur in the plan)."""
    month = day.month - 1 + months
    return date(day.year + month // 12, month % 12 + 1, day.day)


def create_coaching(
    rng: random.Random,
    kims: list[DemoKim],
    users: dict[str, User],
    cal: DemoCalendar,
    say: Callable[[str], None],
) -> None:
    """The shipped topic catalogue and a year of coaching (the twelve months before the current
    triwulan; the plan below is written for a current triwulan starting in October 2026): a
    session a month or so, kabupaten-wide (25 invited KIMs, the less active ones more often) or
    for two kecamatan (all their KIMs), with attendance by profile, 1–3 named participants per KIM
    and a guest or two, so P1 differs from KIM to KIM and quarter to quarter. Its own random
    stream: the rest of the district is the same with or without it."""
    # first day | days | JP | speaker | kecamatan-level | title | topics: a year of pembinaan
    plan = """
        2025-10-08|1|6|0|-|Pelatihan Menulis Berita Desa|Menulis berita
        2025-10-29|1|4|1|y|Bimtek Fotografi dengan Ponsel|Fotografi dengan ponsel
        2025-11-12|2|10|2|-|Pelatihan Desain Grafis untuk KIM|Desain grafis
        2025-12-03|1|5|3|-|Bimtek Administrasi Website KIM.id|Administrasi website KIM.id
        2026-01-21|1|4|4|y|Sosialisasi Cek Fakta dan Anti-Hoaks|Cek fakta dan anti-hoaks
        2026-02-11|1|6|2|-|Pelatihan Manajemen Media Sosial|Manajemen media sosial
        2026-03-04|2|10|1|-|Workshop Video Pendek|Video pendek
        2026-04-15|1|4|5|y|Penguatan Kelembagaan KIM|Kelembagaan dan administrasi KIM
        2026-05-13|1|5|0|-|Konten Potensi Desa dan UMKM|Konten potensi desa dan UMKM
        2026-06-10|1|4|3|-|Kalender Editorial KIM|Kalender editorial
        2026-07-08|2|12|1|-|Kelas Lanjutan Desain dan Video|Desain grafis;Video pendek
        2026-08-12|1|6|0|y|Menulis Berita Lanjutan|Menulis berita;Kalender editorial
        2026-09-09|1|6|2|-|Medsos dan UMKM|Manajemen media sosial;Konten potensi desa dan UMKM
    """
    sessions = [line.strip().split("|") for line in plan.strip().splitlines()]
    speakers = (
        "Hendra Wijaya, S.I.Kom (jurnalis)",
        "Rizky Ananda (fotografer)",
        "Maya Sari, S.Ds (desainer grafis)",
        "Tim Pengelola KIM.id Diskominfo",
        "Relawan MAFINDO Jawa Timur",
        "Bidang PIKP Diskominfo Lumajang",
    )
    attends = {"star": 0.9, "burst": 0.6, "middle": 0.75, "rare": 0.55, "silent": 0.3}

    shift = _months_between(_PLAN_CURRENT, cal.current.start)
    say("Membuat materi dan sesi pembinaan setahun terakhir…")
    ensure_default_topics(None)
    topic_ids = dict(db.session.execute(select(Topic.name, Topic.id)).all())
    active = [k for k in kims if k.active]
    by_kecamatan: dict[str, list[DemoKim]] = {}
    for kim in active:
        by_kecamatan.setdefault(kim.desa.kecamatan, []).append(kim)
    kabid = users["kabid"]
    invitations, attendance, people, links = [], [], [], []
    for first, days, jp, speaker, local, title, topic_names in sessions:
        start = _shifted(date.fromisoformat(first), shift)
        if start > cal.activity_end:
            continue
        names = topic_names.split(";")
        if local == "y":
            chosen = rng.sample(sorted(by_kecamatan), min(2, len(by_kecamatan)))
            invited = [k for code in chosen for k in by_kecamatan[code]]
            place = f"Balai Kecamatan {by_kecamatan[chosen[0]][0].desa.kecamatan_name}"
        else:
            weights = [0.5 if k.profile == "star" else 1.0 for k in active]
            invited = []
            pool = list(zip(active, weights, strict=True))
            while pool and len(invited) < min(25, len(active)):
                pick = rng.choices(range(len(pool)), [w for _k, w in pool])[0]
                invited.append(pool.pop(pick)[0])
            place = "Aula Diskominfo Kabupaten Lumajang"
        session = CoachingSession(
            title=title,
            start_date=start,
            end_date=start + timedelta(days=int(days) - 1),
            location=place,
            organiser="Dinas Komunikasi dan Informatika Kabupaten Lumajang",
            speakers=speakers[int(speaker)],
            jp=int(jp),
            region_code=DEMO_KABUPATEN,
            created_by_id=kabid.id,
            created_at=datetime.combine(start - timedelta(days=14), time(9, 0)),
        )
        db.session.add(session)
        db.session.flush()
        links += [{"session_id": session.id, "topic_id": topic_ids[n]} for n in names]
        for kim in invited:
            invitations.append({"session_id": session.id, "kim_id": kim.id})
            if rng.random() > attends[kim.profile]:
                continue
            count = rng.choice((1, 1, 2, 2, 3))
            attendance.append(
                {
                    "session_id": session.id,
                    "kim_id": kim.id,
                    "participant_count": count,
                    "recorded_by_id": kabid.id,
                    "recorded_at": datetime.combine(start, time(15, 0)),
                }
            )
            people += [
                {
                    "session_id": session.id,
                    "kim_id": kim.id,
                    "name": f"{rng.choice(data.FIRST_NAMES)} {rng.choice(data.LAST_NAMES)}",
                    "position": None,
                    "affiliation": None,
                }
                for _ in range(count)
            ]
        for _ in range(rng.choice((0, 1, 2)) if invited else 0):
            host = rng.choice(invited)
            people.append(
                {
                    "session_id": session.id,
                    "kim_id": None,
                    "name": f"{rng.choice(data.FIRST_NAMES)} {rng.choice(data.LAST_NAMES)}",
                    "position": "Kepala Desa",
                    "affiliation": f"Pemerintah Desa {host.desa.name}",
                }
            )
    for table, rows in (
        (session_topic, links),
        (CoachingInvitation.__table__, invitations),
        (CoachingAttendance.__table__, attendance),
        (CoachingParticipant.__table__, people),
    ):
        if rows:
            db.session.execute(insert(table), rows)
