"""Small data factories for tests: the fewest rows a test needs.

The region slice is shaped like Lumajang's (province 35, kabupaten 35.08) with real place names,
but its codes are not the official ones for those names (officially Sukodono is 35.08.15): tests
need a stable tiny tree, and the bundled official list is tested on its own in test_regions_*.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from argon2 import PasswordHasher

from tracker.extensions import db
from tracker.models import Kim, LoginFailure, Region, User, UserScope
from tracker.models.base import utcnow
from tracker.models.region import level_of, parent_of

PASSWORD = "rahasia-uji-123"
# Hashing is deliberately slow in production; tests use the cheapest Argon2id parameters.
_FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


@dataclass
class RegionTree:
    provinsi: str = "35"
    kabupaten: str = "35.08"
    kec_a: str = "35.08.09"  # named "Sukodono" here
    kec_b: str = "35.08.02"  # named "Pasirian" here
    desa_a1: str = "35.08.09.2001"
    desa_a2: str = "35.08.09.2002"
    desa_b1: str = "35.08.02.2001"


_REGIONS = [
    ("35", "Jawa Timur", None),
    ("35.08", "Kabupaten Lumajang", "kabupaten"),
    ("35.08.09", "Sukodono", None),
    ("35.08.02", "Pasirian", None),
    ("35.08.09.2001", "Kutorenon", "desa"),
    ("35.08.09.2002", "Sumberejo", "desa"),
    ("35.08.02.2001", "Condro", "desa"),
]


def region_tree() -> RegionTree:
    for code, name, kind in _REGIONS:
        db.session.add(
            Region(
                code=code, name=name, level=level_of(code), kind=kind, parent_code=parent_of(code)
            )
        )
    db.session.commit()
    return RegionTree()


def user(
    role: str = "admin",
    scope: list[str] | None = None,
    username: str | None = None,
    password: str = PASSWORD,
    **fields: Any,
) -> User:
    u = User(
        username=username or f"{role}-user",
        full_name=fields.pop("full_name", f"Pengguna {role}"),
        password_hash=_FAST_HASHER.hash(password),
        role=role,
        **fields,
    )
    u.scopes = [UserScope(region_code=c) for c in (scope or ["35.08"])]
    db.session.add(u)
    db.session.commit()
    return u


def login_failures(username: str, address: str, count: int, seconds_ago: float = 0) -> None:
    """`count` failed logins on `username` from `address`, the last one `seconds_ago` (as if an
    attacker had been at it for a while, without waiting out the back-off in the test)."""
    last = utcnow() - timedelta(seconds=seconds_ago)
    for n in range(count):
        at = last - timedelta(seconds=count - 1 - n)
        db.session.add(LoginFailure(username=username, remote_addr=address, attempted_at=at))
    db.session.commit()


_kim_counter = 0


def kim(desa_code: str = "35.08.09.2001", name: str | None = None, **fields: Any) -> Kim:
    global _kim_counter
    _kim_counter += 1
    name = name or f"KIM Uji {_kim_counter}"
    k = Kim(
        name=name,
        desa_code=desa_code,
        sk_number=fields.pop("sk_number", f"188/{_kim_counter}/427.88/2024"),
        sk_date=fields.pop("sk_date", date(2024, 1, 15)),
        **fields,
    )
    db.session.add(k)
    db.session.commit()
    return k


# --- assessment data (H6): periods, posts, period totals, measurements ---------------------------


def make_period(code: str = "2025-T1", state: str = "open") -> Any:
    from tracker.models import Period
    from tracker.scoring.periods import parse_period_code

    span = parse_period_code(code)
    p = Period(
        code=span.code, kind=span.kind, start_date=span.start, end_date=span.end, state=state
    )
    db.session.add(p)
    db.session.commit()
    return p


def make_posts(kim: Kim, *posts: tuple[str, date]) -> None:
    """make_posts(k, ("berita", date(2025, 1, 3)), ("galeri", date(2025, 2, 1)), ...)."""
    from tracker.models import ContentPost

    for number, (kind, day) in enumerate(posts):
        db.session.add(
            ContentPost(
                kim_id=kim.id,
                type=kind,
                posted_on=day,
                title=f"{kind} {day.isoformat()} {number}",
                url=f"https://kim.example/{kim.id}/{kind}/{day.isoformat()}/{number}",
            )
        )
    db.session.commit()


def make_count(
    kim: Kim, period: Any, berita: int = 0, galeri: int = 0, pengumuman: int = 0, agenda: int = 0
) -> Any:
    from tracker.models import ContentCount

    c = ContentCount(
        kim_id=kim.id,
        period_id=period.id,
        berita=berita,
        galeri=galeri,
        pengumuman=pengumuman,
        agenda=agenda,
    )
    db.session.add(c)
    db.session.commit()
    return c


def make_measurement(
    kim: Kim,
    period: Any,
    code: str,
    value: float,
    verified: bool = True,
    note: str | None = "bukti uji",
) -> Any:
    from tracker.models import Measurement

    m = Measurement(
        kim_id=kim.id,
        period_id=period.id,
        indicator_code=code,
        value=value,
        verified=verified,
        note=note,
    )
    db.session.add(m)
    db.session.commit()
    return m
