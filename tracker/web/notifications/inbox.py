"""/notifikasi: one's own notifications (unread first), marking one or all read (POST, CSRF);
the unread count the layout's bell shows on every page of a signed-in user."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from tracker.models.notifications import KIND_LABELS
from tracker.services.notifications import inbox
from tracker.web.common.forms import ConfirmForm
from tracker.web.common.paging import page_arg, page_size

bp = Blueprint("notifications", __name__, url_prefix="/notifikasi")


@bp.app_context_processor
def bell() -> dict[str, Any]:
    """`unread_notifications()` for the layout: counted only when a page of a signed-in user is
    drawn (one query), never for the error pages of anonymous visitors."""

    def unread() -> int:
        if not current_user or not current_user.is_authenticated:
            return 0
        return inbox.unread_count(current_user)

    return {"unread_notifications": unread}


def _link(params: dict[str, Any]) -> str | None:
    if params.get("follow_up"):
        return url_for("follow_ups.detail", follow_up_id=int(params["follow_up"]))
    if params.get("kim_id"):
        return url_for("kims.detail", kim_id=int(params["kim_id"]))
    return None


def _kind(text: str | None) -> str:
    """`?jenis=` (or the mark-read form's field): a kind of notification, else "" (all)."""
    return text if text in KIND_LABELS else ""


@bp.get("/")
@login_required
def index() -> str:
    kind = _kind(request.args.get("jenis"))
    page = inbox.page(current_user, page_arg(), page_size(), kind)
    return render_template(
        "notifications/index.html",
        page=page,
        kind=kind,
        links={n.id: _link(n.params) for n in page.items},
        kind_labels=KIND_LABELS,
        form=ConfirmForm(),
    )


@bp.post("/<int:notification_id>/dibaca")
@login_required
def mark_read(notification_id: int) -> Response:
    if not ConfirmForm().validate_on_submit():
        abort(400)
    inbox.mark_read(current_user, notification_id)  # another user's: NotFound, a 404
    kind = _kind(request.form.get("jenis"))  # back to the list as it was narrowed
    return redirect(url_for("notifications.index", jenis=kind or None))


@bp.post("/semua-dibaca")
@login_required
def mark_all_read() -> Response:
    if not ConfirmForm().validate_on_submit():
        abort(400)
    kind = _kind(request.form.get("jenis"))  # the narrowed list: that kind only
    marked = inbox.mark_read(current_user, kind=kind)
    flash(_("%(n)d notifikasi ditandai sudah dibaca.", n=marked), "success")
    return redirect(url_for("notifications.index", jenis=kind or None))
