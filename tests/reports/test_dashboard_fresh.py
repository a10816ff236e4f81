"""The dashboard's figures after a change: nothing is kept between requests, so a new assessment
run, a post import and a verification show on the next request; the shortcuts that made it fast
give exactly the numbers of the full computations (the Top Konten ten against the full ranking,
the waiting values against the activity page's counts per kecamatan, the movers against their
counts)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests import factories
from tests.reports.test_dashboard import district  # noqa: F401  (the crafted district)
from tracker.extensions import db
from tracker.models import Period, Region
from tracker.models.activity import MEASUREMENT_REJECTED, MEASUREMENT_SUBMITTED
from tracker.models.kim import STATUS_INACTIVE
from tracker.models.region import level_of, parent_of
from tracker.services.activity import verification
from tracker.services.assessment.runner import assess_period
from tracker.services.common.clock import office_today
from tracker.services.reports import dashboard
from tracker.services.reports.leaderboard import leaderboard, top
from tracker.services.rules import frameworks

HEADER = "Nomor KIM.id,Nama KIM,Desa,Kecamatan,Jenis,Tanggal,Judul,Tautan"


def _posts_csv(kimid: str, days: list[date]) -> bytes:
    rows = [
        f"{kimid},,,,Berita,{day.strftime('%d/%m/%Y')},Kabar {n},https://gamma.example/{n}"
        for n, day in enumerate(days)
    ]
    return ("\r\n".join([HEADER, *rows]) + "\r\n").encode()


def test_a_new_assessment_run_shows_at_once(app, district):  # noqa: F811
    admin = factories.user("admin", username="kepala")
    assert dashboard.summary(admin).latest.code == "2025-T2"
    factories.make_period("2025-T3")  # open
    assess_period("2025-T3", None)
    d = dashboard.summary(admin)
    assert d.latest.code == "2025-T3" and d.latest.assessed == 4
    assert d.previous.code == "2025-T2"
    assert (d.transitions.before.code, d.transitions.after.code) == ("2025-T2", "2025-T3")
    assert sum(d.transitions.cells.values()) == 4
    # run again after Alpha's registry entry lost its SK: the new run's tiers show
    alpha = district["alpha"]
    before = dict(d.latest.counts)
    alpha.status = STATUS_INACTIVE
    db.session.commit()
    assess_period("2025-T3", None)
    after = dashboard.summary(admin).latest
    assert after.assessed == 3 and after.counts != before


def test_a_post_import_shows_at_once(app, client, login_as, district):  # noqa: F811
    admin = factories.user("admin", username="kepala")
    gamma = district["gamma"]
    gamma.kimid_number = "KIM-3508-099"
    db.session.commit()
    d = dashboard.summary(admin)
    assert [r.name for r in d.top] == ["KIM Alpha", "KIM Beta"] and d.quiet == 3
    today = office_today()
    result = factories.import_posts(
        _posts_csv("KIM-3508-099", [today - timedelta(days=n) for n in (1, 2, 3)]),
        "unggahan.csv",
        None,
    )
    assert result.problems == [] and result.created == 3
    d = dashboard.summary(admin)
    assert [(r.rank, r.name, r.total) for r in d.top] == [
        (1, "KIM Gamma", 3),
        (2, "KIM Alpha", 1),
        (2, "KIM Beta", 1),
    ]
    assert d.quiet == 2  # Gamma posted yesterday
    login_as("admin")
    ranking = client.get("/").text.split('id="top-konten"')[1]
    assert ranking.index("KIM Gamma") < ranking.index("KIM Alpha") < ranking.index("KIM Beta")


def test_a_verification_shows_at_once(app, district, regions):  # noqa: F811
    admin = factories.user("admin", username="kepala")
    open_period = factories.make_period("2025-T3")
    petugas_a = factories.user("petugas", scope=[regions.kec_a], username="sukodono")
    petugas_b = factories.user("petugas", scope=[regions.kec_b], username="pasirian")
    waiting = [
        factories.make_measurement(district[k], open_period, "K3", 1, MEASUREMENT_SUBMITTED)
        for k in ("alpha", "beta", "gamma")
    ]
    factories.make_measurement(district["delta"], open_period, "K3", 1, MEASUREMENT_REJECTED)
    factories.make_measurement(district["delta"], open_period, "D1", 1)  # verified: not counted
    assert (dashboard.summary(admin).submitted, dashboard.summary(admin).rejected) == (3, 1)
    # the petugas sees his kecamatan's values only
    assert (dashboard.summary(petugas_a).submitted, dashboard.summary(petugas_a).rejected) == (2, 0)
    assert (dashboard.summary(petugas_b).submitted, dashboard.summary(petugas_b).rejected) == (1, 1)
    # the same numbers as the activity page's counts per kecamatan, for every scope
    for user in (admin, petugas_a, petugas_b):
        per_kecamatan = verification.review_counts(user, [open_period.id]).values()
        assert verification.waiting_totals(user, open_period.id) == (
            sum(s for s, _r in per_kecamatan),
            sum(r for _s, r in per_kecamatan),
        )
    alpha = waiting[0]
    verification.decide(
        admin, "2025-T3", [verification.token(alpha.id, alpha.recorded_at)], kim_id=alpha.kim_id
    )
    assert (dashboard.summary(admin).submitted, dashboard.summary(petugas_a).submitted) == (2, 1)
    # an inactive KIM's values wait on no one's list
    district["beta"].status = STATUS_INACTIVE
    db.session.commit()
    assert dashboard.summary(admin).submitted == 1


@pytest.mark.parametrize("days_back", [0, 45, 400])
def test_the_top_ten_are_the_full_rankings_first_ten(app, regions, days_back):
    """Ties, an inactive KIM, posts after the date, per-period totals (usable or not, one
    enclosed in a larger one) and two scopes: `top` gives the rows, numbers and ranks of the
    ranking's first page."""
    today = office_today()
    until = today - timedelta(days=days_back)
    kims = [
        factories.kim(regions.desa_a1 if n % 2 else regions.desa_b1, f"KIM Urut {n:02d}")
        for n in range(16)
    ]
    for n, kim in enumerate(kims):
        # totals 1..6 repeated: many ties; berita and galeri mixed so the tie-break matters
        posts = [
            ("berita" if i % (n % 3 + 1) == 0 else "galeri", today - timedelta(days=10 * i + n))
            for i in range(n % 6 + 1)
        ]
        factories.make_posts(kim, *posts)
    factories.make_posts(kims[3], *[("agenda", today + timedelta(days=5))] * 1)  # after today
    kims[5].status = STATUS_INACTIVE
    db.session.commit()
    old = factories.make_period("2023-T1", state="closed")
    year = factories.make_period("2023", state="closed")
    factories.make_count(kims[7], old, berita=4)  # enclosed by the year's totals
    factories.make_count(kims[7], year, berita=6, agenda=2)
    factories.make_count(kims[8], year, pengumuman=9)
    admin = factories.user("admin", username="kepala")
    petugas = factories.user("petugas", scope=[regions.kec_a], username="sukodono")
    for user in (admin, petugas, None):
        first = leaderboard(user, until, per_page=10).items
        assert first, "the crafted ranking is empty"
        assert top(user, until, 10) == first
        assert top(user, until, 3) == first[:3]


def test_a_kim_outside_the_kabupaten_changes_none_of_its_figures(app, district, regions):  # noqa: F811
    """The figures of a kabupaten-wide user skip the per-row scope check only while every KIM
    lies in his scope: a KIM of another kabupaten (assessed, moved, with uploads, without a
    letter) brings the check back and changes none of his figures."""
    admin = factories.user("admin", username="kepala")
    before = dashboard.summary(admin)
    for code, name, kind in (
        ("35.09", "Kabupaten Jember", "kabupaten"),
        ("35.09.01", "Kencong", None),
        ("35.09.01.2001", "Paseban", "desa"),
    ):
        db.session.add(
            Region(
                code=code, name=name, level=level_of(code), kind=kind, parent_code=parent_of(code)
            )
        )
    db.session.commit()
    outsider = factories.kim("35.09.01.2001", "KIM Luar")
    fw = frameworks.get_active()
    t1, t2 = (db.session.get(Period, p.id) for p in before.periods)
    factories.make_assessment(outsider, t1, fw, tier="Mandiri")
    factories.make_assessment(outsider, t2, fw, tier="Rintisan")
    factories.make_posts(outsider, *[("berita", office_today())] * 5)
    after = dashboard.summary(admin)
    assert after.kims_total == before.kims_total == 4
    assert [p.counts for p in after.periods] == [p.counts for p in before.periods]
    assert after.kecamatan == before.kecamatan
    assert after.transitions.cells == before.transitions.cells
    assert after.transitions.down == before.transitions.down
    assert (after.quiet, after.unvisited, after.letters_missing) == (
        before.quiet,
        before.unvisited,
        before.letters_missing,
    )
    assert after.top == before.top
    # a user of the whole province sees the outsider in every figure
    province = factories.user("viewer", scope=[regions.provinsi], username="provinsi")
    wide = dashboard.summary(province)
    assert wide.kims_total == 5
    assert [sum(p.counts.values()) for p in wide.periods] == [5, 5]
    assert wide.transitions.cells[("Mandiri", "Rintisan")] == 1
    assert wide.letters_missing == before.letters_missing + 1
    assert wide.top[0].name == "KIM Luar"


def test_a_petugas_page_runs_as_many_queries_with_more_kims(app, district, regions, count_queries):  # noqa: F811
    """The scope checked row by row (a petugas's kecamatan) still runs a fixed number of
    queries, as the kabupaten-wide page does (test_dashboard.py)."""
    petugas = factories.user("petugas", scope=[regions.kec_b], username="pasirian")
    factories.make_period("2025-T3")  # open: the waiting values are counted too
    with count_queries() as few:
        dashboard.summary(petugas)
    fw = frameworks.get_active()
    t1, t2 = (db.session.get(Period, p.id) for p in dashboard.summary(petugas).periods)
    for n in range(12):
        kim = factories.kim(regions.desa_b1, f"KIM Tambahan {n}")
        factories.make_assessment(kim, t1, fw, tier="Maju")
        factories.make_assessment(kim, t2, fw, tier="Rintisan")
        factories.make_posts(kim, ("berita", office_today()))
    with count_queries() as many:
        d = dashboard.summary(petugas)
    assert d.kims_total == 14 and len(d.transitions.down) == 5
    assert len(many) == len(few)
