"""A KIM's activity harvest: its last run (source, what it found, any error), its latest harvested
posts, and the "panen sekarang" button for admin and kabid (tracker/services/activity/harvest.py).
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from tracker.models.harvest import (
    HARVEST_ERROR,
    HARVEST_ERROR_LABELS,
    HARVEST_STATUS_LABELS,
    SOURCE_KIND_LABELS,
)
from tracker.services.activity import harvest
from tracker.services.common.permissions import HARVEST_ACTIVITY, VIEW
from tracker.web.common.forms import ConfirmForm
from tracker.web.common.guards import permission_required

bp = Blueprint("harvest", __name__, url_prefix="/aktivitas/panen")


@bp.route("/kim/<int:kim_id>")
@permission_required(VIEW)
def kim(kim_id: int) -> str:
    page = harvest.harvest_page(current_user, kim_id)
    return render_template(
        "activity/harvest.html",
        page=page,
        kim=page.kim,
        state=page.state,
        form=ConfirmForm(),
        source_labels=SOURCE_KIND_LABELS,
        status_labels=HARVEST_STATUS_LABELS,
        error_labels=HARVEST_ERROR_LABELS,
    )


@bp.route("/kim/<int:kim_id>/jalankan", methods=["POST"])
@permission_required(HARVEST_ACTIVITY)
def run(kim_id: int) -> Response:
    if not ConfirmForm().validate_on_submit():
        abort(400)
    result = harvest.harvest_kim(current_user, kim_id)
    if result.status == HARVEST_ERROR:
        flash(_("Panen gagal; lihat keterangannya di bawah."), "error")
    else:
        flash(
            _(
                "Panen selesai: %(found)s unggahan ditemukan, %(new)s baru disimpan.",
                found=result.found,
                new=result.new,
            ),
            "success",
        )
    return redirect(url_for("harvest.kim", kim_id=kim_id))
