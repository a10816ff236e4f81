"""Login throttling: one address spraying many accounts waits, an attacked account slows the
attacker but not its owner at his usual address, counted in the database across workers; the
current-password check of the password-change page is throttled the same way."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, update

from tests import factories
from tracker.extensions import db
from tracker.models import LoginAddress, LoginFailure, User
from tracker.models.base import utcnow
from tracker.services.accounts.authentication import verify_password

OWNER_DESK = "10.20.0.15"  # the computer rina always signs in from
ATTACKER = "10.66.0.9"
STRANGER = "10.77.0.3"  # a computer nobody signed in from before


def _client(app: Flask, address: str) -> FlaskClient:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def _login(client: FlaskClient, username: str = "rina", password: str = factories.PASSWORD):  # type: ignore[no-untyped-def]
    return client.post("/login", data={"username": username, "password": password})


def _failures(**where: str) -> int:
    stmt = select(func.count()).select_from(LoginFailure)
    for column, value in where.items():
        stmt = stmt.where(getattr(LoginFailure, column) == value)
    return db.session.scalar(stmt) or 0


def _rina_signed_in_at_her_desk(app: Flask) -> None:
    factories.region_tree()
    factories.user("viewer", username="rina")
    owner = _client(app, OWNER_DESK)
    assert _login(owner).status_code == 302
    owner.post("/logout")


@pytest.fixture
def workers(sibling_app):  # type: ignore[no-untyped-def]
    """Two app instances on one database (two gunicorn workers); rina has signed in from her desk
    before, so that address is known for her account."""
    first, second = sibling_app(), sibling_app()
    with first.app_context():
        _rina_signed_in_at_her_desk(first)
    return first, second


@pytest.fixture
def rina(app: Flask) -> Flask:
    """One worker; rina has signed in from her desk before."""
    _rina_signed_in_at_her_desk(app)
    return app


def test_spraying_from_one_address_is_throttled_while_the_owner_signs_in(workers) -> None:
    first, second = workers
    attacker = _client(first, ATTACKER)
    with first.app_context():
        for n in range(30):  # one guess each on thirty accounts (rina's among them)
            username = "rina" if n == 7 else f"pegawai{n:02d}"
            response = _login(attacker, username, f"tebakan-{n:02d}-salah")
            assert response.status_code == 200, n
            assert "Nama pengguna atau kata sandi salah." in response.text
        # the 31st try from that address is refused before any password is looked at
        response = _login(attacker, "pegawai99", "tebakan-99-salah")
        assert response.status_code == 429
        assert "Terlalu banyak percobaan masuk yang gagal dari alamat ini" in response.text
        assert 0 < int(response.headers["Retry-After"]) <= 3600
        assert _login(attacker).status_code == 429  # even rina's right password, from there
        assert _failures(remote_addr=ATTACKER) == 30
    # rina, on the other worker at her usual desk: straight in
    with second.app_context():
        owner = _client(second, OWNER_DESK)
        assert _login(owner).status_code == 302
        assert owner.get("/akun").status_code == 200


def test_an_attacked_account_slows_strangers_but_not_its_owner(workers) -> None:
    first, second = workers
    with first.app_context():
        # a guessing campaign on rina from several addresses, the last guess a moment ago
        for address in ("10.66.0.1", "10.66.0.2", "10.66.0.3"):
            factories.login_failures("rina", address, count=4)
        stranger = _client(first, STRANGER)
        response = _login(stranger)  # even with the right password: wait first
        assert response.status_code == 429
        assert "Terlalu banyak percobaan masuk yang gagal untuk akun ini" in response.text
        assert 100 < int(response.headers["Retry-After"]) <= 2**7  # 12 failures: 128 s
        assert stranger.get("/akun").status_code == 302
    with second.app_context():
        assert _login(_client(second, OWNER_DESK)).status_code == 302
        # her success clears nothing of the attacker's: he stays slowed down
        assert _failures(username="rina") == 12


def test_a_wrong_password_at_the_owners_desk_slows_that_desk(rina: Flask) -> None:
    """The owner's address counts its own failures: guessing from her desk backs off too."""
    factories.login_failures("rina", OWNER_DESK, count=9, seconds_ago=100)
    desk = _client(rina, OWNER_DESK)
    assert _login(desk, password="masih-salah-123").status_code == 200  # 10th failure
    response = _login(desk)
    assert response.status_code == 429
    assert 25 < int(response.headers["Retry-After"]) <= 32  # 2 ** (10 - 5) s


def test_back_off_lifts_when_its_time_has_passed(rina: Flask) -> None:
    factories.login_failures("rina", "10.66.0.1", count=10)
    stranger = _client(rina, STRANGER)
    assert _login(stranger).status_code == 429
    db.session.execute(
        update(LoginFailure).values(attempted_at=LoginFailure.attempted_at - timedelta(seconds=33))
    )
    db.session.commit()
    assert _login(stranger).status_code == 302


def test_back_off_never_exceeds_fifteen_minutes(rina: Flask) -> None:
    factories.login_failures("rina", "10.66.0.1", count=25)
    response = _login(_client(rina, STRANGER))
    assert response.status_code == 429
    assert 850 < int(response.headers["Retry-After"]) <= 900


def test_failures_older_than_the_window_do_not_count(rina: Flask) -> None:
    factories.login_failures("rina", ATTACKER, count=40, seconds_ago=61 * 60)
    assert _login(_client(rina, ATTACKER), password="salah-lagi-123").status_code == 200
    assert _login(_client(rina, STRANGER)).status_code == 302


def test_four_failures_slow_nobody(client, regions) -> None:
    factories.user("viewer", username="rina")
    for n in range(4):
        assert _login(client, password=f"tebakan-{n:02d}-salah").status_code == 200
    assert _login(client).status_code == 302


def test_throttle_of_one_account_leaves_the_others_alone(client, regions) -> None:
    factories.user("viewer", username="rina")
    factories.user("viewer", username="sari")
    factories.login_failures("rina", "127.0.0.1", count=12)
    assert _login(client).status_code == 429
    assert _login(client, username="sari").status_code == 302


def test_made_up_usernames_are_throttled_alike(client, regions) -> None:
    """Whether an account exists does not change the answer."""
    factories.login_failures("tidak-ada", "10.66.0.1", count=12)
    response = _login(client, username="tidak-ada")
    assert response.status_code == 429
    assert "untuk akun ini" in response.text


def test_success_remembers_the_address_and_clears_its_own_failures(client, regions) -> None:
    user = factories.user("viewer", username="rina")
    factories.login_failures("rina", "127.0.0.1", count=2)
    factories.login_failures("rina", ATTACKER, count=2)
    assert _login(client).status_code == 302
    assert _failures(username="rina", remote_addr="127.0.0.1") == 0
    assert _failures(username="rina", remote_addr=ATTACKER) == 2
    known = db.session.scalars(
        select(LoginAddress.remote_addr).where(LoginAddress.user_id == user.id)
    )
    assert list(known) == ["127.0.0.1"]


def test_known_addresses_are_forgotten_after_ninety_days(client, regions) -> None:
    user = factories.user("viewer", username="rina")
    db.session.add(
        LoginAddress(
            user_id=user.id, remote_addr=OWNER_DESK, last_success_at=utcnow() - timedelta(days=91)
        )
    )
    db.session.commit()
    assert _login(client).status_code == 302
    rows = db.session.scalars(select(LoginAddress.remote_addr)).all()
    assert rows == ["127.0.0.1"]


# --- the current-password check of the password-change page ------------------------------------


def _change(client: FlaskClient, current: str, new: str = "kata-sandi-baru-2025"):  # type: ignore[no-untyped-def]
    return client.post(
        "/akun/kata-sandi",
        data={"current_password": current, "new_password": new, "confirm": new},
    )


def test_guessing_the_current_password_is_throttled(client, login_as) -> None:
    """Someone at a session left open may not guess the password at full speed."""
    user = login_as("viewer")
    before = user.password_hash
    response = _change(client, "tebakan-salah-1")
    assert response.status_code == 422
    assert "Kata sandi saat ini salah." in response.text
    assert _failures(username="viewer1") == 1  # counted like a failed login
    factories.login_failures("viewer1", "127.0.0.1", count=9)
    response = _change(client, factories.PASSWORD)  # even the right one must wait now
    assert response.status_code == 429
    assert "Terlalu banyak percobaan" in response.text
    db.session.expire_all()
    stored = db.session.get(User, user.id)
    assert stored is not None and stored.password_hash == before
    assert verify_password(stored, factories.PASSWORD)
