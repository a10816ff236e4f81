"""Sessions end by themselves: after SESSION_IDLE_MINUTES without a request and SESSION_MAX_HOURS
after the login, whatever the activity. A form sent after the end brings the login page (never a
500), nothing is written, and signing in returns to the form's page; pages of a signed-in user
carry what static/js/session-timeout.js needs to warn before the end."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from tests import factories
from tracker.extensions import db
from tracker.models import Kim
from tracker.web.common import security


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    c = Clock()
    monkeypatch.setattr(security, "_now", lambda: c.now)
    return c


def test_defaults_are_thirty_minutes_idle_and_twelve_hours_in_all(app: Flask) -> None:
    assert app.config["SESSION_IDLE_MINUTES"] == 30
    assert app.config["SESSION_MAX_HOURS"] == 12
    assert 0 < app.config["SESSION_WARNING_MINUTES"] < app.config["SESSION_IDLE_MINUTES"]


def test_the_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from config import load_config

    monkeypatch.setenv("SESSION_IDLE_MINUTES", "15")
    monkeypatch.setenv("SESSION_MAX_HOURS", "8")
    config = load_config("testing")
    assert (config.SESSION_IDLE_MINUTES, config.SESSION_MAX_HOURS) == (15, 8)


def test_an_idle_session_ends(client: FlaskClient, login_as, clock: Clock) -> None:
    login_as("viewer")
    clock.advance(29 * 60)
    assert client.get("/akun").status_code == 200  # activity: the idle time starts again
    clock.advance(29 * 60)
    assert client.get("/akun").status_code == 200
    clock.advance(31 * 60)
    response = client.get("/akun")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=%2Fakun"
    page = client.get("/login").text
    assert "tidak ada aktivitas selama 30 menit" in page
    assert client.get("/akun").status_code == 302  # signed out for good


def test_an_active_session_still_ends_after_the_absolute_limit(
    client: FlaskClient, login_as, clock: Clock
) -> None:
    login_as("viewer")
    for _ in range(12 * 3):  # a request every 20 minutes for 12 hours
        clock.advance(20 * 60)
        assert client.get("/akun").status_code == 200
    clock.advance(20 * 60)
    response = client.get("/akun")
    assert response.status_code == 302
    assert "sudah 12 jam sejak masuk" in client.get("/login").text


def test_a_form_sent_after_the_end_goes_to_login_and_back_to_its_page(
    client: FlaskClient, login_as, regions, clock: Clock
) -> None:
    login_as("admin")
    form_page = "http://localhost/kim/baru"
    assert client.get(form_page).status_code == 200
    clock.advance(31 * 60)
    data = {"name": "KIM Terlambat", "desa_code": regions.desa_a1}
    response = client.post("/kim/baru", data=data, headers={"Referer": form_page})
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=%2Fkim%2Fbaru"
    assert db.session.scalar(select(func.count()).select_from(Kim)) == 0  # nothing written
    back = client.post(
        response.headers["Location"],
        data={"username": "admin1", "password": factories.PASSWORD},
    )
    assert back.headers["Location"] == "/kim/baru"


def test_a_form_sent_after_the_end_from_another_site_returns_to_nothing_foreign(
    client: FlaskClient, login_as, clock: Clock
) -> None:
    login_as("viewer")
    clock.advance(31 * 60)
    response = client.post(
        "/akun/bahasa", data={"locale": "en"}, headers={"Referer": "https://jahat.example/x"}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/login"


def test_staying_signed_in_is_a_request(client: FlaskClient, login_as, clock: Clock) -> None:
    login_as("viewer")
    clock.advance(25 * 60)
    assert client.get("/akun/sesi").status_code == 204
    clock.advance(25 * 60)
    assert client.get("/akun").status_code == 200


def test_pages_carry_the_timeout_for_the_warning_script(client: FlaskClient, login_as) -> None:
    anonymous = client.get("/login").text
    assert "data-session-idle" not in anonymous
    assert 'data-session-login-page="1"' in anonymous
    login_as("viewer")
    page = client.get("/akun").text
    assert 'data-session-idle="1800"' in page
    assert 'data-session-warn="300"' in page
    assert 'data-session-ping="/akun/sesi"' in page
    assert "Sesi Anda akan berakhir dalam 5 menit" in page
    assert "/static/js/session-timeout.js" in page
    script = client.get("/static/js/session-timeout.js")
    assert script.status_code == 200 and b"sessionStorage" in script.data


def test_a_session_from_before_the_clock_existed_gets_one(
    app: Flask, client: FlaskClient, login_as, clock: Clock
) -> None:
    login_as("viewer")
    with client.session_transaction() as sess:
        del sess[security.SESSION_STARTED_KEY]
        del sess[security.SESSION_SEEN_KEY]
    assert client.get("/akun").status_code == 200
    clock.advance(31 * 60)
    assert client.get("/akun").status_code == 302
