"""Reading what a KIM's website publishes about its posts: the links of its home page, an RSS or
Atom feed, a WordPress REST API answer, a sitemap. Bytes in, plain posts out; no network and no
database (the activity harvest, tracker/services/activity/harvest.py, fetches and stores).

Every post comes out as a `FoundPost`: its title, its address, when it was published (an aware
datetime, or a date when the source gives only the day) and its content type, *berita* unless the
source says otherwise (a category or tag named like one of the types: "Pengumuman", "Agenda",
"Galeri"…, or WordPress's gallery format). A document that is not what it claims (XML that is not
well formed, JSON that is not a list of posts) raises `MalformedError`.
"""

from __future__ import annotations

import html
import io
import json
import re
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin

from tracker.io.activity_columns import content_type_of

BERITA = "berita"

FEED_TYPES = (
    "application/rss+xml",
    "application/atom+xml",
    "application/feed+xml",
    "application/xml",
    "text/xml",
)
WORDPRESS_API_REL = "https://api.w.org/"
# Asked of the WordPress REST API: the newest posts, only the fields read here.
WORDPRESS_POSTS = "wp/v2/posts?per_page=50&_fields=date,date_gmt,link,title,type,format,class_list"


class MalformedError(ValueError):
    """The document cannot be read as what it claims to be; the message says what was wrong."""


@dataclass(frozen=True)
class FoundPost:
    title: str
    url: str | None
    published: datetime | date  # an aware datetime, or the day alone
    type: str = BERITA


# --- the home page ---------------------------------------------------------------------------


@dataclass(frozen=True)
class HomeLinks:
    """What a home page advertises: its feeds (in page order) and its WordPress API root."""

    feeds: tuple[str, ...]
    wordpress_api: str | None


class _LinkParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[dict[str, str]] = []
        self.base: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name.lower(): (value or "") for name, value in attrs}
        if tag == "link":
            self.links.append(values)
        elif tag == "base" and values.get("href") and self.base is None:
            self.base = values["href"]


def home_links(page: bytes, page_url: str) -> HomeLinks:
    """The feeds (`<link rel="alternate" type="application/rss+xml" href=…>`) and the WordPress
    API root (`<link rel="https://api.w.org/" href=…>`) a home page names, as absolute URLs."""
    parser = _LinkParser()
    parser.feed(page.decode("utf-8", "replace"))
    parser.close()
    base = urljoin(page_url, parser.base) if parser.base else page_url
    feeds: list[str] = []
    api = None
    for link in parser.links:
        rels = link.get("rel", "").lower().split()
        href = link.get("href", "").strip()
        if not href:
            continue
        if "alternate" in rels and link.get("type", "").lower().split(";")[0] in FEED_TYPES:
            absolute = urljoin(base, href)
            if absolute not in feeds:
                feeds.append(absolute)
        elif WORDPRESS_API_REL in rels and api is None:
            api = urljoin(base, href)
    return HomeLinks(tuple(feeds), api)


def wordpress_posts_url(api_root: str) -> str:
    """The posts endpoint under an API root (`https://site/wp-json/`)."""
    return urljoin(api_root if api_root.endswith("/") else api_root + "/", WORDPRESS_POSTS)


# --- feeds -----------------------------------------------------------------------------------


def parse_feed(data: bytes, url: str, content_type: str | None = None) -> list[FoundPost]:
    """The dated entries of an RSS or Atom feed read from `url` (entries without a date are left
    out: a post is counted by its day). The bytes go to feedparser as a stream: given a string it
    would open it as a URL or a file."""
    import feedparser  # here, not at start-up: only a harvest reads feeds

    # feedparser flags these on documents it read correctly; anything else means not well formed
    harmless = (feedparser.CharacterEncodingOverride, feedparser.NonXMLContentType)
    headers = {"content-location": url}
    if content_type:
        headers["content-type"] = content_type
    parsed = feedparser.parse(io.BytesIO(data), response_headers=headers, sanitize_html=False)
    problem = parsed.get("bozo_exception") if parsed.get("bozo") else None
    if problem is not None and not isinstance(problem, harmless):
        raise MalformedError(f"umpan tidak terbaca: {_short(problem)}")
    if not parsed.get("version"):
        raise MalformedError("bukan umpan RSS atau Atom")
    posts = []
    for entry in parsed.entries:
        # read as a plain dict: feedparser's own lookup maps one key to the other, with a warning
        moment = dict.get(entry, "published_parsed") or dict.get(entry, "updated_parsed")
        if not moment:
            continue
        terms = [tag.get("term") for tag in entry.get("tags", ())]
        posts.append(
            FoundPost(
                title=_text(entry.get("title")),
                url=_link(entry.get("link")),
                published=datetime(*moment[:6], tzinfo=UTC),
                type=_type_of(terms),
            )
        )
    return posts


# --- the WordPress REST API ------------------------------------------------------------------

_TAG = re.compile(r"<[^>]*>")


def parse_wordpress(data: bytes) -> list[FoundPost]:
    """The posts of a `/wp-json/wp/v2/posts` answer."""
    try:
        items = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise MalformedError(f"jawaban WordPress bukan JSON: {_short(exc)}") from exc
    if not isinstance(items, list):
        raise MalformedError("jawaban WordPress bukan daftar tulisan")
    posts = []
    for item in items:
        if not isinstance(item, dict):
            raise MalformedError("jawaban WordPress bukan daftar tulisan")
        published = _wordpress_date(item)
        if published is None:
            continue
        title = item.get("title")
        if isinstance(title, dict):
            title = title.get("rendered")
        words: list[Any] = []
        if item.get("format") == "gallery":
            words.append("galeri")
        classes = item.get("class_list")
        if isinstance(classes, list | dict):
            values = classes.values() if isinstance(classes, dict) else classes
            words += [c[len("category-") :] for c in values if str(c).startswith("category-")]
        if item.get("type") not in (None, "post"):
            words.append(item.get("type"))
        posts.append(
            FoundPost(
                title=_text(_TAG.sub("", str(title or ""))),
                url=_link(item.get("link")),
                published=published,
                type=_type_of(words),
            )
        )
    return posts


def _wordpress_date(item: dict[str, Any]) -> datetime | date | None:
    """`date_gmt` (UTC), else `date` (the site's own zone, read as its day: a naive datetime
    would be placed in the server's zone)."""
    for key, zone in (("date_gmt", UTC), ("date", None)):
        raw = item.get(key)
        if isinstance(raw, str) and raw:
            try:
                moment = datetime.fromisoformat(raw)
            except ValueError:
                continue
            if moment.tzinfo is None:
                return moment.replace(tzinfo=zone) if zone is not None else moment.date()
            return moment
    return None


# --- sitemaps and robots.txt -----------------------------------------------------------------


@dataclass(frozen=True)
class Sitemap:
    """A sitemap's pages that carry a `lastmod`, or a sitemap index's child sitemaps."""

    posts: tuple[FoundPost, ...]
    children: tuple[str, ...]


def parse_sitemap(data: bytes, site_url: str) -> Sitemap:
    """A `<urlset>` (its pages with a `lastmod`, the home page left out) or a `<sitemapindex>`
    (its child sitemaps). A document type declaration is refused: sitemaps have none, and
    entities are how XML bombs are built."""
    head = data[:4096].lower()
    if b"<!doctype" in head or b"<!entity" in data.lower():
        raise MalformedError("peta situs memuat deklarasi DOCTYPE/ENTITY")
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError as exc:
        raise MalformedError(f"peta situs tidak terbaca: {_short(exc)}") from exc
    kind = _local(root.tag)
    if kind == "sitemapindex":
        children = [_child_text(node, "loc") for node in root if _local(node.tag) == "sitemap"]
        return Sitemap((), tuple(c for c in children if c))
    if kind != "urlset":
        raise MalformedError("bukan peta situs (urlset atau sitemapindex)")
    home = site_url.rstrip("/")
    posts = []
    for node in root:
        if _local(node.tag) != "url":
            continue
        loc, lastmod = _child_text(node, "loc"), _child_text(node, "lastmod")
        if not loc or not lastmod or loc.rstrip("/") == home:
            continue
        published = _w3c_date(lastmod)
        if published is not None:
            posts.append(FoundPost(title="", url=_link(loc), published=published))
    return Sitemap(tuple(posts), ())


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child_text(node: ElementTree.Element, name: str) -> str:
    for child in node:
        if _local(child.tag) == name:
            return (child.text or "").strip()
    return ""


def _w3c_date(raw: str) -> datetime | date | None:
    """2025-03-07, 2025-03-07T10:00:00+07:00 or …Z (a time without a zone is read as its day)."""
    try:
        if len(raw) == 10:
            return date.fromisoformat(raw)
        moment = datetime.fromisoformat(raw)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.date()


# --- shared ----------------------------------------------------------------------------------


def _type_of(words: Iterable[Any]) -> str:
    """The first word naming a content type other than berita, else berita."""
    for word in words:
        found = content_type_of(word)
        if found is not None and found != BERITA:
            return found
    return BERITA


def _text(raw: Any) -> str:
    return " ".join(html.unescape(str(raw or "")).split())


def _link(raw: Any) -> str | None:
    text = str(raw or "").strip()
    return text if text.lower().startswith(("http://", "https://")) else None


def _short(exc: BaseException) -> str:
    return str(exc)[:200] or type(exc).__name__
