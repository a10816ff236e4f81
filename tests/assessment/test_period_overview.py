"""The period overview plans training (issue 13, point 5): filters by tier, kecamatan, movement and
failed gate; every column sortable, the tier in tier order; badges naming the gate or condition
that holds a KIM back; "lihat semua" where a list is cut; the export's roadmap columns."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import pytest

from tests import factories
from tracker.models import Kim
from tracker.services.rules import frameworks

PERIOD = "2025-T1"


def _stored(
    kim: Kim,
    period: Any,
    fw: Any,
    tier: str,
    score: float,
    *,
    raw_tier: str | None = None,
    k2: bool = True,
    w2: float = 80.0,
    d: float = 60.0,
) -> None:
    """A stored result with just what the overview reads: gates, W2's score and D's."""
    factories.make_assessment(
        kim,
        period,
        fw,
        score=score,
        tier=tier,
        raw_tier=raw_tier or tier,
        indicators={
            "K1": {"value": 1.0, "score": None, "gate": True, "passed": True, "missing": False},
            "K2": {"value": float(k2), "score": None, "gate": True, "passed": k2, "missing": False},
            "W2": {"value": w2, "score": w2, "gate": False, "missing": False},
        },
        dimension_scores={"K": 50.0, "W": 60.0, "M": 50.0, "P": 50.0, "D": d},
    )


@pytest.fixture
def overview(regions):
    fw = frameworks.ensure_default()
    period = factories.make_period(PERIOD)
    a, b = regions.desa_a1, regions.desa_b1
    kims = {
        "anggrek": factories.kim(a, "KIM Anggrek"),
        "bambu": factories.kim(a, "KIM Bambu"),
        "cempaka": factories.kim(b, "KIM Cempaka"),
        "dahlia": factories.kim(b, "KIM Dahlia"),
        "eboni": factories.kim(a, "KIM Eboni"),
    }
    _stored(kims["anggrek"], period, fw, "Maju", 65.0)
    # S in the Maju band, W2 below Maju's 50: dropped to Berkembang
    _stored(kims["bambu"], period, fw, "Berkembang", 65.0, w2=40.0)
    # not on KIM.id: Rintisan whatever the score
    _stored(kims["cempaka"], period, fw, "Rintisan", 50.0, k2=False)
    # S in the Mandiri band, W2 and D below Mandiri's floors: Maju
    _stored(kims["dahlia"], period, fw, "Maju", 85.0, w2=60.0, d=30.0)
    _stored(kims["eboni"], period, fw, "Mandiri", 90.0, w2=90.0, d=80.0)
    return kims


def listed(client, query: str = "") -> list[str]:  # type: ignore[no-untyped-def]
    page = client.get(f"/penilaian/{PERIOD}{query}").get_data(as_text=True)
    table = page[page.index('id="daftar-kim"') :]
    return re.findall(r'/kim/\d+">(KIM [^<]+)</a>', table)


def row_of(client, name: str, query: str = "") -> str:  # type: ignore[no-untyped-def]
    page = client.get(f"/penilaian/{PERIOD}{query}").get_data(as_text=True)
    table = page[page.index('id="daftar-kim"') :]
    start = table.index(f">{name}</a>")
    return table[start : table.index("</tr>", start)]


def test_filters_by_tier_kecamatan_and_failed_gate(client, login_as, overview, regions):
    login_as("viewer")
    assert listed(client, "?jenjang=Maju") == ["KIM Dahlia", "KIM Anggrek"]
    assert listed(client, f"?kecamatan={regions.kec_b}") == ["KIM Dahlia", "KIM Cempaka"]
    assert listed(client, "?syarat=y") == ["KIM Cempaka"]
    assert listed(client, f"?jenjang=Maju&kecamatan={regions.kec_b}") == ["KIM Dahlia"]
    # an unknown tier is no filter, not an error
    assert len(listed(client, "?jenjang=Juara")) == 5
    page = client.get(f"/penilaian/{PERIOD}?syarat=y").get_data(as_text=True)
    assert "Hapus saringan" in page
    assert re.search(r'<input checked[^>]*name="syarat"', page)  # the form keeps the filter


def test_the_tier_column_sorts_in_tier_order(client, login_as, overview):
    login_as("viewer")
    # by name the tiers would read Berkembang, Maju, Mandiri, Rintisan
    assert listed(client, "?sort=jenjang") == [
        "KIM Cempaka",  # Rintisan
        "KIM Bambu",  # Berkembang
        "KIM Dahlia",  # Maju, the higher score first
        "KIM Anggrek",
        "KIM Eboni",  # Mandiri
    ]
    assert listed(client, "?sort=-jenjang")[:2] == ["KIM Eboni", "KIM Dahlia"]
    page = client.get(f"/penilaian/{PERIOD}?sort=jenjang").get_data(as_text=True)
    assert 'aria-sort="ascending">Jenjang' in page
    for key in ("nama", "desa", "kecamatan", "skor", "jenjang"):  # every column has its link
        assert f"sort={key}" in page or f"sort=-{key}" in page


def test_badges_name_the_gate_or_condition_that_holds_a_kim_back(client, login_as, overview):
    login_as("viewer")
    assert "K2 belum" in row_of(client, "KIM Cempaka")
    assert "W2 &lt; 50 untuk Maju" in row_of(client, "KIM Bambu")
    dahlia = row_of(client, "KIM Dahlia")
    assert "W2 &lt; 75 untuk Mandiri" in dahlia and "D &lt; 50 untuk Mandiri" in dahlia
    assert "untuk Maju" not in dahlia  # Maju's condition holds: the cascade stops there
    for free in ("KIM Anggrek", "KIM Eboni"):
        assert "holdback" not in row_of(client, free)


def test_the_export_says_what_holds_each_kim_back(client, login_as, overview):
    login_as("viewer")
    response = client.get(f"/penilaian/{PERIOD}/ekspor.csv")
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    at = rows[0].index("Tertahan oleh")
    by_name = {r[1]: r for r in rows[1:]}
    assert by_name["KIM Cempaka"][at] == "K2 belum"
    assert by_name["KIM Dahlia"][at] == "W2 < 75 untuk Mandiri; D < 50 untuk Mandiri"
    assert by_name["KIM Anggrek"][at] == ""
    target = rows[0].index("Jenjang tujuan")
    assert by_name["KIM Eboni"][target] == "—"  # at the top on its own merit: nothing to plan
    assert by_name["KIM Bambu"][target] == "Maju"
    assert by_name["KIM Bambu"][rows[0].index("Materi pembinaan 1")] != ""


def test_movers_are_cut_with_a_link_to_all_of_them(client, login_as, regions):
    fw = frameworks.ensure_default()
    before = factories.make_period("2024-T4")
    now = factories.make_period(PERIOD)
    for n in range(12):
        kim = factories.kim(regions.desa_a1, f"KIM Naik {n:02}")
        _stored(kim, before, fw, "Rintisan", 30.0)
        _stored(kim, now, fw, "Berkembang", 45.0 + n)
    stays = factories.kim(regions.desa_b1, "KIM Tetap")
    _stored(stays, before, fw, "Berkembang", 45.0)
    _stored(stays, now, fw, "Berkembang", 46.0)
    login_as("viewer")
    page = client.get(f"/penilaian/{PERIOD}").get_data(as_text=True)
    movers = page[page.index("Naik jenjang") : page.index("Turun jenjang")]
    assert movers.count("KIM Naik") == 10
    assert "Menampilkan 10 dari 12 KIM." in movers
    link = re.search(r'href="([^"]*perubahan=naik[^"]*)">lihat semua', movers)
    assert link, movers
    names = listed(client, link.group(1).replace("&amp;", "&").split(PERIOD, 1)[1].split("#")[0])
    assert len(names) == 12 and "KIM Tetap" not in names
    assert listed(client, "?perubahan=turun") == []


@pytest.mark.parametrize("sort", ["-skor", "skor", "nama", "-desa", "kecamatan", "jenjang"])
def test_a_page_at_a_time_is_the_whole_list_cut(app, overview, sort):  # type: ignore[no-untyped-def]
    """The page's results are chosen by id and then read with their breakdown (two steps), and
    the unfiltered total is the tier counts' sum: pages of two hold the rows of one long page,
    in its order, each with its own scores, badges and change flag."""
    from sqlalchemy import select

    from tracker.extensions import db
    from tracker.models import Period
    from tracker.services.assessment import reports
    from tracker.services.common import input_changes

    period = db.session.scalar(select(Period).where(Period.code == PERIOD))
    input_changes.period_changed(period.id, [overview["bambu"].id])
    db.session.commit()
    flt = reports.OverviewFilter(sort=sort)
    whole = reports.period_overview(None, PERIOD, flt, page=1, per_page=100).kims
    assert whole.total == 5 and len(whole.items) == 5
    assert [row.changed for row in whole.items].count(True) == 1
    assert next(r for r in whole.items if r.changed).kim_id == overview["bambu"].id
    cut = [reports.period_overview(None, PERIOD, flt, page=n, per_page=2).kims for n in (1, 2, 3)]
    assert [page.total for page in cut] == [5, 5, 5]
    assert [row for page in cut for row in page.items] == whole.items
    # a narrowed list is counted, and the same two steps read it
    narrowed = reports.period_overview(
        None, PERIOD, reports.OverviewFilter(tier="Maju", sort=sort), page=1, per_page=1
    ).kims
    assert narrowed.total == 2
    assert narrowed.items == [row for row in whole.items if row.tier == "Maju"][:1]


def test_the_moved_counts_come_with_the_tier_counts(app, regions):  # type: ignore[no-untyped-def]
    """The overview counts the KIMs that went up and down from its grouped tier-count query:
    the same numbers as the movers' own count, a KIM whose desa has no kecamatan above it among
    them (and not in the table), a KIM new this period in neither."""
    from sqlalchemy import true

    from tracker.extensions import db
    from tracker.models import Region
    from tracker.models.region import level_of
    from tracker.services.assessment import reports
    from tracker.services.common.scope import user_scope_filter

    fw = frameworks.ensure_default()
    before = factories.make_period("2024-T4")
    now = factories.make_period(PERIOD)
    db.session.add(
        Region(code="35.08.99.2001", name="Yatim", level=level_of("35.08.99.2001"), kind="desa")
    )
    db.session.commit()
    steps = [
        (regions.desa_a1, "Rintisan", "Berkembang"),
        (regions.desa_a1, "Rintisan", "Maju"),
        (regions.desa_b1, "Maju", "Berkembang"),
        (regions.desa_b1, "Maju", "Maju"),
        ("35.08.99.2001", "Berkembang", "Maju"),  # no kecamatan above its desa
        (regions.desa_a2, None, "Mandiri"),  # new this period
    ]
    for n, (desa, was, tier) in enumerate(steps):
        kim = factories.kim(desa, f"KIM Gerak {n}")
        if was:
            _stored(kim, before, fw, was, 40.0)
        _stored(kim, now, fw, tier, 50.0 + n)
    viewer = factories.user("viewer", username="lihat")
    for user in (None, viewer):
        o = reports.period_overview(user, PERIOD)
        counted = reports.movers_between(
            now.id,
            fw.id,
            before.id,
            fw.id,
            user_scope_filter(Kim.desa_code, user) if user else true(),
            o.tier_names,
        )
        assert (o.moved_up, o.moved_down) == (counted[2], counted[3]) == (3, 1)
        # the rows shown name their kecamatan: the KIM without one is counted, not listed
        assert len(o.movers_up) == 2 and len(o.movers_down) == 1
        assert o.tier_counts == {"Rintisan": 0, "Berkembang": 2, "Maju": 2, "Mandiri": 1}
        assert o.kims.total == 5
