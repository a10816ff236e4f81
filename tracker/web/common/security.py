"""Protections applied to every response and request, registered by the app factory.

Headers: a strict Content-Security-Policy (the templates carry no inline script or style, so none
is allowed), no MIME sniffing, no framing, and no full URLs leaked to other sites. Pages behind the
login are not stored by the browser: on a shared office computer the back button after logging
out must not show them.

Sessions: a session remembers the fingerprint of the password it was opened with; after a password
change or an admin's reset, every other session of that account ends.
"""

from __future__ import annotations

from flask import Flask, Response, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, logout_user

from tracker.extensions import login_manager
from tracker.services.accounts.authentication import password_fingerprint

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
SESSION_FINGERPRINT_KEY = "_pwfp"


def remember_password(user: object) -> None:
    """Bind the current session to the user's present password (call at login and after an own
    password change, so the user who changed it stays logged in)."""
    session[SESSION_FINGERPRINT_KEY] = password_fingerprint(user)  # type: ignore[arg-type]


def _add_headers(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if (
        request.endpoint != "static"
        and "Cache-Control" not in response.headers
        and current_user
        and current_user.is_authenticated
    ):
        response.headers["Cache-Control"] = "no-store"
    return response


def _end_stale_session() -> Response | None:
    if request.endpoint == "static" or not current_user.is_authenticated:
        return None
    if session.get(SESSION_FINGERPRINT_KEY) == password_fingerprint(current_user):
        return None
    logout_user()
    session.clear()
    flash(_("Sesi Anda berakhir karena kata sandi akun diubah. Silakan masuk lagi."), "warning")
    return redirect(url_for("auth.login"))


# Flask-Login's own flash text (set in the factory); named here so extraction finds the msgid.
_LOGIN_MESSAGE = _l("Silakan masuk terlebih dahulu.")


def init_app(app: Flask) -> None:
    app.after_request(_add_headers)
    app.before_request(_end_stale_session)
    login_manager.localize_callback = _  # "Silakan masuk…" follows the user's language
