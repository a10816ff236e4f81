"""The office's letter settings page (admin): letterhead, signatory, tembusan, numbering with a
live example number, the public address of the verification page, and the logo.

The same service as `flask office set` validates everything; this view only maps the form to it
and its refusals back to the fields.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from werkzeug.wrappers import Response
from wtforms import HiddenField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from tracker.services.common.audit_vocabulary import SIGNING_MODE_LABELS
from tracker.services.common.errors import Invalid, Stale
from tracker.services.common.permissions import MANAGE_OFFICE, VIEW
from tracker.services.letters import office, signing
from tracker.services.letters.numbering import NumberTemplateInvalid
from tracker.web.common.forms import ConfirmForm
from tracker.web.common.guards import permission_required

bp = Blueprint("office", __name__, url_prefix="/surat/pengaturan")


class OfficeForm(FlaskForm):
    government = StringField(_l("Baris pemerintah daerah"), validators=[Length(max=150)])
    agency = StringField(_l("Nama dinas"), validators=[Length(max=150)])
    address = StringField(_l("Alamat kantor"), validators=[Optional(), Length(max=250)])
    phone = StringField(_l("Telepon"), validators=[Optional(), Length(max=60)])
    website = StringField(_l("Laman"), validators=[Optional(), Length(max=150)])
    email = StringField(_l("Pos-el"), validators=[Optional(), Length(max=150)])
    place = StringField(_l("Tempat penandatanganan"), validators=[Length(max=80)])
    signatory_mode = SelectField(_l("Cara penandatanganan"), validate_choice=False, default="")
    signatory_principal = StringField(
        _l("Atas nama (jabatan yang diwakili)"), validators=[Optional(), Length(max=150)]
    )
    signatory_title = StringField(_l("Jabatan penanda tangan"), validators=[Length(max=150)])
    signatory_name = StringField(
        _l("Nama penanda tangan (dengan gelar)"), validators=[Length(max=150)]
    )
    signatory_rank = StringField(_l("Pangkat/golongan"), validators=[Optional(), Length(max=80)])
    signatory_nip = StringField(_l("NIP"), validators=[Optional(), Length(max=30)])
    tembusan = TextAreaField(_l("Tembusan"), validators=[Optional(), Length(max=2500)])
    number_template = StringField(_l("Format nomor surat"), validators=[Length(max=120)])
    classification_code = StringField(
        _l("Kode klasifikasi arsip"), validators=[Optional(), Length(max=40)]
    )
    unit_code = StringField(_l("Kode unit"), validators=[Optional(), Length(max=40)])
    public_base_url = StringField(
        _l("Alamat publik aplikasi"), validators=[Optional(), Length(max=200)]
    )
    version = HiddenField()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.signatory_mode.choices = [
            SelectChoice(code, _(label)) for code, label in SIGNING_MODE_LABELS.items()
        ]

    def changes(self) -> dict[str, Any]:
        return {
            name: (self[name].data or "")
            for name in office.EDITABLE
            if name in self._fields  # every editable setting has its field
        }

    def expected_version(self) -> int:
        raw = self.version.data or ""
        return int(raw) if raw.isascii() and raw.isdigit() else -1


class LogoForm(FlaskForm):
    logo = FileField(_l("Logo kop surat"))


def _form_from(view: office.OfficeView) -> OfficeForm:
    form = OfficeForm(
        data={
            **{name: getattr(view, name) for name in office.EDITABLE if name != "tembusan"},
            "tembusan": "\n".join(view.tembusan),
            "version": str(view.version),
        }
    )
    return form


def _certificate_state() -> tuple[Any, str | None]:
    try:
        return signing.configured(), None
    except signing.SigningUnavailable as error:
        return None, error.message


def _render(form: OfficeForm, view: office.OfficeView, status: int = 200) -> tuple[str, int]:
    try:
        example = office.example_number(
            form.number_template.data or "",
            form.classification_code.data or "",
            form.unit_code.data or "",
        )
        example_error = None
    except NumberTemplateInvalid as error:
        example, example_error = None, error.message
    certificate, certificate_error = _certificate_state()
    return (
        render_template(
            "letters/office.html",
            form=form,
            view=view,
            example=example,
            example_error=example_error,
            logo_form=LogoForm(),
            remove_form=ConfirmForm(),
            certificate=certificate,
            certificate_error=certificate_error,
            configured_base_url=office.public_base_url(view),
        ),
        status,
    )


@bp.get("/")
@permission_required(MANAGE_OFFICE)
def settings() -> tuple[str, int]:
    view = office.current()
    return _render(_form_from(view), view)


@bp.post("/")
@permission_required(MANAGE_OFFICE)
def save() -> Response | tuple[str, int]:
    form = OfficeForm()
    view = office.current()
    if not form.validate():
        flash(_("Periksa kembali isian yang ditandai; belum ada yang disimpan."), "error")
        return _render(form, view, 422)
    try:
        office.update(current_user, form.changes(), form.expected_version())
    except office.OfficeSettingsInvalid as error:
        for name, message in error.errors.items():
            if name in form._fields:
                form[name].errors = [*form[name].errors, message]
        flash(_("Periksa kembali isian yang ditandai; belum ada yang disimpan."), "error")
        return _render(form, view, 422)
    except Stale as error:
        flash(error.message, "error")
        return _render(form, view, 409)
    flash(_("Pengaturan surat disimpan."), "success")
    return redirect(url_for(".settings"))


@bp.post("/logo")
@permission_required(MANAGE_OFFICE)
def upload_logo() -> Response:
    form = LogoForm()
    if not form.validate_on_submit():
        abort(400)
    upload = form.logo.data
    try:
        office.set_logo(current_user, upload.read() if upload else b"")
    except Invalid as error:
        flash(error.message, "error")
    else:
        flash(_("Logo kop surat disimpan."), "success")
    return redirect(url_for(".settings"))


@bp.post("/logo/hapus")
@permission_required(MANAGE_OFFICE)
def remove_logo() -> Response:
    if not ConfirmForm().validate_on_submit():
        abort(400)
    office.set_logo(current_user, None)
    flash(_("Logo kop surat dihapus."), "success")
    return redirect(url_for(".settings"))


@bp.get("/logo.png")
@permission_required(VIEW)
def logo() -> Response:
    found = office.logo()
    if found is None:
        abort(404)
    data, mimetype = found
    return Response(data, mimetype=mimetype)


@bp.get("/contoh-nomor")
@permission_required(MANAGE_OFFICE)
def example_number() -> Response:
    """The example number for a template as it is typed (static/js/office.js asks)."""
    args = request.args
    try:
        example = office.example_number(
            args.get("format", ""), args.get("kode", ""), args.get("unit", "")
        )
    except NumberTemplateInvalid as error:
        return jsonify(error=error.message)
    return jsonify(example=example)
