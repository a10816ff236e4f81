"""Small websites for the harvest tests: an `http.server` on 127.0.0.1 in a thread per site,
serving fixed documents per path and recording every request it receives."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Page:
    body: bytes = b""
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    etag: str | None = None  # answered with 304 when the request's If-None-Match matches
    headers: dict[str, str] = field(default_factory=dict)
    # a Content-Length to send instead of the body's; -1: none (the body ends when the
    # connection closes, HTTP/1.0)
    declared_length: int | None = None
    trickle: float = 0.0  # seconds between the body's bytes, sent one at a time (a slow site)


@dataclass(frozen=True)
class Request:
    path: str  # with its query string
    headers: dict[str, str]


class Site:
    """One website; `pages` maps a path (without query string) to a Page or a callable."""

    def __init__(self) -> None:
        self.pages: dict[str, Page | Callable[[Request], Page]] = {}
        self.requests: list[Request] = []
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                request = Request(self.path, {k.lower(): v for k, v in self.headers.items()})
                site.requests.append(request)
                page = site.pages.get(self.path.split("?", 1)[0])
                if callable(page):
                    page = page(request)
                if page is None:
                    page = Page(b"not found", status=404, content_type="text/plain")
                if page.etag and request.headers.get("if-none-match") == page.etag:
                    self.send_response(304)
                    self.send_header("ETag", page.etag)
                    self.end_headers()
                    return
                self.send_response(page.status)
                self.send_header("Content-Type", page.content_type)
                length = len(page.body) if page.declared_length is None else page.declared_length
                if length >= 0:
                    self.send_header("Content-Length", str(length))
                if page.etag:
                    self.send_header("ETag", page.etag)
                for name, value in page.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    if not page.trickle:
                        self.wfile.write(page.body)  # the client may stop reading (a size cap)
                    for index in range(len(page.body) if page.trickle else 0):
                        self.wfile.write(page.body[index : index + 1])
                        self.wfile.flush()
                        time.sleep(page.trickle)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        # a short poll: shutdown() waits for the loop to look (0.5 s by default, per test)
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self.thread.start()

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def paths(self) -> list[str]:
        return [r.path.split("?", 1)[0] for r in self.requests]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def rss(items: list[tuple[str, str, str, str | None]]) -> bytes:
    """(title, link, RFC 822 date, category) per item."""
    entries = "".join(
        f"<item><title>{title}</title><link>{link}</link><pubDate>{day}</pubDate>"
        + (f"<category>{category}</category>" if category else "")
        + "</item>"
        for title, link, day, category in items
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>KIM</title>'
        f"<link>http://kim.example/</link><description>d</description>{entries}</channel></rss>"
    ).encode()


def atom(entries: list[tuple[str, str, str]]) -> bytes:
    """(title, href, ISO timestamp) per entry."""
    body = "".join(
        f'<entry><title>{title}</title><link href="{href}"/><id>{href}</id>'
        f"<updated>{moment}</updated></entry>"
        for title, href, moment in entries
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>KIM</title><id>urn:kim</id><updated>2025-03-10T00:00:00Z</updated>{body}</feed>"
    ).encode()


def sitemap(urls: list[tuple[str, str | None]]) -> bytes:
    body = "".join(
        f"<url><loc>{loc}</loc>" + (f"<lastmod>{mod}</lastmod>" if mod else "") + "</url>"
        for loc, mod in urls
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{body}</urlset>'
    ).encode()


def home(feed_path: str | None = None, api_root: str | None = None) -> bytes:
    links = ""
    if feed_path:
        links += f'<link rel="alternate" type="application/rss+xml" href="{feed_path}">'
    if api_root:
        links += f'<link rel="https://api.w.org/" href="{api_root}">'
    page = f"<!doctype html><html><head><title>KIM</title>{links}</head><body>Hai</body></html>"
    return page.encode()
