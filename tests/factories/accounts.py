"""Accounts: users of each role with a region scope."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from tracker.extensions import db
from tracker.models import LoginFailure, User, UserScope
from tracker.models.base import utcnow
from tracker.services.accounts.authentication import hash_password

PASSWORD = "rahasia-uji-123"


def user(
    role: str = "admin",
    scope: list[str] | None = None,
    username: str | None = None,
    password: str = PASSWORD,
    **fields: Any,
) -> User:
    """A user hashed with the app's PASSWORD_HASH_COST (the cheapest Argon2 in tests)."""
    u = User(
        username=username or f"{role}-user",
        full_name=fields.pop("full_name", f"Pengguna {role}"),
        password_hash=hash_password(password),
        role=role,
        **fields,
    )
    u.scopes = [UserScope(region_code=c) for c in (scope or ["35.08"])]
    db.session.add(u)
    db.session.commit()
    return u


def login_failures(username: str, address: str, count: int, seconds_ago: float = 0) -> None:
    """`count` failed logins on `username` from `address`, the last one `seconds_ago` (as if an
    attacker had been at it for a while, without waiting out the back-off in the test)."""
    last = utcnow() - timedelta(seconds=seconds_ago)
    for n in range(count):
        at = last - timedelta(seconds=count - 1 - n)
        db.session.add(LoginFailure(username=username, remote_addr=address, attempted_at=at))
    db.session.commit()
