"""Top Konten leaderboard: totals, order, sources and filters (DESIGN.md §1 and §4)."""

from __future__ import annotations

import re
from datetime import date

import pytest

from tests import factories
from tracker.services.reports.leaderboard import LeaderboardError, find_kecamatan, leaderboard

# DESIGN.md §1, 6 March 2025: Tukum Mandiri 933 = 554 + 201 + 29 + 149; #4 Kutorenon 596,
# #5 Sumbersari 560, #9 Sibedjo 400 (the last three split by type plausibly).
PUBLIC_FIGURES = {
    "Tukum Mandiri": (554, 201, 29, 149),
    "Kutorenon": (350, 150, 36, 60),
    "Sumbersari": (330, 120, 40, 70),
    "Sibedjo": (230, 100, 30, 40),
}


def _public_ranking(regions: factories.RegionTree) -> None:
    period = factories.make_period("2025-T1")
    desa = [regions.desa_a1, regions.desa_a2, regions.desa_b1, regions.desa_b1]
    # created in an order unlike the ranking, so the order must come from the query
    for (name, (b, g, p, a)), desa_code in zip(reversed(PUBLIC_FIGURES.items()), desa, strict=True):
        kim = factories.kim(desa_code=desa_code, name=f"KIM {name}")
        factories.make_count(kim, period, berita=b, galeri=g, pengumuman=p, agenda=a)


def test_public_figures_rank_in_order_with_their_totals(regions):
    _public_ranking(regions)
    page = leaderboard(None, until=date(2025, 3, 31))
    assert [(r.rank, r.name, r.total) for r in page.items] == [
        (1, "KIM Tukum Mandiri", 933),
        (2, "KIM Kutorenon", 596),
        (3, "KIM Sumbersari", 560),
        (4, "KIM Sibedjo", 400),
    ]
    top = page.items[0]
    assert (top.berita, top.galeri, top.pengumuman, top.agenda) == (554, 201, 29, 149)


def test_period_totals_count_only_once_the_period_has_ended(regions):
    _public_ranking(regions)
    # 2025-T1 ends on 31 March: on 6 March its totals are not yet "up to" the date
    assert leaderboard(None, until=date(2025, 3, 6)).items == []


def test_ties_break_by_berita_then_name(regions):
    b = factories.kim(name="Bambu")
    a = factories.kim(name="Anggrek")
    c = factories.kim(name="Cempaka", desa_code=regions.desa_b1)
    day = date(2025, 1, 10)
    factories.make_posts(b, ("berita", day), ("galeri", day))
    factories.make_posts(a, ("berita", day), ("galeri", day))
    factories.make_posts(c, ("berita", day), ("berita", day))  # same total, more berita
    names = [r.name for r in leaderboard(None, until=day).items]
    assert names == ["Cempaka", "Anggrek", "Bambu"]


def test_equal_totals_share_a_rank_and_keep_the_tie_break_order(regions):
    """DESIGN.md §4 orders ties by berita, then name; the rank number is the total's (1, 2, 2, 4),
    so two KIMs with the same total never read as one above the other."""
    day = date(2025, 1, 10)
    for name, posts in (
        ("Anggrek", ["berita", "galeri", "agenda", "agenda", "agenda"]),  # 5
        ("Bambu", ["berita", "galeri", "agenda"]),  # 3, 1 berita
        ("Cempaka", ["berita", "berita", "galeri"]),  # 3, 2 berita
        ("Dahlia", ["galeri", "agenda"]),  # 2
    ):
        factories.make_posts(factories.kim(name=name), *[(kind, day) for kind in posts])
    rows = leaderboard(None, until=day).items
    assert [(r.rank, r.name, r.total) for r in rows] == [
        (1, "Anggrek", 5),
        (2, "Cempaka", 3),
        (2, "Bambu", 3),
        (4, "Dahlia", 2),
    ]
    # across pages too
    assert [(r.rank, r.name) for r in leaderboard(None, until=day, page=2, per_page=2).items] == [
        (2, "Bambu"),
        (4, "Dahlia"),
    ]


def test_the_page_and_the_command_say_what_the_ranking_covers(client, runner, login_as, regions):
    day = date(2025, 1, 10)
    for name in ("KIM Satu", "KIM Dua"):
        factories.make_posts(factories.kim(name=name), ("berita", day))
    login_as("petugas", scope=[regions.kec_a])
    page = client.get("/penilaian/top-konten?sampai=2025-01-10").get_data(as_text=True)
    assert "Peringkat di dalam wilayah kerja Anda (Sukodono)" in page
    assert "bukan peringkat nasional KIM.id" in page
    assert re.findall(r'data-label="Peringkat">(\d+)</td>', page) == ["1", "1"]
    output = runner.invoke(args=["leaderboard", "--until", "2025-01-10"]).output
    assert "semua KIM aktif di basis data" in output
    assert [
        line.split()[0] for line in output.splitlines() if "KIM S" in line or "KIM D" in line
    ] == ["1", "1"]


def test_posts_up_to_the_date_and_counts_only_where_a_period_has_no_posts(regions):
    t1 = factories.make_period("2025-T1")
    t2 = factories.make_period("2025-T2")
    kim = factories.kim(name="KIM Campuran")
    # T1: posts listed (3) and also totals imported (10): the posts win, never both
    factories.make_posts(
        kim,
        ("berita", date(2025, 1, 5)),
        ("agenda", date(2025, 2, 5)),
        ("berita", date(2025, 3, 5)),
    )
    factories.make_count(kim, t1, berita=8, agenda=2)
    # T2: totals only
    factories.make_count(kim, t2, berita=4, galeri=1)
    # a post after the date does not count
    factories.make_posts(kim, ("berita", date(2025, 7, 2)))
    (row,) = leaderboard(None, until=date(2025, 6, 30)).items
    assert (row.berita, row.galeri, row.pengumuman, row.agenda) == (2 + 4, 1, 0, 1)
    assert row.total == 8


def test_an_enclosing_period_is_not_added_to_its_triwulan(regions):
    t1 = factories.make_period("2025-T1")
    s1 = factories.make_period("2025-S1")
    kim = factories.kim(name="KIM Semester")
    factories.make_count(kim, t1, berita=5)
    factories.make_count(kim, s1, berita=12)  # the semester's total already includes T1
    assert leaderboard(None, until=date(2025, 6, 30)).items[0].total == 12
    # before the semester ends only the triwulan counts
    assert leaderboard(None, until=date(2025, 4, 30)).items[0].total == 5


def test_scope_kecamatan_filter_and_inactive_kims(regions):
    day = date(2025, 2, 1)
    in_a = factories.kim(desa_code=regions.desa_a1, name="KIM Sukodono")
    in_b = factories.kim(desa_code=regions.desa_b1, name="KIM Pasirian")
    gone = factories.kim(desa_code=regions.desa_a1, name="KIM Lama", status="nonaktif")
    for k in (in_a, in_b, gone):
        factories.make_posts(k, ("berita", day))
    petugas = factories.user(role="petugas", scope=[regions.kec_b], username="pet")
    assert [r.name for r in leaderboard(petugas, until=day).items] == ["KIM Pasirian"]
    everyone = leaderboard(None, until=day, kecamatan_code=regions.kec_a)
    assert [r.name for r in everyone.items] == ["KIM Sukodono"]
    assert everyone.items[0].kecamatan == "Sukodono"


def test_limit_and_pages_keep_global_ranks(regions):
    day = date(2025, 2, 1)
    for n in range(5):
        k = factories.kim(name=f"KIM {n}")
        factories.make_posts(k, *[("berita", day)] * (n + 1))
    second = leaderboard(None, until=day, page=2, per_page=2)
    assert [(r.rank, r.name) for r in second.items] == [(3, "KIM 2"), (4, "KIM 1")]
    assert second.total == 5


def test_find_kecamatan_by_name_with_prefix(regions):
    assert find_kecamatan("Kec. SUKODONO ") == regions.kec_a
    with pytest.raises(LeaderboardError, match="tidak ditemukan"):
        find_kecamatan("Atlantis")
