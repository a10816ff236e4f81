"""Error pages, in the reader's language, and the one place a service's refusal becomes a status.

A service refuses with one of the kinds of `tracker.services.common.errors` (NotFound 404, Invalid
422, Stale 409, Forbidden 403); `refused` below turns any of them into the page of its status,
with the refusal's message. So a view never catches a ServiceError just to pick a status: it
catches one only to show the message where the user needs it (next to the form field it concerns,
or flashed on the page it redirects back to).

The JSON API, when it comes, maps the same kinds to the same statuses: a blueprint's own
`errorhandler(ServiceError)` wins over the app's, and `refusal_body` is the body it answers.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError

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


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_failed(error: CSRFError) -> tuple[str, int]:
        return render_template("errors/400.html", reason=error.description), 400

    @app.errorhandler(ServiceError)
    def refused(error: ServiceError) -> tuple[str, int]:
        """A service refused: the page of the kind's status, saying why when it says so."""
        page = _REFUSAL_PAGES.get(error.status, _REFUSAL_PAGES[422])
        return render_template(page, **refusal_body(error)), error.status

    @app.errorhandler(403)
    def forbidden(error: Exception) -> tuple[str, int]:
        return render_template("errors/403.html"), 403

    @app.errorhandler(404)
    def not_found(error: Exception) -> tuple[str, int]:
        return render_template("errors/404.html"), 404

    @app.errorhandler(413)
    def too_large(error: Exception) -> tuple[str, int]:
        return render_template("errors/413.html"), 413

    @app.errorhandler(500)
    def server_error(error: Exception) -> tuple[str, int]:
        db.session.rollback()
        return render_template("errors/500.html"), 500
