"""Configuration read from the environment.

Fail fast: a production process without SECRET_KEY refuses to start rather than signing sessions
with a guessable key. Development and tests get a throwaway key so a newcomer's `make run` works.
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
        return int(raw.replace("_", ""))
    except ValueError as exc:
        raise ConfigError(f"{name} harus bilangan bulat, bukan {raw!r}.") from exc


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
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
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
    # Imports (tracker.io.sheets.Limits): every upload form accepts files up to this size (below
    # MAX_CONTENT_LENGTH, so the form can say why), every import reads at most IMPORT_MAX_ROWS
    # data rows, and an XLSX is refused before unpacking when its parts would unpack to more than
    # IMPORT_MAX_UNPACKED_MB or any large part more than IMPORT_MAX_ZIP_RATIO times its size.
    IMPORT_MAX_UPLOAD_MB = 10
    IMPORT_MAX_UNPACKED_MB = 256
    IMPORT_MAX_ZIP_RATIO = 100
    LOGIN_MAX_FAILURES = 10
    LOGIN_FAILURE_WINDOW_MINUTES = 15
    PAGE_SIZE = 25

    def __init__(self) -> None:
        self.PREFERRED_URL_SCHEME = os.environ.get("PREFERRED_URL_SCHEME", "http")
        secure = self.PREFERRED_URL_SCHEME == "https"
        self.SESSION_COOKIE_SECURE = secure
        self.REMEMBER_COOKIE_SECURE = secure
        self.SQLALCHEMY_DATABASE_URI = _database_url(INSTANCE_DIR / "jenjang.sqlite3")
        self.SECRET_KEY = os.environ.get("SECRET_KEY", "")
        self.OFFICE_NAME = os.environ.get("OFFICE_NAME", "Dinas Komunikasi dan Informatika")
        # an operator importing a larger file from the command line raises it for that command
        self.IMPORT_MAX_ROWS = _int("IMPORT_MAX_ROWS", 200_000)

    def validate(self) -> None:
        if not self.SECRET_KEY:
            raise ConfigError(
                "SECRET_KEY belum diatur: aplikasi tidak dijalankan tanpa kunci rahasia "
                "(SECRET_KEY is required outside development and tests)."
            )


class DevelopmentConfig(Config):
    ENV_NAME = "development"

    def __init__(self) -> None:
        super().__init__()
        self.SECRET_KEY = self.SECRET_KEY or secrets.token_hex(32)


class TestConfig(Config):
    ENV_NAME = "testing"
    TESTING = True
    WTF_CSRF_ENABLED = False
    # The cheapest Argon2id parameters (time 1, 8 KiB, 1 lane): hashing at production cost made
    # two thirds of the suite's time. Production leaves PASSWORD_HASH_COST unset (the defaults).
    PASSWORD_HASH_COST = (1, 8, 1)

    def __init__(self) -> None:
        super().__init__()
        self.SECRET_KEY = "test-secret-key"
        self.SQLALCHEMY_DATABASE_URI = _test_database_url()


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
