"""Small data factories for tests: real Lumajang codes, the fewest rows a test needs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from argon2 import PasswordHasher

from tracker.extensions import db
from tracker.models import Kim, Region, User, UserScope
from tracker.models.region import level_of, parent_of

PASSWORD = "rahasia-uji-123"
# Hashing is deliberately slow in production; tests use the cheapest Argon2id parameters.
_FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


@dataclass
class RegionTree:
    provinsi: str = "35"
    kabupaten: str = "35.08"
    kec_a: str = "35.08.09"  # Kec. Sukodono (name used in tests: "Sukodono")
    kec_b: str = "35.08.02"  # Kec. Pasirian
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
