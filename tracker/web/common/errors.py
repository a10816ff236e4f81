"""Error pages, in the reader's language, and the one place a service's refusal becomes a status.

A service refuses with one of the kinds of `tracker.services.common.errors` (NotFound 404, Invalid
422, Stale 409, Forbidden 403); `refused` below turns any of them into the page of its status,
with the refusal's message. So a view never catches a ServiceError just to pick a status: it
catches one only to show the message where the user needs it (next to the form field it concerns,
or flashed on the page it redirects back to).

The JSON API (`/api/…`, tracker/web/api) answers every error as JSON, never as a page: each
handler here asks `answers_json()` first, so a refusal, an unknown address (404, before any view
runs), a wrong method (405, with its Allow header), a refused argument (422), the rate limit (429,
with Retry-After) and a crash (500) all come back in one shape, `error_json`:
`{"code": 404, "status": "Not Found", "message": "…", "errors": {field: [message]}}`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask, Response, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError
from werkzeug.http import HTTP_STATUS_CODES

from tracker.extensions import db
from tracker.services.common.errors import ServiceError

# the page of each status a refusal can have; any other status gets the page of an invalid request
_REFUSAL_PAGES = {
    403: "errors/403.html",
    404: "errors/404.html",
    409: "errors/409.html",
    422: "errors/422.html",
}


def refusal_body(error: ServiceError) -> dict[str, Any]:
    """What a refusal says, whatever the format that carries it."""
    return {"status": error.status, "message": error.message, "field": error.field}


API_PATH_PREFIX = "/api/"

# What the API says for a status when nothing more precise is known (Werkzeug's descriptions are
# English and speak of pages).
_API_MESSAGES = {
    400: _l("Permintaan tidak sah."),
    404: _l("Tidak ditemukan (atau di luar wilayah kerja token ini)."),
    405: _l("Metode ini tidak diizinkan untuk alamat ini; API ini hanya-baca (GET)."),
    422: _l("Argumen permintaan tidak valid; lihat errors."),
    500: _l("Terjadi kesalahan di server. Coba lagi nanti."),
}


def answers_json() -> bool:
    """Whether this request is the JSON API's: its errors are JSON, whatever went wrong."""
    return request.path.startswith(API_PATH_PREFIX)


def error_json(
    code: int,
    message: str = "",
    errors: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """The JSON API's one error body."""
    body: dict[str, Any] = {"code": code, "status": HTTP_STATUS_CODES.get(code, "Error")}
    if message:
        body["message"] = message
    if errors:
        body["errors"] = dict(errors)
    response = jsonify(body)
    response.status_code = code
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _http_error_json(error: HTTPException) -> Response:
    """An HTTPException as JSON: its description as the message, a refused argument's messages
    (webargs puts them in `data`) as the errors, and its own headers but the content type (Allow
    of a 405, Retry-After of a 429)."""
    code = error.code or 500
    data = getattr(error, "data", None) or {}
    errors = data.get("errors") or data.get("messages")
    if isinstance(errors, Mapping) and len(errors) == 1:
        # webargs keys the messages by location ({"query": {...}}); the field is what matters
        (only,) = errors.values()
        errors = only if isinstance(only, Mapping) else errors
    headers = {
        name: value
        for name, value in error.get_headers()
        if name.lower() not in ("content-type", "content-length")
    }
    headers.update(data.get("headers") or {})
    message = data.get("message")
    if not message:
        standard = type(error).description == error.description  # Werkzeug's own wording
        message = _API_MESSAGES.get(code) if standard or code >= 500 else error.description
    return error_json(code, str(message or ""), errors, headers)


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_failed(error: CSRFError) -> tuple[str, int] | Response:
        if answers_json():
            return _http_error_json(error)
        return render_template("errors/400.html", reason=error.description), 400

    @app.errorhandler(ServiceError)
    def refused(error: ServiceError) -> tuple[str, int] | Response:
        """A service refused: the page of the kind's status, saying why when it says so."""
        if answers_json():
            fields = {error.field: [error.message]} if error.field else None
            return error_json(error.status, error.message, fields)
        page = _REFUSAL_PAGES.get(error.status, _REFUSAL_PAGES[422])
        return render_template(page, **refusal_body(error)), error.status

    @app.errorhandler(403)
    def forbidden(error: HTTPException) -> tuple[str, int] | Response:
        if answers_json():
            return _http_error_json(error)
        return render_template("errors/403.html"), 403

    @app.errorhandler(404)
    def not_found(error: HTTPException) -> tuple[str, int] | Response:
        if answers_json():
            return _http_error_json(error)
        return render_template("errors/404.html"), 404

    @app.errorhandler(413)
    def too_large(error: HTTPException) -> tuple[str, int] | Response:
        if answers_json():
            return _http_error_json(error)
        return render_template("errors/413.html"), 413

    @app.errorhandler(500)
    def server_error(error: InternalServerError) -> tuple[str, int] | Response:
        db.session.rollback()
        if answers_json():
            return _http_error_json(error)
        return render_template("errors/500.html"), 500

    @app.errorhandler(HTTPException)
    def other_error(error: HTTPException) -> HTTPException | Response:
        """Any other status (400, 401, 405, 422, 429…): JSON for the API; elsewhere the response
        Werkzeug makes of it, as before this handler."""
        if answers_json():
            return _http_error_json(error)
        return error
