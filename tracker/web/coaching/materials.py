"""A session's materials: upload (checked by content and size, the title kept when a file is
refused), download (only for users who may see the session, always as an attachment, never
sniffed), remove."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from werkzeug.wrappers import Response
from wtforms import StringField
from wtforms.validators import Length, Optional

from tracker.services.coaching import detail, materials
from tracker.services.common.errors import Invalid
from tracker.services.common.permissions import MANAGE_COACHING, VIEW
from tracker.web.coaching.area import bp
from tracker.web.common.forms import ConfirmForm
from tracker.web.common.guards import permission_required
from tracker.web.common.security import upload_limit

FORM_ALLOWANCE = 64 * 1024  # the rest of the form around the file


class MaterialForm(FlaskForm):
    title = StringField(_l("Judul bahan"), validators=[Optional(), Length(max=200)])
    file = FileField(
        _l("Berkas (PDF, PPTX, DOCX atau gambar)"),
        validators=[FileRequired(_l("Pilih berkas yang akan diunggah."))],
    )


def _refused(session_id: int, form: MaterialForm, message: str) -> tuple[str, int]:
    """The session page again with the message next to the file field and the title kept."""
    view = detail.session_detail(current_user, session_id)
    flash(_("Bahan belum disimpan."), "error")
    return (
        render_template(
            "coaching/session.html",
            v=view,
            confirm=ConfirmForm(),
            upload=form,
            upload_error=message,
        ),
        422,
    )


def _request_limit() -> int:
    """A material's own limit plus the form around it: a file just over MATERIAL_MAX_BYTES gets
    the page's message; far beyond it the request itself is refused (413)."""
    return materials.max_bytes() + FORM_ALLOWANCE


@bp.post("/sesi/<int:session_id>/bahan")
@permission_required(MANAGE_COACHING)
@upload_limit(_request_limit)
def material_upload(session_id: int) -> Response | tuple[str, int]:
    form = MaterialForm()
    if not form.validate_on_submit():
        if form.errors.get("csrf_token"):
            abort(400)
        message = " ".join(str(m) for errors in form.errors.values() for m in errors)
        return _refused(session_id, form, message)
    storage = form.file.data
    try:
        material = materials.upload_material(
            current_user,
            session_id,
            storage.filename or "",
            storage.read(materials.max_bytes() + 1),
            form.title.data or "",
        )
    except Invalid as error:
        return _refused(session_id, form, error.message)
    flash(_("Bahan %(name)s diunggah.", name=material.filename), "success")
    return redirect(url_for(".session_detail", session_id=session_id) + "#bahan")


@bp.get("/sesi/<int:session_id>/bahan/<int:material_id>")
@permission_required(VIEW)
def material_download(session_id: int, material_id: int) -> Response:
    found = materials.material_file(current_user, session_id, material_id)
    response = send_file(
        found.path,
        mimetype=found.content_type,
        as_attachment=True,
        download_name=found.filename,
        conditional=False,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.post("/sesi/<int:session_id>/bahan/<int:material_id>/hapus")
@permission_required(MANAGE_COACHING)
def material_delete(session_id: int, material_id: int) -> Response:
    if not ConfirmForm().validate_on_submit():
        abort(400)
    name = materials.delete_material(current_user, session_id, material_id)
    flash(_("Bahan %(name)s dihapus.", name=name), "success")
    return redirect(url_for(".session_detail", session_id=session_id) + "#bahan")
