"""Letters in batches and the district recap report: the start form with the batches started
(`/surat/batch/`), one batch's page with its progress and items, the progress as JSON for the
page's poll (static/js/batch-progress.js), the ZIP and the combined PDF; issuing the recap report.

A batch runs in its own OS process (`batch.start_in_background`), never in the web worker: the
page only reads its row. Thin views: the services check the role, the region scope and every rule.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import SelectField
from wtforms.validators import DataRequired

from tracker.models.letters import BATCH_STATUS_LABELS, ITEM_STATUS_LABELS, ITEM_STATUSES
from tracker.services.common.errors import Invalid
from tracker.services.common.permissions import ISSUE_LETTERS
from tracker.services.letters import batch, recap
from tracker.web.common.guards import permission_required
from tracker.web.common.paging import page_arg, page_size

bp = Blueprint("letter_batches", __name__, url_prefix="/surat/batch")


class BatchForm(FlaskForm):
    periode = SelectField(_l("Periode"), validators=[DataRequired()], validate_choice=False)
    kecamatan = SelectField(_l("Kecamatan"), validate_choice=False)
    jenjang = SelectField(_l("Jenjang"), validate_choice=False)


class RecapForm(FlaskForm):
    periode = SelectField(_l("Periode"), validators=[DataRequired()], validate_choice=False)


def _page(form: BatchForm, recap_form: RecapForm, status: int = 200) -> tuple[str, int]:
    options = batch.form_options(current_user, form.periode.data or "")
    form.periode.choices = [(code, code) for code in options.periods]
    form.periode.data = form.periode.data or options.period
    form.kecamatan.choices = [("", _("Semua kecamatan")), *options.kecamatan]
    form.jenjang.choices = [("", _("Semua jenjang")), *((t, t) for t in options.tiers)]
    recap_form.periode.choices = form.periode.choices
    recap_form.periode.data = recap_form.periode.data or options.period
    page = render_template(
        "letters/batches.html",
        form=form,
        recap_form=recap_form,
        options=options,
        batches=batch.list_batches(current_user, page_arg(), page_size()),
        labels=BATCH_STATUS_LABELS,
        filter_text=batch.filter_text,
    )
    return page, status


@bp.get("/")
@permission_required(ISSUE_LETTERS)
def index() -> tuple[str, int]:
    chosen = (request.args.get("periode") or "").strip()[:10]
    return _page(
        BatchForm(formdata=None, data={"periode": chosen}),
        RecapForm(formdata=None, prefix="rekap", data={"periode": chosen}),
    )


@bp.post("/")
@permission_required(ISSUE_LETTERS)
def start() -> Response | tuple[str, int]:
    form = BatchForm()
    if not form.validate_on_submit():  # a missing CSRF token never gets here (CSRFProtect: 400)
        return _page(form, RecapForm(formdata=None, prefix="rekap"), 422)
    try:
        started = batch.start_in_background(
            current_user,
            (form.periode.data or "").strip()[:10],
            kecamatan=(form.kecamatan.data or "").strip()[:13],
            tier=(form.jenjang.data or "").strip()[:12],
        )
    except Invalid as refused:
        flash(refused.message, "error")
        return _page(form, RecapForm(formdata=None, prefix="rekap"), 422)
    flash(_("Penerbitan serentak %(n)s surat dimulai.", n=started.total), "success")
    return redirect(url_for(".detail", batch_id=started.id))


@bp.get("/<int:batch_id>")
@permission_required(ISSUE_LETTERS)
def detail(batch_id: int) -> str:
    found = batch.get_batch(current_user, batch_id)
    status = request.args.get("status", "")
    status = status if status in ITEM_STATUSES else ""
    items = batch.batch_items(current_user, batch_id, page_arg(), page_size(), status)
    return render_template(
        "letters/batch.html",
        b=found,
        progress=batch.progress(current_user, batch_id),
        items=items,
        numbers=batch.item_letters(items.items),
        item_labels=ITEM_STATUS_LABELS,
        status=status,
        filter_text=batch.filter_text(found),
    )


@bp.get("/<int:batch_id>/progress.json")
@permission_required(ISSUE_LETTERS)
def progress(batch_id: int) -> Response:
    response = jsonify(batch.progress(current_user, batch_id).to_json())
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/<int:batch_id>/lanjutkan")
@permission_required(ISSUE_LETTERS)
def resume(batch_id: int) -> Response:
    """Start the batch's process again (after it died, or after a stop the office fixed)."""
    if not FlaskForm().validate_on_submit():  # the CSRF token is the form
        abort(400)
    try:
        batch.relaunch(current_user, batch_id)
    except Invalid as refused:
        flash(refused.message, "error")
    return redirect(url_for(".detail", batch_id=batch_id))


@bp.get("/<int:batch_id>/surat.zip")
@permission_required(ISSUE_LETTERS)
def zip_file(batch_id: int) -> Response:
    found = batch.result_file(current_user, batch_id, "zip")
    return send_file(found.path, mimetype=found.mimetype, download_name=found.filename)


@bp.get("/<int:batch_id>/gabungan.pdf")
@permission_required(ISSUE_LETTERS)
def combined(batch_id: int) -> Response:
    found = batch.result_file(current_user, batch_id, "pdf")
    return send_file(found.path, mimetype=found.mimetype, download_name=found.filename)


@bp.post("/rekap")
@permission_required(ISSUE_LETTERS)
def issue_recap() -> Response | tuple[str, int]:
    form = RecapForm(prefix="rekap")
    if not form.validate_on_submit():  # a missing CSRF token never gets here (CSRFProtect: 400)
        return _page(BatchForm(formdata=None), form, 422)
    try:
        letter = recap.issue_recap(current_user, (form.periode.data or "").strip()[:10])
    except Invalid as refused:
        flash(refused.message, "error")
        return _page(BatchForm(formdata=None), form, 422)
    flash(_("Laporan hasil evaluasi %(number)s diterbitkan.", number=letter.number), "success")
    return redirect(url_for("letters.detail", letter_id=letter.id))
