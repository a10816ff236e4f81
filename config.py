"""Configuration read from the environment.

Fail fast: a production process without SECRET_KEY refuses to start rather than signing sessions
with a guessable key. Development and tests get a throwaway key so a newcomer's `make run` works.

Safe by default: session cookies are `Secure` unless PLAIN_HTTP says the app is served over plain
HTTP on purpose (development and tests say so by default, production must say it explicitly).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"


class ConfigError(RuntimeError):
    """The environment does not describe a runnable application."""


def _bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return raw.strip().lower() in {"1", "true", "yes", "ya", "on"}


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw.replace("_", ""))  # 200_000 reads as Python writes it
    except ValueError as exc:
        raise ConfigError(f"{name} harus bilangan bulat, bukan {raw!r}.") from exc


def _float(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return float(raw.replace(",", "."))
    except ValueError as exc:
        raise ConfigError(f"{name} harus bilangan, bukan {raw!r}.") from exc


def _database_url(default_sqlite: Path) -> str:
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        return f"sqlite:///{default_sqlite}"
    # Heroku-style URLs name the driver implicitly; we ship psycopg 3.
    if url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url[len("postgres://") :]
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


class Config:
    """Settings shared by every environment."""

    ENV_NAME = "production"
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    # hide_parameters: a database error is logged with its SQL but without the row's values (KIM
    # contacts, names): the log is read by more people than the data.
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True, "hide_parameters": True}
    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT = None
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    BABEL_DEFAULT_LOCALE = "id"
    BABEL_DEFAULT_TIMEZONE = "Asia/Jakarta"
    # The catalogues live at the project root, not under the package (Flask-Babel's default).
    BABEL_TRANSLATION_DIRECTORIES = str(BASE_DIR / "translations")
    LANGUAGES = ("id", "en")
    MAX_CONTENT_LENGTH = 16 * 1024 * 1024  # uploads: spreadsheets of a whole district fit easily
    # A coaching session's materials (PDF, PPTX, DOCX, images), each; their upload page raises
    # the request limit above to this (tracker/web/coaching/materials.py).
    MATERIAL_MAX_BYTES = 20 * 1024 * 1024
    # Imports (tracker.io.sheets.Limits): every upload form accepts files up to this size (below
    # MAX_CONTENT_LENGTH, so the form can say why), every import reads at most IMPORT_MAX_ROWS
    # data rows, and an XLSX is refused before unpacking when its parts would unpack to more than
    # IMPORT_MAX_UNPACKED_MB or any large part more than IMPORT_MAX_ZIP_RATIO times its size.
    IMPORT_MAX_UPLOAD_MB = 10
    IMPORT_MAX_UNPACKED_MB = 256
    IMPORT_MAX_ZIP_RATIO = 100
    # Login throttling (tracker.services.accounts.authentication): failures count for an hour;
    # after 5 on one account each further try waits 1 s, 2 s, 4 s … up to 15 minutes since the
    # last failure (an address that signed in to the account before counts only its own
    # failures); an address with 30 failures in the hour, whatever the usernames, waits.
    LOGIN_FAILURE_WINDOW_MINUTES = 60
    LOGIN_FREE_ATTEMPTS = 5
    LOGIN_BACKOFF_MAX_SECONDS = 15 * 60
    LOGIN_MAX_FAILURES_PER_ADDRESS = 30
    LOGIN_KNOWN_ADDRESS_DAYS = 90
    HSTS_MAX_AGE = 365 * 24 * 3600  # sent only on responses served over HTTPS
    # The public verification page (/verifikasi/<token>): requests per client address per window.
    VERIFY_RATE_LIMIT = 30
    VERIFY_RATE_WINDOW = 600  # seconds
    PAGE_SIZE = 25
    # Sessions (tracker.web.common.security): a signed-in session ends after SESSION_IDLE_MINUTES
    # without a request, and SESSION_MAX_HOURS after its login whatever the activity. Pages warn
    # SESSION_WARNING_MINUTES before the idle end (static/js/session-timeout.js) and keep what
    # was typed in their forms in the browser, put back after signing in again.
    SESSION_IDLE_MINUTES = 30
    SESSION_MAX_HOURS = 12
    SESSION_WARNING_MINUTES = 5
    # The JSON API (/api/v1, docs/api.md): requests per token per window (the largest page, 100,
    # is part of its OpenAPI document: tracker/web/api/paging.MAX_PER_PAGE).
    API_RATE_LIMIT = 120
    API_RATE_WINDOW = 60  # seconds
    # Visit photos (tracker.services.visits.photos): each file at most PHOTO_MAX_BYTES, at most
    # PHOTO_MAX_PIXELS (a larger one is refused as a possible decompression bomb), stored with
    # its long side at most PHOTO_MAX_SIDE and a thumbnail of PHOTO_THUMB_SIDE; a visit form may
    # carry several photos, so its request may reach VISIT_FORM_MAX_BYTES (MAX_CONTENT_LENGTH
    # elsewhere).
    PHOTO_MAX_BYTES = 10 * 1024 * 1024
    PHOTO_MAX_PIXELS = 50_000_000
    PHOTO_MAX_SIDE = 2560
    PHOTO_THUMB_SIDE = 320
    VISIT_FORM_MAX_BYTES = 80 * 1024 * 1024
    PLAIN_HTTP_DEFAULT = False
    # The activity harvest (tracker/services/activity/harvest.py, docs/harvest.md): a KIM's
    # website is read again when its last run is HARVEST_INTERVAL_HOURS old; posts older than
    # HARVEST_LOOKBACK_DAYS are not stored, nor more than HARVEST_MAX_POSTS per run; each response
    # at most HARVEST_MAX_BYTES, HARVEST_TIMEOUT_SECONDS per connect or read.
    HARVEST_INTERVAL_HOURS = 24
    HARVEST_LOOKBACK_DAYS = 400
    HARVEST_MAX_POSTS = 200
    HARVEST_MAX_BYTES = 2 * 1024 * 1024
    HARVEST_TIMEOUT_SECONDS = 10.0
    # "harvest now" (the button, `flask activity harvest --kim`) reads the site within this many
    # seconds, waits included: it runs in a web request, which gunicorn ends at 120 s
    HARVEST_BUTTON_SECONDS = 60.0

    def __init__(self) -> None:
        # PLAIN_HTTP=1: served over plain HTTP on purpose (a developer's machine); otherwise the
        # session cookie is Secure and the browser sends it only over HTTPS.
        self.PLAIN_HTTP = _bool("PLAIN_HTTP", self.PLAIN_HTTP_DEFAULT)
        self.PREFERRED_URL_SCHEME = "http" if self.PLAIN_HTTP else "https"
        self.SESSION_COOKIE_SECURE = not self.PLAIN_HTTP
        self.REMEMBER_COOKIE_SECURE = not self.PLAIN_HTTP
        # Behind a reverse proxy (nginx terminating TLS): how many proxies to trust for
        # X-Forwarded-For/-Proto/-Host, so that throttling sees the client's address and HSTS
        # sees HTTPS. 0 (the default) trusts none: a client cannot forge its address.
        self.TRUSTED_PROXIES = _int("TRUSTED_PROXIES", 0)
        self.SQLALCHEMY_DATABASE_URI = _database_url(INSTANCE_DIR / "jenjang.sqlite3")
        self.SECRET_KEY = os.environ.get("SECRET_KEY", "")
        self.OFFICE_NAME = os.environ.get("OFFICE_NAME", "Dinas Komunikasi dan Informatika")
        # an operator importing a larger file from the command line raises it for that command
        self.IMPORT_MAX_ROWS = _int("IMPORT_MAX_ROWS", 200_000)
        self.SESSION_IDLE_MINUTES = _int("SESSION_IDLE_MINUTES", self.SESSION_IDLE_MINUTES)
        self.SESSION_MAX_HOURS = _int("SESSION_MAX_HOURS", self.SESSION_MAX_HOURS)
        # where visit photos are kept (by content hash); empty: instance/photos
        self.PHOTO_FOLDER = os.environ.get("PHOTO_FOLDER", "").strip()
        # Letters (tracker/services/letters): where the verification page is reachable from
        # outside, for the QR code (the office setting of that name wins when an admin sets it);
        # where archived PDFs live (default instance/letters); the office's electronic-signature
        # certificate (PKCS#12) and its passphrase, when letters are to be signed.
        self.PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "").strip()
        self.LETTER_ARCHIVE = os.environ.get("LETTER_ARCHIVE", "").strip() or None
        self.LETTER_SIGNING_PKCS12 = os.environ.get("LETTER_SIGNING_PKCS12", "").strip()
        self.LETTER_SIGNING_PASSPHRASE = os.environ.get("LETTER_SIGNING_PASSPHRASE", "")
        # The harvest refuses private, loopback and link-local addresses (a KIM's website is
        # typed by people: it must not make the server read the office's own network) unless
        # HARVEST_ALLOW_PRIVATE=1; it waits HARVEST_DELAY_SECONDS between two requests to a host.
        self.HARVEST_ALLOW_PRIVATE = _bool("HARVEST_ALLOW_PRIVATE", False)
        self.HARVEST_DELAY_SECONDS = _float("HARVEST_DELAY_SECONDS", 1.0)
        # The scheduler (`flask scheduler run`, tracker/jobs; docs/scheduler.md): its time zone
        # (the jobs' times and the days they key on), how long its lease holds without a
        # heartbeat (SQLite; a killed scheduler's lease lapses after it), how often it looks for
        # "run now" requests, how many times a failed run is tried, and how many days after a
        # period's end it is closed (late data still counts until then).
        self.SCHEDULER_TIMEZONE = os.environ.get("SCHEDULER_TIMEZONE", "").strip() or "Asia/Jakarta"
        self.SCHEDULER_LEASE_SECONDS = _int("SCHEDULER_LEASE_SECONDS", 90)
        self.SCHEDULER_POLL_SECONDS = _int("SCHEDULER_POLL_SECONDS", 30)
        self.JOB_MAX_ATTEMPTS = _int("JOB_MAX_ATTEMPTS", 3)
        self.PERIOD_CLOSE_GRACE_DAYS = _int("PERIOD_CLOSE_GRACE_DAYS", 10)
        # Reminders by e-mail (tracker/services/notifications/mail.py): off unless MAIL_SERVER is
        # set. MAIL_USE_TLS: STARTTLS on the plain port; MAIL_USE_SSL: TLS from the start (465).
        self.MAIL_SERVER = os.environ.get("MAIL_SERVER", "").strip()
        self.MAIL_PORT = _int("MAIL_PORT", 25)
        self.MAIL_USE_TLS = _bool("MAIL_USE_TLS")
        self.MAIL_USE_SSL = _bool("MAIL_USE_SSL")
        self.MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "").strip()
        self.MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
        self.MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "").strip()
        # worker processes a batch of letters renders on (empty: one per core; 0: in the batch's
        # own process)
        self.LETTER_BATCH_WORKERS = os.environ.get("LETTER_BATCH_WORKERS", "").strip()

    def validate(self) -> None:
        if not self.SECRET_KEY:
            raise ConfigError(
                "SECRET_KEY belum diatur: aplikasi tidak dijalankan tanpa kunci rahasia "
                "(SECRET_KEY is required outside development and tests)."
            )


class DevelopmentConfig(Config):
    ENV_NAME = "development"
    PLAIN_HTTP_DEFAULT = True  # `make run` serves http://127.0.0.1:5000

    def __init__(self) -> None:
        super().__init__()
        self.SECRET_KEY = self.SECRET_KEY or secrets.token_hex(32)
        self.PUBLIC_BASE_URL = self.PUBLIC_BASE_URL or "http://127.0.0.1:5000"


class TestConfig(Config):
    ENV_NAME = "testing"
    TESTING = True
    PLAIN_HTTP_DEFAULT = True  # the test client speaks plain HTTP
    WTF_CSRF_ENABLED = False
    # The cheapest Argon2id parameters (time 1, 8 KiB, 1 lane): hashing at production cost made
    # two thirds of the suite's time. Production leaves PASSWORD_HASH_COST unset (the defaults).
    PASSWORD_HASH_COST = (1, 8, 1)

    def __init__(self) -> None:
        super().__init__()
        self.SECRET_KEY = "test-secret-key"
        self.SQLALCHEMY_DATABASE_URI = _test_database_url()
        self.PUBLIC_BASE_URL = "http://localhost"  # the test client's host
        self.LETTER_SIGNING_PKCS12 = ""  # a test that signs configures its own certificate
        self.MAIL_SERVER = ""  # a test that mails starts its own SMTP server


def _test_database_url() -> str:
    url = os.environ.get("TEST_DATABASE_URL", "").strip()
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url or "sqlite:///:memory:"


CONFIGS: dict[str, type[Config]] = {
    "development": DevelopmentConfig,
    "testing": TestConfig,
    "production": Config,
}


def load_config(name: str | None = None) -> Config:
    """Pick the configuration named by JENJANG_ENV (default production: safe by default)."""
    name = name or os.environ.get("JENJANG_ENV", "production")
    try:
        config = CONFIGS[name]()
    except KeyError as exc:
        raise ConfigError(f"JENJANG_ENV tidak dikenal: {name!r}") from exc
    config.validate()
    return config
