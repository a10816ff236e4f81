"""Personal API tokens: created and revoked by their owner on his account page, used as a Bearer
token on the read-only JSON API (/api/v1, docs/api.md), where they act with the owner's role and
region scope, exactly as his pages do.

Storage. A token is `jjg_` and 43 URL-safe characters (32 random bytes, 256 bits). Only its
SHA-256 is kept: a fast hash is enough for a secret of that strength (nothing to guess), and it
lets a request find its token with one indexed lookup. The secret is shown once, when created;
its first characters (`prefix`) stay visible so the owner can tell his tokens apart.

Rate limit. Every request with a valid token counts in a fixed window of one minute kept on the
token's row (`window_start`, `window_count`), raised by one atomic UPDATE that also stamps
`last_used_at`: the limit (API_RATE_LIMIT requests per API_RATE_WINDOW seconds) holds across
gunicorn workers, like the login throttling above it in this domain, without a table that grows.
A request over the limit is refused with the seconds until the window ends (Retry-After).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from math import ceil

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import case, func, select, update

from tracker.extensions import db
from tracker.models.base import utcnow
from tracker.models.user import ApiToken, User
from tracker.services.common import audit_writer
from tracker.services.common.errors import Invalid, NotFound
from tracker.services.common.unit_of_work import transaction

TOKEN_PREFIX = "jjg_"
VISIBLE_CHARS = 12  # "jjg_" and the first 8 characters of the random part
NAME_MAX_LENGTH = 80
MAX_ACTIVE_TOKENS = 10  # per user: a forgotten script should be revoked, not joined by more


class TokenNameError(Invalid):
    """The name given to a new token was refused (the form's `name` field)."""


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class TokenRow:
    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


def _row(token: ApiToken) -> TokenRow:
    return TokenRow(
        token.id, token.name, token.prefix, token.created_at, token.last_used_at, token.revoked_at
    )


def list_tokens(user: User) -> list[TokenRow]:
    """The user's own tokens, active first, newest first."""
    tokens = db.session.scalars(
        select(ApiToken)
        .where(ApiToken.user_id == user.id)
        .order_by(ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc(), ApiToken.id.desc())
    )
    return [_row(token) for token in tokens]


@dataclass(frozen=True)
class NewToken:
    row: TokenRow
    secret: str  # shown once; never stored


def create_token(user: User, name: str) -> NewToken:
    """A new token for `user`, named so he recognises it (e.g. the system that uses it)."""
    name = " ".join((name or "").split())
    if not name:
        raise TokenNameError(_("Isi nama token."), "name")
    if len(name) > NAME_MAX_LENGTH:
        raise TokenNameError(
            _("Nama token paling panjang %(max)d karakter.", max=NAME_MAX_LENGTH), "name"
        )
    active = db.session.scalar(
        select(func.count(ApiToken.id)).where(
            ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None)
        )
    )
    if (active or 0) >= MAX_ACTIVE_TOKENS:
        raise TokenNameError(
            _(
                "Anda sudah memiliki %(max)d token aktif. Cabut token yang tidak dipakai lagi "
                "sebelum membuat yang baru.",
                max=MAX_ACTIVE_TOKENS,
            ),
            "name",
        )
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction():
        token = ApiToken(
            user_id=user.id,
            name=name,
            prefix=secret[:VISIBLE_CHARS],
            token_hash=_digest(secret),
            created_at=utcnow(),
        )
        db.session.add(token)
        db.session.flush()
        audit_writer.record(
            "api_token.create",
            "api_token",
            token.id,
            user,
            params={"name": name, "prefix": token.prefix},
            changes={"name": [None, name]},
        )
    return NewToken(_row(token), secret)


def revoke_token(user: User, token_id: int) -> TokenRow:
    """Revoke one of the user's own tokens (another user's token is not found). Revoking a revoked
    token changes nothing."""
    token = db.session.scalar(
        select(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == user.id)
    )
    if token is None:
        raise NotFound(_("Token tidak ditemukan."))
    if token.revoked_at is not None:
        return _row(token)
    with transaction():
        token.revoked_at = utcnow()
        audit_writer.record(
            "api_token.revoke",
            "api_token",
            token.id,
            user,
            params={"name": token.name, "prefix": token.prefix},
        )
    return _row(token)


# --- using a token -----------------------------------------------------------------------------


@dataclass(frozen=True)
class TokenUse:
    """What a request's token allows: its user, or the wait when it is over the rate limit."""

    user: User
    limit: int
    remaining: int
    retry_after: int | None = None  # seconds; set when the request is refused

    @property
    def throttled(self) -> bool:
        return self.retry_after is not None


def rate_limit() -> int:
    return int(current_app.config["API_RATE_LIMIT"])


def rate_window() -> int:
    return int(current_app.config["API_RATE_WINDOW"])


def use_token(secret: str) -> TokenUse | None:
    """The token whose secret is `secret`, counted against its rate limit; None when there is no
    such token, it was revoked, or its user is deactivated. Commits its count on its own (a
    refused request counts too)."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 100:
        return None
    now = utcnow()
    window = rate_window()
    expired = ApiToken.window_start.is_(None) | (
        ApiToken.window_start <= now - timedelta(seconds=window)
    )
    with transaction():  # one statement finds the token, counts the request and reads the count
        found = db.session.execute(
            update(ApiToken)
            .where(ApiToken.token_hash == _digest(secret), ApiToken.revoked_at.is_(None))
            .values(
                window_count=case((expired, 1), else_=ApiToken.window_count + 1),
                window_start=case((expired, now), else_=ApiToken.window_start),
                last_used_at=now,
            )
            .returning(ApiToken.user_id, ApiToken.window_start, ApiToken.window_count)
            .execution_options(synchronize_session=False)
        ).one_or_none()
    if found is None:
        return None
    user_id, start, count = found
    user = db.session.get(User, user_id)
    if user is None or not user.is_active:
        return None
    limit = rate_limit()
    if count > limit:
        wait = (start + timedelta(seconds=window) - now).total_seconds()
        return TokenUse(user, limit, 0, retry_after=max(1, ceil(wait)))
    return TokenUse(user, limit, limit - count)
