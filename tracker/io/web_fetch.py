"""A polite, guarded HTTP GET for the activity harvest: other people's websites, read from the
office's server. No database; the harvest (tracker/services/activity/harvest.py) gives the
settings.

- **Addresses.** Every hop's host is resolved and each of its addresses checked with `ipaddress`:
  a private, loopback, link-local, shared, reserved or multicast address (or an IPv6 address
  carrying one: IPv4-mapped or -compatible, NAT64, 6to4) is refused unless `allow_private` (the
  setting HARVEST_ALLOW_PRIVATE) says otherwise. The connection is then made to the addresses that
  were checked (the next when one does not answer), not to a second lookup (no DNS rebinding
  between the check and the connect); TLS still verifies the certificate against the host name.
- **Redirects** are followed by hand, at most `max_redirects`, and only to http(s); each hop is
  checked as the first was.
- **Politeness.** One request at a time (the fetcher is sequential: a run reads its KIMs one
  after another), and at least `delay` seconds between two requests to the same host (longer when
  the host's robots.txt asks for a Crawl-delay, up to a minute). robots.txt is read once per host
  and run (`urllib.robotparser`) and `allowed` says whether a URL may be read; `get(…,
  robots=True)` asks it of every hop, so a redirect cannot lead into a disallowed path.
- **Limits.** `timeout` seconds for connecting and for each read, three times that for a whole
  response (a watchdog shuts the socket of a site that trickles its answer), and `budget`
  seconds for the whole run when given (the "harvest now" button); at most `max_bytes`
  of body, read as a stream (a larger Content-Length is refused before reading);
  `Accept-Encoding: identity`, so no compressed body can expand past the cap.
- **Conditional GET.** `get(url, etag=…, last_modified=…)` sends If-None-Match and
  If-Modified-Since; a 304 comes back as a response with status 304 and no body.
"""

from __future__ import annotations

import contextlib
import http.client
import ipaddress
import socket
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit
from urllib.robotparser import RobotFileParser

# Error codes (the harvest words them on the KIM's page).
BLOCKED_ADDRESS = "private"  # the host resolves to a private, loopback or link-local address
BAD_SCHEME = "scheme"  # not http(s), or a redirect elsewhere than http(s)
TOO_MANY_REDIRECTS = "redirects"
TOO_LARGE = "too_large"
TIMEOUT = "timeout"
NETWORK = "network"  # unknown host, refused connection, TLS failure, broken response
DISALLOWED = "robots"  # robots.txt disallows the URL (or where a redirect leads)

# Errors that say something about the host, not about one address on it: no other address of
# the same site is worth trying in the same run.
HOST_ERRORS = frozenset({BLOCKED_ADDRESS, TIMEOUT, NETWORK})

REDIRECTS = frozenset({301, 302, 303, 307, 308})
MAX_CRAWL_DELAY = 60.0
_CHUNK = 64 * 1024


class FetchError(Exception):
    """A URL could not be read; `code` is one of the codes above, `detail` names the URL."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail

    @property
    def host_level(self) -> bool:
        return self.code in HOST_ERRORS


@dataclass(frozen=True)
class Response:
    url: str  # after redirects
    status: int
    headers: dict[str, str]  # lower-case names
    body: bytes = b""


# IPv6 prefixes whose last 32 bits are an IPv4 address the packet ends up at: IPv4-compatible
# (::/96, deprecated), IPv4-translated (::ffff:0:0:0/96, SIIT) and NAT64 (64:ff9b::/96 and the
# local-use 64:ff9b:1::/48; through a NAT64 gateway they reach the office's own IPv4 network)
_EMBEDDING_IPV4 = tuple(
    ipaddress.IPv6Network(prefix)
    for prefix in ("::/96", "::ffff:0:0:0/96", "64:ff9b::/96", "64:ff9b:1::/48")
)


def address_allowed(address: str) -> bool:
    """A public unicast address. An IPv6 address that carries an IPv4 one (IPv4-mapped or
    -compatible, SIIT, NAT64, 6to4) is judged as that IPv4 address; site-local fec0::/10 is
    private."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.is_site_local:
            return False
        embedded = ip.ipv4_mapped or ip.sixtofour
        if embedded is None and any(ip in network for network in _EMBEDDING_IPV4):
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None:
            ip = embedded
    return ip.is_global and not ip.is_multicast


MAX_ADDRESSES = 3  # of a name's (checked) addresses, tried in turn until one answers


def _open(addresses: list[str], port: int, timeout: float) -> socket.socket:
    """A connection to the first of the checked addresses that answers."""
    failed: OSError | None = None
    for address in addresses[:MAX_ADDRESSES]:
        try:
            return socket.create_connection((address, port), timeout)
        except OSError as exc:
            failed = exc
    assert failed is not None
    raise failed


class _PinnedHTTP(http.client.HTTPConnection):
    """HTTP to addresses already checked (the Host header still names the host)."""

    def __init__(self, host: str, port: int, addresses: list[str], timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._addresses = addresses
        self.opened: socket.socket | None = None  # kept after the response takes it over

    def connect(self) -> None:
        self.sock = self.opened = _open(self._addresses, self.port, self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    """HTTPS to addresses already checked, the certificate verified against the host name."""

    def __init__(
        self, host: str, port: int, addresses: list[str], timeout: float, context: ssl.SSLContext
    ) -> None:
        super().__init__(host, port, timeout=timeout, context=context)
        self._addresses = addresses
        self._tls = context
        self.opened: socket.socket | None = None

    def connect(self) -> None:
        sock = _open(self._addresses, self.port, self.timeout)
        self.sock = self.opened = self._tls.wrap_socket(sock, server_hostname=self.host)


@dataclass
class Fetcher:
    """GETs for one harvest run (it remembers robots.txt and the last request per host)."""

    allow_private: bool = False
    timeout: float = 10.0
    max_bytes: int = 2 * 1024 * 1024
    delay: float = 1.0
    user_agent: str = "Jenjang-harvest/1.0"
    max_redirects: int = 5
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    resolve: Callable[..., list[Any]] = socket.getaddrinfo
    # seconds for the whole run, waits included (None: no limit): the "harvest now" button runs
    # in a web request, which must end before the server gives up on it
    budget: float | None = None
    requests: int = 0  # made in this run, robots.txt included
    _started: float | None = None
    _last: dict[str, float] = field(default_factory=dict)
    _robots: dict[str, RobotFileParser] = field(default_factory=dict)
    _tls: ssl.SSLContext | None = None

    # --- robots.txt ------------------------------------------------------------------------

    def robots(self, url: str) -> RobotFileParser:
        """The robots.txt rules of the URL's site, read once per run: 200 parsed; 401/403 or a
        server error disallow everything (the site is closed or unwell); another 4xx allows
        everything (no robots.txt)."""
        site = _site(url)
        rules = self._robots.get(site)
        if rules is None:
            rules = RobotFileParser(site + "/robots.txt")
            try:
                response = self.get(site + "/robots.txt", accept="text/plain")
            except FetchError as exc:
                if exc.host_level:
                    raise
                response = Response(site + "/robots.txt", 404, {})
            if response.status == 200:
                rules.parse(response.body.decode("utf-8", "replace").splitlines())
            elif response.status in (401, 403) or response.status >= 500:
                rules.disallow_all = True
            else:
                rules.allow_all = True
            self._robots[site] = rules
        return rules

    def allowed(self, url: str) -> bool:
        return self.robots(url).can_fetch(self.user_agent, url)

    def sitemaps(self, url: str) -> list[str]:
        """The Sitemap: lines of the site's robots.txt."""
        return list(self.robots(url).site_maps() or [])

    # --- GET -------------------------------------------------------------------------------

    def get(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        accept: str = "*/*",
        robots: bool = False,
    ) -> Response:
        """GET with redirects followed; any status but a redirect comes back (the body read only
        for 200). `robots`: every hop, the first and where each redirect leads, must be allowed by
        its site's robots.txt (FetchError DISALLOWED otherwise)."""
        headers = {
            "User-Agent": self.user_agent,
            "Accept": accept,
            "Accept-Encoding": "identity",
        }
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        current = url
        for _hop in range(self.max_redirects + 1):
            if robots and not self.allowed(current):
                raise FetchError(DISALLOWED, current)
            status, response_headers, body = self._once(current, headers)
            if status in REDIRECTS and response_headers.get("location"):
                current = urljoin(current, response_headers["location"].strip())
                continue
            return Response(current, status, response_headers, body)
        raise FetchError(TOO_MANY_REDIRECTS, url)

    def _once(self, url: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme not in ("http", "https") or not parts.hostname:
            raise FetchError(BAD_SCHEME, url)
        try:
            host = _ascii_name(parts.hostname)
        except UnicodeError as exc:
            raise FetchError(NETWORK, f"{url} ({type(exc).__name__})") from exc
        try:
            port = parts.port or (443 if scheme == "https" else 80)
        except ValueError as exc:
            raise FetchError(NETWORK, url) from exc
        if self._started is None:
            self._started = self.clock()
        addresses = self._addresses(host, port, url)
        site = _site(url)
        self._wait(site, url)
        limit = 3 * self.timeout  # the whole response; less when the run's budget ends sooner
        if self.budget is not None:
            limit = min(limit, self._left())
            if limit <= 0:
                raise FetchError(TIMEOUT, url)
        path = parts.path or "/"
        if parts.query:
            path += "?" + parts.query
        connection: _PinnedHTTP | _PinnedHTTPS
        if scheme == "https":
            connection = _PinnedHTTPS(host, port, addresses, self.timeout, self._context())
        else:
            connection = _PinnedHTTP(host, port, addresses, self.timeout)
        deadline = self.clock() + limit
        # the socket timeout bounds each read; a site sending a byte now and then would pass it
        # forever, so a watchdog shuts the socket down when the whole response is late
        expired = threading.Event()
        watchdog = threading.Timer(limit, _expire, args=(connection, expired))
        watchdog.daemon = True
        self.requests += 1
        watchdog.start()
        try:
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            names = {name.lower(): value for name, value in response.getheaders()}
            body = self._body(response, names, url, deadline) if response.status == 200 else b""
            if expired.is_set():  # the shut socket ended the body early: not a whole response
                raise FetchError(TIMEOUT, url)
            return response.status, names, body
        except TimeoutError as exc:
            raise FetchError(TIMEOUT, url) from exc
        except (OSError, http.client.HTTPException) as exc:
            if expired.is_set():
                raise FetchError(TIMEOUT, url) from exc
            raise FetchError(NETWORK, f"{url} ({type(exc).__name__})") from exc
        finally:
            watchdog.cancel()
            connection.close()
            self._last[site] = self.clock()

    def _body(
        self, response: http.client.HTTPResponse, headers: dict[str, str], url: str, deadline: float
    ) -> bytes:
        declared = headers.get("content-length", "").strip()
        if declared.isdigit() and int(declared) > self.max_bytes:
            raise FetchError(TOO_LARGE, url)
        chunks: list[bytes] = []
        size = 0
        while chunk := response.read(_CHUNK):
            size += len(chunk)
            if size > self.max_bytes:
                raise FetchError(TOO_LARGE, url)
            if self.clock() > deadline:
                raise FetchError(TIMEOUT, url)
            chunks.append(chunk)
        return b"".join(chunks)

    def _addresses(self, host: str, port: int, url: str) -> list[str]:
        """The addresses to connect to, in the resolver's order; every address the name has must
        be allowed."""
        try:
            found = self.resolve(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError) as exc:
            raise FetchError(NETWORK, f"{url} ({type(exc).__name__})") from exc
        addresses = [info[4][0] for info in found]
        if not addresses:
            raise FetchError(NETWORK, url)
        if not self.allow_private and not all(address_allowed(a) for a in addresses):
            raise FetchError(BLOCKED_ADDRESS, url)
        return list(dict.fromkeys(addresses))

    def _left(self) -> float:
        """Seconds left of the run's budget."""
        assert self.budget is not None and self._started is not None
        return self._started + self.budget - self.clock()

    def _wait(self, site: str, url: str) -> None:
        """At least `delay` (or the host's Crawl-delay) since the last request to the host; a
        wait that would outlast the run's budget ends the run's reading of the site at once."""
        last = self._last.get(site)
        if last is None:
            return
        gap = self.delay
        rules = self._robots.get(site)
        if rules is not None:
            asked = rules.crawl_delay(self.user_agent)
            if asked:
                gap = max(gap, min(float(asked), MAX_CRAWL_DELAY))
        wait = last + gap - self.clock()
        if self.budget is not None and wait >= self._left():
            raise FetchError(TIMEOUT, url)
        if wait > 0:
            self.sleep(wait)

    def _context(self) -> ssl.SSLContext:
        if self._tls is None:
            self._tls = ssl.create_default_context()
        return self._tls


def _expire(connection: _PinnedHTTP | _PinnedHTTPS, expired: threading.Event) -> None:
    """The watchdog's bite: the blocked read returns at once (the socket as opened: once the
    response has taken the connection over, `connection.sock` is None)."""
    expired.set()
    sock = connection.opened
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)


def _ascii_name(host: str) -> str:
    """A host name in its ASCII form, the one looked up and sent (Python's IDNA 2003 codec:
    `kim-désa.example.id` is `xn--kim-dsa-fya.example.id`); an address or an ASCII name stays as
    it is. UnicodeError when the name has no such form."""
    return host.encode("idna").decode("ascii")


def _site(url: str) -> str:
    """scheme://host[:port] of a URL, the name in its ASCII form: one site (its robots.txt, its
    crawl delay) however its name is written."""
    parts = urlsplit(url)
    netloc = parts.netloc.lower().rsplit("@", 1)[-1]
    host = parts.hostname or ""
    with contextlib.suppress(UnicodeError):  # a name with no such form: the request refuses it
        netloc = netloc.replace(host, _ascii_name(host), 1)
    return f"{parts.scheme.lower()}://{netloc}"
