"""The demo's monitoring visits: findings, drawn photos and follow-ups, so that P2 varies."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from io import BytesIO

from PIL import Image, ImageDraw, ImageFont

from tracker.demo.kims import DemoKim
from tracker.demo.timeline import DemoCalendar
from tracker.extensions import db
from tracker.models import FollowUp, MonitoringVisit, Period, User, VisitFinding
from tracker.models.visits import (
    FOLLOW_UP_DONE,
    FOLLOW_UP_DROPPED,
    FOLLOW_UP_OPEN,
    RATING_IMPROVE,
    RATING_STANDOUT,
)
from tracker.services.visits import photos


def create_visits(
    rng: random.Random,
    kims: list[DemoKim],
    period_rows: list[Period],
    users: dict[str, User],
    cal: DemoCalendar,
) -> str:
    """Monitoring visits of the measured periods with findings, photos and follow-ups, so that P2
    varies: each period the team visits six kecamatan (the petugas's two among them) in the
    period's second month; a busy KIM is named a standout, a quiet one gets a recommendation and a
    follow-up due a month later, done in time, late, never, or dropped as its profile makes
    likely. The photos are drawings made here (sky, hills, the balai desa, a KIM signboard): no
    real place, no people. `rng` is its own stream, so the rest of the demo is the same with or
    without it. Returns the line the seed report notes."""
    recommendations = {
        "sdm": "Tambah pengelola konten dan bagi tugas penulisan berita tiap minggu.",
        "perangkat": "Ajukan ponsel atau laptop kegiatan lewat Dana Desa untuk unggah konten.",
        "jaringan": "Unggah dari balai desa yang terjangkau wifi desa; siapkan draf saat luring.",
        "dana": "Masukkan kegiatan KIM ke RKP Desa tahun depan.",
        "konten": "Susun kalender editorial: berita, galeri dan agenda tiap minggu.",
    }
    problem_notes = {
        "sdm": "Hanya ketua yang mengunggah.",
        "perangkat": "Belum ada perangkat khusus KIM.",
        "jaringan": "Sinyal lemah di sebagian dusun.",
        "dana": "Belum ada anggaran kegiatan KIM.",
        "konten": "Konten didominasi foto tanpa keterangan.",
    }

    def drawing(index: int) -> bytes:
        width, height = 960, 720
        image = Image.new("RGB", (width, height))
        draw = ImageDraw.Draw(image)
        top = (90 + rng.randint(0, 60), 160 + rng.randint(0, 50), 220 + rng.randint(0, 30))
        for y in range(height // 2):  # the sky, lighter towards the horizon
            shade = y / (height / 2)
            draw.line(
                [(0, y), (width, y)], fill=tuple(int(c + (255 - c) * 0.6 * shade) for c in top)
            )
        sun = rng.randint(80, width - 80)
        draw.ellipse((sun - 45, 50, sun + 45, 140), fill=(250, 215, 90))
        for hill in range(3):
            x = rng.randint(-200, width)
            green = (40 + 25 * hill, 120 + rng.randint(0, 60), 50 + 15 * hill)
            draw.ellipse((x - 420, height // 2 - 80 + 40 * hill, x + 420, height + 400), fill=green)
        draw.rectangle((0, int(height * 0.72), width, height), fill=(120, 150, 80))
        left = rng.randint(120, 420)
        wall = (rng.randint(200, 240), rng.randint(180, 220), rng.randint(150, 190))
        draw.rectangle((left, 380, left + 300, 560), fill=wall)
        draw.polygon([(left - 30, 380), (left + 150, 290), (left + 330, 380)], fill=(160, 60, 45))
        draw.rectangle((left + 125, 470, left + 175, 560), fill=(110, 70, 40))
        sign = left + 360
        draw.rectangle((sign, 430, sign + 12, 580), fill=(90, 90, 90))
        draw.rectangle(
            (sign - 70, 390, sign + 82, 450), fill=(250, 250, 245), outline=(30, 80, 160)
        )
        font = ImageFont.load_default(size=30)
        draw.text((sign - 55, 402), f"KIM {index + 1:02d}", fill=(30, 80, 160), font=font)
        out = BytesIO()
        image.save(out, "JPEG", quality=82)
        return out.getvalue()

    scenes = [photos.clean(drawing(i), f"pemantauan-{i + 1:02d}.jpg") for i in range(8)]
    petugas, admin, kabid = users["petugas"], users["admin"], users["kabid"]
    by_kecamatan: dict[str, list[DemoKim]] = {}
    for kim in kims:
        if kim.active:
            by_kecamatan.setdefault(kim.desa.kecamatan, []).append(kim)
    theirs = [code for code in petugas.scope_codes if code in by_kecamatan]
    others = sorted(code for code in by_kecamatan if code not in theirs)
    done_chance = {"star": 0.9, "burst": 0.6, "middle": 0.7, "rare": 0.35, "silent": 0.1}
    last_day = cal.activity_end
    counts = {"visits": 0, "findings": 0, "photos": 0, "follow_ups": 0}
    for period in period_rows:
        for number, code in enumerate(theirs + rng.sample(others, min(4, len(others)))):
            recorder = petugas if code in theirs else admin
            month_start = date(period.start_date.year, period.start_date.month + 1, 1)
            day = month_start + timedelta(days=rng.randint(0, 24))
            if day > last_day:  # the open period's visits not made yet
                continue
            visit = MonitoringVisit(
                kecamatan_code=code,
                started_on=day,
                ended_on=day,
                team_names="Staf kecamatan" if rng.random() < 0.5 else None,
                notes="Pemantauan rutin triwulan bersama pengurus KIM di balai desa.",
                idempotency_key=f"demo-{period.code}-{code}-{number}".replace(".", "-"),
                created_by_id=recorder.id,
                created_at=datetime.combine(day, time(8, 0)),  # 15.00 WIB
            )
            visit.team = [recorder, kabid] if rng.random() < 0.4 else [recorder]
            db.session.add(visit)
            counts["visits"] += 1
            visited = by_kecamatan[code][:6]
            photo_rows = [photos.store(rng.choice(scenes), user=recorder, visit=visit)]
            for kim in visited:
                strength = kim.strength
                problems = sorted(
                    p for p in recommendations if rng.random() < 0.12 * (4 - strength)
                )
                rating = (
                    RATING_STANDOUT
                    if strength == 3
                    else RATING_IMPROVE
                    if strength <= 1 or problems
                    else None
                )
                advice = recommendations[problems[0]] if problems else None
                if rating == RATING_IMPROVE and advice is None:
                    advice = recommendations["konten"]
                visit.findings.append(
                    VisitFinding(
                        kim_id=kim.id,
                        uploads_seen=max(0, round(kim.rate * 13 * rng.uniform(0.8, 1.2))),
                        consistency_pct=round(min(100.0, kim.rate * 60 * rng.uniform(0.7, 1.1)), 1),
                        problems=problems,
                        problem_notes=" ".join(problem_notes[p] for p in problems) or None,
                        rating=rating,
                        recommendation=advice,
                    )
                )
                counts["findings"] += 1
                if rng.random() < 0.35:
                    photo_rows.append(
                        photos.store(rng.choice(scenes), user=recorder, visit=visit, kim_id=kim.id)
                    )
                if advice is None:
                    continue
                due = day + timedelta(days=30)
                status, closed_on, evidence = FOLLOW_UP_OPEN, None, None
                roll = rng.random()
                if roll < 0.05:
                    status, closed_on = FOLLOW_UP_DROPPED, due
                    evidence = "Pengurus KIM berganti; rekomendasi disusun ulang."
                elif roll < 0.05 + done_chance[kim.profile]:
                    closed_on = due + timedelta(days=rng.randint(-20, 25))
                    if closed_on <= last_day:
                        status = FOLLOW_UP_DONE
                        evidence = "Dicek pada kunjungan berikutnya: rekomendasi sudah dijalankan."
                    else:
                        closed_on = None
                db.session.add(
                    FollowUp(
                        kim_id=kim.id,
                        visit=visit,
                        recommendation=advice,
                        owner_id=recorder.id,
                        due_on=due,
                        status=status,
                        evidence=evidence,
                        closed_on=closed_on,
                        closed_at=datetime.combine(closed_on, time(2, 0)) if closed_on else None,
                        closed_by_id=recorder.id if closed_on else None,
                        created_by_id=recorder.id,
                        created_at=datetime.combine(day, time(8, 0)),  # 15.00 WIB
                    )
                )
                counts["follow_ups"] += 1
            counts["photos"] += len(photo_rows)
    db.session.flush()
    return (
        f"{counts['visits']} kunjungan pemantauan ({counts['findings']} temuan, "
        f"{counts['photos']} foto), {counts['follow_ups']} tindak lanjut"
    )
