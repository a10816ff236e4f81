"""Activity data in: the three imports (upload → preview → confirm), their templates, and the
data-entry grid of manual indicator values per kecamatan and period."""

from __future__ import annotations

from collections.abc import Mapping

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import LazyString
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from werkzeug.wrappers import Response
from wtforms import HiddenField, SelectField

from tracker.io.activity_columns import KIND_COUNTS, KIND_MEASURES, KIND_POSTS, KINDS
from tracker.models import Period
from tracker.services.activity import measurements, upload_flow
from tracker.services.activity.content_import import ImportFileError
from tracker.services.common.permissions import ENTER_ACTIVITY
from tracker.services.common.uploads import UploadMissingError
from tracker.services.rules.periods import PeriodClosedError
from tracker.web.common.downloads import send_table
from tracker.web.common.forms import ConfirmForm
from tracker.web.common.guards import permission_required

bp = Blueprint("activity", __name__, url_prefix="/aktivitas")

KIND_URL = "<any(unggahan,jumlah,pengukuran):kind>"
# kind -> (title, needs a period, what the file holds); lazy, so each reader gets their language
KIND_INFO: dict[str, tuple[LazyString, bool, LazyString]] = {
    KIND_POSTS: (
        _l("Unggahan konten"),
        False,
        _l(
            "Satu baris per unggahan di website KIM: KIM, jenis (berita/galeri/pengumuman/agenda), "
            "tanggal, judul, tautan. Unggahan yang sudah ada dilewati."
        ),
    ),
    KIND_COUNTS: (
        _l("Jumlah konten per periode"),
        True,
        _l(
            "Satu baris per KIM: jumlah Berita, Galeri, Pengumuman dan Agenda dalam periode "
            "(angka Top Konten). Mengimpor ulang menimpa jumlah lama."
        ),
    ),
    KIND_MEASURES: (
        _l("Nilai indikator manual"),
        True,
        _l("Satu baris per KIM dan indikator: kode indikator (K1, K3, M2…), nilai, catatan bukti."),
    ),
}


class UploadForm(FlaskForm):
    file = FileField(
        _l("Berkas CSV atau XLSX"), validators=[FileRequired(_l("Pilih berkas CSV atau XLSX."))]
    )
    period = SelectField(_l("Periode"), choices=[], validate_choice=False)


class ConfirmImportForm(FlaskForm):
    token = HiddenField()
    skip_invalid = HiddenField()


def _upload_form(kind: str, periods: list[Period], form: UploadForm | None = None) -> UploadForm:
    form = form or UploadForm(prefix=kind, formdata=None)
    form.period.choices = [(p.code, p.code) for p in periods]
    return form


def _index(failed: Mapping[str, UploadForm], status: int = 200) -> tuple[str, int]:
    overview = upload_flow.overview(current_user)
    forms = {k: _upload_form(k, overview.open_periods, failed.get(k)) for k in KINDS}
    return (
        render_template(
            "activity/index.html", overview=overview, forms=forms, kinds=KIND_INFO, order=KINDS
        ),
        status,
    )


@bp.get("/")
@permission_required(ENTER_ACTIVITY)
def index() -> tuple[str, int]:
    return _index({})


@bp.post(f"/impor/{KIND_URL}")
@permission_required(ENTER_ACTIVITY)
def upload(kind: str) -> tuple[str, int]:
    form = UploadForm(prefix=kind)
    needs_period = KIND_INFO[kind][1]
    valid = form.validate_on_submit()
    if needs_period and not form.period.data:
        form.period.errors = [_("Pilih periode yang masih terbuka.")]
        valid = False
    if valid:
        storage = form.file.data
        try:
            preview = upload_flow.preview_upload(
                kind,
                current_user,
                storage.filename or "",
                storage.read(),
                form.period.data if needs_period else None,
            )
        except ImportFileError as exc:
            form.file.errors = [*form.file.errors, str(exc)]
        else:
            return _preview(kind, preview), 200
    return _index({kind: form}, 400)


def _preview(kind: str, preview: upload_flow.Preview) -> str:
    return render_template(
        "activity/preview.html",
        kind=kind,
        info=KIND_INFO[kind],
        result=preview.result,
        form=ConfirmImportForm(token=preview.token),
    )


@bp.post(f"/impor/{KIND_URL}/konfirmasi")
@permission_required(ENTER_ACTIVITY)
def confirm(kind: str) -> Response | tuple[str, int]:
    form = ConfirmImportForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        result = upload_flow.confirm_upload(
            kind, current_user, form.token.data or "", form.skip_invalid.data == "1"
        )
    except UploadMissingError:
        flash(
            _("Berkas unggahan tidak ditemukan: sudah diimpor atau kedaluwarsa. Unggah ulang."),
            "error",
        )
        return redirect(url_for("activity.index"))
    except ImportFileError as exc:
        flash(str(exc), "error")
        return redirect(url_for("activity.index"))
    status = 400 if result.refused else 200
    return render_template(
        "activity/summary.html", kind=kind, info=KIND_INFO[kind], result=result
    ), status


@bp.get(f"/templat/{KIND_URL}.<any(csv,xlsx):fmt>")
@permission_required(ENTER_ACTIVITY)
def template(kind: str, fmt: str) -> Response:
    file = upload_flow.template_file(kind, fmt)
    return send_table(file.data, fmt, file.filename)


# --- the data-entry grid ----------------------------------------------------------------------


def _grid_page(grid: measurements.Grid, status: int = 200) -> tuple[str, int]:
    return render_template("activity/grid.html", grid=grid, form=ConfirmForm()), status


@bp.get("/pengukuran/<period_code>")
@permission_required(ENTER_ACTIVITY)
def grid(period_code: str) -> tuple[str, int]:
    grid = measurements.load_grid(
        current_user,
        period_code,
        request.args.get("kecamatan", ""),
        request.args.getlist("lainnya"),
    )
    return _grid_page(grid)


def _submitted_cells(form: Mapping[str, str]) -> dict[tuple[int, str], tuple[str, str]]:
    """`v-<kim id>-<code>` (value) and `n-<kim id>-<code>` (note) inputs → cells."""
    cells: dict[tuple[int, str], tuple[str, str]] = {}
    for key, value in form.items():
        if not key.startswith("v-"):
            continue
        _prefix, kim_id, code = [*key.split("-", 2), "", ""][:3]
        if not (kim_id.isascii() and kim_id.isdigit()) or not code:  # '²'.isdigit() is True
            abort(400)
        cells[(int(kim_id), code)] = (value, form.get(f"n-{kim_id}-{code}", ""))
    return cells


@bp.post("/pengukuran/<period_code>")
@permission_required(ENTER_ACTIVITY)
def grid_save(period_code: str) -> Response | tuple[str, int]:
    if not ConfirmForm().validate_on_submit():
        abort(400)
    kecamatan = request.args.get("kecamatan", "")
    extra = request.form.getlist("lainnya")
    back = url_for("activity.grid", period_code=period_code, kecamatan=kecamatan, lainnya=extra)
    try:
        outcome = measurements.save_grid(
            current_user, period_code, kecamatan, _submitted_cells(request.form), extra
        )
    except PeriodClosedError as exc:  # said on the grid it came from
        flash(exc.message, "error")
        return redirect(back)
    if not outcome.ok:
        flash(
            _(
                "%(n)s isian belum benar; tidak ada yang disimpan. Perbaiki isian yang ditandai.",
                n=outcome.grid.errors,
            ),
            "error",
        )
        return _grid_page(outcome.grid, 422)
    flash(
        _(
            "Tersimpan: %(created)s nilai baru, %(updated)s diubah, %(deleted)s dihapus.",
            created=outcome.created,
            updated=outcome.updated,
            deleted=outcome.deleted,
        ),
        "success",
    )
    return redirect(back)
