"""Browser tests: the real app served on a free local port, driven by Debian's Chromium.

One server for the whole run: a fresh SQLite file migrated with `flask db upgrade` and seeded with
a small demo (`flask demo seed --kims 30`), served by tests/e2e/serve.py in its own process. Each
test gets its own browser context (cookies, viewport), so tests do not share a login.

Without /usr/bin/chromium or the playwright package the tests are skipped with the reason. With
E2E_REQUIRED=1 (set by .ci/run) a skipped browser test is a failure, and so is a run in which no
browser test passed: CI cannot go green without having driven the browser.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tracker.demo.data import DEMO_USERS

CHROMIUM = os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium")
# Without the networking flags Chromium stalls on a closed network (no internet in CI or offices).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ROOT = Path(__file__).resolve().parents[2]
DEMO_KIMS = 30
# the demo accounts of tracker/demo/data.py (printed by `flask demo logins`)
PASSWORDS = {role: password for _user, role, _scope, _name, password in DEMO_USERS}
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 360, "height": 740}

try:
    from playwright.sync_api import Browser, ConsoleMessage, Page, sync_playwright
except ImportError:  # pragma: no cover - depends on the machine
    sync_playwright = None  # type: ignore[assignment]


def _missing() -> str | None:
    if sync_playwright is None:
        return "the playwright package is not installed (pip install -r requirements-dev.txt)"
    if not os.access(CHROMIUM, os.X_OK):
        return f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
    return None


def _required() -> bool:
    return os.environ.get("E2E_REQUIRED", "") == "1"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "e2e: browser tests (Playwright + Chromium), tests/e2e")
    config._e2e_passed = 0  # type: ignore[attr-defined]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    if item.get_closest_marker("e2e") is None:
        return
    if report.skipped and _required():
        report.outcome = "failed"
        report.longrepr = f"E2E_REQUIRED=1 but the browser test was skipped: {report.longrepr}"
    elif report.when == "call" and report.passed:
        item.config._e2e_passed += 1  # type: ignore[attr-defined]


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _required() and session.config._e2e_passed == 0:  # type: ignore[attr-defined]
        session.config.get_terminal_writer().line(
            "E2E_REQUIRED=1 but no browser test passed", red=True
        )
        if exitstatus == 0:
            session.exitstatus = 1


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _run(args: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")


def _wait_until_up(url: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the app server exited:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    raise RuntimeError(f"the app server did not answer {url} in 30 s:\n{log.read_text()}")


@contextmanager
def serve_fresh_app(base: Path, public: bool = False) -> Iterator[str]:
    """Migrate and seed a fresh SQLite file under `base`, serve it, yield its base URL.

    Uploads, photos and archived letters stay under `base` too. public=True makes the server's
    own address the letters' public base URL, so a letter's QR code and verification link point
    at it (the development default is port 5000).
    """
    reason = _missing()
    if reason:
        pytest.skip(reason)
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{base / 'e2e.sqlite3'}",
        "JENJANG_ENV": "development",
        "FLASK_APP": "wsgi:app",
        "SECRET_KEY": "e2e-" + os.urandom(16).hex(),
        "PHOTO_FOLDER": str(base / "photos"),  # the demo's drawn photos and the tests' own
        "LETTER_ARCHIVE": str(base / "letters"),  # never the worktree's instance/letters
    }
    if public:
        env["PUBLIC_BASE_URL"] = url
    env.pop("TEST_DATABASE_URL", None)
    flask = [sys.executable, "-m", "flask"]
    _run([*flask, "db", "upgrade"], env)
    _run([*flask, "demo", "seed", "--kims", str(DEMO_KIMS)], env)
    log = base / "server.log"
    with log.open("w") as out:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.e2e.serve",
                "--port",
                str(port),
                "--uploads",
                str(base / "uploads"),
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_until_up(url + "/login", server, log)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of the app serving a freshly migrated and seeded SQLite file."""
    with serve_fresh_app(tmp_path_factory.mktemp("e2e")) as url:
        yield url


@pytest.fixture(scope="session")
def browser(live_server: str) -> Iterator[Browser]:
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@dataclass
class ConsoleLog:
    """Console errors, uncaught page errors and CSP violations seen by one page."""

    entries: list[str] = field(default_factory=list)

    def problems(self) -> list[str]:
        return [e for e in self.entries if "favicon.ico" not in e]


@dataclass
class Session:
    page: Page
    console: ConsoleLog
    base_url: str

    def go(self, path: str) -> None:
        response = self.page.goto(self.base_url + path)
        assert response is not None and response.ok, f"{path}: HTTP {response and response.status}"

    def login(self, role: str) -> None:
        self.page.goto(self.base_url + "/login")
        self.page.get_by_label("Nama pengguna").fill(role)
        self.page.get_by_label("Kata sandi").fill(PASSWORDS[role])
        self.page.locator("main").get_by_role("button", name="Masuk").click()
        self.page.wait_for_url(re.compile(r"/$"))

    def open_menu(self, item: str) -> None:
        """Reach a page the way a person does: the header menu, then the item."""
        self.page.locator("header").get_by_text("Menu", exact=True).click()
        self.page.locator("header .nav-menu").get_by_role("link", name=item).click()


def session_factory(browser: Browser, base_url: str, contexts: list) -> Callable[..., Session]:
    """make(role=None, phone=False): a page of its own browser context (1280 or 360 px wide),
    logged in as the demo account of `role` when one is given; console errors are collected."""

    def make(role: str | None = None, phone: bool = False) -> Session:
        context = browser.new_context(
            viewport=PHONE if phone else DESKTOP, locale="id-ID", accept_downloads=True
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        console = ConsoleLog()

        def on_console(message: ConsoleMessage) -> None:
            # CSP violations ("Refused to apply inline style…") arrive as console errors
            if message.type == "error":
                source = message.location.get("url") or page.url
                console.entries.append(f"{page.url} ({source}): {message.text}")

        page.on("console", on_console)
        page.on("pageerror", lambda error: console.entries.append(f"{page.url}: {error}"))
        session = Session(page, console, base_url)
        if role:
            session.login(role)
        return session

    return make


@pytest.fixture
def open_session(browser: Browser, live_server: str) -> Iterator[Callable[..., Session]]:
    """open_session(role, phone=False): a logged-in page (1280 or 360 px wide), own context."""
    contexts: list = []
    yield session_factory(browser, live_server, contexts)
    for context in contexts:
        context.close()
