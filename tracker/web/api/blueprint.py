"""The API's one blueprint and who is asking: every request carries a personal token as
`Authorization: Bearer <token>` (created on the account page), and acts as the token's user, with
his role and region scope, exactly as his pages do. No session cookie is read or written, so
there is nothing for CSRF to protect (the blueprint is exempt); the security headers of
web/common/security apply as on every response.

Every request with a valid token counts against the token's rate limit
(services/accounts/api_tokens.use_token); the answer says how much is left (RateLimit-Limit,
RateLimit-Remaining) and a request over it is refused with 429 and Retry-After."""

from __future__ import annotations

from flask import Response, g, request
from flask_babel import gettext as _
from flask_smorest import Blueprint
from webargs.flaskparser import FlaskParser
from werkzeug.datastructures import WWWAuthenticate
from werkzeug.exceptions import TooManyRequests, Unauthorized

from tracker.models.user import User
from tracker.services.accounts import api_tokens

bp = Blueprint(
    "api",
    __name__,
    url_prefix="/api/v1",
    description="Read-only access to the district's KIMs, assessments, coaching, visits and "
    "letters, in the token user's role and region scope.",
)

# The argument schemas' own `unknown` (RAISE, web/api/paging.PageArgs) holds, where webargs would
# otherwise drop unknown query arguments silently.
bp.ARGUMENTS_PARSER = FlaskParser(unknown=None)

BEARER = "bearer "


def _unauthorized(message: str) -> Unauthorized:
    return Unauthorized(message, www_authenticate=WWWAuthenticate("bearer", {"realm": "api"}))


def actor() -> User:
    """The user the request's token acts for (set before any view runs)."""
    return g.api_user  # type: ignore[no-any-return]


@bp.before_request
def _authenticate() -> None:
    header = request.headers.get("Authorization", "")
    if not header[: len(BEARER)].lower() == BEARER:
        raise _unauthorized(_("Sertakan token API sebagai header Authorization: Bearer <token>."))
    use = api_tokens.use_token(header[len(BEARER) :].strip())
    if use is None:
        raise _unauthorized(_("Token API tidak dikenal atau sudah dicabut."))
    g.api_rate = use
    if use.throttled:
        raise TooManyRequests(
            _(
                "Terlalu banyak permintaan dengan token ini. Coba lagi dalam %(num)d detik.",
                num=use.retry_after,
            ),
            retry_after=use.retry_after,
        )
    g.api_user = use.user


@bp.after_request
def _rate_headers(response: Response) -> Response:
    use = g.get("api_rate")
    if use is not None:
        response.headers["RateLimit-Limit"] = str(use.limit)
        response.headers["RateLimit-Remaining"] = str(use.remaining)
    return response
