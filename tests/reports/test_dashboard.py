"""The home dashboard on a crafted district: its figures, the lists they link to (which must list
exactly the counted rows), a petugas's kecamatan only, and a query count that does not grow with
the number of KIMs."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from tests import factories
from tracker.extensions import db
from tracker.models import Letter
from tracker.models.visits import FOLLOW_UP_DONE
from tracker.services.assessment import reports
from tracker.services.common.clock import office_today
from tracker.services.reports import dashboard
from tracker.services.rules import frameworks


@pytest.fixture
def district(regions):  # type: ignore[no-untyped-def]
    """Four KIMs over two kecamatan, assessed in 2025-T1 and 2025-T2 (both closed):

    KIM    kecamatan  T1          T2          upload   visited   follow-up
    Alpha  Sukodono   Rintisan    Maju        5 d ago  10 d ago
    Beta   Sukodono   Berkembang  Berkembang  40 d ago            overdue
    Gamma  Pasirian   Maju        Berkembang                      due in a week
    Delta  Pasirian   Rintisan    Rintisan             200 d ago  overdue but done
    A letter was issued to Alpha for 2025-T2; one session is ahead, one behind."""
    fw = frameworks.ensure_default()
    t1 = factories.make_period("2025-T1", state="closed")
    t2 = factories.make_period("2025-T2", state="closed")
    today = office_today()
    kims = {
        "alpha": factories.kim(regions.desa_a1, "KIM Alpha"),
        "beta": factories.kim(regions.desa_a2, "KIM Beta"),
        "gamma": factories.kim(regions.desa_b1, "KIM Gamma"),
        "delta": factories.kim(regions.desa_b1, "KIM Delta"),
    }
    tiers = {
        "alpha": ("Rintisan", "Maju"),
        "beta": ("Berkembang", "Berkembang"),
        "gamma": ("Maju", "Berkembang"),
        "delta": ("Rintisan", "Rintisan"),
    }
    for key, (before, after) in tiers.items():
        factories.make_assessment(kims[key], t1, fw, tier=before)
        factories.make_assessment(kims[key], t2, fw, tier=after)
    factories.make_posts(kims["alpha"], ("berita", today - timedelta(days=5)))
    factories.make_posts(kims["beta"], ("galeri", today - timedelta(days=40)))
    author = factories.user("petugas", scope=[regions.kec_a], username="tim")
    factories.make_visit(author, regions.kec_a, [kims["alpha"]], today - timedelta(days=10))
    factories.make_visit(author, regions.kec_b, [kims["delta"]], today - timedelta(days=200))
    factories.make_follow_up(kims["beta"], author, today - timedelta(days=1))
    factories.make_follow_up(kims["gamma"], author, today + timedelta(days=7))
    factories.make_follow_up(kims["delta"], author, today - timedelta(days=30), FOLLOW_UP_DONE)
    factories.make_session("Sesi Mendatang", start=today + timedelta(days=7))
    factories.make_session("Sesi Lalu", start=today - timedelta(days=30))
    db.session.add(
        Letter(
            number="400/1/2025",
            year=2025,
            sequence=1,
            letter_date=today,
            kim_id=kims["alpha"].id,
            period_id=t2.id,
            region_code=regions.desa_a1,
            content={},
            token="t" * 32,
            pdf_path="x.pdf",
            pdf_sha256="0" * 64,
            pdf_size=1,
        )
    )
    db.session.commit()
    return kims


def _figures(page: str) -> dict[str, str]:
    """Each "big" figure's link target and number, keyed by the words after it."""
    found = {}
    for href, number, words in re.findall(
        r'<a class="big" href="([^"]+)">([^<]+)</a>\s*(?:<span[^>]*>)?([^<]+)', page
    ):
        found[words.strip()] = (href.replace("&amp;", "&"), number)
    return found


def _names(page: str) -> list[str]:
    """The KIMs a list page lists (on the period page: its list, not its movers)."""
    if 'id="daftar-kim"' in page:
        page = page[page.index('id="daftar-kim"') :]
    return sorted(re.findall(r">(KIM (?:Alpha|Beta|Gamma|Delta))</a>", page))


def test_the_figures_of_a_crafted_district(app, district):
    admin = factories.user("admin", username="kepala")
    d = dashboard.summary(admin)
    assert [p.code for p in d.periods] == ["2025-T1", "2025-T2"]
    assert d.latest.counts == {"Maju": 1, "Berkembang": 2, "Rintisan": 1}
    assert [d.change(t) for t in d.tier_names] == [-1, 1, 0, 0]
    assert [(k.name, k.counts) for k in d.kecamatan] == [
        ("Pasirian", {"Rintisan": 1, "Berkembang": 1, "Maju": 0, "Mandiri": 0}),
        ("Sukodono", {"Rintisan": 0, "Berkembang": 1, "Maju": 1, "Mandiri": 0}),
    ]
    matrix = d.transitions
    assert matrix.cells == {
        ("Rintisan", "Maju"): 1,
        ("Berkembang", "Berkembang"): 1,
        ("Maju", "Berkembang"): 1,
        ("Rintisan", "Rintisan"): 1,
    }
    assert [(m.name, m.before, m.after) for m in matrix.up] == [("KIM Alpha", "Rintisan", "Maju")]
    assert [(m.name, m.before, m.after) for m in matrix.down] == [
        ("KIM Gamma", "Maju", "Berkembang")
    ]
    assert (d.quiet, d.unvisited, d.overdue) == (3, 3, 1)
    assert (d.upcoming_count, [s.title for s in d.upcoming]) == (1, ["Sesi Mendatang"])
    assert (d.letters_period.code, d.letters_missing) == ("2025-T2", 3)
    assert [(r.name, r.total) for r in d.top] == [("KIM Alpha", 1), ("KIM Beta", 1)]


def test_every_figure_links_to_the_list_that_counts_it(client, login_as, district):
    login_as("admin")
    page = client.get("/").text
    figures = _figures(page)
    expected = {
        "KIM aktif tanpa unggahan 30 hari terakhir": ["KIM Beta", "KIM Delta", "KIM Gamma"],
        "KIM aktif tidak dikunjungi 180 hari terakhir": ["KIM Beta", "KIM Delta", "KIM Gamma"],
        "tindak lanjut melewati tenggat": ["KIM Beta"],
        "KIM belum menerima surat hasil evaluasi periode 2025-T2": [
            "KIM Beta",
            "KIM Delta",
            "KIM Gamma",
        ],
        "Berkembang": ["KIM Beta", "KIM Gamma"],
    }
    for words, names in expected.items():
        href, number = figures[words]
        assert number == str(len(names)), words
        assert _names(client.get(href).text) == names, (words, href)
    # a cell of the matrix: Rintisan in 2025-T1, Maju in 2025-T2
    cell = re.search(
        r'href="([^"]*asal_jenjang=Rintisan[^"]*jenjang=Maju[^"]*)"', page
    ) or re.search(r'href="([^"]*jenjang=Maju[^"]*asal_jenjang=Rintisan[^"]*)"', page)
    assert cell is not None
    assert _names(client.get(cell.group(1).replace("&amp;", "&")).text) == ["KIM Alpha"]
    # the upcoming sessions: the sessions list from today on
    sessions = re.search(r'<a href="([^"]+)">Semua 1 sesi mendatang</a>', page)
    listed = client.get(sessions.group(1).replace("&amp;", "&")).text
    assert "Sesi Mendatang" in listed and "Sesi Lalu" not in listed
    # the charts are there, with a title, a description and their numbers as a table
    assert page.count("<svg") >= 2
    assert "<desc" in page and "Angka di balik grafik" in page


def test_the_transition_matrix_between_two_chosen_periods(client, login_as, district):
    factories.make_period("2025-T3", state="closed")  # never assessed: not offered
    login_as("kabid")
    page = client.get("/?dari=2025-T2&ke=2025-T1").text
    assert '<option selected value="2025-T2">' in page or 'value="2025-T2" selected' in page
    matrix = page[page.index('class="striped narrow transition-matrix') :]
    matrix = matrix[: matrix.index("</table>")]
    assert "2025-T2 ↓ / 2025-T1 →" in matrix
    assert "2025-T3" not in page[page.index("perpindahan") :]


@pytest.mark.parametrize("scope", ["kabupaten", "kecamatan"])
def test_the_kecamatan_table_is_the_period_overviews(district, regions, scope):
    """The dashboard's tiers per kecamatan and the period overview's table are one query: the
    same rows, counts and order for the same user."""
    user = factories.user(
        "kabid", scope=[regions.kabupaten if scope == "kabupaten" else regions.kec_b]
    )
    d = dashboard.summary(user)
    overview = reports.period_overview(user, d.latest.code)
    assert d.kecamatan == overview.kecamatan_rows
    assert d.kecamatan


def test_a_petugas_sees_only_its_kecamatan(client, login_as, district, regions):
    petugas = factories.user("petugas", scope=[regions.kec_b], username="pasirian")
    d = dashboard.summary(petugas)
    assert d.latest.counts == {"Berkembang": 1, "Rintisan": 1}
    assert [k.name for k in d.kecamatan] == ["Pasirian"]
    assert (d.quiet, d.unvisited, d.overdue, d.letters_missing) == (2, 2, 0, 2)
    assert [m.name for m in d.transitions.up] == []
    assert [m.name for m in d.transitions.down] == ["KIM Gamma"]
    assert d.top == []  # Gamma and Delta have no uploads
    login_as("petugas", scope=[regions.kec_b])
    page = client.get("/").text
    assert "KIM Alpha" not in page and "KIM Beta" not in page and "Sukodono" not in page


def test_the_query_count_does_not_grow_with_the_kims(app, district, regions, count_queries):
    admin = factories.user("admin", username="kepala")
    with count_queries() as few:
        dashboard.summary(admin)
    fw = frameworks.get_active()
    t1, t2 = (p.id for p in dashboard.summary(admin).periods)
    from tracker.models import Period

    for n in range(12):
        kim = factories.kim(regions.desa_b1, f"KIM Tambahan {n}")
        for period_id, tier in ((t1, "Rintisan"), (t2, "Maju")):
            factories.make_assessment(kim, db.session.get(Period, period_id), fw, tier=tier)
        factories.make_posts(kim, ("berita", office_today()))
    with count_queries() as many:
        dashboard.summary(admin)
    assert len(many) == len(few)
