"""Protections applied to every request and response, registered by the app factory.

Headers: a strict Content-Security-Policy (the templates carry no inline script or style, so none
is allowed), no MIME sniffing, no framing, no full URLs leaked to other sites, and HSTS on
responses served over HTTPS. Nothing a signed-in user receives is stored by the browser
(`no-store`, exports included): on a shared office computer the back button after logging out
must not show a page, and a downloaded registry holds contacts.

Input: a NUL character anywhere in the path, the query string or a form (PostgreSQL cannot store
one) is refused with 400 and a message before any view runs.

Sessions: a session remembers the account's session generation it was opened in
(`bind_session`); logout, a password change or reset and deactivation raise the generation, and
the session, or a copy of its cookie, ends at its next request.

Timeouts: a signed-in session ends after SESSION_IDLE_MINUTES without a request and
SESSION_MAX_HOURS after its login (`_end_expired_session`). The login page is then shown with
the page to return to (for a form sent after the end: the page the form was on, whose typed
contents `static/js/session-timeout.js` kept in the browser and puts back); the script warns
SESSION_WARNING_MINUTES before the idle end and offers to stay signed in (`auth.keep_alive`).

Asking to sign in: a page that needs a signed-in user sends an anonymous visitor to the login page
(`_ask_to_sign_in`). Someone who just arrived (no session yet, or the home page) is not greeted by a
warning; a browser whose sign-in ended without logging out is told why it is asked again.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any, TypeVar

from flask import (
    Flask,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_url, logout_user
from werkzeug.datastructures import MultiDict
from werkzeug.middleware.proxy_fix import ProxyFix

from tracker.extensions import login_manager
from tracker.web.common.errors import answers_json, error_json

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}
SESSION_GENERATION_KEY = "_gen"
SESSION_STARTED_KEY = "_started"  # when the session signed in (seconds since the epoch)
SESSION_SEEN_KEY = "_seen"  # its last request, written at most once a SEEN_PRECISION
SEEN_PRECISION = 60  # seconds: a session cookie is not rewritten on every request

log = logging.getLogger(__name__)


def bind_session(user: object) -> None:
    """Tie the current session to the account's present session generation: at login, and after
    the user's own password change or reset, so that the session that asked stays signed in."""
    session[SESSION_GENERATION_KEY] = user.session_generation  # type: ignore[attr-defined]


def _now() -> float:
    return time.time()


def start_session_clock() -> None:
    """At login: the idle and absolute timeouts count from now."""
    now = int(_now())
    session[SESSION_STARTED_KEY] = now
    session[SESSION_SEEN_KEY] = now


def session_timeouts() -> tuple[int, int]:
    """(idle, absolute) timeouts in seconds, from the settings."""
    config = current_app.config
    return int(config["SESSION_IDLE_MINUTES"]) * 60, int(config["SESSION_MAX_HOURS"]) * 3600


def _return_to_after_login() -> str | None:
    """The page to come back to: the one asked for, or for a form sent after the session ended,
    the page of the form (same site only; the login view checks it again)."""
    if request.method in ("GET", "HEAD"):
        return request.full_path if request.query_string else request.path
    referrer = request.referrer or ""
    if referrer.startswith(request.host_url):
        return "/" + referrer[len(request.host_url) :]
    return None


def _end_expired_session() -> Response | None:
    if request.endpoint == "static" or not current_user.is_authenticated:
        return None
    now = int(_now())
    idle, absolute = session_timeouts()
    started = session.get(SESSION_STARTED_KEY)
    seen = session.get(SESSION_SEEN_KEY)
    if not isinstance(started, int) or not isinstance(seen, int):
        start_session_clock()  # a session signed in before the clock existed
        return None
    if now - seen <= idle and now - started <= absolute:
        if now - seen >= SEEN_PRECISION:
            session[SESSION_SEEN_KEY] = now
        return None
    back = _return_to_after_login()
    logout_user()
    session.clear()
    if now - started > absolute:
        message = _(
            "Sesi Anda berakhir karena sudah %(hours)d jam sejak masuk. Silakan masuk lagi.",
            hours=absolute // 3600,
        )
    else:
        message = _(
            "Sesi Anda berakhir karena tidak ada aktivitas selama %(minutes)d menit. "
            "Silakan masuk lagi; isian formulir yang belum terkirim dikembalikan setelah masuk.",
            minutes=idle // 60,
        )
    flash(message, "warning")
    if back and back != url_for("auth.login"):
        return redirect(login_url("auth.login", next_url=back))
    return redirect(url_for("auth.login"))


def _add_headers(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if request.is_secure:
        # Without includeSubDomains: other hosts of the office's domain may still be plain HTTP.
        max_age = current_app.config.get("HSTS_MAX_AGE") or 0
        if max_age:
            response.headers["Strict-Transport-Security"] = f"max-age={max_age}"
    if answers_json() or (
        request.endpoint != "static" and current_user and current_user.is_authenticated
    ):
        # Overrides send_file's no-cache too: an export must not stay in the browser's cache.
        # The API's answers (registry contacts) are a signed-in reader's too, by token.
        response.headers["Cache-Control"] = "no-store"
    return response


F = TypeVar("F", bound=Callable[..., Any])


def upload_limit(limit: Callable[[], int]) -> Callable[[F], F]:
    """Give one view its own request-size limit (`limit()` bytes) instead of MAX_CONTENT_LENGTH,
    e.g. a session's material of 20 MB where a spreadsheet import stops at 16. Put it below the
    permission decorator. Applied before anything reads the request's body (`_apply_upload_limit`
    runs first), so a larger request gets the 413 page."""

    def mark(view: F) -> F:
        view.upload_limit = limit  # type: ignore[attr-defined]
        return view

    return mark


def _apply_upload_limit() -> None:
    view = current_app.view_functions.get(request.endpoint or "")
    limit = getattr(view, "upload_limit", None)
    if limit is not None:
        request.max_content_length = int(limit())


def _has_nul(values: MultiDict[str, str]) -> bool:
    return any("\x00" in key or any("\x00" in v for v in values.getlist(key)) for key in values)


def _refuse_nul() -> tuple[str, int] | Response | None:
    """One check for all request input: PostgreSQL refuses NUL in text, which made any form or
    search that carried one a 500 there (SQLite stored it silently)."""
    uploads = (f.filename or "" for f in request.files.values())
    if (
        "\x00" in request.path
        or _has_nul(request.args)
        or (request.method != "GET" and _has_nul(request.form))
        or any("\x00" in name for name in uploads)
    ):
        reason = _(
            "Permintaan ini memuat karakter NUL (\\x00) yang tidak diizinkan di alamat, "
            "pencarian, atau isian formulir. Hapus karakter itu lalu kirim kembali."
        )
        if answers_json():
            return error_json(400, reason)
        return render_template("errors/400.html", message=reason), 400
    return None


def _end_stale_session() -> Response | None:
    if request.endpoint == "static" or answers_json() or not current_user.is_authenticated:
        return None
    if session.get(SESSION_GENERATION_KEY) == current_user.session_generation:
        return None
    logout_user()
    session.clear()
    flash(
        _(
            "Sesi Anda telah berakhir: akun ini keluar, kata sandinya diganti, atau akunnya "
            "dinonaktifkan. Silakan masuk lagi."
        ),
        "warning",
    )
    return redirect(url_for("auth.login"))


def warn_if_cookie_cannot_return() -> None:
    """A Secure session cookie set over plain HTTP never comes back: the login looks accepted and
    the next page asks to log in again. Tell the operator why in the log."""
    if current_app.config.get("SESSION_COOKIE_SECURE") and not request.is_secure:
        log.warning(
            "Login over plain HTTP while the session cookie is Secure: the browser will not send "
            "it back. Serve over HTTPS (behind a proxy: TRUSTED_PROXIES), or set PLAIN_HTTP=1 "
            "on a development machine."
        )


_SIGNED_OUT_MESSAGE = _l("Sesi Anda sudah berakhir. Silakan masuk lagi untuk membuka halaman itu.")


def _ask_to_sign_in() -> Response:
    """Flask-Login's unauthorized handler: to the login page, back here afterwards.

    The warning is for a browser that was signed in and no longer is (the session still carries
    the generation `bind_session` wrote at login; a logout clears it), e.g. when the session's
    protection ended it. A first visit, or someone opening the home page, gets the login page
    without it: there is nothing to warn about, and the page says what to do."""
    if request.endpoint == "main.index":
        return redirect(url_for("auth.login"))
    if session.get(SESSION_GENERATION_KEY) is not None:
        flash(_SIGNED_OUT_MESSAGE, "warning")
    return redirect(login_url("auth.login", next_url=request.url))


def init_app(app: Flask) -> None:
    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies:
        # The client's address (throttling) and scheme (HSTS, Secure cookies) as the trusted
        # proxies saw them; without this every request seems to come from the proxy itself.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies
        )
    app.before_request(_apply_upload_limit)  # before anything reads the body
    app.before_request(_refuse_nul)
    app.before_request(_end_stale_session)
    app.before_request(_end_expired_session)
    app.after_request(_add_headers)
    login_manager.unauthorized_handler(_ask_to_sign_in)
