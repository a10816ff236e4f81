"""The follow-up board (/tindak-lanjut): the list with its filters, one follow-up with its
closing (evidence, confirmation), dropping and reopening, and the form that adds one by hand or
from a visit's recommendation."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from tracker.services.common.clock import office_today
from tracker.services.common.permissions import RECORD_VISITS, VIEW
from tracker.services.visits import follow_ups
from tracker.web.common.downloads import send_table
from tracker.web.common.guards import permission_required
from tracker.web.common.paging import page_arg, page_size
from tracker.web.visits import photo_intake
from tracker.web.visits.forms import (
    PHOTO_TYPES,
    CloseForm,
    DropForm,
    FollowUpForm,
    ReopenForm,
    put_errors,
    version_of,
)
from tracker.web.visits.labels import template_labels

bp = Blueprint("follow_ups", __name__, url_prefix="/tindak-lanjut")
bp.context_processor(template_labels)


@bp.get("/ekspor.<any(xlsx,csv):fmt>")
@permission_required(VIEW)
def export(fmt: str) -> Response:
    """The board as filtered, as a spreadsheet."""
    found = follow_ups.export_board(
        current_user, follow_ups.BoardFilter.from_args(request.args), fmt
    )
    return send_table(found.payload, fmt, found.filename)


@bp.get("/")
@permission_required(VIEW)
def index() -> str:
    board = follow_ups.board_page(
        current_user, follow_ups.BoardFilter.from_args(request.args), page_arg(), page_size()
    )
    return render_template("follow_ups/index.html", board=board)


def _int_arg(name: str) -> int | None:
    raw = request.args.get(name, "")
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 10 else None


def _render_new(form: FollowUpForm, status: int = 200) -> tuple[str, int]:
    return render_template("follow_ups/new.html", form=form), status


@bp.route("/baru", methods=["GET", "POST"])
@permission_required(RECORD_VISITS)
def new() -> Any:
    form = FollowUpForm()
    form.set_choices(follow_ups.kim_choices(current_user), follow_ups.owner_choices(current_user))
    if not form.is_submitted():
        form.kim_id.data = _int_arg("kim") or 0
        form.owner_id.data = current_user.id
        form.due_on.data = follow_ups.default_due(office_today())
        form.visit_id.data = str(_int_arg("kunjungan") or "")
        form.recommendation.data = request.args.get("rekomendasi", "")[:2000]
        return _render_new(form)
    if form.validate():
        visit_raw = form.visit_id.data or ""
        data = follow_ups.FollowUpInput(
            kim_id=form.kim_id.data or None,
            recommendation=form.recommendation.data or "",
            owner_id=form.owner_id.data or None,
            due_on=form.due_on.data,
            visit_id=int(visit_raw) if visit_raw.isascii() and visit_raw.isdigit() else None,
        )
        try:
            made = follow_ups.create_follow_up(current_user, data)
        except follow_ups.FollowUpInvalidError as refused:
            put_errors(form, refused.errors, form.recommendation)
        else:
            flash(_("Tindak lanjut ditambahkan."), "success")
            return redirect(url_for("follow_ups.detail", follow_up_id=made.id))
    flash(_("Periksa kembali isian yang ditandai; belum ada yang disimpan."), "error")
    return _render_new(form, 422)


def _render_detail(
    follow_up_id: int,
    close: CloseForm | None = None,
    drop: DropForm | None = None,
    status: int = 200,
) -> tuple[str, int]:
    detail = follow_ups.get_follow_up(current_user, follow_up_id)
    version = str(detail.follow_up.version)
    close = close or CloseForm(formdata=None, version=version, closed_on=office_today())
    drop = drop or DropForm(formdata=None, version=version)
    return (
        render_template(
            "follow_ups/detail.html",
            detail=detail,
            close=close,
            drop=drop,
            reopen=ReopenForm(formdata=None, version=version),
            photo_types=PHOTO_TYPES,
            refused=status == 422,
        ),
        status,
    )


@bp.get("/<int:follow_up_id>")
@permission_required(VIEW)
def detail(follow_up_id: int) -> tuple[str, int]:
    return _render_detail(follow_up_id)


@bp.post("/<int:follow_up_id>/selesai")
@permission_required(RECORD_VISITS)
def close(follow_up_id: int) -> Any:
    form = CloseForm()
    if not form.validate():
        return _render_detail(follow_up_id, close=form, status=422)
    photo = form.photo.data
    intake = photo_intake.take(current_user, [photo] if photo else [], [])
    if intake.errors:
        form.photo.errors = [*form.photo.errors, *intake.errors]
        return _render_detail(follow_up_id, close=form, status=422)
    try:
        follow_ups.close_follow_up(
            current_user,
            follow_up_id,
            version_of(form.version),
            form.evidence.data or "",
            form.closed_on.data,
            intake.accepted[0] if intake.accepted else None,
        )
    except follow_ups.FollowUpInvalidError as refused:
        put_errors(form, refused.errors, form.evidence)
        return _render_detail(follow_up_id, close=form, status=422)
    flash(_("Tindak lanjut ditandai selesai."), "success")
    return redirect(url_for("follow_ups.detail", follow_up_id=follow_up_id))


@bp.post("/<int:follow_up_id>/batalkan")
@permission_required(RECORD_VISITS)
def drop(follow_up_id: int) -> Any:
    form = DropForm()
    if not form.validate():
        abort(400)
    try:
        follow_ups.drop_follow_up(
            current_user, follow_up_id, version_of(form.version), form.reason.data or ""
        )
    except follow_ups.FollowUpInvalidError as refused:
        put_errors(form, refused.errors, form.reason)
        return _render_detail(follow_up_id, drop=form, status=422)
    flash(_("Tindak lanjut dibatalkan."), "success")
    return redirect(url_for("follow_ups.detail", follow_up_id=follow_up_id))


@bp.post("/<int:follow_up_id>/buka-kembali")
@permission_required(RECORD_VISITS)
def reopen(follow_up_id: int) -> Response:
    form = ReopenForm()
    if not form.validate():
        abort(400)
    follow_ups.reopen_follow_up(current_user, follow_up_id, version_of(form.version))
    flash(_("Tindak lanjut dibuka kembali."), "success")
    return redirect(url_for("follow_ups.detail", follow_up_id=follow_up_id))
