"""Coaching sessions: the list with its filters, a session's page, planning one (new, from the
training-needs page pre-filled, edit) and deleting it."""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from tracker.services.coaching import detail, sessions, topics, training_needs
from tracker.services.coaching.access import managed_session
from tracker.services.coaching.errors import CoachingInvalidError
from tracker.services.coaching.sessions import SessionStaleError
from tracker.services.common.permissions import MANAGE_COACHING, VIEW
from tracker.web.coaching.area import bp
from tracker.web.common.downloads import send_table
from tracker.web.common.forms import (
    ConfirmForm,
    IndonesianDateField,
    IndonesianIntegerField,
    MultiCheckboxField,
)
from tracker.web.common.guards import permission_required
from tracker.web.common.paging import page_arg, page_size


class SessionFilterForm(FlaskForm):
    """The list's filters, read from the query string (no CSRF: a GET changes nothing)."""

    class Meta:
        csrf = False

    q = StringField(
        _l("Cari judul, tempat atau narasumber"), validators=[Optional(), Length(max=100)]
    )
    periode = SelectField(_l("Periode"), validate_choice=False, default="")
    dari = IndonesianDateField(_l("Dari tanggal"), validators=[Optional()])
    sampai = IndonesianDateField(_l("Sampai tanggal"), validators=[Optional()])
    materi = SelectField(_l("Materi"), validate_choice=False, default="")
    kecamatan = SelectField(_l("Kecamatan"), validate_choice=False, default="")
    sort = StringField(validators=[Optional(), Length(max=20)], default="-tanggal")

    def to_filter(self) -> sessions.SessionFilter:
        topic = self.materi.data or ""
        return sessions.SessionFilter(
            q="" if self.q.errors else (self.q.data or ""),
            period=self.periode.data or "",
            date_from=None if self.dari.errors else self.dari.data,
            date_to=None if self.sampai.errors else self.sampai.data,
            topic_id=int(topic)
            if topic.isascii() and topic.isdigit() and len(topic) < 10
            else None,
            kecamatan=self.kecamatan.data or "",
            sort=self.sort.data or "-tanggal",
        )


class SessionForm(FlaskForm):
    title = StringField(
        _l("Judul sesi"), validators=[DataRequired(_l("Judul sesi wajib diisi.")), Length(max=200)]
    )
    start_date = IndonesianDateField(
        _l("Tanggal mulai"), validators=[DataRequired(_l("Tanggal mulai wajib diisi."))]
    )
    end_date = IndonesianDateField(_l("Tanggal selesai"), validators=[Optional()])
    location = StringField(_l("Tempat"), validators=[Optional(), Length(max=200)])
    organiser = StringField(_l("Penyelenggara"), validators=[Optional(), Length(max=200)])
    speakers = TextAreaField(_l("Narasumber"), validators=[Optional(), Length(max=5000)])
    jp = IndonesianIntegerField(
        _l("Jam pelajaran (JP)"),
        validators=[Optional(), NumberRange(min=0, max=200, message=_l("Antara 0 dan 200."))],
    )
    notes = TextAreaField(_l("Catatan"), validators=[Optional(), Length(max=5000)])
    topics = MultiCheckboxField(_l("Materi pembinaan"), coerce=int, validate_choice=False)
    kims = MultiCheckboxField(_l("KIM yang diundang"), coerce=int, validate_choice=False)
    version = HiddenField()

    def to_input(self) -> sessions.SessionInput:
        return sessions.SessionInput(
            title=self.title.data or "",
            start_date=self.start_date.data,
            end_date=self.end_date.data,
            location=self.location.data or "",
            organiser=self.organiser.data or "",
            speakers=(self.speakers.data or "").replace("\r\n", "\n"),
            jp=self.jp.data,
            notes=(self.notes.data or "").replace("\r\n", "\n"),
            topic_ids=list(self.topics.data or []),
            kim_ids=list(self.kims.data or []),
        )

    def show_errors(self, errors: dict[str, str]) -> None:
        for key, message in errors.items():
            target = self._fields.get(key, self.title)
            target.errors = [*target.errors, message]


def _choices(form: SessionForm) -> dict[str, Any]:
    form.topics.choices = topics.topic_options()
    groups = sessions.invite_choices(current_user)
    form.kims.choices = [(c.kim_id, c.name) for _kec, choices in groups for c in choices]
    return {"groups": groups, "chosen": set(form.kims.data or [])}


def _render_form(
    form: SessionForm, session: Any, status: int = 200, **extra: Any
) -> tuple[str, int]:
    if status == 422:
        flash(_("Periksa kembali isian yang ditandai; belum ada yang disimpan."), "error")
    return (
        render_template(
            "coaching/session_form.html", form=form, session=session, **_choices(form), **extra
        ),
        status,
    )


@bp.get("/")
@permission_required(VIEW)
def index() -> str:
    form = SessionFilterForm(request.args)
    form.validate()
    view = sessions.sessions_page(current_user, form.to_filter(), page_arg(), page_size())
    form.periode.choices = [("", _("Semua periode")), *((c, c) for c in view.period_options)]
    form.materi.choices = [("", _("Semua materi")), *((str(i), n) for i, n in view.topic_options)]
    form.kecamatan.choices = [("", _("Semua kecamatan")), *view.kecamatan_options]
    return render_template("coaching/sessions.html", view=view, form=form)


@bp.get("/ekspor.<any(xlsx,csv):fmt>")
@permission_required(VIEW)
def sessions_export(fmt: str) -> Response:
    """The sessions list as filtered, as a spreadsheet."""
    form = SessionFilterForm(request.args)
    form.validate()
    found = sessions.export_sessions(current_user, form.to_filter(), fmt)
    return send_table(found.payload, fmt, found.filename)


@bp.route("/sesi/baru", methods=["GET", "POST"])
@permission_required(MANAGE_COACHING)
def session_create() -> Response | tuple[str, int]:
    form = SessionForm()
    planned = None
    if not form.is_submitted():
        form.organiser.data = current_app.config.get("OFFICE_NAME", "")
        planned = _planned(form)
        return _render_form(form, None, planned=planned)
    if form.validate():
        try:
            session = sessions.create_session(current_user, form.to_input())
        except CoachingInvalidError as error:
            form.show_errors(error.errors)
        else:
            flash(_("Sesi %(title)s direncanakan.", title=session.title), "success")
            return redirect(url_for(".session_detail", session_id=session.id))
    return _render_form(form, None, 422)


def _planned(form: SessionForm) -> dict[str, Any] | None:
    """From the training-needs page (`?materi=&periode=`): the topic and its invite list."""
    topic = request.args.get("materi", "")
    code = request.args.get("periode", "")
    if not (topic.isascii() and topic.isdigit() and len(topic) < 10 and code):
        return None
    chosen, invited = training_needs.invite_list(current_user, code, int(topic))
    form.title.data = chosen.name
    form.topics.data = [chosen.id]
    form.kims.data = invited
    return {"topic": chosen.name, "period": code, "count": len(invited)}


@bp.get("/sesi/<int:session_id>")
@permission_required(VIEW)
def session_detail(session_id: int) -> str:
    view = detail.session_detail(current_user, session_id)
    return render_template(
        "coaching/session.html", v=view, confirm=ConfirmForm(), upload=None, upload_error=None
    )


@bp.route("/sesi/<int:session_id>/ubah", methods=["GET", "POST"])
@permission_required(MANAGE_COACHING)
def session_edit(session_id: int) -> Response | tuple[str, int]:
    session = managed_session(current_user, session_id)
    if request.method == "POST":
        form = SessionForm()
    else:
        form = SessionForm(
            obj=session,
            topics=[t.id for t in session.topics],
            kims=sessions.invited_ids(session.id),
        )
        form.version.data = str(session.version)
        return _render_form(form, session)
    if form.validate():
        raw = form.version.data or ""
        version = int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 10 else 0
        try:
            changed = sessions.update_session(current_user, session_id, form.to_input(), version)
        except SessionStaleError as error:
            flash(str(error), "error")
            return _render_form(form, session, 409, stale=True)
        except CoachingInvalidError as error:
            form.show_errors(error.errors)
        else:
            flash(
                _("Perubahan sesi disimpan.") if changed else _("Tidak ada perubahan."),
                "success" if changed else "info",
            )
            return redirect(url_for(".session_detail", session_id=session_id))
    return _render_form(form, session, 422)


@bp.post("/sesi/<int:session_id>/hapus")
@permission_required(MANAGE_COACHING)
def session_delete(session_id: int) -> Response:
    if not ConfirmForm().validate_on_submit():
        abort(400)
    title = sessions.delete_session(current_user, session_id)
    flash(_("Sesi %(title)s dihapus.", title=title), "success")
    return redirect(url_for(".index"))
