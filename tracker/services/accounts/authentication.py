"""Authentication: Argon2id password hashes, login throttling counted in the database, sessions
that end, and the changes a user makes to his own account (password, language).

Throttling. Every failed password check (at login, or the current password on the password-change
page) is a row in `login_failure`, so the limits hold however many gunicorn workers serve the
requests. Failures count for LOGIN_FAILURE_WINDOW_MINUTES. Two limits, both checked before any
password is looked at:
- per address: an address with LOGIN_MAX_FAILURES_PER_ADDRESS failures, whatever the usernames,
  waits until the oldest of them ages out (one address spraying many accounts);
- per account: after LOGIN_FREE_ATTEMPTS failures each further try waits 1 s, 2 s, 4 s … (up to
  LOGIN_BACKOFF_MAX_SECONDS) after the last failure. An address the account signed in from before
  counts only its own failures on the account and passes the per-address limit: an attacker
  elsewhere slows himself down, never the owner at his usual address. Nobody is locked out.

Sessions. Each account has a session generation; a session remembers the one it was opened in.
Logout, a password change or reset and deactivation raise it (`end_sessions`), so every session
opened before ends at its next request, a copied cookie included.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from math import ceil
from typing import TYPE_CHECKING

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import delete, func, select

from tracker.extensions import db
from tracker.models.base import utcnow
from tracker.models.user import LoginAddress, LoginFailure, User
from tracker.services.accounts import password_policy
from tracker.services.common import audit_writer
from tracker.services.common.errors import Invalid
from tracker.services.common.unit_of_work import depth, transaction
from tracker.services.common.upsert import insert_for
from tracker.text import fold

if TYPE_CHECKING:
    from argon2 import PasswordHasher

USERNAME_MAX_LENGTH = 64  # the column width of user_account.username and login_failure.username
ADDRESS_MAX_LENGTH = 45  # the column width of login_failure/login_address.remote_addr (IPv6)

_HASHERS: dict[tuple[int, int, int], PasswordHasher] = {}
_DUMMY_HASHES: dict[tuple[int, int, int], str] = {}


def _hasher() -> PasswordHasher:
    """The Argon2id hasher of the app's PASSWORD_HASH_COST (time, memory KiB, parallelism).

    Production keeps argon2-cffi's defaults (RFC 9106 low-memory profile); the test configuration
    names the cheapest parameters, so that logging in during a test does not re-hash at full cost.
    """
    import argon2  # imported by the first login, not by every process that starts

    default = (argon2.DEFAULT_TIME_COST, argon2.DEFAULT_MEMORY_COST, argon2.DEFAULT_PARALLELISM)
    cost = tuple(current_app.config.get("PASSWORD_HASH_COST") or default)
    hasher = _HASHERS.get(cost)  # type: ignore[call-overload]
    if hasher is None:
        time_cost, memory_cost, parallelism = cost
        hasher = argon2.PasswordHasher(
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


class AccountError(Invalid):
    """The input was refused; `field` names the form field the message belongs to."""


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def normalize_username(username: str) -> str:
    return fold(username)


def check_new_password(password: str, username: str, field: str = "password") -> None:
    """AccountError on `field`, with the reason, when `username` may not choose `password`
    (the rule of tracker.services.accounts.password_policy)."""
    reason = password_policy.weakness(password, username)
    if reason is not None:
        raise AccountError(reason, field)


def verify_password(user: User | None, password: str) -> bool:
    """Constant-cost check: an unknown user still costs one Argon2 verification."""
    from argon2.exceptions import InvalidHashError, VerificationError

    try:
        ok = _hasher().verify(user.password_hash if user else _dummy_hash(), password)
    except (VerificationError, InvalidHashError):
        return False
    return bool(ok) and user is not None


# --- sessions ----------------------------------------------------------------------------------


def end_sessions(user: User) -> None:
    """End every session of the account opened so far (the caller's unit of work commits it and
    writes the audit entry that says why). Raised in SQL, so two workers never lose a raise; the
    attribute reloads with the new value after the flush."""
    user.session_generation = User.session_generation + 1  # type: ignore[assignment]
    db.session.flush()


def log_out(user: User) -> None:
    """Logout ends every session of the account, not only this browser's: a cookie copied from
    it (or a session left open on another computer) stops working too."""
    with transaction():
        end_sessions(user)
        audit_writer.record("user.logout", "user", user.id, user, params={"user": user.id})


# --- throttling --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Throttle:
    """Why and how long an attempt is refused before its password is looked at."""

    retry_after: int  # seconds
    by_address: bool  # True: this address failed too often; False: this account did

    @property
    def message(self) -> str:
        if self.retry_after < 60:
            wait = ngettext("%(num)d detik", "%(num)d detik", self.retry_after)
        else:
            minutes = ceil(self.retry_after / 60)
            wait = ngettext("%(num)d menit", "%(num)d menit", minutes)
        if self.by_address:
            return _(
                "Terlalu banyak percobaan masuk yang gagal dari alamat ini. "
                "Coba lagi dalam %(wait)s.",
                wait=wait,
            )
        return _(
            "Terlalu banyak percobaan masuk yang gagal untuk akun ini. Coba lagi dalam %(wait)s.",
            wait=wait,
        )


class ThrottledError(AccountError):
    """The current-password check of the password-change page is throttled like a login."""

    status = 429

    def __init__(self, throttle: Throttle, field: str | None = None) -> None:
        super().__init__(throttle.message, field)
        self.throttle = throttle


def _address(remote_addr: str | None) -> str:
    return (remote_addr or "")[:ADDRESS_MAX_LENGTH]


def _window_start(now: datetime) -> datetime:
    return now - timedelta(minutes=current_app.config["LOGIN_FAILURE_WINDOW_MINUTES"])


def _backoff_seconds(failures: int) -> int:
    """The wait after the last failure once `failures` failures count: none for the first free
    ones, then doubling from one second, never more than the cap."""
    over = failures - current_app.config["LOGIN_FREE_ATTEMPTS"]
    if over < 0:
        return 0
    cap = current_app.config["LOGIN_BACKOFF_MAX_SECONDS"]
    return cap if over >= cap.bit_length() else min(2**over, cap)


def _is_known(user: User | None, address: str) -> bool:
    if user is None or not address:
        return False
    return db.session.get(LoginAddress, (user.id, address)) is not None


def _address_throttle(address: str, now: datetime) -> Throttle | None:
    limit = current_app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"]
    recent = select(LoginFailure.attempted_at).where(
        LoginFailure.remote_addr == address, LoginFailure.attempted_at >= _window_start(now)
    )
    count = db.session.scalar(select(func.count()).select_from(recent.subquery())) or 0
    if count < limit:
        return None
    # The count drops below the limit when the (count - limit + 1)-th oldest failure ages out.
    oldest = db.session.scalar(
        recent.order_by(LoginFailure.attempted_at).offset(count - limit).limit(1)
    )
    free_at = oldest + timedelta(minutes=current_app.config["LOGIN_FAILURE_WINDOW_MINUTES"])
    return Throttle(retry_after=max(1, ceil((free_at - now).total_seconds())), by_address=True)


def _account_throttle(username: str, address: str, known: bool, now: datetime) -> Throttle | None:
    stmt = select(func.count(), func.max(LoginFailure.attempted_at)).where(
        LoginFailure.username == username, LoginFailure.attempted_at >= _window_start(now)
    )
    if known:
        stmt = stmt.where(LoginFailure.remote_addr == address)
    count, last = db.session.execute(stmt).one()
    delay = _backoff_seconds(count)
    if not delay or last is None:
        return None
    wait = (last + timedelta(seconds=delay) - now).total_seconds()
    return Throttle(retry_after=ceil(wait), by_address=False) if wait > 0 else None


def throttle_for(username: str, address: str, user: User | None) -> Throttle | None:
    """The throttle an attempt on `username` (folded) from `address` meets now, if any."""
    now = utcnow()
    known = _is_known(user, address)
    if not known:
        throttle = _address_throttle(address, now)
        if throttle is not None:
            return throttle
    return _account_throttle(username, address, known, now)


def _record_failure(username: str, address: str) -> None:
    """Count a failed password check. Commits on its own, because the request that caused it
    fails: that is why it may not run inside another unit of work (its commit would carry the
    caller's half-done writes). Old failures of every account are pruned here so the table never
    grows without bound (attempts on made-up usernames are never cleared by a success)."""
    if depth():
        raise RuntimeError("a failed login is recorded outside any other unit of work")
    now = utcnow()
    db.session.execute(delete(LoginFailure).where(LoginFailure.attempted_at < _window_start(now)))
    db.session.add(LoginFailure(username=username, remote_addr=address, attempted_at=now))
    db.session.commit()


def _remember_address(user: User, address: str, now: datetime) -> None:
    """Upsert (user, address) as a known login address, atomic on both databases."""
    if not address:
        return
    dialect = db.session.get_bind().dialect.name
    stmt = insert_for(dialect)(LoginAddress).values(
        user_id=user.id, remote_addr=address, last_success_at=now
    )
    db.session.execute(
        stmt.on_conflict_do_update(
            index_elements=[LoginAddress.user_id, LoginAddress.remote_addr],
            set_={"last_success_at": now},
        )
    )
    days = current_app.config["LOGIN_KNOWN_ADDRESS_DAYS"]
    db.session.execute(
        delete(LoginAddress).where(LoginAddress.last_success_at < now - timedelta(days=days))
    )


def _clear_own_failures(username: str, address: str) -> None:
    """A success clears the failures of this address only: an attacker's failures elsewhere
    keep slowing him down."""
    db.session.execute(
        delete(LoginFailure).where(
            LoginFailure.username == username, LoginFailure.remote_addr == address
        )
    )


# --- login -------------------------------------------------------------------------------------


@dataclass
class LoginResult:
    user: User | None
    throttle: Throttle | None = None

    @property
    def throttled(self) -> bool:
        return self.throttle is not None


def authenticate(username: str, password: str, remote_addr: str | None = None) -> LoginResult:
    """Check a login from `remote_addr`. A failure is recorded (and committed) even though the
    request fails; a throttled attempt is refused before the password is looked at."""
    # Folding may lengthen text (NFKC); the key must still fit the column on PostgreSQL.
    username = normalize_username(username)[:USERNAME_MAX_LENGTH]
    address = _address(remote_addr)
    user = db.session.scalar(select(User).where(User.username == username))
    throttle = throttle_for(username, address, user)
    if throttle is not None:
        return LoginResult(user=None, throttle=throttle)
    ok = verify_password(user, password)
    if not ok or user is None or not user.is_active:
        _record_failure(username, address)
        return LoginResult(user=None)
    now = utcnow()
    with transaction():
        if _hasher().check_needs_rehash(user.password_hash):
            user.password_hash = hash_password(password)
        user.last_login_at = now
        _clear_own_failures(username, address)
        _remember_address(user, address, now)
    return LoginResult(user=user)


# --- own account -------------------------------------------------------------------------------


def change_own_password(
    user: User, current_password: str, new_password: str, remote_addr: str | None = None
) -> None:
    """The user proves he knows the current password before choosing a new one. That check is
    throttled like a login (a session left open must not become a password-guessing oracle).
    Every other session of the account ends; the caller re-binds the one that asked."""
    address = _address(remote_addr)
    throttle = throttle_for(user.username, address, user)
    if throttle is not None:
        raise ThrottledError(throttle, "current_password")
    if not verify_password(user, current_password):
        _record_failure(user.username, address)
        raise AccountError(_("Kata sandi saat ini salah."), "current_password")
    check_new_password(new_password, user.username, "new_password")
    if verify_password(user, new_password):
        raise AccountError(
            _("Kata sandi baru harus berbeda dari kata sandi saat ini."), "new_password"
        )
    with transaction():
        user.password_hash = hash_password(new_password)
        end_sessions(user)
        _clear_own_failures(user.username, address)
        # Never the hash, not even the old one: the audit log is readable by more people.
        audit_writer.record("user.password_change", "user", user.id, user, params={"user": user.id})


def set_locale(user: User, locale: str) -> None:
    """Takes effect from the next request (the locale selector reads user.locale)."""
    if locale not in current_app.config["LANGUAGES"]:
        raise AccountError(_("Bahasa tidak dikenal."), "locale")
    if locale == user.locale:
        return
    with transaction():
        changes = {"locale": [user.locale, locale]}
        user.locale = locale
        audit_writer.record(
            "user.locale", "user", user.id, user, params={"user": user.id}, changes=changes
        )
