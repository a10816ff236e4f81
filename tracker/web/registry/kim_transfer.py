"""Registry import (upload → preview → confirm), export downloads and the blank templates.

The uploaded bytes wait server-side (tracker.services.common.uploads) between preview and
confirmation; the confirmation form carries only the token, which works for its uploader alone.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired, FileSize
from werkzeug.wrappers import Response
from wtforms import BooleanField, HiddenField
from wtforms.validators import DataRequired

from tracker.io.tabular import FORMATS
from tracker.services.common.clock import office_today
from tracker.services.common.permissions import IMPORT_KIM, VIEW
from tracker.services.common.uploads import UploadMissingError
from tracker.services.registry import kim_export, kim_import
from tracker.services.registry.kims import KimFilter
from tracker.web.common.downloads import send_table
from tracker.web.common.guards import permission_required
from tracker.web.registry.kims import FIELD_LABELS

bp = Blueprint("kim_transfer", __name__, url_prefix="/kim/transfer")

MAX_UPLOAD_BYTES = 5 * 1024 * 1024  # a district's registry is a few hundred kilobytes


class UploadForm(FlaskForm):
    file = FileField(
        _l("Berkas registri (CSV atau XLSX)"),
        validators=[
            FileRequired(_l("Pilih berkas yang akan diimpor.")),
            FileAllowed(list(FORMATS), _l("Hanya berkas .csv atau .xlsx yang dapat diimpor.")),
            FileSize(MAX_UPLOAD_BYTES, message=_l("Berkas terlalu besar (maksimal 5 MB).")),
        ],
    )


class ConfirmImportForm(FlaskForm):
    token = HiddenField(validators=[DataRequired()])
    skip_invalid = BooleanField(_l("Hanya impor baris yang valid (lewati baris bermasalah)"))


def _preview(result: kim_import.ImportResult, form: ConfirmImportForm | None, **extra: Any) -> str:
    return render_template(
        "kims/preview.html", result=result, form=form, field_labels=FIELD_LABELS, **extra
    )


def _download(data: bytes, fmt: str, stem: str) -> Response:
    """Named with the day it was made, so successive exports do not overwrite each other."""
    return send_table(data, fmt, f"{stem}-{office_today():%Y%m%d}.{fmt}")


@bp.route("/impor", methods=["GET", "POST"])
@permission_required(IMPORT_KIM)
def upload() -> Any:
    form = UploadForm()
    if not form.is_submitted():
        return render_template("kims/import.html", form=form)
    if not form.validate():
        return render_template("kims/import.html", form=form), 422
    storage = form.file.data
    preview = kim_import.preview_upload(current_user, storage.filename or "", storage.read())
    status = 422 if preview.result.file_error else 200
    form = ConfirmImportForm(token=preview.token, formdata=None)
    return _preview(preview.result, None if preview.result.file_error else form), status


@bp.post("/impor/konfirmasi")
@permission_required(IMPORT_KIM)
def confirm() -> Any:
    form = ConfirmImportForm()
    if not form.validate():
        abort(400)
    try:
        outcome = kim_import.confirm_upload(
            current_user, form.token.data or "", bool(form.skip_invalid.data)
        )
    except UploadMissingError:
        flash(
            _("Berkas unggahan tidak ditemukan (kedaluwarsa atau sudah diimpor). Unggah lagi."),
            "error",
        )
        return redirect(url_for("kim_transfer.upload"))
    result = outcome.result
    if result.written:
        flash(_("Impor selesai. ") + result.summary(), "success")
        return _preview(result, None, done=True)
    flash(_("Tidak ada yang disimpan."), "error")
    again = ConfirmImportForm(
        token=outcome.token, skip_invalid=form.skip_invalid.data, formdata=None
    )
    return _preview(result, again if outcome.token else None), 422


@bp.get("/templat.<fmt>")
@permission_required(IMPORT_KIM)
def template(fmt: str) -> Response:
    if fmt not in FORMATS:
        abort(404)
    return _download(kim_export.template_bytes(fmt), fmt, "templat-registri-kim")


@bp.get("/ekspor.<fmt>")
@permission_required(VIEW)
def export(fmt: str) -> Response:
    if fmt not in FORMATS:
        abort(404)
    flt = KimFilter.from_args(request.args)
    return _download(kim_export.export_bytes(current_user, flt, fmt), fmt, "registri-kim")
