"""Authentication: Argon2id password hashes and database-counted login throttling."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from sqlalchemy import delete, func, select

from tracker.extensions import db
from tracker.models.base import utcnow
from tracker.models.user import LoginFailure, User
from tracker.text import fold

_hasher = PasswordHasher()  # argon2-cffi defaults: Argon2id, RFC 9106 low-memory profile
# A real hash of a random password: verifying against it when the user does not exist costs the
# same time as a real check, so response time does not reveal which usernames exist.
_DUMMY_HASH = _hasher.hash("jenjang-dummy-password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def normalize_username(username: str) -> str:
    return fold(username)


@dataclass
class LoginResult:
    user: User | None
    throttled: bool = False


def _recent_failures(username: str) -> int:
    window = timedelta(minutes=current_app.config["LOGIN_FAILURE_WINDOW_MINUTES"])
    return (
        db.session.scalar(
            select(func.count())
            .select_from(LoginFailure)
            .where(
                LoginFailure.username == username, LoginFailure.attempted_at >= utcnow() - window
            )
        )
        or 0
    )


def authenticate(username: str, password: str, remote_addr: str | None = None) -> LoginResult:
    """Check a login. Commits: a failure is recorded even though the request itself fails."""
    username = normalize_username(username)
    if _recent_failures(username) >= current_app.config["LOGIN_MAX_FAILURES"]:
        return LoginResult(user=None, throttled=True)
    user = db.session.scalar(select(User).where(User.username == username))
    ok = False
    try:
        ok = (
            _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
            and user is not None
        )
    except (VerificationError, InvalidHashError):
        ok = False
    if not ok or user is None or not user.is_active:
        db.session.add(LoginFailure(username=username, remote_addr=remote_addr))
        db.session.commit()
        return LoginResult(user=None)
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    db.session.execute(delete(LoginFailure).where(LoginFailure.username == username))
    db.session.commit()
    return LoginResult(user=user)
