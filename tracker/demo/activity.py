"""The demo's activity: uploads, per-period totals and the values monitoring visits find.

Uploads and totals go in with bulk INSERTs, as a harvest and an import would leave them. The
values of the closed periods are stored as verified (what a petugas entered, a kabid verified the
next working day; what an admin entered counted at once). The open period's field work goes through
the product's own services as people do it (`field_work`): the petugas submits the values of his
kecamatan on the grid, the kabid verifies some, rejects one with a reason, and leaves the rest
waiting; a verification after the period's run leaves its results stale.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import insert

from tracker.demo import data
from tracker.demo.kims import DemoKim, slug
from tracker.demo.timeline import DemoCalendar
from tracker.extensions import db
from tracker.models import ContentCount, ContentPost, Measurement, Period, User
from tracker.models.activity import MEASUREMENT_VERIFIED
from tracker.scoring.periods import PeriodSpan
from tracker.services.activity import content_totals, measurements, verification

# ------------------------------------------------------------------------------------ uploads

_TYPE_WEIGHTS = {"berita": 58, "galeri": 22, "agenda": 14, "pengumuman": 6}


def _title(rng: random.Random, kind: str, kim: DemoKim, day: date) -> str:
    template = rng.choice(data.TITLES[kind])
    return template.format(
        desa=kim.desa.name,
        dusun=rng.choice(data.DUSUN),
        topik=rng.choice(data.TOPICS),
        bulan=data.MONTHS[day.month - 1],
        tahap=rng.randint(1, 3),
    )


def _burst_weeks(rng: random.Random, cal: DemoCalendar) -> set[date]:
    """The days a bursty KIM posts on: one week in each month."""
    days: set[date] = set()
    month = cal.activity_start.replace(day=1)
    while month <= cal.activity_end:
        first = month + timedelta(days=rng.randint(0, 20))
        days.update(first + timedelta(days=i) for i in range(7))
        month = (month + timedelta(days=32)).replace(day=1)
    return days


def create_posts(rng: random.Random, kims: list[DemoKim], cal: DemoCalendar) -> int:
    """Day by day, each KIM posts with a probability from its weekly rate, which drifts along
    its trend and pauses for whole months now and then (gaps, as the monitoring reports find);
    a bursty KIM posts a month's worth in one week."""
    start, end = cal.activity_start, cal.activity_end
    days = (end - start).days + 1
    rows: list[dict[str, Any]] = []
    for kim in kims:
        if kim.rate <= 0 or kim.site is None:
            continue
        # a less active KIM uses fewer content types
        kinds = list(_TYPE_WEIGHTS)
        if kim.profile == "rare":
            kinds = ["berita", "galeri"] if rng.random() < 0.6 else ["berita"]
        weights = [_TYPE_WEIGHTS[k] for k in kinds]
        pause_chance = {"star": 0.03, "middle": 0.18, "rare": 0.3}.get(kim.profile, 0.0)
        years = range(start.year, end.year + 1)
        paused = {(y, m) for y in years for m in range(1, 13) if rng.random() < pause_chance}
        bursts = _burst_weeks(rng, cal) if kim.profile == "burst" else None
        first_day = cal.periods[kim.posts_from].start
        number = 0
        for offset in range(days):
            day = start + timedelta(days=offset)
            if day < first_day or (day.year, day.month) in paused:
                continue
            if bursts is not None:
                if day not in bursts:
                    continue
                expected = kim.rate * 4.3 / 7  # a month's posts in seven days
            else:
                expected = kim.rate * (1 + (kim.trend - 1) * offset / days) / 7
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
                        "url": f"{kim.site}/{kind}/{day:%Y/%m}/"
                        f"{slug(title, '-')[:60].rstrip('-')}-{number}",
                        "created_at": datetime.combine(day + timedelta(days=1), time(2, 0)),
                    }
                )
    for first in range(0, len(rows), 5000):
        db.session.execute(insert(ContentPost.__table__), rows[first : first + 5000])
    content_totals.recount({row["kim_id"] for row in rows})
    return len(rows)


_TOTAL_SHARES = {"berita": 0.62, "galeri": 0.24, "agenda": 0.1, "pengumuman": 0.04}


def create_totals(
    rng: random.Random, kims: list[DemoKim], periods: list[Period], cal: DemoCalendar
) -> int:
    """Per-period totals (the Top Konten figures) for the KIMs whose uploads are not harvested;
    the open period's so far."""
    rows = []
    for kim in kims:
        if not (kim.totals_only and kim.active):
            continue
        for period in periods:
            last = min(period.end_date, cal.activity_end)
            weeks = max(0, (last - period.start_date).days + 1) / 7
            if weeks <= 0:
                continue
            uploads = kim.rate * weeks * rng.uniform(0.6, 1.3)
            counts = {
                kind: round(uploads * share * rng.uniform(0.7, 1.3))
                for kind, share in _TOTAL_SHARES.items()
            }
            rows.append(
                {
                    "kim_id": kim.id,
                    "period_id": period.id,
                    **counts,
                    "updated_at": datetime.combine(last + timedelta(days=1), time(8, 0)),
                }
            )
    if rows:
        db.session.execute(insert(ContentCount.__table__), rows)
    return len(rows)


# ------------------------------------------------------------------------- monitoring visits

# Which KIMs are on the team's rounds (the busiest always; of the others, these shares), and how
# likely a KIM on the rounds, or off them, is visited in a period.
_ON_ROUNDS = {"star": 1.0, "burst": 1.0, "middle": 0.8, "rare": 0.45, "silent": 0.15}
_VISITED = {True: 0.9, False: 0.12}
_ITEMS = 4  # K3: AD/ART, struktur, sekretariat, administrasi
_ITEM_SHARE = {"star": 0.75, "burst": 0.6, "middle": 0.35, "rare": 0.1, "silent": 0.03}
_ITEM_LAPSE = 0.25  # an item there this period is gone the next
_CHANNEL_ACTIVE = {3: 0.9, 2: 0.6, 1: 0.3, 0: 0.1}  # a channel posted on in the last 30 days


@dataclass
class Visit:
    """What a monitoring visit found at one KIM in one period."""

    kim: DemoKim
    day: date
    values: dict[str, float]


def _institution(rng: random.Random, kims: list[DemoKim], periods: int) -> dict[int, list[int]]:
    """K3 per KIM and period: few KIMs have their institutional items, and the items fall away
    and come back from one period to the next (a secretariat lost, a new chair without the
    administration books). Each item is there with its profile's share and lapses a quarter of
    the time; it comes back at the rate that keeps that share, so the district does not drift."""
    out: dict[int, list[int]] = {}
    for kim in kims:
        share = _ITEM_SHARE[kim.profile]
        back = _ITEM_LAPSE * share / (1 - share)
        present = [rng.random() < share for _ in range(_ITEMS)]
        counts = []
        for _ in range(periods):
            counts.append(sum(present))
            present = [
                rng.random() >= _ITEM_LAPSE if has else rng.random() < back for has in present
            ]
        out[kim.id] = counts
    return out


def plan_visits(
    rng: random.Random, kims: list[DemoKim], cal: DemoCalendar, busy: set[str]
) -> list[list[Visit]]:
    """Who is visited when, and what is found: K3, M1 (the channels active in the period's last
    30 days, counted on the KIM's accounts: social posts carry no dates here), M2 and D1, and a
    K1 "tidak" where the SK had lapsed. Closed periods are visited after they end; the open one
    during it, up to yesterday, and in the `busy` kecamatan (the petugas's) at least three KIMs
    so far. One list of visits per period, oldest first."""
    found: list[list[Visit]] = []
    items = _institution(rng, kims, len(cal.periods))
    on_rounds = {kim.id: rng.random() < _ON_ROUNDS[kim.profile] for kim in kims}
    for index, span in enumerate(cal.periods):
        # the rounds reach further as the programme matures
        reach = 0.8 + 0.2 * index / max(1, len(cal.periods) - 1)
        chosen = [
            kim
            for kim in kims
            if kim.active
            and (kim.strength == 3 or rng.random() < _VISITED[on_rounds[kim.id]] * reach)
        ]
        if index == len(cal.periods) - 1:
            for kecamatan in sorted(busy):
                there = [k for k in kims if k.active and k.desa.kecamatan == kecamatan]
                missing = 3 - sum(1 for k in chosen if k.desa.kecamatan == kecamatan)
                spare = sorted((k for k in there if k not in chosen), key=lambda k: -k.strength)
                chosen.extend(spare[: max(0, missing)])
        visits = []
        for kim in chosen:
            strength = kim.strength
            values: dict[str, float] = {
                "K3": float(items[kim.id][index]),
                "M1": float(sum(rng.random() < _CHANNEL_ACTIVE[strength] for _ in kim.channels)),
                "M2": round(max(0.0, rng.gauss(2.5 * strength + 0.5, 1.5)), 1),
                "D1": float(min(4, max(0, strength - 1 + rng.choice((0, 1, 0, -1))))),
            }
            if kim.sk_lapsed == index:
                values["K1"] = 0.0
            visits.append(Visit(kim, _visit_day(rng, span, cal), values))
        found.append(visits)
    return found


def _visit_day(rng: random.Random, span: PeriodSpan, cal: DemoCalendar) -> date:
    """A closed period is visited in the weeks after it ends, the open one so far."""
    if span.end < cal.today:
        return min(span.end + timedelta(days=rng.randint(3, 20)), cal.activity_end)
    return span.start + timedelta(days=rng.randint(0, max(0, (cal.activity_end - span.start).days)))


def _note(code: str, day: date) -> str:
    return f"{data.EVIDENCE[code]} ({day.day} {data.MONTHS[day.month - 1]} {day.year})."


def store_visits(
    visits: list[Visit], period: Period, users: dict[str, User], by_petugas: bool
) -> int:
    """The values of visits as stored verified: the petugas's kecamatan entered by him and
    verified by the kabid the next working day (`by_petugas`), the others entered by the admin
    (counted at once)."""
    petugas, kabid, admin = users["petugas"], users["kabid"], users["admin"]
    scope = set(petugas.scope_codes)
    rows = []
    for visit in visits:
        own = by_petugas and visit.kim.desa.kecamatan in scope
        recorded = datetime.combine(visit.day, time(10, 0))
        reviewer, reviewed = (kabid, recorded + timedelta(days=1)) if own else (admin, recorded)
        for code, value in visit.values.items():
            rows.append(
                {
                    "kim_id": visit.kim.id,
                    "period_id": period.id,
                    "indicator_code": code,
                    "value": value,
                    "note": _note(code, visit.day),
                    "status": MEASUREMENT_VERIFIED,
                    "recorded_by_id": (petugas if own else admin).id,
                    "recorded_at": recorded,
                    "reviewed_by_id": reviewer.id,
                    "reviewed_at": reviewed,
                }
            )
    if rows:
        db.session.execute(insert(Measurement.__table__), rows)
    return len(rows)


# -------------------------------------------------------------------- the open period, by hand


@dataclass
class FieldWork:
    """What the open period's field work left: how many values were submitted, verified before
    and after the run, rejected, and still waiting."""

    submitted: int = 0
    verified_before: int = 0
    verified_after: int = 0
    rejected: int = 0

    @property
    def waiting(self) -> int:
        return self.submitted - self.verified_before - self.verified_after - self.rejected


def _cells(visits: list[Visit]) -> dict[tuple[int, str], tuple[str, str]]:
    cells = {}
    for visit in visits:
        for code, value in visit.values.items():
            text = f"{value:g}".replace(".", ",")
            cells[(visit.kim.id, code)] = (text, _note(code, visit.day))
    return cells


def field_work(
    visits: list[Visit],
    period: Period,
    users: dict[str, User],
    pending_k1: list[DemoKim],
    assess: Callable[[], object],
) -> FieldWork:
    """The open period, as the office works it. The admin's values for the other kecamatan are
    stored as entered. The petugas submits his kecamatan's on the grid, and a K1 "ya" for each
    KIM of `pending_k1` (an SK the registry does not hold yet). In his first kecamatan the kabid
    verifies one KIM's values (when there are two KIMs or more) and rejects one value of the next
    with a reason; the rest, the K1s included, wait. `assess` runs the period; then the kabid
    verifies the petugas's other kecamatan, so those KIMs' results are stale until the next run."""
    petugas, kabid = users["petugas"], users["kabid"]
    scope = sorted(set(petugas.scope_codes))
    own = [v for v in visits if v.kim.desa.kecamatan in scope]
    store_visits([v for v in visits if v.kim.desa.kecamatan not in scope], period, users, False)
    work = FieldWork()
    for kecamatan in scope:
        cells = _cells([v for v in own if v.kim.desa.kecamatan == kecamatan])
        for kim in pending_k1:
            if kim.desa.kecamatan == kecamatan:
                cells[(kim.id, "K1")] = ("ya", data.K1_PENDING_NOTE)
        if cells:
            work.submitted += measurements.save_grid(petugas, period.code, kecamatan, cells).created
    first, *later = scope
    queue = verification.review_queue(kabid, period.code, first)
    waiting_k1 = {kim.id for kim in pending_k1}
    plain = [k for g in queue.groups for k in g.kims if k.kim_id not in waiting_k1]
    if len(plain) > 1:  # with a single KIM, its values are the ones that wait
        tokens = [v.token for v in plain[0].values]
        work.verified_before += verification.decide(
            kabid, period.code, tokens, kim_id=plain[0].kim_id
        ).verified
    if plain:
        values = plain[1 if len(plain) > 1 else 0].values
        refused = next((v for v in values if v.rule.code == "D1"), values[0])
        work.rejected += verification.decide(
            kabid, period.code, [refused.token], reject=True, reason=data.REJECT_REASON
        ).rejected
    assess()
    for kecamatan in later:
        tokens = [v.token for v in verification.review_queue(kabid, period.code, kecamatan).values]
        if tokens:
            work.verified_after += verification.decide(
                kabid, period.code, tokens, kecamatan_code=kecamatan
            ).verified
    return work
