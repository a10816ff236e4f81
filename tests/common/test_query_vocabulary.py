"""One query vocabulary: the region display name as one expression on the model, one join for
where a KIM lies, one sort-key parser, one paginator (for queries and for rows computed in
memory), `Page.map`. The lists built from them keep their query counts, whatever the rows."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import date

import pytest
from sqlalchemy import select

from tests import factories
from tracker.extensions import db
from tracker.models import Kim, Region, User
from tracker.services.assessment import reports, whatif
from tracker.services.assessment.runner import assess_period
from tracker.services.common.pagination import Page, paginate_rows
from tracker.services.common.sorting import SortKeys
from tracker.services.registry import kims
from tracker.services.registry.places import Desa, Kecamatan, located
from tracker.services.reports import leaderboard
from tracker.services.rules import frameworks

# --- the list pages keep their query counts ------------------------------------------------------

LISTS = {
    "registry": lambda u: kims.registry_page(u, kims.KimFilter(sort="-kecamatan"), 1, 10),
    "registry filtered": lambda u: kims.registry_page(
        u, kims.KimFilter(q="kim", desa="35.08.09.2001", sort="sk_date"), 2, 10
    ),
    "period overview": lambda u: reports.period_overview(
        u, "2025-T2", reports.OverviewFilter(sort="desa"), per_page=10
    ),
    "kim assessment": lambda u: reports.kim_assessment(u, "2025-T2", 1),
    "top konten": lambda u: leaderboard.leaderboard_page(u, date(2025, 12, 31), per_page=10),
    "what-if": lambda u: whatif.version_page(2, u, "2025-T2", page=2),
}
# statements each list runs, measured before the vocabulary was shared; a change here is a
# change of the query plan, not of the refactoring
QUERIES = {
    "registry": 5,
    "registry filtered": 6,
    "period overview": 14,  # + 1: whether the results are stale (assessment.freshness);
    # - 2: the movers of both directions in one query (movers_between), + 1: their counts
    # (each direction is now cut to the rows shown by a bounded sort, not numbered by a window);
    # - 1: those counts come with the tier counts (one grouped query, kecamatan_tiers); the page
    # is chosen by id then read (+ 1), the unfiltered list not counted (- 1: the tier counts' sum)
    "kim assessment": 12,  # + who entered and verified its values; + whether it is stale;
    # + the topic catalogue (the roadmap's training topics)
    "top konten": 6,  # + 1: whether any post is dated after the date (the newest post date)
    "what-if": 19,  # + P1 (sessions attended) and P2 (follow-ups): one grouped query each
}


def _district(count: int) -> None:
    """`count` KIMs spread over three desa, with posts, assessed in two periods: Maju at 60
    points in 2025-T2, held at Berkembang by the one-tier-a-period rule the draft relaxes."""
    desas = ["35.08.09.2001", "35.08.09.2002", "35.08.02.2001"]
    t1, t2 = factories.make_period("2025-T1"), factories.make_period("2025-T2")
    for i in range(count):
        kim = factories.kim(desas[i % 3], name=f"KIM Uji {i:03d}", kimid_number=f"KIM-{i:03d}")
        factories.make_posts(kim, *[("berita", date(2025, 4, 1 + n)) for n in range(i % 5)])
        for code, value in {"K3": 4, "D1": 4, "W2": 100, "W3": 4}.items():
            factories.make_measurement(kim, t2, code, value)
    assess_period(t1, None)
    assess_period(t2, None)


@pytest.fixture
def viewer(regions: factories.RegionTree) -> User:
    frameworks.ensure_default()
    draft = frameworks.create_draft(1, None)
    frameworks.edit_draft(draft.version, {"stab_max_promotion": "2"}, None)  # two tiers a period
    return factories.user("viewer", username="lihat")


@pytest.mark.parametrize("name", sorted(LISTS))
def test_a_list_runs_the_same_queries_for_few_and_many_rows(
    viewer: User, name: str, count_queries: Callable[[], AbstractContextManager[list[str]]]
) -> None:
    _district(4)
    with count_queries() as few:
        LISTS[name](viewer)
    for i in range(40):
        factories.kim("35.08.02.2001", name=f"KIM Tambahan {i:03d}")
    assess_period("2025-T2", None)
    with count_queries() as many:
        LISTS[name](viewer)
    assert len(few) == len(many) == QUERIES[name]


# --- the pieces -----------------------------------------------------------------------------------


def test_display_name_is_one_expression_in_python_and_in_sql(regions: factories.RegionTree) -> None:
    shouting = db.session.get(Region, regions.kec_a)
    assert shouting is not None
    shouting.name, shouting.tidy_name = "SUKODONO", "Sukodono"
    db.session.commit()
    assert shouting.display_name == "Sukodono"
    assert db.session.get(Region, regions.kec_b).display_name == "Pasirian"  # no tidy form
    in_sql = dict(
        db.session.execute(
            select(Region.code, Region.display_name).where(
                Region.code.in_([regions.kec_a, regions.kec_b])
            )
        ).all()
    )
    assert in_sql == {regions.kec_a: "Sukodono", regions.kec_b: "Pasirian"}
    # an alias's own expression: the KIM's kecamatan, not the table's first row
    factories.kim(regions.desa_a1, name="KIM Sumber Makmur")
    row = db.session.execute(
        located(select(Kim.name, Desa.display_name, Kecamatan.display_name))
    ).one()
    assert tuple(row) == ("KIM Sumber Makmur", "Kutorenon", "Sukodono")


def test_located_keeps_a_kim_without_kecamatan_only_when_asked(
    regions: factories.RegionTree,
) -> None:
    factories.kim(regions.desa_a1)
    db.session.execute(
        Region.__table__.update().where(Region.code == regions.desa_a1).values(parent_code=None)
    )
    db.session.commit()
    stmt = select(Kim.name, Kecamatan.display_name)
    assert db.session.execute(located(stmt)).all() == []
    kept = db.session.execute(located(stmt, kecamatan_optional=True)).all()
    assert [kecamatan for _name, kecamatan in kept] == [None]


SORTS = SortKeys({"name": Kim.name_key, "sk_date": Kim.sk_date}, "name", nulls_last={"sk_date"})


@pytest.mark.parametrize(
    ("asked", "read"),
    [
        ("name", "name"),
        ("-name", "-name"),
        ("sk_date", "sk_date"),
        (" -sk_date ", "-sk_date"),
        ("", "name"),
        (None, "name"),
        ("--name", "name"),
        ("password", "name"),
        ("-", "name"),
    ],
)
def test_a_sort_key_is_read_the_same_way_on_every_list(asked: str | None, read: str) -> None:
    assert SORTS.normalized(asked) == read


def test_a_sort_key_orders_both_ways_with_empty_values_last(regions: factories.RegionTree) -> None:
    for name, day in (("B", date(2024, 2, 1)), ("A", None), ("C", date(2024, 1, 1))):
        factories.kim(regions.desa_a1, name=name, sk_date=day)

    def names(sort: str) -> list[str]:
        stmt = select(Kim.name).order_by(SORTS.order_by(sort), Kim.name_key)
        return list(db.session.scalars(stmt))

    assert names("name") == ["A", "B", "C"]
    assert names("-name") == ["C", "B", "A"]
    assert names("sk_date") == ["C", "B", "A"]
    assert names("-sk_date") == ["B", "C", "A"]  # the KIM without a date stays last
    assert names("bogus") == names("name")


def test_page_map_keeps_the_page_and_turns_its_items() -> None:
    page = Page(items=[1, 2, 3], number=2, per_page=3, total=8)
    mapped = page.map(str)
    assert mapped == Page(items=["1", "2", "3"], number=2, per_page=3, total=8)
    assert (mapped.pages, mapped.has_prev, mapped.has_next) == (3, True, True)


@pytest.mark.parametrize(
    ("asked", "number", "items"),
    [(1, 1, [0, 1, 2]), (3, 3, [6]), (9, 3, [6]), (0, 1, [0, 1, 2]), (-4, 1, [0, 1, 2])],
)
def test_rows_computed_in_memory_are_paged_like_a_query(
    app: object, asked: int, number: int, items: list[int]
) -> None:
    page = paginate_rows(list(range(7)), asked, 3)
    assert (page.number, page.items, page.total, page.pages) == (number, items, 7, 3)
    assert paginate_rows([], 5, 3) == Page(items=[], number=1, per_page=3, total=0)


def test_the_what_if_page_pages_its_changes(viewer: User) -> None:
    _district(7)
    first = whatif.compare(2, "2025-T2", viewer, page=1, per_page=3)
    last = whatif.compare(2, "2025-T2", viewer, page=99, per_page=3)
    assert first.changed.total == last.changed.total == first.changed_count > 3
    assert last.changed.number == last.changed.pages
    assert len(first.changed.items) == 3
    everything = whatif.compare(2, "2025-T2", viewer, per_page=1000).changed.items
    assert first.changed.items == everything[:3]
    assert last.changed.items == everything[(last.changed.number - 1) * 3 :]
