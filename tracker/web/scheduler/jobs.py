"""/admin/penjadwal (admin only): whether a scheduler is running, the jobs it plans with their
next run, the last runs with status, duration, counts and error, and "run now" (POST, CSRF,
audited), which leaves a request for the scheduler: the web worker never runs a job itself."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from tracker.models.scheduler import RUN_STATUS_LABELS
from tracker.services.common.permissions import RUN_JOBS
from tracker.services.scheduler import requests
from tracker.web.common.forms import ConfirmForm
from tracker.web.common.guards import permission_required
from tracker.web.common.paging import page_arg, page_size

bp = Blueprint("scheduler", __name__, url_prefix="/admin/penjadwal")


@bp.get("/")
@permission_required(RUN_JOBS)
def index() -> str:
    return render_template(
        "scheduler/index.html",
        overview=requests.overview(current_user, page_arg(), page_size()),
        labels=requests.JOB_LABELS,
        count_label=requests.count_label,
        status_labels=RUN_STATUS_LABELS,
        form=ConfirmForm(),
    )


@bp.post("/<name>/jalankan")
@permission_required(RUN_JOBS)
def run_now(name: str) -> Response:
    if not ConfirmForm().validate_on_submit():
        abort(400)
    requests.request_run(current_user, name[:40])  # an unknown job: Invalid, a 422
    label = requests.JOB_LABELS.get(name)
    flash(
        _(
            "Permintaan menjalankan %(job)s dicatat; penjadwal akan menjalankannya dalam "
            "beberapa detik.",
            job=_(label) if label else name,
        ),
        "success",
    )
    return redirect(url_for("scheduler.index"))
