"""The demo's KIMs: who they are, where they are, how busy, and the few whose story exercises a
rule of the assessment.

Most KIMs follow a profile (star, middle, rare, silent) that sets how often they post and how
strong they are at a monitoring visit. A few are given a story on top, chosen with their own
random stream so the district's names and places stay the same whatever stories are added:

- *burst*: posts a lot, but in one week a month: a high score held below Maju by W2 < 50;
- *totals only*: its uploads are not harvested, only the per-period totals (Top Konten figures);
- *site only*: a website of its own, no KIM.id number (K2 "ya" from the site);
- *late SK* / *late KIM.id*: the registry gets its SK, or its KIM.id registration, in a later
  period: a gate that changes between periods (and, for a strong KIM, a promotion capped);
- *SK lapsed*: one period in which its SK had lapsed (a verified K1 "tidak"): a gate that fails
  and a tier that drops at once.
"""

from __future__ import annotations

import random
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import insert, select, update

from tracker.demo import data
from tracker.demo.timeline import DemoCalendar
from tracker.extensions import db
from tracker.models import Kim, KimChannel, Region
from tracker.models.kim import STATUS_ACTIVE, STATUS_INACTIVE
from tracker.models.region import LEVEL_DESA, LEVEL_KECAMATAN
from tracker.text import fold

DEMO_KABUPATEN = "35.08"
STRENGTH = {"star": 3, "burst": 3, "middle": 2, "rare": 1, "silent": 0}

# Stories need a district of some size; below it the demo is the profiles alone.
STORIES_FROM = 10
# A registry change reaches the registry this many days into its period (an SK issued before).
_ENTERED_AFTER = 20


@dataclass
class DemoDesa:
    code: str
    name: str
    kecamatan: str
    kecamatan_name: str


@dataclass
class DemoKim:
    id: int
    name: str
    slug: str
    desa: DemoDesa
    rate: float  # posts per week at the start of the timeline
    trend: float  # rate multiplier reached at the end of the timeline
    active: bool
    profile: str  # star, burst, middle, rare, silent
    site: str | None  # where its uploads are harvested from (None: nothing is harvested)
    famous: bool = False
    channels: list[str] = field(default_factory=list)
    totals_only: bool = False  # per-period totals instead of a list of uploads
    posts_from: int = 0  # index of the first period with uploads (a late KIM.id registration)
    sk_lapsed: int | None = None  # index of the period in which its SK had lapsed

    @property
    def strength(self) -> int:
        """How much a monitoring visit finds (0–3)."""
        return STRENGTH[self.profile]


@dataclass(frozen=True)
class RegistryChange:
    """Registry fields a KIM gets in a later period, before that period is assessed."""

    period_index: int
    kim_id: int
    values: dict[str, Any]


@dataclass
class District:
    kims: list[DemoKim]
    changes: list[RegistryChange]


def desa_rows() -> list[DemoDesa]:
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
    return [DemoDesa(code, name, parent, kecamatan[parent]) for code, name, parent in rows]


def slug(text: str, sep: str = "") -> str:
    """'KIM Tukum Mandiri' → 'tukummandiri' (the KIM.id subdomain style); with `sep="-"` a
    title becomes a path segment: 'Kerja bakti di Dusun Krajan' → 'kerja-bakti-di-dusun-krajan'."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    text = re.sub(r"^kim\s+", "", text)
    return re.sub(r"[^a-z0-9]+", sep, text).strip("-")


def _spread(rng: random.Random, desa: list[DemoDesa], taken: set[str]) -> Iterable[DemoDesa]:
    """Desa in round-robin over the kecamatan (so a small seed still touches every kecamatan),
    then round after round for a second KIM in a desa when more KIMs than desa are asked."""
    by_kec: dict[str, list[DemoDesa]] = {}
    for d in desa:
        by_kec.setdefault(d.kecamatan, []).append(d)
    for group in by_kec.values():
        rng.shuffle(group)
    order: list[DemoDesa] = []
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


@dataclass
class _Planned:
    """A KIM before it is inserted: its registry row and what the generators need."""

    row: dict[str, Any]
    desa: DemoDesa
    profile: str
    rate: float
    trend: float
    famous: bool
    story: str = ""
    changes: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    totals_only: bool = False
    posts_from: int = 0
    sk_lapsed: int | None = None


def _plan(rng: random.Random, desa: list[DemoDesa], count: int, now: datetime) -> list[_Planned]:
    by_code = {d.code: d for d in desa}
    famous = [f for f in data.FAMOUS_KIMS if f[1] in by_code][:count]
    chosen: list[tuple[str, DemoDesa, str, float, float]] = [
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

    planned: list[_Planned] = []
    inactive_left = max(1, round(count * 0.04)) if count >= 10 else 0
    seq_by_kec: dict[str, int] = {}
    for index, (name, d, profile, rate, trend) in enumerate(chosen):
        active = True
        if inactive_left and profile == "silent" and rng.random() < 0.3:
            active, inactive_left = False, inactive_left - 1
        registered = profile in ("star", "middle") or rng.random() < 0.8
        has_site = registered and (profile != "silent" or rng.random() < 0.5)
        with_sk = profile == "star" or rng.random() < 0.9
        seq_by_kec[d.kecamatan] = seq_by_kec.get(d.kecamatan, 0) + 1
        sk_date = date(rng.randint(2016, 2024), rng.randint(1, 12), rng.randint(1, 28))
        kim_slug = slug(name)
        row = {
            "name": name,
            "name_key": fold(name),
            "desa_code": d.code,
            "kimid_number": f"KIM-{d.code.replace('.', '')}-{index + 1:03d}"
            if registered
            else None,
            "website": f"https://{kim_slug}.kim.id" if has_site else None,
            "sk_number": _sk_number(d, seq_by_kec[d.kecamatan], sk_date) if with_sk else None,
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
        planned.append(_Planned(row, d, profile, rate, trend, index < len(famous)))
    return planned


def _sk_number(d: DemoDesa, sequence: int, sk_date: date) -> str:
    kec_number = int(d.kecamatan.rsplit(".", 1)[1])
    return f"188/{sequence:02d}/427.{kec_number + 40}/{sk_date.year}"


# ----------------------------------------------------------------------------------- stories


def _pick(
    rng: random.Random, planned: list[_Planned], n: int, *profiles: str, **needs: bool
) -> list[_Planned]:
    """Up to `n` KIMs without a story yet, of the first of `profiles` that has any, then the
    next; `needs` names registry facts they must have (sk, kimid, site)."""
    picked: list[_Planned] = []
    for profile in profiles:
        pool = [
            p
            for p in planned
            if not p.famous
            and not p.story
            and p.profile == profile
            and p.row["status"] == STATUS_ACTIVE
            and all(bool(p.row[_FACTS[name]]) == wanted for name, wanted in needs.items())
        ]
        rng.shuffle(pool)
        picked.extend(pool[: n - len(picked)])
        if len(picked) >= n:
            break
    return picked


_FACTS = {"sk": "sk_number", "kimid": "kimid_number", "site": "website"}


def _tell_stories(rng: random.Random, planned: list[_Planned], cal: DemoCalendar) -> None:
    """Give a few KIMs the stories of the module docstring (see there), in place."""
    count = len(planned)
    if count < STORIES_FROM:
        return
    closed = len(cal.closed)
    some = max(1, round(count * 0.03))
    for p in _pick(rng, planned, some, "middle", "rare", sk=True, kimid=True, site=True):
        p.story, p.profile = "burst", "burst"
        p.rate = rng.uniform(3.0, 4.0)  # a month's posts, all in one week
    for p in _pick(rng, planned, max(1, round(count * 0.04)), "middle", "rare", kimid=True):
        p.story, p.totals_only = "totals", True
        p.rate = max(p.rate, rng.uniform(0.8, 2.2))
    for p in _pick(rng, planned, some, "middle", "rare", "star", site=True, kimid=True):
        p.story = "site-only"
        p.row["kimid_number"] = None
        p.row["website"] = f"https://{slug(p.row['name'], '-')}.desa.id"
    # a gate that changes: the SK, or the KIM.id registration, reaches the registry later
    for p in _pick(rng, planned, some, "star", "middle", sk=True, kimid=True):
        p.story = "late-sk"
        index = rng.randint(2, closed - 2)
        issued = cal.periods[index].start + timedelta(days=rng.randint(0, _ENTERED_AFTER - 1))
        number = _sk_number(p.desa, 90 + rng.randint(0, 9), issued)
        p.changes.append((index, {"sk_number": number, "sk_date": issued}))
    for p in _pick(rng, planned, some, "middle", "star", sk=True, kimid=True, site=True):
        p.story = "late-kimid"
        index = rng.randint(2, closed - 2)
        p.posts_from = index
        # None: the value the KIM was planned with (see _registry_timeline)
        p.changes.append((index, {"kimid_number": None, "website": None}))
    for p in _pick(rng, planned, 1, "star", "middle", sk=True, kimid=True):
        p.story = "sk-lapsed"
        p.sk_lapsed = rng.randint(3, closed - 1)


def _registry_timeline(planned: list[_Planned]) -> None:
    """A change names the fields a KIM gets later, with their value (None: the value it was
    planned with); until then the registry holds none of them. The row is inserted without them,
    and the change brings them in its period."""
    for p in planned:
        for i, (index, values) in enumerate(p.changes):
            later = {name: p.row[name] if v is None else v for name, v in values.items()}
            for name in values:
                p.row[name] = None
            p.changes[i] = (index, later)


# ------------------------------------------------------------------------------------ insert


def create_district(
    rng: random.Random, stories: random.Random, desa: list[DemoDesa], count: int, cal: DemoCalendar
) -> District:
    """Insert the KIMs (registry as it was before the first period) and their channels."""
    now = datetime.combine(cal.activity_start - timedelta(days=14), time(8, 0))
    planned = _plan(rng, desa, count, now)
    _tell_stories(stories, planned, cal)
    _registry_timeline(planned)
    # Core INSERT on the table: one executemany (the ORM bulk path splits a batch wherever a
    # column switches between NULL and a value)
    db.session.execute(insert(Kim.__table__), [p.row for p in planned])
    ids = {
        (desa_code, name_key): kim_id
        for kim_id, desa_code, name_key in db.session.execute(
            select(Kim.id, Kim.desa_code, Kim.name_key)
        )
    }
    kims: list[DemoKim] = []
    changes: list[RegistryChange] = []
    for p in planned:
        row = p.row
        active = row["status"] == STATUS_ACTIVE
        site = row["website"] or next((v.get("website") for _i, v in p.changes), None)
        rate, profile = p.rate, p.profile
        if not active:
            rate, profile = 0.0, "silent"
        elif site is None and not p.totals_only:
            rate = 0.0  # uploads are harvested from the KIM's site
        kim = DemoKim(
            id=ids[(row["desa_code"], row["name_key"])],
            name=row["name"],
            slug=slug(row["name"]),
            desa=p.desa,
            rate=rate,
            trend=p.trend,
            active=active,
            profile=profile,
            site=None if p.totals_only else site,
            famous=p.famous,
            totals_only=p.totals_only,
            posts_from=p.posts_from,
            sk_lapsed=p.sk_lapsed,
        )
        kims.append(kim)
        changes.extend(RegistryChange(index, kim.id, values) for index, values in p.changes)
    create_channels(rng, kims)
    return District(kims, sorted(changes, key=lambda c: (c.period_index, c.kim_id)))


def apply_changes(changes: Iterable[RegistryChange], period_index: int, cal: DemoCalendar) -> int:
    """Write the registry changes of one period (before it is assessed); how many."""
    done = 0
    start = cal.periods[period_index].start
    when = datetime.combine(start + timedelta(days=_ENTERED_AFTER), time(9, 0))
    for change in changes:
        if change.period_index != period_index:
            continue
        db.session.execute(
            update(Kim)
            .where(Kim.id == change.kim_id)
            .values(**change.values, version=Kim.version + 1, updated_at=when)
            .execution_options(synchronize_session=False)
        )
        done += 1
    return done


_CHANNEL_URLS = {
    "facebook": "https://www.facebook.com/kim{slug}",
    "instagram": "https://www.instagram.com/kim.{slug}",
    "youtube": "https://www.youtube.com/@kim{slug}",
    "tiktok": "https://www.tiktok.com/@kim{slug}",
}


def create_channels(rng: random.Random, kims: list[DemoKim]) -> int:
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
