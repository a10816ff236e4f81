"""The demo district: Kabupaten Lumajang with ~200 KIMs, a year and three quarters of activity,
manual measurements, one account per role, and every period assessed.

Deterministic (a fixed random seed), so a screenshot, a test and a newcomer's `make run` all see
the same district. Rows go in with bulk INSERTs (a few statements per table), so the whole seed
takes seconds; the assessment itself is the product's own `assess_period`, run period by period
in order so tier stability has a history to work from.
"""

from __future__ import annotations

import random
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import insert, select

from tracker.demo import data
from tracker.extensions import db
from tracker.models import ContentPost, Kim, KimChannel, Measurement, Period, Region, User
from tracker.models.activity import MEASUREMENT_VERIFIED
from tracker.models.kim import STATUS_ACTIVE, STATUS_INACTIVE
from tracker.models.region import LEVEL_DESA, LEVEL_KECAMATAN
from tracker.models.user import ROLE_LABELS, UserScope
from tracker.services.accounts.authentication import (
    check_new_password,
    hash_password,
    verify_password,
)
from tracker.services.assessment.runner import assess_period
from tracker.services.common import audit_writer
from tracker.services.common.errors import Invalid
from tracker.services.common.unit_of_work import transaction
from tracker.services.registry import regions
from tracker.services.rules import periods
from tracker.services.rules.frameworks import ensure_default
from tracker.text import fold

DEMO_KABUPATEN = "35.08"
DEMO_PERIODS = ("2025-T1", "2025-T2", "2025-T3", "2025-T4", "2026-T1", "2026-T2", "2026-T3")
MEASURED_PERIODS = ("2025-T4", "2026-T1", "2026-T2", "2026-T3")
ACTIVITY_START = date(2025, 1, 1)
ACTIVITY_END = date(2026, 9, 30)
RANDOM_SEED = 3508
DEFAULT_KIM_COUNT = 200

# The tables that say whether a database already holds an office's data.
_DATA_MARKERS = (User, Region, Kim)

Progress = Callable[[str], None]


class DemoRefusedError(Invalid):
    """The database is not empty and --force was not given; nothing was changed."""


@dataclass
class SeedReport:
    seeded: bool = True
    regions: int = 0
    kims: int = 0
    channels: int = 0
    posts: int = 0
    measurements: int = 0
    users: list[str] = field(default_factory=list)
    periods: list[str] = field(default_factory=list)
    assessed: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def is_empty() -> bool:
    """No accounts, regions or KIMs: a fresh install (a default framework alone doesn't count)."""
    return all(db.session.scalar(select(model).limit(1)) is None for model in _DATA_MARKERS)


def wipe() -> None:
    """Delete every row of every table, children before parents (the caller commits).

    A table that references itself (the region tree) first has those references cleared, so a
    RESTRICT foreign key never sees a parent go before its child, on SQLite and PostgreSQL alike.
    """
    for table in reversed(db.metadata.sorted_tables):
        for fk in table.foreign_keys:
            if fk.column.table is table and fk.parent.nullable:
                db.session.execute(table.update().values({fk.parent.name: None}))
        db.session.execute(table.delete())


def seed(
    force: bool = False,
    if_empty: bool = False,
    kim_count: int = DEFAULT_KIM_COUNT,
    progress: Progress | None = None,
    assess: bool = True,
) -> SeedReport:
    """Load the demo district. Refuses a non-empty database unless `force` (which wipes it
    first); with `if_empty` a non-empty database is left alone and the report says so."""
    say = progress or (lambda message: None)
    with transaction():  # one unit: a failure half-way leaves the database as it was
        if not is_empty():
            if if_empty:
                return SeedReport(seeded=False)
            if not force:
                raise DemoRefusedError(
                    "Basis data sudah berisi data (akun, wilayah atau KIM). Data demo tidak "
                    "dimuat; pakai --force untuk MENGHAPUS SEMUA data lalu memuat demo."
                )
            say("Menghapus semua data lama…")
            wipe()

        rng = random.Random(RANDOM_SEED)
        report = SeedReport()

        say("Memuat wilayah Kabupaten Lumajang dari daftar Kemendagri…")
        # the shipped slice of the national list: the same rows as `--bundled --only 35.08`,
        # without parsing 91k rows first
        loaded = regions.import_file(regions.LUMAJANG_PATH, None, DEMO_KABUPATEN)
        if not loaded.ok:  # pragma: no cover - the shipped file is checked by its own tests
            raise RuntimeError(loaded.error or str(loaded.problems[:3]))
        report.regions = loaded.created

        say("Membuat akun demo…")
        users = _create_users()
        report.users = [u.username for u in users.values()]

        say(f"Membuat {kim_count} KIM…")
        desa = _desa_rows()
        kims = _create_kims(rng, desa, kim_count)
        report.kims = len(kims)
        report.channels = _create_channels(rng, kims)

        say("Membuat periode " + ", ".join(DEMO_PERIODS) + "…")
        period_rows = _create_periods()
        report.periods = [p.code for p in period_rows]

        say("Membuat unggahan konten Januari 2025 – September 2026…")
        report.posts = _create_posts(rng, kims, desa)
        say("Mengisi nilai indikator manual (K3, M1, M2, D1)…")
        report.measurements = _create_measurements(rng, kims, period_rows, users)
        _create_coaching(kims, users, say)
        audit_writer.record(
            "demo.seed",
            "region",
            DEMO_KABUPATEN,
            None,
            params={
                "region": DEMO_KABUPATEN,
                "regions": report.regions,
                "kims": report.kims,
                "posts": report.posts,
                "measurements": report.measurements,
                "users": report.users,
                "periods": report.periods,
            },
            region=DEMO_KABUPATEN,
        )

        if assess:
            say("Menyiapkan kerangka penilaian bawaan…")
            ensure_default(None)
            for period in period_rows:
                run = assess_period(period.code, None)
                report.assessed[period.code] = run.kims_assessed
                say(f"  {period.code}: {run.kims_assessed} KIM dinilai")
    return report


# --------------------------------------------------------------------------------------- users


def _create_users() -> dict[str, User]:
    users: dict[str, User] = {}
    for username, role, scope, full_name, password in data.DEMO_USERS:
        check_new_password(password, username)  # the demo keeps the rule it teaches
        user = User(
            username=username,
            full_name=full_name,
            role=role,
            password_hash=hash_password(password),
            locale="id",
        )
        user.scopes = [UserScope(region_code=code) for code in scope]
        db.session.add(user)
        users[role] = user
    db.session.flush()
    return users


# ---------------------------------------------------------------------------------------- KIMs


@dataclass
class _Desa:
    code: str
    name: str
    kecamatan: str
    kecamatan_name: str


@dataclass
class _Kim:
    id: int
    name: str
    slug: str
    desa: _Desa
    rate: float  # posts per week at the start of the timeline
    trend: float  # rate multiplier reached at the end of the timeline
    active: bool
    has_site: bool
    channels: list[str] = field(default_factory=list)
    profile: str = "rare"  # star, middle, rare, silent


def _desa_rows() -> list[_Desa]:
    kecamatan = dict(
        db.session.execute(
            select(Region.code, Region.name).where(
                Region.level == LEVEL_KECAMATAN, Region.parent_code == DEMO_KABUPATEN
            )
        ).all()
    )
    rows = db.session.execute(
        select(Region.code, Region.name, Region.parent_code)
        .where(Region.level == LEVEL_DESA, Region.code.like(DEMO_KABUPATEN + ".%"))
        .order_by(Region.code)
    )
    return [_Desa(code, name, parent, kecamatan[parent]) for code, name, parent in rows]


def slug(text: str, sep: str = "") -> str:
    """'KIM Tukum Mandiri' → 'tukummandiri' (the KIM.id subdomain style); with `sep="-"` a
    title becomes a path segment: 'Kerja bakti di Dusun Krajan' → 'kerja-bakti-di-dusun-krajan'."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    text = re.sub(r"^kim\s+", "", text)
    return re.sub(r"[^a-z0-9]+", sep, text).strip("-")


def _spread(rng: random.Random, desa: list[_Desa], taken: set[str]) -> Iterable[_Desa]:
    """Desa in round-robin over the kecamatan (so a small seed still touches every kecamatan),
    then round after round for a second KIM in a desa when more KIMs than desa are asked."""
    by_kec: dict[str, list[_Desa]] = {}
    for d in desa:
        by_kec.setdefault(d.kecamatan, []).append(d)
    for group in by_kec.values():
        rng.shuffle(group)
    order: list[_Desa] = []
    depth = max(len(g) for g in by_kec.values())
    for i in range(depth):
        order.extend(g[i] for g in by_kec.values() if i < len(g))
    first = [d for d in order if d.code not in taken]
    while True:
        yield from first
        first = order


def _profiles(rng: random.Random, count: int) -> list[tuple[str, float, float]]:
    """(profile, posts per week, trend) for the non-famous KIMs: a few very active ones, a middle
    group posting weekly-ish, many posting rarely, a quarter silent."""
    out = []
    for i in range(count):
        share = i / max(count, 1)
        if share < 0.04:
            out.append(("star", rng.uniform(2.5, 3.8), rng.uniform(0.9, 1.2)))
        elif share < 0.38:
            out.append(("middle", rng.uniform(0.7, 1.6), rng.uniform(0.5, 1.6)))
        elif share < 0.74:
            out.append(("rare", rng.uniform(0.05, 0.35), rng.uniform(0.3, 1.5)))
        else:
            out.append(("silent", 0.0, 1.0))
    rng.shuffle(out)
    return out


_PHONE_PREFIXES = ("12", "13", "21", "22", "52", "53", "57", "77", "81", "95")


def _create_kims(rng: random.Random, desa: list[_Desa], count: int) -> list[_Kim]:
    by_code = {d.code: d for d in desa}
    famous = [f for f in data.FAMOUS_KIMS if f[1] in by_code][:count]
    chosen: list[tuple[str, _Desa, str, float, float]] = [
        (name, by_code[code], "star", rate, 1.05) for name, code, rate in famous
    ]
    names_in_desa: dict[str, set[str]] = {}
    for name, d, *_ in chosen:
        names_in_desa.setdefault(d.code, set()).add(fold(name))
    spread = _spread(rng, desa, {d.code for _, d, *_ in chosen})
    for profile, rate, trend in _profiles(rng, count - len(chosen)):
        d = next(spread)
        taken = names_in_desa.setdefault(d.code, set())
        name = f"KIM {d.name}" if not taken and rng.random() < 0.3 else ""
        while not name or fold(name) in taken:
            name = f"KIM {d.name} {rng.choice(data.NAME_WORDS)}"
        taken.add(fold(name))
        chosen.append((name, d, profile, rate, trend))

    rows: list[dict[str, Any]] = []
    inactive_left = max(1, round(count * 0.04)) if count >= 10 else 0
    seq_by_kec: dict[str, int] = {}
    now = datetime(2026, 10, 1, 8, 0)
    meta: list[tuple[str, _Desa, str, float, float, bool, bool]] = []
    for index, (name, d, profile, rate, trend) in enumerate(chosen):
        active = True
        if inactive_left and profile == "silent" and rng.random() < 0.3:
            active, inactive_left = False, inactive_left - 1
        registered = profile in ("star", "middle") or rng.random() < 0.8
        has_site = registered and (profile != "silent" or rng.random() < 0.5)
        with_sk = profile == "star" or rng.random() < 0.9
        seq_by_kec[d.kecamatan] = seq_by_kec.get(d.kecamatan, 0) + 1
        sk_date = date(rng.randint(2016, 2024), rng.randint(1, 12), rng.randint(1, 28))
        kec_number = int(d.kecamatan.rsplit(".", 1)[1])
        kim_slug = slug(name)
        rows.append(
            {
                "name": name,
                "name_key": fold(name),
                "desa_code": d.code,
                "kimid_number": f"KIM-{d.code.replace('.', '')}-{index + 1:03d}"
                if registered
                else None,
                "website": f"https://{kim_slug}.kim.id" if has_site else None,
                "sk_number": (
                    f"188/{seq_by_kec[d.kecamatan]:02d}/427.{kec_number + 40}/{sk_date.year}"
                    if with_sk
                    else None
                ),
                "sk_date": sk_date if with_sk else None,
                "chair": f"{rng.choice(data.FIRST_NAMES)} {rng.choice(data.LAST_NAMES)}",
                "phone": f"08{rng.choice(_PHONE_PREFIXES)}{rng.randint(10**7, 10**8 - 1)}",
                "email": f"kim.{kim_slug}@gmail.com" if rng.random() < 0.45 else None,
                "members": rng.randint(20, 45) if profile == "star" else rng.randint(5, 30),
                "status": STATUS_ACTIVE if active else STATUS_INACTIVE,
                "notes": rng.choice(data.KIM_NOTES) if rng.random() < 0.15 else None,
                "version": 1,
                "created_at": now,
                "updated_at": now,
            }
        )
        meta.append((name, d, profile, rate, trend, active, has_site))
    # Core INSERT on the table: one executemany (the ORM bulk path splits a batch wherever a
    # column switches between NULL and a value)
    db.session.execute(insert(Kim.__table__), rows)
    ids = {
        (desa_code, name_key): kim_id
        for kim_id, desa_code, name_key in db.session.execute(
            select(Kim.id, Kim.desa_code, Kim.name_key)
        )
    }
    kims = []
    for name, d, profile, rate, trend, active, has_site in meta:
        if not active:
            rate, profile = 0.0, "silent"
        if not has_site:
            rate = 0.0  # posts are counted on the KIM's KIM.id site
        kims.append(
            _Kim(
                id=ids[(d.code, fold(name))],
                name=name,
                slug=slug(name),
                desa=d,
                rate=rate,
                trend=trend,
                active=active,
                has_site=has_site,
                profile=profile,
            )
        )
    return kims


_CHANNEL_URLS = {
    "facebook": "https://www.facebook.com/kim{slug}",
    "instagram": "https://www.instagram.com/kim.{slug}",
    "youtube": "https://www.youtube.com/@kim{slug}",
    "tiktok": "https://www.tiktok.com/@kim{slug}",
}


def _create_channels(rng: random.Random, kims: list[_Kim]) -> int:
    rows = []
    for kim in kims:
        wanted = 3 if kim.profile == "star" else rng.choice((1, 1, 2, 2, 3))
        platforms = ["facebook", *rng.sample(("instagram", "youtube", "tiktok"), 2)][:wanted]
        if rng.random() < 0.25:
            platforms[0] = "instagram" if "instagram" not in platforms else "facebook"
        kim.channels = list(dict.fromkeys(platforms))
        rows.extend(
            {"kim_id": kim.id, "platform": p, "url": _CHANNEL_URLS[p].format(slug=kim.slug)}
            for p in kim.channels
        )
    db.session.execute(insert(KimChannel.__table__), rows)
    return len(rows)


# ------------------------------------------------------------------------------------- periods


def _create_periods() -> list[Period]:
    existing = set(db.session.scalars(select(Period.code)))
    for code in DEMO_PERIODS:
        if code not in existing:
            periods.add_period(code, None)
    return list(
        db.session.scalars(
            select(Period).where(Period.code.in_(DEMO_PERIODS)).order_by(Period.start_date)
        )
    )


# --------------------------------------------------------------------------------------- posts

_TYPE_WEIGHTS = {"berita": 58, "galeri": 22, "agenda": 14, "pengumuman": 6}


def _title(rng: random.Random, kind: str, kim: _Kim, day: date) -> str:
    template = rng.choice(data.TITLES[kind])
    return template.format(
        desa=kim.desa.name,
        dusun=rng.choice(data.DUSUN),
        topik=rng.choice(data.TOPICS),
        bulan=data.MONTHS[day.month - 1],
        tahap=rng.randint(1, 3),
    )


def _create_posts(rng: random.Random, kims: list[_Kim], desa: list[_Desa]) -> int:
    """Day by day, each KIM posts with a probability from its weekly rate, which drifts along
    its trend and pauses for whole months now and then (gaps, as the monitoring reports find)."""
    days = (ACTIVITY_END - ACTIVITY_START).days + 1
    created_at = datetime.combine(ACTIVITY_END + timedelta(days=1), time(7, 0))
    rows: list[dict[str, Any]] = []
    for kim in kims:
        if kim.rate <= 0:
            continue
        # a less active KIM uses fewer content types
        kinds = list(_TYPE_WEIGHTS)
        if kim.profile == "rare":
            kinds = ["berita", "galeri"] if rng.random() < 0.6 else ["berita"]
        weights = [_TYPE_WEIGHTS[k] for k in kinds]
        pause_chance = {"star": 0.03, "middle": 0.18, "rare": 0.3}.get(kim.profile, 0.3)
        paused = {(y, m) for y in (2025, 2026) for m in range(1, 13) if rng.random() < pause_chance}
        number = 0
        for offset in range(days):
            day = ACTIVITY_START + timedelta(days=offset)
            if (day.year, day.month) in paused:
                continue
            rate = kim.rate * (1 + (kim.trend - 1) * offset / days)
            expected = rate / 7
            posts_today = int(expected) + (rng.random() < expected - int(expected))
            for _ in range(posts_today):
                number += 1
                kind = rng.choices(kinds, weights)[0]
                title = _title(rng, kind, kim, day)
                rows.append(
                    {
                        "kim_id": kim.id,
                        "type": kind,
                        "posted_on": day,
                        "title": title,
                        "url": f"https://{kim.slug}.kim.id/{kind}/{day:%Y/%m}/"
                        f"{slug(title, '-')[:60].rstrip('-')}-{number}",
                        "created_at": created_at,
                    }
                )
    for start in range(0, len(rows), 5000):
        db.session.execute(insert(ContentPost.__table__), rows[start : start + 5000])
    return len(rows)


# -------------------------------------------------------------------------------- measurements

_COVERAGE = {"2025-T4": 0.35, "2026-T1": 0.45, "2026-T2": 0.6, "2026-T3": 0.7}


def _create_measurements(
    rng: random.Random, kims: list[_Kim], period_rows: list[Period], users: dict[str, User]
) -> int:
    """K3, M1, M2 and D1 from monitoring visits of the latest periods, verified, with evidence;
    the petugas records his own kecamatan (verified by the admin), the admin the rest. Values
    follow each KIM's profile."""
    petugas, admin = users["petugas"], users["admin"]
    petugas_scope = set(petugas.scope_codes)
    level = {"star": 3, "middle": 2, "rare": 1, "silent": 0}
    rows = []
    for period in period_rows:
        if period.code not in MEASURED_PERIODS:
            continue
        coverage = _COVERAGE.get(period.code, 0.5)
        for kim in kims:
            if not kim.active:
                continue
            strength = level[kim.profile]
            # the busiest KIMs are visited every time; the others as the team's rounds allow
            if strength < 3 and rng.random() > coverage + 0.1 * strength:
                continue
            visit = period.end_date + timedelta(days=rng.randint(3, 20))
            recorder = petugas if kim.desa.kecamatan in petugas_scope else admin
            months = 3
            social_posts = max(0.0, rng.gauss(2.5 * strength + 0.5, 1.5)) * months
            values = {
                "K3": min(4, max(0, strength + rng.choice((0, 1, 1, -1)))),
                "M1": min(len(kim.channels), max(0, strength - rng.choice((0, 0, 1)))),
                "M2": round(social_posts / months, 1),
                "D1": min(4, max(0, strength - 1 + rng.choice((0, 1, 0, -1)))),
            }
            for code, value in values.items():
                rows.append(
                    {
                        "kim_id": kim.id,
                        "period_id": period.id,
                        "indicator_code": code,
                        "value": float(value),
                        "note": f"{data.EVIDENCE[code]} ({visit.day} "
                        f"{data.MONTHS[visit.month - 1]} {visit.year}).",
                        "status": MEASUREMENT_VERIFIED,
                        "recorded_by_id": recorder.id,
                        "recorded_at": datetime.combine(visit, time(10, 0)),
                        # the petugas's values are verified by the admin the next working day
                        "reviewed_by_id": admin.id,
                        "reviewed_at": datetime.combine(visit + timedelta(days=1), time(9, 0)),
                    }
                )
    if rows:
        db.session.execute(insert(Measurement.__table__), rows)
    return len(rows)


# ------------------------------------------------------------------------- coaching (issue 14)


def _create_coaching(kims: list[_Kim], users: dict[str, User], say: Progress) -> None:
    """The shipped topic catalogue and a year of coaching (October 2025 – September 2026): a
    session a month or so, kabupaten-wide (25 invited KIMs, the less active ones more often) or
    for two kecamatan (all their KIMs), with attendance by profile, 1–3 named participants per KIM
    and a guest or two, so P1 differs from KIM to KIM and quarter to quarter. Its own random
    generator: the rest of the district is the same with or without it."""
    from tracker.models import CoachingSession, Topic
    from tracker.models.coaching import (
        CoachingAttendance,
        CoachingInvitation,
        CoachingParticipant,
        session_topic,
    )
    from tracker.services.coaching.topics import ensure_default_topics

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
    attends = {"star": 0.9, "middle": 0.75, "rare": 0.55, "silent": 0.3}

    say("Membuat materi dan sesi pembinaan Oktober 2025 – September 2026…")
    rng = random.Random(RANDOM_SEED + 14)
    ensure_default_topics(None)
    topic_ids = dict(db.session.execute(select(Topic.name, Topic.id)).all())
    active = [k for k in kims if k.active]
    by_kecamatan: dict[str, list[_Kim]] = {}
    for kim in active:
        by_kecamatan.setdefault(kim.desa.kecamatan, []).append(kim)
    kabid = users["kabid"]
    invitations, attendance, people, links = [], [], [], []
    for first, days, jp, speaker, local, title, topic_names in sessions:
        start = date.fromisoformat(first)
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


# -------------------------------------------------------------------------------------- logins


@dataclass
class DemoLogin:
    username: str
    role: str
    scope: str
    password: str
    status: str  # "siap", "belum ada", "kata sandi sudah diganti"


def logins() -> list[DemoLogin]:
    """The demo accounts with their passwords, and whether each still works as printed."""
    usernames = [u[0] for u in data.DEMO_USERS]
    found = {
        u.username: u for u in db.session.scalars(select(User).where(User.username.in_(usernames)))
    }
    codes = {c for u in data.DEMO_USERS for c in u[2]}
    names = dict(
        db.session.execute(
            select(Region.code, Region.display_name).where(Region.code.in_(codes))
        ).all()
    )
    out = []
    for username, role, scope, _full_name, password in data.DEMO_USERS:
        user = found.get(username)
        if user is None:
            status = "belum ada"
        elif verify_password(user, password):
            status = "siap"
        else:
            status = "kata sandi sudah diganti"
        out.append(
            DemoLogin(
                username=username,
                role=ROLE_LABELS[role],
                scope=", ".join(f"{names.get(c, c)} ({c})" for c in scope),
                password=password,
                status=status,
            )
        )
    return out
