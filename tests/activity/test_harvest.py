"""The activity harvest against real (local) websites: an RSS feed, an Atom feed, a WordPress
REST answer and a sitemap, each served by an http.server the test starts."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from tests import factories
from tests.activity.harvest_sites import Page, Site, atom, home, rss, sitemap
from tracker.extensions import db
from tracker.models import AuditEntry, ContentPost, HarvestState
from tracker.services.activity import harvest
from tracker.services.activity.harvest import harvest_due_kims
from tracker.services.assessment.inputs import collect_inputs
from tracker.services.assessment.runner import assess_period
from tracker.services.common import input_changes
from tracker.services.rules import frameworks

NOW = datetime(2025, 3, 20, 3, 0, tzinfo=UTC)  # 10:00 WIB
LATER = NOW + timedelta(hours=25)


@pytest.fixture
def harvest_app(app):
    app.config["HARVEST_ALLOW_PRIVATE"] = True  # the sites are on 127.0.0.1
    app.config["HARVEST_DELAY_SECONDS"] = 0
    return app


@pytest.fixture
def site() -> Iterator[Callable[[], Site]]:
    started: list[Site] = []

    def _start() -> Site:
        started.append(Site())
        return started[-1]

    yield _start
    for one in started:
        one.close()


def posts_of(kim) -> list[tuple]:
    return db.session.execute(
        select(
            ContentPost.type, ContentPost.posted_on, ContentPost.title, ContentPost.url,
            ContentPost.source,
        )
        .where(ContentPost.kim_id == kim.id)
        .order_by(ContentPost.posted_on, ContentPost.title, ContentPost.url)
    ).all()  # fmt: skip


def state_of(kim) -> HarvestState:
    db.session.expire_all()
    return db.session.get(HarvestState, kim.id)


def rss_site(site: Site) -> None:
    site.pages["/"] = Page(home(feed_path="/berita/feed.xml"))
    base = site.url
    items = [
        ("Kerja bakti &amp; gotong royong", f"{base}/berita/1", "7 Mar 2025 09:00 +0700", None),
        ("Rapat warga", f"{base}/berita/2", "Sat, 15 Mar 2025 20:00:00 -0000", "Pengumuman"),
        ("Tanpa tanggal", f"{base}/berita/3", "", None),
    ]
    site.pages["/berita/feed.xml"] = Page(
        rss(items), content_type="application/rss+xml", etag='"rss-v1"'
    )


def atom_site(site: Site) -> None:
    # no home page, no link: the feed is found at a usual place
    site.pages["/atom.xml"] = Page(
        atom(
            [
                ("Posyandu balita", "/2025/03/posyandu", "2025-03-08T01:00:00Z"),
                ("Lomba desa", "/2025/03/lomba", "2025-03-18T23:30:00Z"),  # 19 Mar in WIB
            ]
        ),
        content_type="application/atom+xml",
    )


def wordpress_site(site: Site) -> None:
    site.pages["/"] = Page(home(api_root=f"{site.url}/wp-json/"))
    site.pages["/wp-json/wp/v2/posts"] = Page(
        (
            '[{"date_gmt": "2025-03-11T02:00:00", "date": "2025-03-11T09:00:00",'
            f' "link": "{site.url}/?p=11",'
            ' "title": {"rendered": "Festival &#8211; <em>UMKM</em>"},'
            ' "type": "post", "class_list": ["post-11", "category-agenda"]},'
            ' {"date_gmt": "2025-03-12T02:00:00",'
            f' "link": "{site.url}/?p=12", "title": {{"rendered": "Foto kegiatan"}},'
            ' "type": "post", "format": "gallery", "class_list": []}]'
        ).encode(),
        content_type="application/json",
    )


def sitemap_site(site: Site) -> None:
    site.pages["/robots.txt"] = Page(
        f"User-agent: *\nAllow: /\nSitemap: {site.url}/peta.xml\n".encode(),
        content_type="text/plain",
    )
    site.pages["/peta.xml"] = Page(
        sitemap(
            [
                (f"{site.url}/", "2025-03-19"),  # the home page is not a post
                (f"{site.url}/kabar/panen-raya", "2025-03-05T08:00:00+07:00"),
                (f"{site.url}/kabar/tanpa-tanggal", None),
                (f"{site.url}/kabar/lama", "2023-01-01"),  # beyond the look-back
                (f"{site.url}/kabar/nanti", "2025-04-30"),  # in the future
            ]
        ),
        content_type="application/xml",
    )


def test_four_kinds_of_site_stored_once_across_two_runs(harvest_app, regions, site) -> None:
    period = factories.make_period("2025-T1")
    sites = {name: site() for name in ("rss", "atom", "wp", "sitemap")}
    rss_site(sites["rss"])
    atom_site(sites["atom"])
    wordpress_site(sites["wp"])
    sitemap_site(sites["sitemap"])
    kims = {
        name: factories.kim(regions.desa_a1, f"KIM {name}", website=one.url + "/")
        for name, one in sites.items()
    }
    factories.kim(regions.desa_a2, "KIM tanpa website")
    # posted already by an import, its address written with https and www: not stored again
    host = sites["rss"].url.removeprefix("http://")
    db.session.add(
        ContentPost(
            kim_id=kims["rss"].id,
            type="berita",
            posted_on=date(2025, 3, 7),
            title="Kerja bakti (impor)",
            url=f"https://www.{host}/berita/1/",
        )
    )
    db.session.commit()

    summary = harvest_due_kims(NOW)

    assert (summary.kims, summary.ok, summary.failed) == (4, 4, 0)
    rss_url = sites["rss"].url
    imported_url = f"https://www.{host}/berita/1/"
    assert posts_of(kims["rss"]) == [
        ("berita", date(2025, 3, 7), "Kerja bakti (impor)", imported_url, "import"),
        ("pengumuman", date(2025, 3, 16), "Rapat warga", f"{rss_url}/berita/2", "harvest"),
    ]
    atom_url = sites["atom"].url
    assert posts_of(kims["atom"]) == [
        ("berita", date(2025, 3, 8), "Posyandu balita", f"{atom_url}/2025/03/posyandu", "harvest"),
        ("berita", date(2025, 3, 19), "Lomba desa", f"{atom_url}/2025/03/lomba", "harvest"),
    ]
    wp_url = sites["wp"].url
    assert posts_of(kims["wp"]) == [
        ("agenda", date(2025, 3, 11), "Festival – UMKM", f"{wp_url}/?p=11", "harvest"),
        ("galeri", date(2025, 3, 12), "Foto kegiatan", f"{wp_url}/?p=12", "harvest"),
    ]
    assert posts_of(kims["sitemap"]) == [
        ("berita", date(2025, 3, 5), "", f"{sites['sitemap'].url}/kabar/panen-raya", "harvest"),
    ]
    states = {name: state_of(kim) for name, kim in kims.items()}
    assert {n: (s.status, s.source_kind) for n, s in states.items()} == {
        "rss": ("ok", "feed"),
        "atom": ("ok", "feed"),
        "wp": ("ok", "wordpress"),
        "sitemap": ("ok", "sitemap"),
    }
    assert (states["rss"].found, states["rss"].new, states["rss"].etag) == (2, 1, '"rss-v1"')
    assert states["wp"].source_url.startswith(f"{wp_url}/wp-json/wp/v2/posts?")
    # the new posts marked the open period changed, and each KIM's run has its audit entry
    marks = input_changes.revisions(period.id)
    assert all(marks.get(kim.id, 0) >= 1 for kim in kims.values())
    audited = db.session.scalars(
        select(AuditEntry.kim_id).where(AuditEntry.action == "activity.harvest")
    ).all()
    assert sorted(audited) == sorted(kim.id for kim in kims.values())

    # the interval has not passed: nothing is due
    assert harvest_due_kims(NOW + timedelta(hours=1)).kims == 0
    before = {name: posts_of(kim) for name, kim in kims.items()}
    again = harvest_due_kims(LATER)
    assert (again.kims, again.new, again.failed) == (4, 0, 0)
    assert {name: posts_of(kim) for name, kim in kims.items()} == before
    assert state_of(kims["atom"]).found == 2 and state_of(kims["atom"]).new == 0
    # a harvest that found nothing new records no audit entry
    audited = select(AuditEntry.id).where(AuditEntry.action == "activity.harvest")
    assert len(db.session.scalars(audited).all()) == 4


def test_a_sitemap_index_leads_to_its_post_sitemaps(harvest_app, regions, site) -> None:
    one = site()
    base = one.url
    one.pages["/sitemap.xml"] = Page(
        (
            '<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"<sitemap><loc>{base}/page-sitemap.xml</loc></sitemap>"
            f"<sitemap><loc>{base}/post-sitemap.xml</loc></sitemap></sitemapindex>"
        ).encode()
    )
    one.pages["/post-sitemap.xml"] = Page(sitemap([(f"{base}/kabar/b", "2025-03-09")]))
    one.pages["/page-sitemap.xml"] = Page(sitemap([(f"{base}/profil", "2025-03-09")]))
    kim = factories.kim(regions.desa_a1, "KIM Indeks", website=base)

    harvest_due_kims(NOW)

    assert [p[3] for p in posts_of(kim)] == [f"{base}/kabar/b"]
    assert "/page-sitemap.xml" not in one.paths()


def test_304_is_answered_without_work(harvest_app, regions, site, monkeypatch) -> None:
    one = site()
    rss_site(one)
    kim = factories.kim(regions.desa_a1, "KIM Feed", website=one.url)
    assert harvest_due_kims(NOW).new == 1 + 1
    one.requests.clear()
    parsed = []
    monkeypatch.setattr(
        "tracker.services.activity.harvest_sources.parse_feed",
        lambda *args: parsed.append(args) or [],
    )

    summary = harvest_due_kims(LATER)

    assert (summary.not_modified, summary.new) == (1, 0)
    assert one.paths() == ["/robots.txt", "/berita/feed.xml"]  # no home page, no discovery
    assert one.requests[-1].headers["if-none-match"] == '"rss-v1"'
    assert parsed == []
    state = state_of(kim)
    assert (state.status, state.found, state.new, state.etag) == ("not_modified", 0, 0, '"rss-v1"')
    assert state.last_run_at == LATER.replace(tzinfo=None)


def test_robots_disallow_is_respected(harvest_app, regions, site) -> None:
    one = site()
    rss_site(one)
    sitemap_site(one)
    one.pages["/robots.txt"] = Page(b"User-agent: *\nDisallow: /\n", content_type="text/plain")
    kim = factories.kim(regions.desa_a1, "KIM Tertutup", website=one.url)

    summary = harvest_due_kims(NOW)

    assert summary.failed == 1
    assert one.paths() == ["/robots.txt"]
    assert posts_of(kim) == []
    assert (state_of(kim).status, state_of(kim).error_code) == ("error", "robots")


def test_robots_disallowing_the_feed_only_leaves_the_rest(harvest_app, regions, site) -> None:
    one = site()
    rss_site(one)
    one.pages["/robots.txt"] = Page(b"User-agent: *\nDisallow: /berita/\n")
    one.pages["/sitemap.xml"] = Page(sitemap([(f"{one.url}/kabar/a", "2025-03-09")]))
    kim = factories.kim(regions.desa_a1, "KIM Sebagian", website=one.url)

    harvest_due_kims(NOW)

    assert "/berita/feed.xml" not in one.paths()
    assert [p[3] for p in posts_of(kim)] == [f"{one.url}/kabar/a"]
    assert state_of(kim).source_kind == "sitemap"


def test_robots_is_honoured_for_where_a_redirect_leads(harvest_app, regions, site) -> None:
    one, other = site(), site()
    rss_site(one)
    moved = rss([("Rapat warga", f"{one.url}/tertutup/1", "Sat, 15 Mar 2025 20:00:00 -0000", None)])
    one.pages["/robots.txt"] = Page(b"User-agent: *\nDisallow: /tertutup/\n")
    one.pages["/berita/feed.xml"] = Page(b"", status=302, headers={"Location": "/tertutup/feed"})
    one.pages["/tertutup/feed"] = Page(moved, content_type="application/rss+xml")
    other.pages["/robots.txt"] = Page(b"User-agent: *\nDisallow: /\n")
    other.pages["/feed"] = Page(moved, content_type="application/rss+xml")
    one.pages["/feed"] = Page(b"", status=301, headers={"Location": f"{other.url}/feed"})
    kim = factories.kim(regions.desa_a1, "KIM Alih Tertutup", website=one.url)

    harvest_due_kims(NOW)

    assert "/tertutup/feed" not in one.paths()
    assert other.paths() == ["/robots.txt"]  # the other site's rules read, its feed not
    assert posts_of(kim) == []
    assert (state_of(kim).status, state_of(kim).error_code) == ("error", "robots")


def test_oversized_and_malformed_feeds_are_errors_and_stop_nothing_else(
    harvest_app, regions, site, login_as, client
) -> None:
    harvest_app.config["HARVEST_MAX_BYTES"] = 4000
    big, broken, declared, good = site(), site(), site(), site()
    for one in (big, broken, declared):
        one.pages["/"] = Page(home(feed_path="/feed.xml"))
    many = [(f"Berita {n}", f"{big.url}/{n}", "7 Mar 2025 09:00 +0700", None) for n in range(99)]
    # a server that says nothing of the size (no Content-Length): the streamed read stops it
    big.pages["/feed.xml"] = Page(rss(many), content_type="application/rss+xml", declared_length=-1)
    declared.pages["/feed.xml"] = Page(b"x" * 10, declared_length=10_000_000)
    broken.pages["/feed.xml"] = Page(
        b'<?xml version="1.0"?><rss version="2.0"><channel><item><title>Putus',
        content_type="application/rss+xml",
    )
    atom_site(good)
    named = (("KIM Besar", big), ("KIM Rusak", broken), ("KIM Ngaku", declared), ("KIM Baik", good))
    kims = [factories.kim(regions.desa_a1, name, website=one.url) for name, one in named]

    summary = harvest_due_kims(NOW)

    assert (summary.kims, summary.ok, summary.failed, summary.new) == (4, 1, 3, 2)
    codes = [state_of(kim).error_code for kim in kims]
    assert codes == ["too_large", "malformed", "too_large", None]
    assert [len(posts_of(kim)) for kim in kims] == [0, 0, 0, 2]

    login_as("viewer")
    page = client.get(f"/aktivitas/panen/kim/{kims[1].id}").get_data(as_text=True)
    assert "umpan atau peta situs rusak" in page
    assert f"{broken.url}/feed.xml" in page
    page = client.get(f"/aktivitas/panen/kim/{kims[0].id}").get_data(as_text=True)
    assert "melebihi batas ukuran" in page
    page = client.get(f"/aktivitas/panen/kim/{kims[3].id}").get_data(as_text=True)
    assert "Lomba desa" in page and "Posyandu balita" in page and "umpan RSS/Atom" in page


def test_a_private_address_is_refused_unless_allowed(harvest_app, regions, site) -> None:
    harvest_app.config["HARVEST_ALLOW_PRIVATE"] = False
    one = site()
    rss_site(one)
    kim = factories.kim(regions.desa_a1, "KIM Lokal", website=one.url)

    summary = harvest_due_kims(NOW)

    assert summary.failed == 1
    assert one.requests == []  # refused before connecting
    assert (state_of(kim).error_code, posts_of(kim)) == ("private", [])


def test_a_redirect_to_file_is_refused(harvest_app, regions, site) -> None:
    one = site()
    moved = Page(b"", status=302, headers={"Location": "file:///etc/passwd"})
    one.pages["/"] = Page(home(feed_path="/feed.xml"))
    one.pages["/feed.xml"] = moved
    kim = factories.kim(regions.desa_a1, "KIM Alih", website=one.url)

    harvest_due_kims(NOW)

    state = state_of(kim)
    assert (state.status, state.error_code) == ("error", "scheme")
    assert state.error_detail == "file:///etc/passwd"
    assert posts_of(kim) == []


def test_a_redirect_to_another_site_is_followed_and_checked(harvest_app, regions, site) -> None:
    old, new = site(), site()
    old.pages["/"] = Page(b"", status=301, headers={"Location": f"{new.url}/"})
    atom_site(new)
    new.pages["/"] = Page(home(feed_path="/atom.xml"))
    kim = factories.kim(regions.desa_a1, "KIM Pindah", website=old.url)

    harvest_due_kims(NOW)

    assert len(posts_of(kim)) == 2
    assert "/robots.txt" in new.paths()  # the new host's rules were read before its feed


def test_a_crash_leaves_done_kims_done_and_the_next_run_resumes(
    harvest_app, regions, site, monkeypatch
) -> None:
    sites = [site() for _ in range(3)]
    for one in sites:
        atom_site(one)
    kims = [factories.kim(regions.desa_a1, f"KIM {n}", website=s.url) for n, s in enumerate(sites)]
    real = harvest.read_site

    class Killed(BaseException):
        pass

    def dies_on_second(reader, website, known=None):
        if website == sites[1].url:
            raise Killed
        return real(reader, website, known)

    monkeypatch.setattr(harvest, "read_site", dies_on_second)
    with pytest.raises(Killed):
        harvest_due_kims(NOW)
    assert [len(posts_of(k)) for k in kims] == [2, 0, 0]
    assert state_of(kims[1]) is None

    monkeypatch.setattr(harvest, "read_site", real)
    resumed = harvest_due_kims(NOW + timedelta(minutes=5))
    assert sorted(r.kim_id for r in resumed.runs) == [kims[1].id, kims[2].id]
    assert [len(posts_of(k)) for k in kims] == [2, 2, 2]


def test_one_kims_failure_is_recorded_and_the_rest_go_on(
    harvest_app, regions, site, monkeypatch
) -> None:
    sites = [site() for _ in range(3)]
    for one in sites:
        atom_site(one)
    kims = [factories.kim(regions.desa_a1, f"KIM {n}", website=s.url) for n, s in enumerate(sites)]
    real = harvest.read_site

    def fails_on_second(reader, website, known=None):
        if website == sites[1].url:
            raise KeyError("surprise")
        return real(reader, website, known)

    monkeypatch.setattr(harvest, "read_site", fails_on_second)
    summary = harvest_due_kims(NOW)

    assert (summary.ok, summary.failed) == (2, 1)
    assert [len(posts_of(k)) for k in kims] == [2, 0, 2]
    failed = state_of(kims[1])
    assert (failed.error_code, failed.error_detail) == ("internal", "KeyError")


def test_harvested_posts_are_named_in_the_breakdown(harvest_app, regions, site) -> None:
    period = factories.make_period("2025-T1")
    one = site()
    atom_site(one)
    harvested = factories.kim(regions.desa_a1, "KIM Panen", website=one.url)
    imported = factories.kim(regions.desa_a2, "KIM Impor")
    db.session.add(
        ContentPost(kim_id=imported.id, type="berita", posted_on=date(2025, 3, 3), title="x")
    )
    db.session.commit()
    harvest_due_kims(NOW)

    values = collect_inputs(period)

    assert values[harvested.id]["W1"].source == "harvested"
    assert values[imported.id]["W1"].source == "computed"


def test_the_breakdown_page_says_harvested(harvest_app, regions, site, login_as, client) -> None:
    frameworks.ensure_default()
    period = factories.make_period("2025-T1")
    one = site()
    atom_site(one)
    kim = factories.kim(regions.desa_a1, "KIM Panen", website=one.url)
    harvest_due_kims(NOW)
    assess_period(period, None)
    login_as("viewer")

    page = client.get(f"/penilaian/2025-T1/kim/{kim.id}").get_data(as_text=True)

    cells = re.findall(r'<strong class="source-word">(.*?)</strong>', page)
    assert cells.count("unggahan (dipanen)") == 4  # W1–W4


# --- the page, the button and the command ------------------------------------------------------


def test_harvest_now_button(harvest_app, regions, site, login_as, client) -> None:
    harvest_app.config["HARVEST_LOOKBACK_DAYS"] = 100_000  # the button runs at today's date
    one = site()
    atom_site(one)
    kim = factories.kim(regions.desa_a1, "KIM Tombol", website=one.url)
    kabid = login_as("kabid")

    page = client.get(f"/aktivitas/panen/kim/{kim.id}")
    assert page.status_code == 200
    assert "Belum pernah dipanen" in page.get_data(as_text=True)
    assert "Panen sekarang" in page.get_data(as_text=True)

    response = client.post(f"/aktivitas/panen/kim/{kim.id}/jalankan")
    assert response.status_code == 302
    assert len(posts_of(kim)) == 2
    audited = select(AuditEntry).where(AuditEntry.action == "activity.harvest")
    entry = db.session.scalars(audited).one()
    assert (entry.user_id, entry.kim_id, entry.params["created"]) == (kabid.id, kim.id, 2)
    page = client.get(f"/aktivitas/panen/kim/{kim.id}").get_data(as_text=True)
    assert "Berhasil" in page and "Lomba desa" in page
    # the KIM's page links to it
    assert f"/aktivitas/panen/kim/{kim.id}" in client.get(f"/kim/{kim.id}").get_data(as_text=True)


def test_harvest_now_ends_within_its_budget_whatever_the_sites_crawl_delay(
    harvest_app, regions, site, login_as, client
) -> None:
    """The button runs in the web request: a site asking a long Crawl-delay (up to a minute per
    request, some ten requests) must not hold it past the budget (gunicorn kills a worker at
    120 s). Real time: a budget of 0.5 s against a delay of 1 s per request."""
    import time

    harvest_app.config["HARVEST_BUTTON_SECONDS"] = 0.5
    one = site()
    one.pages["/robots.txt"] = Page(b"User-agent: *\nCrawl-delay: 1\n")
    kim = factories.kim(regions.desa_a1, "KIM Lambat", website=one.url)
    login_as("admin")

    started = time.monotonic()
    response = client.post(f"/aktivitas/panen/kim/{kim.id}/jalankan")
    assert response.status_code == 302
    assert time.monotonic() - started < 1.0
    assert (state_of(kim).status, state_of(kim).error_code) == ("error", "timeout")


def test_harvest_now_is_for_admin_and_kabid_in_scope(
    harvest_app, regions, site, login_as, client
) -> None:
    one = site()
    atom_site(one)
    here = factories.kim(regions.desa_a1, "KIM Sini", website=one.url)
    there = factories.kim(regions.desa_b1, "KIM Sana", website=one.url)
    login_as("petugas", scope=[regions.kec_a])
    page = client.get(f"/aktivitas/panen/kim/{here.id}").get_data(as_text=True)
    assert "KIM Sini" in page and "Panen sekarang" not in page
    assert client.post(f"/aktivitas/panen/kim/{here.id}/jalankan").status_code == 403
    assert client.get(f"/aktivitas/panen/kim/{there.id}").status_code == 404
    client.post("/logout")
    login_as("kabid", scope=[regions.kec_a], username="kabid-a")
    assert client.post(f"/aktivitas/panen/kim/{there.id}/jalankan").status_code == 404
    assert one.requests == []
    assert posts_of(there) == []


def test_a_kim_without_website_cannot_be_harvested(harvest_app, regions, login_as, client) -> None:
    kim = factories.kim(regions.desa_a1, "KIM Sepi")
    login_as("admin")
    response = client.post(f"/aktivitas/panen/kim/{kim.id}/jalankan")
    assert response.status_code == 422
    assert "belum mencatat alamat website" in response.get_data(as_text=True)


def test_command_line(harvest_app, runner, regions, site) -> None:
    harvest_app.config["HARVEST_LOOKBACK_DAYS"] = 100_000  # the command runs at today's date
    one, two = site(), site()
    atom_site(one)
    atom_site(two)
    first = factories.kim(regions.desa_a1, "KIM Satu", website=one.url)
    second = factories.kim(regions.desa_a2, "KIM Dua", website=two.url)

    result = runner.invoke(args=["activity", "harvest", "--kim", str(first.id)])
    assert result.exit_code == 0, result.output
    assert "KIM Satu" in result.output and "2 baru" in result.output
    assert (len(posts_of(first)), len(posts_of(second))) == (2, 0)

    result = runner.invoke(args=["activity", "harvest"])  # what is due: the second only
    assert result.exit_code == 0, result.output
    assert "1 KIM" in result.output
    assert len(posts_of(second)) == 2

    result = runner.invoke(args=["activity", "harvest", "--kim", "999"])
    assert result.exit_code == 1


def test_the_scheduler_harvests_through_its_job_once_per_key(harvest_app, regions, site) -> None:
    """The scheduler's "harvest" entry runs this harvest; the same hour's key never runs twice."""
    import time_machine

    from tracker.jobs import runner
    from tracker.jobs.registry import find
    from tracker.models import JobRun

    factories.make_period("2025-T1")
    one = site()
    rss_site(one)
    kim = factories.kim(regions.desa_a1, "KIM berumpan", website=one.url + "/")
    db.session.commit()
    job = find("harvest")
    assert job is not None
    with time_machine.travel(NOW, tick=False):
        runner.fire(harvest_app, job)
        runner.fire(harvest_app, job)
    db.session.expire_all()
    assert [row.title for row in posts_of(kim)] == ["Kerja bakti & gotong royong", "Rapat warga"]
    runs = db.session.scalars(select(JobRun).where(JobRun.job == "harvest")).all()
    assert len(runs) == 1 and runs[0].status == "succeeded"


def test_harvested_posts_count_in_top_konten(harvest_app, regions, site) -> None:
    """Top Konten reads the maintained per-KIM totals: a harvest keeps them as an import does."""
    from tracker.services.reports.leaderboard import leaderboard

    factories.make_period("2025-T1")
    one = site()
    rss_site(one)
    kim = factories.kim(regions.desa_a1, "KIM berumpan", website=one.url + "/")
    db.session.commit()
    harvest_due_kims(NOW)
    db.session.expire_all()
    page = leaderboard(None, until=date(2025, 3, 31))
    [row] = page.items
    assert row.kim_id == kim.id and row.total == 2
