"""Letter pages: the register (agenda surat keluar) with its XLSX and PDF lists, one letter's
page and its archived PDF, the preview of a KIM's letter, issuing it, and revoking (and
re-issuing) a letter.

Thin views: the services check the role, the region scope and every rule.
"""

from __future__ import annotations

from io import BytesIO

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import BooleanField, HiddenField, TextAreaField
from wtforms.validators import DataRequired, Length

from tracker.models.letters import LETTER_STATUS_LABELS, LETTER_STATUSES
from tracker.pdf.letter import letter_sheets
from tracker.services.common.errors import Invalid, Stale
from tracker.services.common.permissions import ISSUE_LETTERS, VIEW
from tracker.services.letters import archive, issue, office, register, revoke
from tracker.web.common.downloads import send_table
from tracker.web.common.guards import permission_required
from tracker.web.common.paging import page_arg, page_size

bp = Blueprint("letters", __name__, url_prefix="/surat")


class IssueForm(FlaskForm):
    periode = HiddenField(validators=[DataRequired()])
    kim = HiddenField(validators=[DataRequired()])


class RevokeForm(FlaskForm):
    reason = TextAreaField(
        _l("Alasan pencabutan"),
        validators=[DataRequired(_l("Tuliskan alasan pencabutan.")), Length(max=500)],
    )
    reissue = BooleanField(_l("Terbitkan surat pengganti dengan nomor baru"), default=True)


def _kim_id(raw: str | None) -> int:
    text = (raw or "").strip()
    if not (text.isascii() and text.isdigit() and len(text) < 10):
        abort(404)
    return int(text)


@bp.get("/")
@permission_required(VIEW)
def index() -> str:
    flt = register.RegisterFilter.from_args(request.args)
    view = register.register_page(current_user, flt, page_arg(), page_size())
    list_args = {k: v for k, v in request.args.items() if k != "page"}
    return render_template(
        "letters/index.html",
        view=view,
        list_args=list_args,
        statuses=[(s, LETTER_STATUS_LABELS[s]) for s in LETTER_STATUSES],
    )


@bp.get("/agenda.<any(xlsx,csv):fmt>")
@permission_required(VIEW)
def export(fmt: str) -> Response:
    flt = register.RegisterFilter.from_args(request.args)
    found = register.export_register(current_user, flt, fmt)
    return send_table(found.payload, fmt, found.filename)


@bp.get("/agenda.pdf")
@permission_required(VIEW)
def print_list() -> Response:
    found = register.print_register(current_user, register.RegisterFilter.from_args(request.args))
    return _send(found.payload, found.mimetype, found.filename)


def _send(payload: bytes, mimetype: str, filename: str) -> Response:
    return send_file(
        BytesIO(payload), mimetype=mimetype, as_attachment=True, download_name=filename
    )


@bp.get("/baru")
@permission_required(ISSUE_LETTERS)
def preview() -> str:
    """The letter a KIM would get for a period, before it is issued."""
    period_code = (request.args.get("periode") or "").strip()[:10]
    found = issue.preview(current_user, period_code, _kim_id(request.args.get("kim")))
    logo_url = url_for("office.logo") if office.current().has_logo else None
    return render_template(
        "letters/preview.html",
        p=found,
        sheets=letter_sheets(found.data, logo_url, found.chart_svg),
        form=IssueForm(data={"periode": found.period_code, "kim": str(found.kim_id)}),
    )


@bp.post("/terbitkan")
@permission_required(ISSUE_LETTERS)
def issue_view() -> Response:
    form = IssueForm()
    if not form.validate_on_submit():
        abort(400)
    kim_id = _kim_id(form.kim.data)
    period_code = (form.periode.data or "").strip()[:10]
    try:
        letter = issue.issue_letter(current_user, period_code, kim_id)
    except Invalid as error:  # said on the preview, which shows why
        flash(error.message, "error")
        return redirect(url_for(".preview", periode=period_code, kim=kim_id))
    flash(_("Surat %(number)s diterbitkan.", number=letter.number), "success")
    return redirect(url_for(".detail", letter_id=letter.id))


@bp.get("/<int:letter_id>")
@permission_required(VIEW)
def detail(letter_id: int) -> tuple[str, int]:
    return _detail_page(letter_id, RevokeForm())


def _detail_page(letter_id: int, form: RevokeForm, status: int = 200) -> tuple[str, int]:
    """One letter's page; after a refused revocation (422) with the form open and its errors."""
    letter = register.get_letter(current_user, letter_id)
    if status != 200:
        flash(_("Periksa kembali isian yang ditandai; surat belum dicabut."), "error")
    page = render_template(
        "letters/detail.html",
        letter=letter,
        replacement=register.replacement_of(letter),
        status_label=LETTER_STATUS_LABELS.get(letter.status, letter.status),
        form=form,
        open_revoke=status != 200,
    )
    return page, status


@bp.get("/<int:letter_id>/pdf")
@permission_required(VIEW)
def pdf(letter_id: int) -> Response:
    letter = register.get_letter(current_user, letter_id)
    name = "surat-" + "".join(c if c.isalnum() else "-" for c in letter.number) + ".pdf"
    return _send(archive.read(letter.pdf_path), "application/pdf", name)


@bp.post("/<int:letter_id>/cabut")
@permission_required(ISSUE_LETTERS)
def revoke_view(letter_id: int) -> Response | tuple[str, int]:
    letter = register.get_letter(current_user, letter_id)
    form = RevokeForm()
    if not form.validate_on_submit():
        return _detail_page(letter_id, form, 422)
    try:
        done = revoke.revoke(
            current_user, letter_id, form.reason.data or "", reissue=bool(form.reissue.data)
        )
    except Stale as error:
        flash(error.message, "error")
        return redirect(url_for(".detail", letter_id=letter_id))
    except Invalid as error:
        if error.field == "reason":
            form.reason.errors = [*form.reason.errors, error.message]
            return _detail_page(letter_id, form, 422)
        flash(error.message, "error")
        return redirect(url_for(".detail", letter_id=letter_id))
    if done.replacement is not None:
        flash(
            _(
                "Surat %(old)s dicabut dan diganti surat %(new)s.",
                old=letter.number,
                new=done.replacement.number,
            ),
            "success",
        )
        return redirect(url_for(".detail", letter_id=done.replacement.id))
    flash(_("Surat %(number)s dicabut.", number=letter.number), "success")
    return redirect(url_for(".detail", letter_id=letter_id))
