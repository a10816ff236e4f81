"""Registry: a small region tree and KIMs.

The region slice is shaped like Lumajang's (province 35, kabupaten 35.08) with real place names,
but its codes are not the official ones for those names (officially Sukodono is 35.08.15): tests
need a stable tiny tree, and the bundled official list is tested on its own in
tests/registry/test_regions_*.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from tracker.extensions import db
from tracker.models import Kim, Region
from tracker.models.region import level_of, parent_of
from tracker.models.user import User
from tracker.services.common.import_pipeline import ImportResult, run_import
from tracker.services.registry.kim_import import KimImport


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


def import_kims(data: bytes, filename: str, user: User | None, **flags: Any) -> ImportResult:
    """The registry import as the pipeline runs it (`user=None`: the command line)."""
    return run_import(KimImport, data, filename, user, **flags)
