"""Accounts: users of each role with a region scope."""

from __future__ import annotations

from typing import Any

from tracker.extensions import db
from tracker.models import User, UserScope
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
