"""Indonesian error pages."""

from __future__ import annotations

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError

from tracker.extensions import db
from tracker.services.common.permissions import PermissionDenied


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_failed(error: CSRFError) -> tuple[str, int]:
        return render_template("errors/400.html", reason=error.description), 400

    @app.errorhandler(403)
    def forbidden(error: Exception) -> tuple[str, int]:
        return render_template("errors/403.html"), 403

    @app.errorhandler(PermissionDenied)
    def permission_denied(error: PermissionDenied) -> tuple[str, int]:
        """A service refused the acting user: the same page as a view refused by its guard."""
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
