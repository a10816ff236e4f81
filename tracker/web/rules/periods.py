"""Assessment periods: the list, adding a period by its code, closing one, reopening one (admin,
with a reason)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from tracker.scoring.periods import KIND_LABELS
from tracker.services.common.permissions import MANAGE_PERIODS, REOPEN_PERIODS, VIEW
from tracker.services.rules import periods
from tracker.web.common.forms import ConfirmForm
from tracker.web.common.guards import permission_required

bp = Blueprint("periods", __name__, url_prefix="/periode")

# The kind names come from tracker.scoring (no gettext there) and the template translates them with
# _(kind_labels[...]); listed here so that `flask translate update` puts them in the catalogue.
_KIND_NAMES = (_l("Triwulan"), _l("Semester"), _l("Tahun"))


class PeriodForm(FlaskForm):
    code = StringField(
        _l("Kode periode"),
        validators=[DataRequired(_l("Isi kode periode, mis. 2025-T1.")), Length(max=12)],
        render_kw={"placeholder": "2025-T1", "autocomplete": "off"},
    )


class ReopenForm(FlaskForm):
    reason = TextAreaField(
        _l("Alasan membuka kembali"),
        validators=[
            DataRequired(_l("Tuliskan alasan membuka kembali periode ini.")),
            Length(
                max=periods.REOPEN_REASON_MAX_LENGTH,
                message=_l("Alasan maksimal %(max)d karakter."),
            ),
        ],
        render_kw={"rows": 3},
    )


def _index(form: PeriodForm, status: int = 200) -> tuple[str, int]:
    return (
        render_template(
            "periods/index.html",
            rows=periods.list_periods(current_user),
            form=form,
            kind_labels=KIND_LABELS,
            may_manage=periods.may_change_periods(current_user),
            may_reopen=periods.may_change_periods(current_user, REOPEN_PERIODS),
        ),
        status,
    )


@bp.get("/")
@permission_required(VIEW)
def index() -> tuple[str, int]:
    return _index(PeriodForm())


@bp.post("/tambah")
@permission_required(MANAGE_PERIODS)
def add() -> Response | tuple[str, int]:
    form = PeriodForm()
    if form.validate_on_submit():
        try:
            period = periods.add_period(form.code.data or "", current_user)
        except periods.PeriodError as exc:
            form.code.errors = [*form.code.errors, exc.message]
        else:
            flash(_("Periode %(code)s ditambahkan.", code=period.code), "success")
            return redirect(url_for("periods.index"))
    return _index(form, 422)


@bp.post("/<code>/tutup")
@permission_required(MANAGE_PERIODS)
def close(code: str) -> Response:
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        period = periods.close_period(code, current_user)
    except periods.PeriodError as exc:  # said on the list it came from
        flash(exc.message, "error")
    else:
        flash(
            _(
                "Periode %(code)s ditutup. Penilaian dan datanya tidak dapat diubah lagi.",
                code=period.code,
            ),
            "success",
        )
    return redirect(url_for("periods.index"))


@bp.route("/<code>/buka-kembali", methods=["GET", "POST"])
@permission_required(REOPEN_PERIODS)
def reopen(code: str) -> Response | tuple[str, int]:
    if not periods.may_change_periods(current_user, REOPEN_PERIODS):
        abort(403)  # an admin scoped below the kabupaten
    try:
        period = periods.get_period(code)
    except periods.PeriodNotFoundError:
        abort(404)
    form = ReopenForm()
    if form.validate_on_submit():
        try:
            period = periods.reopen_period(code, form.reason.data or "", current_user)
        except periods.PeriodError as exc:
            form.reason.errors = [*form.reason.errors, str(exc)]
        else:
            flash(
                _(
                    "Periode %(code)s dibuka kembali. Datanya dapat diubah dan penilaiannya "
                    "dijalankan lagi.",
                    code=period.code,
                ),
                "success",
            )
            return redirect(url_for("periods.index"))
    status = 400 if form.is_submitted() else 200
    return render_template("periods/reopen.html", form=form, period=period), status
