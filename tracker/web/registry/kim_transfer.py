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
from werkzeug.wrappers import Response

from tracker.io.tabular import FORMATS
from tracker.services.common import import_pipeline
from tracker.services.common.clock import office_today
from tracker.services.common.errors import Invalid, Stale
from tracker.services.common.import_pipeline import ImportResult
from tracker.services.common.permissions import IMPORT_KIM, VIEW
from tracker.services.common.uploads import UploadMissingError
from tracker.services.registry import kim_export
from tracker.services.registry.kim_import import KimImport
from tracker.services.registry.kims import KimFilter
from tracker.web.common.downloads import send_table
from tracker.web.common.guards import permission_required
from tracker.web.common.imports import (
    ACCEPT,
    ConfirmImportForm,
    ImportPage,
    render_result,
    spreadsheet_field,
)
from tracker.web.registry.kims import FIELD_LABELS

bp = Blueprint("kim_transfer", __name__, url_prefix="/kim/transfer")


class UploadForm(FlaskForm):
    file = spreadsheet_field(_l("Berkas registri (CSV atau XLSX)"))


def _page() -> ImportPage:
    return ImportPage(
        title=_("Registri KIM"),
        upload_url=url_for("kim_transfer.upload"),
        confirm_url=url_for("kim_transfer.confirm"),
        breadcrumbs=[
            (url_for("kims.index"), _("Registri KIM")),
            (url_for("kim_transfer.upload"), _("Impor")),
        ],
        links=[(url_for("kims.index"), _("Ke registri KIM"))],
        field_labels=FIELD_LABELS,
        detail_endpoint="kims.detail",
        detail_arg="kim_id",
    )


def _result(result: ImportResult, token: str = "") -> str:
    return render_result(_page(), KimImport, result, token)


def _download(data: bytes, fmt: str, stem: str) -> Response:
    """Named with the day it was made, so successive exports do not overwrite each other."""
    return send_table(data, fmt, f"{stem}-{office_today():%Y%m%d}.{fmt}")


@bp.route("/impor", methods=["GET", "POST"])
@permission_required(IMPORT_KIM)
def upload() -> Any:
    form = UploadForm()
    if not form.is_submitted():
        return render_template("kims/import.html", form=form, accept=ACCEPT)
    if form.validate():
        storage = form.file.data
        try:
            preview = import_pipeline.preview_upload(
                KimImport, current_user, storage.filename or "", storage.stream
            )
        except Invalid as exc:  # the file as a whole (too large, unreadable, no header)
            form.file.errors = [*form.file.errors, exc.message]
        else:
            return _result(preview.result, preview.token)
    return render_template("kims/import.html", form=form, accept=ACCEPT), 422


@bp.post("/impor/konfirmasi")
@permission_required(IMPORT_KIM)
def confirm() -> Any:
    form = ConfirmImportForm()
    if not form.validate():
        abort(400)
    try:
        outcome = import_pipeline.confirm_upload(
            KimImport, current_user, form.token.data or "", bool(form.skip_invalid.data)
        )
    except UploadMissingError as exc:  # used up (a double click) or expired: upload again
        flash(exc.message, "error")
        return redirect(url_for("kim_transfer.upload"))
    except (Invalid, Stale) as exc:  # the file, or the registry changed meanwhile (409)
        flash(exc.message, "error")
        return redirect(url_for("kim_transfer.upload"))
    if outcome.result.written:
        return _result(outcome.result)
    return _result(outcome.result, outcome.token), 422


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
