"""The public verification page: `/verifikasi/<token>`, no login. Shows what the letter prints
and its status, and checks a PDF the visitor holds against the archive. Every request counts
against the client's address (`verify.count_request`); over the limit, 429 with Retry-After."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from werkzeug.wrappers import Response

from tracker.services.letters import verify

bp = Blueprint("verification", __name__, url_prefix="/verifikasi")

MAX_UPLOAD = 10 * 1024 * 1024  # a letter is far smaller; anything larger is not one


class CheckForm(FlaskForm):
    berkas = FileField(_l("Berkas PDF surat yang Anda pegang"))


def _limited(error: verify.RateLimited) -> Response:
    page = render_template("errors/429.html", message=error.message)
    return Response(page, 429, headers={"Retry-After": str(error.retry_after)})


@bp.route("/<token>", methods=["GET", "POST"])
def letter(token: str) -> Response | tuple[str, int]:
    try:
        verify.count_request(request.remote_addr)
    except verify.RateLimited as error:
        return _limited(error)
    shown = verify.public_letter(token)
    if shown is None:
        return render_template("letters/verify.html", letter=None, form=None), 404
    form = CheckForm()
    result = None
    problem = None
    if request.method == "POST":
        upload = form.berkas.data if form.validate_on_submit() else None
        data = upload.read(MAX_UPLOAD + 1) if upload else b""
        if not data:
            problem = _l("Pilih berkas PDF surat yang hendak diperiksa.")
        elif len(data) > MAX_UPLOAD:
            problem = _l("Berkas terlalu besar untuk sebuah surat (paling besar 10 MB).")
        else:
            result = verify.check_file(token, data)
    return (
        render_template(
            "letters/verify.html", letter=shown, form=form, result=result, problem=problem
        ),
        200 if problem is None else 422,
    )
