"""The harvest's parts on their own: the address check, the fetcher's politeness and limits, the
parsers' refusals."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest

from tests.activity.harvest_sites import Page, Site, sitemap
from tracker.io.feeds import MalformedError, home_links, parse_sitemap, parse_wordpress
from tracker.io.web_fetch import Fetcher, FetchError, address_allowed


@pytest.fixture
def one_site() -> Iterator[Site]:
    site = Site()
    yield site
    site.close()


@pytest.mark.parametrize(
    ("address", "allowed"),
    [
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("192.168.1.1", False),
        ("172.16.0.9", False),
        ("169.254.169.254", False),  # link-local: the cloud metadata address
        ("100.64.0.1", False),  # shared address space
        ("0.0.0.0", False),
        ("224.0.0.1", False),
        ("::1", False),
        ("fe80::1%eth0", False),
        ("fd00::1", False),
        ("::ffff:127.0.0.1", False),  # IPv4-mapped loopback
        # IPv6 forms that carry an IPv4 address inside: judged as that address
        ("::127.0.0.1", False),  # IPv4-compatible (deprecated)
        ("::ffff:0:7f00:1", False),  # IPv4-translated (SIIT)
        ("64:ff9b::a00:1", False),  # NAT64 of 10.0.0.1: the office's own network via its gateway
        ("64:ff9b:1::a9fe:a9fe", False),  # local-use NAT64 prefix
        ("2002:7f00:1::", False),  # 6to4 of 127.0.0.1
        ("2002:c0a8:101::1", False),  # 6to4 of 192.168.1.1
        ("2001:0:4136:e378:8000:63bf:3fff:fdd2", False),  # Teredo
        ("fec0::1", False),  # site-local (deprecated, private in practice)
        ("64:ff9b::808:808", True),  # NAT64 of a public address
        ("2002:808:808::1", True),  # 6to4 of a public address
        ("8.8.8.8", True),
        ("2001:4860:4860::8888", True),
    ],
)
def test_address_allowed(address: str, allowed: bool) -> None:
    assert address_allowed(address) is allowed


def _resolving_to(*addresses: str):  # type: ignore[no-untyped-def]
    def resolve(host, port, type=0):  # type: ignore[no-untyped-def]
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port)) for a in addresses]

    return resolve


@pytest.mark.parametrize("addresses", [("10.0.0.5",), ("93.184.215.14", "127.0.0.1")])
def test_a_name_resolving_to_a_private_address_is_refused(addresses) -> None:
    fetcher = Fetcher(resolve=_resolving_to(*addresses))
    with pytest.raises(FetchError) as refused:
        fetcher.get("http://kim-desa.example.id/feed")
    assert refused.value.code == "private"
    assert refused.value.host_level
    assert fetcher.requests == 0


def test_only_http_and_https(one_site: Site) -> None:
    fetcher = Fetcher(allow_private=True, delay=0)
    for url in ("file:///etc/passwd", "ftp://example.id/x", "gopher://example.id/"):
        with pytest.raises(FetchError) as refused:
            fetcher.get(url)
        assert refused.value.code == "scheme"
    one_site.pages["/a"] = Page(b"", status=302, headers={"Location": "/b"})
    one_site.pages["/b"] = Page(b"", status=302, headers={"Location": "/a"})
    with pytest.raises(FetchError) as looping:
        fetcher.get(one_site.url + "/a")
    assert looping.value.code == "redirects"


def test_requests_to_one_host_wait_for_the_delay(one_site: Site) -> None:
    one_site.pages["/x"] = Page(b"ok")
    one_site.pages["/robots.txt"] = Page(b"User-agent: *\nCrawl-delay: 5\n")
    slept: list[float] = []
    now = [100.0]
    fetcher = Fetcher(allow_private=True, delay=2.0, sleep=slept.append, clock=lambda: now[0])
    assert fetcher.get(one_site.url + "/x").body == b"ok"
    fetcher.get(one_site.url + "/x")
    assert slept == [2.0]  # the clock stood still: the whole delay
    fetcher.allowed(one_site.url + "/x")  # reads robots.txt (waits 2 s more)
    fetcher.get(one_site.url + "/x")
    assert slept == [2.0, 2.0, 5.0]  # the site's Crawl-delay is longer than ours


def test_a_conditional_get_sends_the_validators(one_site: Site) -> None:
    one_site.pages["/feed"] = Page(b"<rss/>", etag='"v7"')
    fetcher = Fetcher(allow_private=True, delay=0)
    first = fetcher.get(one_site.url + "/feed")
    assert (first.status, first.headers["etag"]) == (200, '"v7"')
    second = fetcher.get(one_site.url + "/feed", etag='"v7"', last_modified="Tue, 04 Mar 2025")
    assert (second.status, second.body) == (304, b"")
    assert one_site.requests[-1].headers["if-modified-since"] == "Tue, 04 Mar 2025"


def test_robots_rules_by_status(one_site: Site) -> None:
    fetcher = Fetcher(allow_private=True, delay=0)
    assert fetcher.allowed(one_site.url + "/feed")  # no robots.txt: everything allowed
    closed = Site()
    try:
        closed.pages["/robots.txt"] = Page(b"", status=503)
        assert not fetcher.allowed(closed.url + "/feed")  # a server error: nothing
    finally:
        closed.close()


def test_sitemap_refusals_and_index() -> None:
    with pytest.raises(MalformedError):
        parse_sitemap(b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><urlset/>', "http://a")
    with pytest.raises(MalformedError):
        parse_sitemap(b"<html><body>not a sitemap</body></html>", "http://a")
    with pytest.raises(MalformedError):
        parse_sitemap(b"<urlset><url>", "http://a")
    index = (
        b'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        b"<sitemap><loc>http://a/post-sitemap.xml</loc></sitemap>"
        b"<sitemap><loc>http://a/page-sitemap.xml</loc></sitemap></sitemapindex>"
    )
    assert parse_sitemap(index, "http://a").children == (
        "http://a/post-sitemap.xml",
        "http://a/page-sitemap.xml",
    )
    pages = parse_sitemap(sitemap([("http://a/x", "2025-03-01T10:00:00")]), "http://a").posts
    assert [str(p.published) for p in pages] == ["2025-03-01"]  # no zone: its day


def test_wordpress_refusals() -> None:
    for body in (b"<html>", b'{"code": "rest_no_route"}', b"[1, 2]"):
        with pytest.raises(MalformedError):
            parse_wordpress(body)


def test_home_links_are_absolute_and_only_feeds() -> None:
    page = (
        b'<html><head><base href="/kim/"><link rel="alternate" type="application/atom+xml" '
        b'href="atom.xml"><link rel="alternate" type="text/html" hreflang="en" href="/en/">'
        b'<link rel="stylesheet" href="s.css"></head></html>'
    )
    links = home_links(page, "https://desa.example.id/")
    assert links.feeds == ("https://desa.example.id/kim/atom.xml",)
    assert links.wordpress_api is None


def test_wordpress_local_date_without_gmt_is_the_sites_own_day() -> None:
    """`date` (the site's own time, no zone) is read as its day, whatever the server's zone: a
    post at 20:00 on the 7th is the 7th, not the 8th in WIB of a UTC server."""
    body = b'[{"date": "2025-03-07T20:00:00", "title": {"rendered": "Malam"}, "link": "https://d.id/m"}]'
    [post] = parse_wordpress(body)
    assert type(post.published) is date and post.published == date(2025, 3, 7)
    gmt = b'[{"date_gmt": "2025-03-07T20:00:00", "date": "2025-03-08T03:00:00", "title": "x"}]'
    [post] = parse_wordpress(gmt)
    assert post.published == datetime(2025, 3, 7, 20, tzinfo=UTC)  # UTC: the harvest puts it in WIB


def test_a_site_that_trickles_is_cut_off_at_the_whole_response_limit(one_site: Site) -> None:
    """Each byte comes before the read timeout, but the whole response may take at most three
    times it: a slow site cannot hold the scheduler's one job thread (real time, ~1 s)."""
    import time

    one_site.pages["/feed"] = Page(b"x" * 40, trickle=0.1)  # 4 s in all
    fetcher = Fetcher(allow_private=True, delay=0, timeout=0.3)
    started = time.monotonic()
    with pytest.raises(FetchError) as slow:
        fetcher.get(one_site.url + "/feed")
    assert slow.value.code == "timeout"
    assert time.monotonic() - started < 2.5


def test_the_next_checked_address_is_tried_when_one_does_not_answer(one_site: Site) -> None:
    """A name with several addresses (an IPv6 one the server cannot reach, a mirror down) is
    read from the next one, each of them checked (127.0.0.2 refuses: the site listens on
    127.0.0.1 only)."""
    one_site.pages["/x"] = Page(b"ok")
    port = int(one_site.url.rsplit(":", 1)[1])

    def resolve(host, port_, type=0):  # type: ignore[no-untyped-def]
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port_))
            for a in ("127.0.0.2", "127.0.0.1")
        ]

    fetcher = Fetcher(allow_private=True, delay=0, resolve=resolve)
    assert fetcher.get(f"http://kim-desa.example.id:{port}/x").body == b"ok"
    assert one_site.requests[-1].headers["host"] == f"kim-desa.example.id:{port}"


def test_a_website_under_a_non_ascii_name_is_read_by_its_ascii_name(one_site: Site) -> None:
    """An internationalised domain name (a desa's name with an accent, say) is looked up and
    sent as its ASCII form (IDNA), as browsers do."""
    one_site.pages["/x"] = Page(b"ok")
    port = int(one_site.url.rsplit(":", 1)[1])
    asked: list[str] = []

    def resolve(host, port_, type=0):  # type: ignore[no-untyped-def]
        asked.append(host)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port_))]

    fetcher = Fetcher(allow_private=True, delay=0, resolve=resolve)
    assert fetcher.get(f"http://kim-désa.example.id:{port}/x").body == b"ok"
    assert asked == ["xn--kim-dsa-fya.example.id"]
    assert one_site.requests[-1].headers["host"] == f"xn--kim-dsa-fya.example.id:{port}"


def test_a_name_that_cannot_be_written_in_ascii_is_a_network_refusal() -> None:
    fetcher = Fetcher(delay=0, resolve=_resolving_to("93.184.215.14"))
    with pytest.raises(FetchError) as refused:
        fetcher.get("http://" + "é" * 70 + ".example.id/feed")  # a label over 63 characters
    assert refused.value.code == "network"
    assert fetcher.requests == 0


def test_a_site_is_one_site_however_its_name_is_written(one_site: Site) -> None:
    """robots.txt is read once and the crawl delay kept between requests that write the same
    name in Unicode and in its ASCII form (a feed linked as xn--… from a home page stored in
    Unicode)."""
    one_site.pages["/x"] = Page(b"ok")
    one_site.pages["/robots.txt"] = Page(b"User-agent: *\nCrawl-delay: 5\n")
    port = int(one_site.url.rsplit(":", 1)[1])
    slept: list[float] = []
    now = [100.0]
    fetcher = Fetcher(
        allow_private=True,
        delay=0,
        resolve=_resolving_to("127.0.0.1"),
        sleep=slept.append,
        clock=lambda: now[0],
    )
    assert fetcher.allowed(f"http://kim-désa.example.id:{port}/x")
    assert fetcher.get(f"http://xn--kim-dsa-fya.example.id:{port}/x").body == b"ok"
    assert slept == [5.0]  # the same site: its Crawl-delay between the two
    assert fetcher.allowed(f"http://xn--kim-dsa-fya.example.id:{port}/y")
    assert one_site.paths() == ["/robots.txt", "/x"]  # its robots.txt read once
