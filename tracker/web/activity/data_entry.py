"""Activity data in: the three imports (upload → preview → confirm), their templates, the
data-entry grid of manual indicator values per kecamatan and period, and the verification of the
values a petugas submitted."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import LazyString, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import SelectField

from tracker.io.activity_columns import KIND_COUNTS, KIND_MEASURES, KIND_POSTS, KINDS
from tracker.models import Period
from tracker.services.activity import measurements, upload_flow, verification
from tracker.services.assessment import reference
from tracker.services.common.errors import Invalid, Stale
from tracker.services.common.import_pipeline import ImportResult
from tracker.services.common.permissions import ENTER_ACTIVITY, VERIFY_ACTIVITY
from tracker.services.common.uploads import UploadMissingError
from tracker.services.rules.periods import PeriodClosedError
from tracker.web.common.downloads import send_table
from tracker.web.common.forms import ConfirmForm
from tracker.web.common.guards import permission_required
from tracker.web.common.imports import (
    ACCEPT,
    ConfirmImportForm,
    ImportPage,
    render_result,
    spreadsheet_field,
)

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
    file = spreadsheet_field(_l("Berkas CSV atau XLSX"))
    period = SelectField(_l("Periode"), choices=[], validate_choice=False)


def _upload_form(kind: str, periods: list[Period], form: UploadForm | None = None) -> UploadForm:
    form = form or UploadForm(prefix=kind, formdata=None)
    form.period.choices = [(p.code, p.code) for p in periods]
    return form


def _index(failed: Mapping[str, UploadForm], status: int = 200) -> tuple[str, int]:
    overview = upload_flow.overview(current_user)
    forms = {k: _upload_form(k, overview.open_periods, failed.get(k)) for k in KINDS}
    return (
        render_template(
            "activity/index.html",
            overview=overview,
            forms=forms,
            kinds=KIND_INFO,
            order=KINDS,
            accept=ACCEPT,
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
                storage.stream,
                form.period.data if needs_period else None,
            )
        except Invalid as exc:  # the file as a whole, or its period
            target = form.period if exc.field == "period" else form.file
            target.errors = [*target.errors, exc.message]
        else:
            return _result(kind, preview.result, preview.token), 200
    return _index({kind: form}, 422)


def _page(kind: str, result: ImportResult) -> ImportPage:
    links = [(url_for("activity.index"), _("Kembali ke data aktivitas"))]
    if result.period_code:
        links.append(
            (
                url_for("assessments.period_overview", code=result.period_code),
                _("Penilaian periode %(code)s", code=result.period_code),
            )
        )
    return ImportPage(
        title=KIND_INFO[kind][0],
        upload_url=url_for("activity.index", _anchor=f"impor-{kind}"),
        confirm_url=url_for("activity.confirm", kind=kind),
        breadcrumbs=[(url_for("activity.index"), _("Data aktivitas"))],
        links=links,
    )


def _result(kind: str, result: ImportResult, token: str = "") -> str:
    return render_result(_page(kind, result), upload_flow.kind_of(kind), result, token)


@bp.post(f"/impor/{KIND_URL}/konfirmasi")
@permission_required(ENTER_ACTIVITY)
def confirm(kind: str) -> Response | tuple[str, int]:
    form = ConfirmImportForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        outcome = upload_flow.confirm_upload(
            kind, current_user, form.token.data or "", bool(form.skip_invalid.data)
        )
    except UploadMissingError as exc:  # used up (a double click) or expired: upload again
        flash(exc.message, "error")
        return redirect(url_for("activity.index"))
    except Invalid as exc:  # the file's period was closed since the preview
        flash(exc.message, "error")
        return redirect(url_for("activity.index"))
    if outcome.result.written:
        return _result(kind, outcome.result), 200
    return _result(kind, outcome.result, outcome.token), 422


@bp.get(f"/templat/{KIND_URL}.<any(csv,xlsx):fmt>")
@permission_required(ENTER_ACTIVITY)
def template(kind: str, fmt: str) -> Response:
    file = upload_flow.template_file(kind, fmt)
    return send_table(file.data, fmt, file.filename)


# --- the data-entry grid ----------------------------------------------------------------------


def _grid_page(grid: measurements.Grid, status: int = 200) -> tuple[str, int]:
    return render_template("activity/grid.html", grid=grid, form=ConfirmForm()), status


def _kim_arg(raw: str | None) -> int | None:
    """A KIM id from the query or a button (?kim=, kartu=); anything else is no KIM."""
    return int(raw) if raw and raw.isascii() and raw.isdigit() and len(raw) < 12 else None


@bp.get("/pengukuran/<period_code>")
@permission_required(ENTER_ACTIVITY)
def grid(period_code: str) -> tuple[str, int]:
    grid = reference.entry_grid(
        current_user,
        period_code,
        request.args.get("kecamatan", ""),
        request.args.getlist("lainnya"),
        kim_id=_kim_arg(request.args.get("kim")),
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
    card = _kim_arg(request.form.get("kartu"))  # saved from a phone's KIM card: come back to it
    back = url_for(
        "activity.grid",
        period_code=period_code,
        kecamatan=kecamatan,
        lainnya=extra,
        _anchor=f"kim-{card}" if card else None,
    )
    try:
        outcome = reference.save_entry_grid(
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
    saved = _(
        "Tersimpan: %(created)s nilai baru, %(updated)s diubah, %(deleted)s dihapus.",
        created=outcome.created,
        updated=outcome.updated,
        deleted=outcome.deleted,
    )
    if outcome.submitted and outcome.created + outcome.updated:
        saved += " " + _("Nilai baru dan yang diubah diajukan; dihitung setelah diverifikasi.")
    flash(saved, "success")
    return redirect(back)


# --- verifying what a petugas submitted -------------------------------------------------------


def _review_page(
    queue: verification.ReviewQueue,
    status: int = 200,
    picked: frozenset[str] = frozenset(),
    reason: str = "",
    error: Invalid | None = None,
) -> tuple[str, int]:
    return render_template(
        "activity/review.html",
        queue=queue,
        picked=picked,
        reason=reason,
        error=error,
        form=ConfirmForm(),
    ), status


@bp.get("/verifikasi/<period_code>")
@permission_required(VERIFY_ACTIVITY)
def review(period_code: str) -> tuple[str, int]:
    return _review_page(
        reference.review_queue(current_user, period_code, request.args.get("kecamatan", ""))
    )


@dataclass(frozen=True)
class _Pressed:
    """Which values the pressed button decides: the ticked ones ("verifikasi", "tolak"), or
    every one shown of a kecamatan ("kec:<code>") or of a KIM ("kim:<id>")."""

    tokens: list[str]
    reject: bool = False
    kecamatan_code: str | None = None
    kim_id: int | None = None


def _pressed(action: str) -> _Pressed:
    shown = request.form.getlist("tampil")
    if action.startswith("kec:") and action[4:]:
        return _Pressed(shown, kecamatan_code=action[4:])
    if action.startswith("kim:") and (kim_id := _kim_arg(action[4:])) is not None:
        return _Pressed(shown, kim_id=kim_id)
    if action in ("verifikasi", "tolak"):
        return _Pressed(request.form.getlist("pilih"), reject=action == "tolak")
    abort(400)


@bp.post("/verifikasi/<period_code>")
@permission_required(VERIFY_ACTIVITY)
def review_save(period_code: str) -> Response | tuple[str, int]:
    if not ConfirmForm().validate_on_submit():
        abort(400)
    kecamatan = request.args.get("kecamatan", "")
    back = url_for("activity.review", period_code=period_code, kecamatan=kecamatan or None)
    reason = request.form.get("alasan", "")
    pressed = _pressed(request.form.get("aksi", ""))
    try:
        decision = verification.decide(
            current_user,
            period_code,
            pressed.tokens,
            reject=pressed.reject,
            reason=reason,
            kecamatan_code=pressed.kecamatan_code,
            kim_id=pressed.kim_id,
        )
    except (PeriodClosedError, Stale) as exc:  # said on a fresh list
        flash(exc.message, "error")
        return redirect(back)
    except Invalid as exc:  # the page again, with what was ticked and typed
        flash(exc.message, "error")
        queue = reference.review_queue(current_user, period_code, kecamatan)
        picked = frozenset(request.form.getlist("pilih"))
        return _review_page(queue, 422, picked, reason, exc)
    if decision.rejected:
        message = ngettext(
            "%(num)s nilai ditolak; petugas melihat alasannya di lembar isian.",
            "%(num)s nilai ditolak; petugas melihat alasannya di lembar isian.",
            decision.rejected,
        )
    else:
        message = ngettext(
            "%(num)s nilai diverifikasi dan dihitung pada penilaian berikutnya.",
            "%(num)s nilai diverifikasi dan dihitung pada penilaian berikutnya.",
            decision.verified,
        )
    flash(message, "success")
    return redirect(back)
