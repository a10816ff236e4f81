"""The training-needs analysis (analisis kebutuhan pelatihan) of a period."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from tracker.services.coaching import training_needs
from tracker.services.common.permissions import VIEW
from tracker.web.coaching.area import bp
from tracker.web.common.guards import permission_required


@bp.get("/kebutuhan/")
@permission_required(VIEW)
def needs_latest() -> Response:
    """The latest assessed period's analysis."""
    codes = training_needs.assessed_periods()
    if not codes:
        flash(
            _("Belum ada periode yang dinilai; analisis kebutuhan dibuat dari hasil penilaian."),
            "info",
        )
        return redirect(url_for(".index"))
    return redirect(url_for(".needs", code=codes[0]))


@bp.get("/kebutuhan/<code>")
@permission_required(VIEW)
def needs(code: str) -> str:
    return render_template(
        "coaching/needs.html", n=training_needs.training_needs(current_user, code)
    )
