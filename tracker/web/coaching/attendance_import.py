"""Back-filling attendance from a file (upload → preview → confirm), through the one import
pipeline and its one preview page; the blank template to fill in."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from tracker.io.tabular import FORMATS
from tracker.services.coaching.attendance_import import AttendanceImport, template_bytes
from tracker.services.common import import_pipeline
from tracker.services.common.errors import Invalid, Stale
from tracker.services.common.import_pipeline import ImportResult
from tracker.services.common.permissions import MANAGE_COACHING
from tracker.services.common.uploads import UploadMissingError
from tracker.web.coaching.area import bp
from tracker.web.common.downloads import send_table
from tracker.web.common.guards import permission_required
from tracker.web.common.imports import (
    ACCEPT,
    ConfirmImportForm,
    ImportPage,
    render_result,
    spreadsheet_field,
)

FIELD_LABELS = {"attended": _l("KIM hadir"), "participants": _l("Nama peserta baru")}


class AttendanceUploadForm(FlaskForm):
    file = spreadsheet_field(_l("Berkas daftar hadir (CSV atau XLSX)"))


def _page() -> ImportPage:
    return ImportPage(
        title=_("Daftar hadir"),
        upload_url=url_for("coaching.attendance_import"),
        confirm_url=url_for("coaching.attendance_import_confirm"),
        breadcrumbs=[
            (url_for("coaching.index"), _("Sesi pembinaan")),
            (url_for("coaching.attendance_import"), _("Impor daftar hadir")),
        ],
        links=[(url_for("coaching.index"), _("Ke sesi pembinaan"))],
        field_labels=FIELD_LABELS,
        detail_endpoint="coaching.session_detail",
        detail_arg="session_id",
        name_label=_("Sesi"),
        place_label=_("Tanggal dan peserta"),
    )


def _result(result: ImportResult, token: str = "") -> str:
    return render_result(_page(), AttendanceImport, result, token)


def _form_page(form: AttendanceUploadForm, status: int = 200) -> tuple[str, int]:
    return render_template("coaching/import.html", form=form, accept=ACCEPT), status


@bp.route("/impor-daftar-hadir", methods=["GET", "POST"])
@permission_required(MANAGE_COACHING)
def attendance_import() -> Any:
    form = AttendanceUploadForm()
    if not form.is_submitted():
        return _form_page(form)
    if form.validate():
        storage = form.file.data
        try:
            preview = import_pipeline.preview_upload(
                AttendanceImport, current_user, storage.filename or "", storage.stream
            )
        except Invalid as exc:  # the file as a whole (too large, unreadable, a column missing)
            form.file.errors = [*form.file.errors, exc.message]
        else:
            return _result(preview.result, preview.token)
    return _form_page(form, 422)


@bp.post("/impor-daftar-hadir/konfirmasi")
@permission_required(MANAGE_COACHING)
def attendance_import_confirm() -> Any:
    form = ConfirmImportForm()
    if not form.validate():
        abort(400)
    try:
        outcome = import_pipeline.confirm_upload(
            AttendanceImport, current_user, form.token.data or "", bool(form.skip_invalid.data)
        )
    except (UploadMissingError, Invalid, Stale) as exc:  # used up, expired, or refused
        flash(exc.message, "error")
        return redirect(url_for("coaching.attendance_import"))
    if outcome.result.written:
        return _result(outcome.result)
    return _result(outcome.result, outcome.token), 422


@bp.get("/impor-daftar-hadir/templat.<fmt>")
@permission_required(MANAGE_COACHING)
def attendance_import_template(fmt: str) -> Response:
    if fmt not in FORMATS:
        abort(404)
    return send_table(template_bytes(fmt), fmt, f"templat-daftar-hadir.{fmt}")
