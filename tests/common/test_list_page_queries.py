"""Every list page runs the same number of queries whatever the number of rows it shows.

A page that loads a relation per row (an N+1) passes every other test on a handful of rows and
then takes seconds on a district of 400 KIMs. Each page is counted on a small district, the
district is grown (more KIMs, posts, assessments, users, audit entries, in both kecamatan), and
the page is counted again: the two counts must be equal.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from tests import factories
from tracker.extensions import db
from tracker.models import Period
from tracker.services.assessment.runner import assess_period
from tracker.services.common import audit_writer
from tracker.services.rules import frameworks

PERIOD = "2025-T1"

LIST_PAGES = [
    "/",
    "/kim/",
    "/kim/?sort=-name",
    "/kim/?status=aktif&tanpa_unggahan=30&belum_dikunjungi=180",
    "/wilayah/",
    "/wilayah/35.08",
    "/periode/",
    f"/penilaian/{PERIOD}",
    f"/penilaian/{PERIOD}?asal=2024-T4&asal_jenjang=Rintisan&surat=belum",
    "/penilaian/top-konten",
    "/admin/pengguna/",
    "/admin/audit/",
    "/kerangka/",
    "/kerangka/1",
    "/aktivitas/",
    f"/aktivitas/pengukuran/{PERIOD}?kecamatan=35.08.09",
    "/pembinaan/",
    "/pemantauan/",
    "/tindak-lanjut/?status=semua",
    "/surat/",
]


def grow(regions: factories.RegionTree, count: int, start: int) -> None:
    """`count` more KIMs with posts, a measurement and an audit entry each by a user of its own."""
    period = db.session.scalar(select(Period).where(Period.code == PERIOD))
    for n in range(start, start + count):
        admin = factories.user("admin", username=f"penambah{n}")
        desa = (regions.desa_a1, regions.desa_a2, regions.desa_b1)[n % 3]
        kim = factories.kim(desa, name=f"KIM Daftar {n:03}", kimid_number=f"KIM-{n:03}")
        day = date(2025, 1, 6) + timedelta(days=n % 60)
        factories.make_posts(kim, ("berita", day), ("galeri", day + timedelta(days=3)))
        factories.make_measurement(kim, period, "D1", 2)
        audit_writer.record("kim.update", "kim", kim.id, admin, params={"name": kim.name})
        db.session.commit()
    assess_period(PERIOD, None)


@pytest.fixture
def district(regions: factories.RegionTree) -> factories.RegionTree:
    frameworks.ensure_default()
    factories.make_period(PERIOD)
    factories.make_period("2024-T4", state="closed")
    grow(regions, 3, 0)
    return regions


@pytest.mark.parametrize("url", LIST_PAGES)
def test_list_page_queries_do_not_grow_with_rows(
    client, login_as, district, count_queries, url: str
) -> None:
    login_as("admin", username="pembaca")
    with count_queries() as few:
        first = client.get(url)
    assert first.status_code == 200, url
    grow(district, 6, 100)
    with count_queries() as many:
        second = client.get(url)
    assert second.status_code == 200, url
    assert len(many) == len(few), f"{url}: {len(few)} queries with 3 KIMs, {len(many)} with 9"


def test_kim_pages_queries_do_not_grow_with_history(
    client, login_as, district, count_queries
) -> None:
    """A KIM's page and its assessment page: a longer audit history and more posts cost nothing
    more."""
    login_as("admin", username="pembaca")
    kim = factories.kim(district.desa_a1, name="KIM Riwayat")
    admin = factories.user("admin", username="pengubah")
    urls = [f"/kim/{kim.id}", f"/penilaian/{PERIOD}/kim/{kim.id}"]
    assess_period(PERIOD, None)
    counts = []
    for _round in range(2):
        for n in range(4):
            audit_writer.record("kim.update", "kim", kim.id, admin, params={"name": f"KIM {n}"})
            factories.make_posts(kim, ("berita", date(2025, 2, 1) + timedelta(days=n)))
        db.session.commit()
        assess_period(PERIOD, None)
        with count_queries() as statements:
            for url in urls:
                assert client.get(url).status_code == 200, url
        counts.append(len(statements))
    assert counts[0] == counts[1]
