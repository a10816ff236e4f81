"""The demo district: Kabupaten Lumajang with ~200 KIMs, eight triwulan of activity up to the
office's today, monitoring visits every period, one account per role, and every period assessed:
the seven past ones closed, the current one open with field work still under way.

The demo is there to show every rule of the assessment at work (`census` counts them from what was
stored, and `flask demo seed` prints the table): gates that fail and that change between periods,
a high score held below Maju by W2, promotions capped and demotions held or applied by the
stability rule, data missing, KIMs known only by their per-period totals or by a site without a
KIM.id number, institutional items that come and go, P set by rule while no coaching is recorded,
values submitted, verified, rejected, and a result left stale by a verification after the run.

Deterministic for a given day (fixed random seeds, one stream per concern, so adding a story does
not reshuffle the district), and placed relative to that day (`timeline`), so it stays sensible
next year. Rows go in with bulk INSERTs, so the whole seed takes seconds; the assessment is the
product's own `assess_period`, period by period in order so tier stability has a history, and the
open period's entries and verifications go through the product's own services. One unit of work.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select

from tracker.demo import DEFAULT_KIM_COUNT, activity, data, kims
from tracker.demo import coaching as coaching_demo
from tracker.demo import visits as visits_demo
from tracker.demo.census import RuleCount, rule_counts
from tracker.demo.kims import DEMO_KABUPATEN
from tracker.demo.timeline import DemoCalendar, demo_calendar
from tracker.extensions import db
from tracker.models import Kim, Measurement, Period, Region, User
from tracker.models.kim import STATUS_ACTIVE
from tracker.models.user import ROLE_LABELS, UserScope
from tracker.services.accounts.authentication import (
    check_new_password,
    hash_password,
    verify_password,
)
from tracker.services.assessment.runner import assess_period
from tracker.services.common import audit_writer
from tracker.services.common.clock import office_today
from tracker.services.common.errors import Invalid
from tracker.services.common.unit_of_work import transaction
from tracker.services.registry import regions
from tracker.services.rules import periods
from tracker.services.rules.frameworks import ensure_default

RANDOM_SEED = 3508

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
    totals: int = 0
    measurements: int = 0
    users: list[str] = field(default_factory=list)
    periods: list[str] = field(default_factory=list)
    closed: list[str] = field(default_factory=list)
    open_period: str = ""
    assessed: dict[str, int] = field(default_factory=dict)
    field_work: activity.FieldWork | None = None
    rules: list[RuleCount] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # a line per part seeded beside the rules


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


def _stream(concern: str) -> random.Random:
    """A random stream of its own for one concern of the generator."""
    return random.Random(f"{RANDOM_SEED}:{concern}")


def seed(
    force: bool = False,
    if_empty: bool = False,
    kim_count: int = DEFAULT_KIM_COUNT,
    progress: Progress | None = None,
    assess: bool = True,
    today: date | None = None,
) -> SeedReport:
    """Load the demo district as of `today` (default: the office's today). Refuses a non-empty
    database unless `force` (which wipes it first); with `if_empty` a non-empty database is left
    alone and the report says so. Without `assess` no period is assessed (nor counted)."""
    say = progress or (lambda message: None)
    cal = demo_calendar(today or office_today())
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
        district = kims.create_district(
            random.Random(RANDOM_SEED), _stream("stories"), kims.desa_rows(), kim_count, cal
        )
        report.kims = len(district.kims)
        report.channels = sum(len(k.channels) for k in district.kims)

        say("Membuat periode " + ", ".join(cal.codes) + "…")
        period_rows = _create_periods(cal)
        report.periods = [p.code for p in period_rows]

        say(f"Membuat unggahan konten {_span_text(cal)}…")
        report.posts = activity.create_posts(_stream("posts"), district.kims, cal)
        report.totals = activity.create_totals(_stream("totals"), district.kims, period_rows, cal)
        say("Mencatat hasil pemantauan (K3, M1, M2, D1) setiap periode…")
        petugas_scope = set(users["petugas"].scope_codes)
        visits = activity.plan_visits(_stream("visits"), district.kims, cal, petugas_scope)
        for period, found in zip(period_rows[:-1], visits, strict=False):
            activity.store_visits(found, period, users, by_petugas=True)
        say("Mencatat kunjungan pemantauan, foto dan tindak lanjut…")
        report.notes.append(
            visits_demo.create_visits(_stream("monitoring"), district.kims, period_rows, users, cal)
        )
        say("  " + report.notes[-1])
        coaching_demo.create_coaching(_stream("coaching"), district.kims, users, cal, say)
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
                "users": report.users,
                "periods": report.periods,
            },
            region=DEMO_KABUPATEN,
        )

        say("Menyiapkan kerangka penilaian bawaan…")
        ensure_default(None)
        for index, period in enumerate(period_rows[:-1]):
            kims.apply_changes(district.changes, index, cal)
            if assess:
                _assess(period, report, say)
            periods.close_period(period.code, None)
            report.closed.append(period.code)

        current = period_rows[-1]
        report.open_period = current.code
        kims.apply_changes(district.changes, len(period_rows) - 1, cal)
        say(f"Pemantauan periode {current.code} yang masih berjalan: isian petugas, verifikasi…")
        report.field_work = activity.field_work(
            visits[-1],
            current,
            users,
            _without_sk(district.kims, min(petugas_scope)),
            (lambda: _assess(current, report, say)) if assess else (lambda: None),
        )
        report.measurements = db.session.scalar(select(func.count()).select_from(Measurement))
        if assess:
            report.rules = rule_counts()
    return report


def _span_text(cal: DemoCalendar) -> str:
    first, last = cal.activity_start, cal.activity_end
    month = data.MONTHS
    return f"{month[first.month - 1]} {first.year} – {last.day} {month[last.month - 1]} {last.year}"


def _assess(period: Period, report: SeedReport, say: Progress) -> None:
    run = assess_period(period, None)
    report.assessed[period.code] = run.kims_assessed
    say(f"  {period.code}: {run.kims_assessed} KIM dinilai")


def _without_sk(district: list[kims.DemoKim], kecamatan: str) -> list[kims.DemoKim]:
    """One active KIM of the kecamatan whose SK the registry does not hold (if any)."""
    ids = set(
        db.session.scalars(
            select(Kim.id).where(
                Kim.sk_number.is_(None),
                Kim.status == STATUS_ACTIVE,
                Kim.desa_code.like(kecamatan + ".%"),
            )
        )
    )
    return [k for k in district if k.id in ids][:1]


def _create_periods(cal: DemoCalendar) -> list[Period]:
    existing = set(db.session.scalars(select(Period.code)))
    for code in cal.codes:
        if code not in existing:
            periods.add_period(code, None)
    return list(
        db.session.scalars(
            select(Period).where(Period.code.in_(cal.codes)).order_by(Period.start_date)
        )
    )


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
