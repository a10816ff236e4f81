"""Finding and reading the source of a KIM's posts on its website (no database: the harvest
stores what this returns, tracker/services/activity/harvest.py).

The source that worked last time is asked first, with its ETag and Last-Modified (a 304 ends the
work there). Otherwise, or when it no longer answers, the site is searched in this order, and the
first source that reads wins:

1. the feeds its home page names (`<link rel="alternate" type="application/rss+xml">`, Atom too);
2. the WordPress REST API (`/wp-json/wp/v2/posts`, or under the API root the home page names);
3. feeds at the usual places (`/feed`, `/rss.xml`, `/atom.xml`, `/feed.xml`, `/index.xml`);
4. the sitemaps robots.txt names (`Sitemap:` lines), then `/sitemap.xml`, with `lastmod`.

robots.txt is honoured for every URL and every redirect (a disallowed one is not requested).
An error on one URL (a malformed or oversized document, a redirect to something other than
http(s), a disallowed address) lets the search go on and is reported if nothing else reads; an
error that concerns the host (a private address refused, a timeout, no connection) ends it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from tracker.io.feeds import (
    FoundPost,
    MalformedError,
    home_links,
    parse_feed,
    parse_sitemap,
    parse_wordpress,
    wordpress_posts_url,
)
from tracker.io.web_fetch import BAD_SCHEME, DISALLOWED, Fetcher, FetchError, Response
from tracker.models.harvest import (
    HARVEST_ERROR,
    HARVEST_NOT_MODIFIED,
    HARVEST_OK,
    SOURCE_FEED,
    SOURCE_SITEMAP,
    SOURCE_WORDPRESS,
)

# Error codes of their own (web_fetch has the network ones).
ROBOTS = DISALLOWED  # robots.txt disallows every source found (or where it redirects)
MALFORMED = "malformed"
HTTP_STATUS = "http"  # the known source answered something else than 200 or 304
NO_SOURCE = "no_source"  # no feed, WordPress API or sitemap found
INTERNAL = "internal"  # an unexpected failure (logged)

COMMON_FEEDS = ("feed", "rss.xml", "atom.xml", "feed.xml", "index.xml")
MAX_CHILD_SITEMAPS = 3

_ACCEPT = {
    SOURCE_FEED: "application/rss+xml, application/atom+xml, application/xml;q=0.9, */*;q=0.5",
    SOURCE_WORDPRESS: "application/json",
    SOURCE_SITEMAP: "application/xml, text/xml;q=0.9, */*;q=0.5",
}
# the errors worth reporting when nothing read, most telling first
_RANK = (MALFORMED, "too_large", BAD_SCHEME, "redirects", ROBOTS, HTTP_STATUS)


@dataclass(frozen=True)
class Known:
    """The source the last successful run read, and its validators."""

    kind: str
    url: str
    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True)
class Outcome:
    """What reading a site gave: a status (ok, not modified, error), the source read and its new
    validators, the posts found, or the error."""

    status: str
    kind: str | None = None
    url: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    posts: tuple[FoundPost, ...] = ()
    error_code: str | None = None
    error_detail: str | None = None

    @classmethod
    def error(cls, code: str, detail: str | None = None) -> Outcome:
        return cls(HARVEST_ERROR, error_code=code, error_detail=(detail or "")[:500] or None)


class _SkipError(Exception):
    """One URL did not give a source; the search goes on."""

    def __init__(self, code: str | None, detail: str = "") -> None:
        super().__init__(code)
        self.code = code  # None: simply not there (a 404), nothing to report
        self.detail = detail


def read_site(fetcher: Fetcher, website: str, known: Known | None = None) -> Outcome:
    """Read the posts a website offers (see the module's docstring for the order)."""
    home = _home(website)
    if home is None:
        return Outcome.error(BAD_SCHEME, website)
    skipped: list[_SkipError] = []
    tried: set[str] = set()
    try:
        if known is not None:
            tried.add(known.url)
            try:
                return _read(fetcher, known.kind, known.url, home, known=known)
            except _SkipError as skip:
                skipped.append(skip)
        for kind, url, guessed in _candidates(fetcher, home, skipped):
            if url in tried:
                continue
            tried.add(url)
            try:
                return _read(fetcher, kind, url, home, guessed=guessed)
            except _SkipError as skip:
                skipped.append(skip)
    except FetchError as exc:  # the host itself: nothing more to try in this run
        return Outcome.error(exc.code, exc.detail)
    return _worst(skipped)


def _home(website: str) -> str | None:
    text = website.strip()
    if "://" not in text:
        text = "https://" + text
    parts = urlsplit(text)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return text if parts.path else text + "/"


def _candidates(
    fetcher: Fetcher, home: str, skipped: list[_SkipError]
) -> Iterator[tuple[str, str, bool]]:
    """(kind, URL, guessed) of every place a source may be, in the order they are tried; the
    home page and robots.txt are read only when the search gets that far. A guessed place (not
    named by the site) that answers with something unreadable is taken as not there: many sites
    answer every address with their home page."""
    api_root = None
    if fetcher.allowed(home):
        page = _get(fetcher, home, "text/html, */*;q=0.5", skipped)
        if page is not None:
            links = home_links(page.body, page.url)
            api_root = links.wordpress_api
            for feed in links.feeds:
                yield SOURCE_FEED, feed, False
    else:
        skipped.append(_SkipError(ROBOTS, home))
    if api_root:
        yield SOURCE_WORDPRESS, wordpress_posts_url(api_root), False
    else:
        yield SOURCE_WORDPRESS, wordpress_posts_url(urljoin(home, "/wp-json/")), True
    for path in COMMON_FEEDS:
        yield SOURCE_FEED, urljoin(home, "/" + path), True
    for sitemap in fetcher.sitemaps(home):
        yield SOURCE_SITEMAP, sitemap, False
    yield SOURCE_SITEMAP, urljoin(home, "/sitemap.xml"), True


def _get(fetcher: Fetcher, url: str, accept: str, skipped: list[_SkipError]) -> Response | None:
    """A 200 response, or None (recorded when worth reporting)."""
    try:
        response = fetcher.get(url, accept=accept, robots=True)
    except FetchError as exc:
        if exc.host_level:
            raise
        skipped.append(_SkipError(exc.code, exc.detail))
        return None
    return response if response.status == 200 else None


def _read(
    fetcher: Fetcher,
    kind: str,
    url: str,
    home: str,
    *,
    known: Known | None = None,
    guessed: bool = False,
) -> Outcome:
    """Read one source; a 304 to a conditional GET is the end of the work."""
    if not fetcher.allowed(url):
        raise _SkipError(ROBOTS, url)
    try:
        response = fetcher.get(
            url,
            etag=known.etag if known else None,
            last_modified=known.last_modified if known else None,
            accept=_ACCEPT[kind],
            robots=True,
        )
    except FetchError as exc:
        if exc.host_level:
            raise
        raise _SkipError(exc.code, exc.detail) from exc
    if response.status == 304 and known is not None:
        return Outcome(
            HARVEST_NOT_MODIFIED, kind, url, known.etag, known.last_modified, error_code=None
        )
    if response.status != 200:
        # a guessed place that is not there is no error; the known source gone is one
        raise _SkipError(HTTP_STATUS if known is not None else None, f"{response.status} {url}")
    try:
        posts = _parse(fetcher, kind, response, home)
    except MalformedError as exc:
        raise _SkipError(None if guessed else MALFORMED, f"{url}: {exc}") from exc
    return Outcome(
        HARVEST_OK,
        kind,
        url,
        response.headers.get("etag"),
        response.headers.get("last-modified"),
        tuple(posts),
    )


def _parse(fetcher: Fetcher, kind: str, response: Response, home: str) -> list[FoundPost]:
    if kind == SOURCE_FEED:
        return parse_feed(response.body, response.url, response.headers.get("content-type"))
    if kind == SOURCE_WORDPRESS:
        return parse_wordpress(response.body)
    sitemap = parse_sitemap(response.body, home)
    if not sitemap.children:
        return list(sitemap.posts)
    # an index: its post sitemaps when it names them (WordPress, Yoast), else its first ones
    children = [c for c in sitemap.children if "post" in c.rsplit("/", 1)[-1].lower()]
    posts: list[FoundPost] = []
    for child in (children or list(sitemap.children))[:MAX_CHILD_SITEMAPS]:
        if not fetcher.allowed(child):
            continue
        try:
            answer = fetcher.get(child, accept=_ACCEPT[SOURCE_SITEMAP], robots=True)
        except FetchError as exc:
            if exc.host_level:
                raise
            continue
        if answer.status == 200:
            posts.extend(parse_sitemap(answer.body, home).posts)
    return posts


def _worst(skipped: list[_SkipError]) -> Outcome:
    """The most telling error met on the way, or "no source"."""
    reported = [s for s in skipped if s.code is not None]
    for code in _RANK:
        for skip in reported:
            if skip.code == code:
                return Outcome.error(code, skip.detail)
    if reported:
        return Outcome.error(reported[0].code or NO_SOURCE, reported[0].detail)
    return Outcome.error(NO_SOURCE)
