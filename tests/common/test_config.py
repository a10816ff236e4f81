"""Configuration from the environment: fail fast without a secret, safe defaults (Secure cookies
unless plain HTTP is asked for, database errors without row values)."""

from __future__ import annotations

import pytest

import config
from tracker import create_app


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("SECRET_KEY", "PLAIN_HTTP", "TRUSTED_PROXIES", "DATABASE_URL", "JENJANG_ENV"):
        monkeypatch.delenv(name, raising=False)


def test_production_without_secret_key_refuses_to_start() -> None:
    with pytest.raises(config.ConfigError, match="SECRET_KEY"):
        config.load_config("production")


def test_the_app_itself_refuses_to_start_without_secret_key() -> None:
    with pytest.raises(config.ConfigError):
        create_app("production")
    with pytest.raises(config.ConfigError):
        create_app()  # JENJANG_ENV unset means production: safe by default


def test_blank_secret_key_counts_as_missing(monkeypatch) -> None:
    monkeypatch.setenv("SECRET_KEY", "")
    with pytest.raises(config.ConfigError):
        config.load_config("production")


def test_production_with_secret_key_works(monkeypatch) -> None:
    monkeypatch.setenv("SECRET_KEY", "k" * 64)
    cfg = config.load_config("production")
    assert cfg.SECRET_KEY == "k" * 64
    assert cfg.WTF_CSRF_ENABLED is True
    assert cfg.SESSION_COOKIE_HTTPONLY is True
    assert cfg.SESSION_COOKIE_SAMESITE == "Lax"
    assert cfg.SESSION_COOKIE_SECURE is True  # production speaks HTTPS unless told otherwise
    assert cfg.REMEMBER_COOKIE_SECURE is True
    assert cfg.PREFERRED_URL_SCHEME == "https"
    assert cfg.SQLALCHEMY_ENGINE_OPTIONS["hide_parameters"] is True
    assert cfg.TRUSTED_PROXIES == 0
    assert cfg.SQLALCHEMY_DATABASE_URI.startswith("sqlite:///")
    app = create_app(cfg)
    assert app.config["SECRET_KEY"] == "k" * 64


def test_plain_http_must_be_asked_for(monkeypatch) -> None:
    monkeypatch.setenv("SECRET_KEY", "k" * 64)
    monkeypatch.setenv("PLAIN_HTTP", "1")
    cfg = config.load_config("production")
    assert cfg.SESSION_COOKIE_SECURE is False and cfg.REMEMBER_COOKIE_SECURE is False
    assert cfg.PREFERRED_URL_SCHEME == "http"


def test_development_serves_plain_http_unless_told_otherwise(monkeypatch) -> None:
    assert config.load_config("development").SESSION_COOKIE_SECURE is False
    monkeypatch.setenv("PLAIN_HTTP", "0")
    assert config.load_config("development").SESSION_COOKIE_SECURE is True


def test_trusted_proxies_must_be_a_number(monkeypatch) -> None:
    monkeypatch.setenv("TRUSTED_PROXIES", "2")
    assert config.load_config("development").TRUSTED_PROXIES == 2
    monkeypatch.setenv("TRUSTED_PROXIES", "nginx")
    with pytest.raises(config.ConfigError, match="TRUSTED_PROXIES"):
        config.load_config("development")


def test_development_gets_a_throwaway_key() -> None:
    first = config.load_config("development")
    second = config.load_config("development")
    assert len(first.SECRET_KEY) >= 32 and first.SECRET_KEY != second.SECRET_KEY


def test_unknown_environment_is_refused() -> None:
    with pytest.raises(config.ConfigError, match="JENJANG_ENV"):
        config.load_config("staging")


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://u:p@db/jenjang", "postgresql+psycopg://u:p@db/jenjang"),
        ("postgresql://u:p@db/jenjang", "postgresql+psycopg://u:p@db/jenjang"),
        ("postgresql+psycopg://u@db/j", "postgresql+psycopg://u@db/j"),
    ],
)
def test_database_url_gets_the_psycopg_driver(monkeypatch, given: str, expected: str) -> None:
    monkeypatch.setenv("SECRET_KEY", "k" * 64)
    monkeypatch.setenv("DATABASE_URL", given)
    uri = config.load_config("production").SQLALCHEMY_DATABASE_URI
    assert uri == expected


def test_login_throttle_settings() -> None:
    cfg = config.load_config("testing")
    assert cfg.LOGIN_FAILURE_WINDOW_MINUTES == 60
    assert cfg.LOGIN_FREE_ATTEMPTS == 5
    assert cfg.LOGIN_BACKOFF_MAX_SECONDS == 900
    assert cfg.LOGIN_MAX_FAILURES_PER_ADDRESS == 30
