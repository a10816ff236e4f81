"""Coaching effect of a session or of a topic: the table, the chart (server-side SVG) and the
export of every KIM compared."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user
from werkzeug.wrappers import Response

from tracker.services.coaching import effect
from tracker.services.common.permissions import VIEW
from tracker.web.coaching.area import bp
from tracker.web.common.downloads import send_table
from tracker.web.common.guards import permission_required

FMT = "<any(xlsx,csv):fmt>"


@bp.get("/sesi/<int:session_id>/dampak")
@permission_required(VIEW)
def session_effect(session_id: int) -> str:
    report = effect.session_effect(current_user, session_id)
    return render_template("coaching/effect.html", r=report)


@bp.get("/materi/<int:topic_id>/dampak")
@permission_required(VIEW)
def topic_effect(topic_id: int) -> str:
    report = effect.topic_effect(current_user, topic_id)
    return render_template("coaching/effect.html", r=report)


@bp.get(f"/sesi/<int:session_id>/dampak.{FMT}")
@permission_required(VIEW)
def session_effect_export(session_id: int, fmt: str) -> Response:
    exported = effect.export_effect(current_user, effect.SUBJECT_SESSION, session_id, fmt)
    return send_table(exported.payload, fmt, exported.filename)


@bp.get(f"/materi/<int:topic_id>/dampak.{FMT}")
@permission_required(VIEW)
def topic_effect_export(topic_id: int, fmt: str) -> Response:
    exported = effect.export_effect(current_user, effect.SUBJECT_TOPIC, topic_id, fmt)
    return send_table(exported.payload, fmt, exported.filename)
