"""Authentication: Argon2id password hashes, database-counted login throttling, and the changes a
user makes to his own account (password, language)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta

from argon2 import DEFAULT_MEMORY_COST, DEFAULT_PARALLELISM, DEFAULT_TIME_COST, PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, func, select

from tracker.extensions import db
from tracker.models.base import utcnow
from tracker.models.user import LoginFailure, User
from tracker.services.common import audit_writer
from tracker.services.common.errors import Invalid
from tracker.text import fold

PASSWORD_MIN_LENGTH = 10
PASSWORD_MAX_LENGTH = 256  # Argon2 takes any length; this only stops absurd request bodies
USERNAME_MAX_LENGTH = 64  # the column width of user_account.username and login_failure.username

_HASHERS: dict[tuple[int, int, int], PasswordHasher] = {}
_DUMMY_HASHES: dict[tuple[int, int, int], str] = {}


def _hasher() -> PasswordHasher:
    """The Argon2id hasher of the app's PASSWORD_HASH_COST (time, memory KiB, parallelism).

    Production keeps argon2-cffi's defaults (RFC 9106 low-memory profile); the test configuration
    names the cheapest parameters, so that logging in during a test does not re-hash at full cost.
    """
    cost = tuple(current_app.config.get("PASSWORD_HASH_COST") or _DEFAULT_COST)
    hasher = _HASHERS.get(cost)  # type: ignore[call-overload]
    if hasher is None:
        time_cost, memory_cost, parallelism = cost
        hasher = PasswordHasher(
            time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism
        )
        _HASHERS[cost] = hasher  # type: ignore[index]
    return hasher


def _dummy_hash() -> str:
    """A real hash of a random password: verifying against it when the user does not exist costs
    the same time as a real check, so response time does not reveal which usernames exist."""
    hasher = _hasher()
    key = (hasher.time_cost, hasher.memory_cost, hasher.parallelism)
    if key not in _DUMMY_HASHES:
        _DUMMY_HASHES[key] = hasher.hash("jenjang-dummy-password")
    return _DUMMY_HASHES[key]


_DEFAULT_COST = (DEFAULT_TIME_COST, DEFAULT_MEMORY_COST, DEFAULT_PARALLELISM)


class AccountError(Invalid):
    """The input was refused; `field` names the form field the message belongs to."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def normalize_username(username: str) -> str:
    return fold(username)


def check_new_password(password: str, field: str = "password") -> None:
    """AccountError on `field`, with the Indonesian reason, when a new password is refused."""
    if len(password) < PASSWORD_MIN_LENGTH:
        raise AccountError(_("Kata sandi minimal %(n)d karakter.", n=PASSWORD_MIN_LENGTH), field)
    if len(password) > PASSWORD_MAX_LENGTH:
        raise AccountError(_("Kata sandi maksimal %(n)d karakter.", n=PASSWORD_MAX_LENGTH), field)
    if not password.strip():
        raise AccountError(_("Kata sandi tidak boleh hanya berisi spasi."), field)


def password_fingerprint(user: User) -> str:
    """A short digest of the stored hash, kept in the session at login.

    When the password changes (own change or an admin's reset) the fingerprint no longer matches
    and every other session of that account ends: a reset after a leak locks the intruder out.
    """
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def verify_password(user: User | None, password: str) -> bool:
    """Constant-cost check: an unknown user still costs one Argon2 verification."""
    try:
        ok = _hasher().verify(user.password_hash if user else _dummy_hash(), password)
    except (VerificationError, InvalidHashError):
        return False
    return bool(ok) and user is not None


@dataclass
class LoginResult:
    user: User | None
    throttled: bool = False


def _window() -> timedelta:
    return timedelta(minutes=current_app.config["LOGIN_FAILURE_WINDOW_MINUTES"])


def _recent_failures(username: str) -> int:
    return (
        db.session.scalar(
            select(func.count())
            .select_from(LoginFailure)
            .where(
                LoginFailure.username == username,
                LoginFailure.attempted_at >= utcnow() - _window(),
            )
        )
        or 0
    )


def authenticate(username: str, password: str, remote_addr: str | None = None) -> LoginResult:
    """Check a login. Commits: a failure is recorded even though the request itself fails.

    The count lives in the database, so the limit holds however many workers serve the requests.
    A throttled attempt is refused before the password is looked at, even a correct one.
    """
    # Folding may lengthen text (NFKC); the key must still fit the column on PostgreSQL.
    username = normalize_username(username)[:USERNAME_MAX_LENGTH]
    if _recent_failures(username) >= current_app.config["LOGIN_MAX_FAILURES"]:
        return LoginResult(user=None, throttled=True)
    user = db.session.scalar(select(User).where(User.username == username))
    ok = verify_password(user, password)
    if not ok or user is None or not user.is_active:
        # Old failures of every account are pruned here so the table never grows without bound
        # (attempts on made-up usernames are never cleared by a later success).
        db.session.execute(
            delete(LoginFailure).where(LoginFailure.attempted_at < utcnow() - _window())
        )
        db.session.add(LoginFailure(username=username, remote_addr=(remote_addr or "")[:45]))
        db.session.commit()
        return LoginResult(user=None)
    if _hasher().check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    db.session.execute(delete(LoginFailure).where(LoginFailure.username == username))
    db.session.commit()
    return LoginResult(user=user)


def change_own_password(user: User, current_password: str, new_password: str) -> None:
    """The user proves he knows the current password before choosing a new one."""
    if not verify_password(user, current_password):
        raise AccountError(_("Kata sandi saat ini salah."), "current_password")
    check_new_password(new_password, "new_password")
    if verify_password(user, new_password):
        raise AccountError(
            _("Kata sandi baru harus berbeda dari kata sandi saat ini."), "new_password"
        )
    user.password_hash = hash_password(new_password)
    # Never the hash, not even the old one: the audit log is readable by more people.
    audit_writer.record(
        "user.password_change", "user", user.id, user, "Mengganti kata sandi sendiri"
    )
    db.session.commit()


def set_locale(user: User, locale: str) -> None:
    """Takes effect from the next request (the locale selector reads user.locale)."""
    if locale not in current_app.config["LANGUAGES"]:
        raise AccountError(_("Bahasa tidak dikenal."), "locale")
    if locale == user.locale:
        return
    changes = {"bahasa": [user.locale, locale]}
    user.locale = locale
    audit_writer.record("user.locale", "user", user.id, user, "Mengganti bahasa tampilan", changes)
    db.session.commit()
