"""The topic catalogue (materi pembinaan): list for everyone, create, edit and delete for the
planners (admin, kabid)."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from tracker.services.coaching import topics
from tracker.services.coaching.errors import CoachingInvalidError
from tracker.services.common.permissions import MANAGE_COACHING, VIEW
from tracker.web.coaching.area import bp
from tracker.web.common.forms import ConfirmForm, MultiCheckboxField
from tracker.web.common.guards import permission_required


class TopicForm(FlaskForm):
    name = StringField(
        _l("Nama materi"),
        validators=[DataRequired(_l("Nama materi wajib diisi.")), Length(max=150)],
    )
    description = TextAreaField(_l("Keterangan"), validators=[Optional(), Length(max=2000)])
    codes = MultiCheckboxField(_l("Indikator yang diperbaiki"), validate_choice=False)

    def to_input(self) -> topics.TopicInput:
        return topics.TopicInput(
            name=self.name.data or "",
            description=(self.description.data or "").replace("\r\n", "\n"),
            codes=list(self.codes.data or []),
        )

    def show_errors(self, errors: dict[str, str]) -> None:
        for key, message in errors.items():
            target = self[key]
            target.errors = [*target.errors, message]


def _form(topic: Any = None) -> TopicForm:
    """The form with the framework's indicators to choose from; on GET, filled from `topic`."""
    if request.method == "POST" or topic is None:
        form = TopicForm()
    else:
        form = TopicForm(obj=topic, codes=topic.codes)
    form.codes.choices = topics.indicator_choices()
    return form


def _render(form: TopicForm, topic: Any, status: int = 200) -> tuple[str, int]:
    if status == 422:
        flash(_("Periksa kembali isian yang ditandai; belum ada yang disimpan."), "error")
    return render_template("coaching/topic_form.html", form=form, topic=topic), status


@bp.get("/materi/")
@permission_required(VIEW)
def topic_list() -> str:
    return render_template(
        "coaching/topics.html", rows=topics.list_topics(current_user), delete_form=ConfirmForm()
    )


@bp.route("/materi/baru", methods=["GET", "POST"])
@permission_required(MANAGE_COACHING)
def topic_create() -> Response | tuple[str, int]:
    form = _form()
    if not form.is_submitted():
        return _render(form, None)
    if form.validate():
        try:
            topic = topics.create_topic(current_user, form.to_input())
        except CoachingInvalidError as error:
            form.show_errors(error.errors)
        else:
            flash(_("Materi %(name)s ditambahkan ke katalog.", name=topic.name), "success")
            return redirect(url_for(".topic_list"))
    return _render(form, None, 422)


@bp.route("/materi/<int:topic_id>/ubah", methods=["GET", "POST"])
@permission_required(MANAGE_COACHING)
def topic_edit(topic_id: int) -> Response | tuple[str, int]:
    topic = topics.get_topic(current_user, topic_id)
    form = _form(topic)
    if not form.is_submitted():
        return _render(form, topic)
    if form.validate():
        try:
            changed = topics.update_topic(current_user, topic_id, form.to_input())
        except CoachingInvalidError as error:
            form.show_errors(error.errors)
        else:
            flash(
                _("Perubahan materi disimpan.") if changed else _("Tidak ada perubahan."),
                "success" if changed else "info",
            )
            return redirect(url_for(".topic_list"))
    return _render(form, topic, 422)


@bp.post("/materi/<int:topic_id>/hapus")
@permission_required(MANAGE_COACHING)
def topic_delete(topic_id: int) -> Response:
    if not ConfirmForm().validate_on_submit():
        abort(400)
    name = topics.delete_topic(current_user, topic_id)
    flash(_("Materi %(name)s dihapus dari katalog.", name=name), "success")
    return redirect(url_for(".topic_list"))
