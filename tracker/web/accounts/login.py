"""Login, logout and the user's own account page (password, language and API tokens)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import EmailField, PasswordField, RadioField, SelectChoice, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional

from tracker.models.notifications import KIND_LABELS, KINDS
from tracker.services.accounts import api_tokens, authentication
from tracker.services.accounts.password_policy import PASSWORD_MAX_LENGTH
from tracker.services.common.errors import Invalid
from tracker.services.notifications import inbox
from tracker.web.common.forms import ConfirmForm, MultiCheckboxField
from tracker.web.common.security import (
    bind_session,
    start_session_clock,
    warn_if_cookie_cannot_return,
)

bp = Blueprint("auth", __name__)

LANGUAGE_LABELS = {"id": "Bahasa Indonesia", "en": "English"}


class LoginForm(FlaskForm):
    username = StringField(
        _l("Nama pengguna"),
        validators=[
            DataRequired(_l("Isi nama pengguna.")),
            Length(
                max=authentication.USERNAME_MAX_LENGTH, message=_l("Nama pengguna terlalu panjang.")
            ),
        ],
    )
    password = PasswordField(
        _l("Kata sandi"),
        validators=[
            DataRequired(_l("Isi kata sandi.")),
            Length(max=PASSWORD_MAX_LENGTH, message=_l("Kata sandi terlalu panjang.")),
        ],
    )


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField(
        _l("Kata sandi saat ini"), validators=[DataRequired(_l("Isi kata sandi saat ini."))]
    )
    new_password = PasswordField(
        _l("Kata sandi baru"), validators=[DataRequired(_l("Isi kata sandi baru."))]
    )
    confirm = PasswordField(
        _l("Ulangi kata sandi baru"),
        validators=[
            DataRequired(_l("Ulangi kata sandi baru.")),
            EqualTo("new_password", _l("Kedua kata sandi baru tidak sama.")),
        ],
    )


class LocaleForm(FlaskForm):
    locale = RadioField(
        _l("Bahasa tampilan"),
        choices=[SelectChoice(code, label) for code, label in LANGUAGE_LABELS.items()],
        validate_choice=False,  # the service refuses an unknown language in Indonesian
        validators=[DataRequired(_l("Pilih bahasa."))],
    )


class ReminderForm(FlaskForm):
    """Which reminders the user receives (a kind left unticked is muted) and where e-mail copies
    go."""

    receive = MultiCheckboxField(
        _l("Pengingat yang saya terima"),
        choices=[SelectChoice(kind, _l(KIND_LABELS[kind])) for kind in KINDS],
        validate_choice=False,  # the service refuses an unknown kind
    )
    email = EmailField(
        _l("E-mail untuk pengingat"),
        validators=[Optional(), Length(max=inbox.EMAIL_MAX_LENGTH)],
    )


class ApiTokenForm(FlaskForm):
    name = StringField(
        _l("Nama token"),
        validators=[
            DataRequired(_l("Isi nama token.")),
            Length(max=api_tokens.NAME_MAX_LENGTH, message=_l("Nama token terlalu panjang.")),
        ],
    )


def _safe_next(target: str | None) -> str | None:
    """Only a local path: no scheme, no host, not protocol-relative, no backslash tricks."""
    if not target:
        return None
    target = target.strip()
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ord(c) < 32 or ord(c) == 127 for c in target):
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
def login() -> str | Response | tuple[str, int, dict[str, str]]:
    if current_user.is_authenticated:
        return redirect(_safe_next(request.args.get("next")) or url_for("main.index"))
    form = LoginForm()
    if form.validate_on_submit():
        result = authentication.authenticate(
            form.username.data or "", form.password.data or "", request.remote_addr
        )
        if result.throttle is not None:
            flash(result.throttle.message, "error")
            page = render_template("auth/login.html", form=form)
            return page, 429, {"Retry-After": str(result.throttle.retry_after)}
        if result.user is None:
            flash(_("Nama pengguna atau kata sandi salah."), "error")
            return render_template("auth/login.html", form=form), 200
        next_url = _safe_next(request.args.get("next"))
        session.clear()  # renew the session at login: nothing from before survives
        login_user(result.user)
        session["locale"] = result.user.locale
        bind_session(result.user)
        start_session_clock()
        warn_if_cookie_cannot_return()
        return redirect(next_url or url_for("main.index"))
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
def logout() -> Response:
    form = ConfirmForm()
    if form.validate_on_submit():
        if current_user.is_authenticated:
            authentication.log_out(current_user)  # every session of the account ends
        logout_user()
        session.clear()
        flash(_("Anda telah keluar."), "info")
    return redirect(url_for("auth.login"))


def _render_preferences(
    password_form: PasswordChangeForm | None = None,
    locale_form: LocaleForm | None = None,
    status: int = 200,
    reminder_form: ReminderForm | None = None,
    token_form: ApiTokenForm | None = None,
    new_token: api_tokens.NewToken | None = None,
) -> tuple[str, int]:
    if locale_form is None:
        locale_form = LocaleForm(locale=current_user.locale)
    if reminder_form is None:
        muted = inbox.muted(current_user)
        reminder_form = ReminderForm(
            receive=[kind for kind in KINDS if kind not in muted], email=current_user.email or ""
        )
    return (
        render_template(
            "auth/preferences.html",
            password_form=password_form or PasswordChangeForm(),
            locale_form=locale_form,
            reminder_form=reminder_form,
            languages=LANGUAGE_LABELS,
            token_form=token_form or ApiTokenForm(formdata=None),
            tokens=api_tokens.list_tokens(current_user),
            new_token=new_token,
        ),
        status,
    )


@bp.get("/akun/sesi")
@login_required
def keep_alive() -> tuple[str, int]:
    """The session warning's "stay signed in": a request is activity, nothing else to do."""
    return "", 204


@bp.get("/akun")
@login_required
def preferences() -> tuple[str, int]:
    return _render_preferences()


@bp.post("/akun/kata-sandi")
@login_required
def change_password() -> Response | tuple[str, int]:
    form = PasswordChangeForm()
    if not form.validate_on_submit():
        return _render_preferences(password_form=form, status=422)
    try:
        authentication.change_own_password(
            current_user,
            form.current_password.data or "",
            form.new_password.data or "",
            request.remote_addr,
        )
    except authentication.AccountError as error:
        target = getattr(form, error.field or "new_password", form.new_password)
        target.errors = [*target.errors, error.message]
        throttled = isinstance(error, authentication.ThrottledError)
        return _render_preferences(password_form=form, status=429 if throttled else 422)
    bind_session(current_user)  # this session stays; the account's other sessions end
    flash(_("Kata sandi berhasil diganti."), "success")
    return redirect(url_for("auth.preferences"))


@bp.post("/akun/bahasa")
@login_required
def change_locale() -> Response | tuple[str, int]:
    form = LocaleForm()
    if not form.validate_on_submit():
        return _render_preferences(locale_form=form, status=422)
    try:
        authentication.set_locale(current_user, form.locale.data or "")
    except authentication.AccountError as error:
        form.locale.errors = [*form.locale.errors, error.message]
        return _render_preferences(locale_form=form, status=422)
    session["locale"] = current_user.locale
    with force_locale(current_user.locale):  # the next page is already in that language
        flash(_("Bahasa tampilan disimpan."), "success")
    return redirect(url_for("auth.preferences"))


@bp.post("/akun/pengingat")
@login_required
def change_reminders() -> Response | tuple[str, int]:
    form = ReminderForm()
    if not form.validate_on_submit():
        return _render_preferences(reminder_form=form, status=422)
    receive = set(form.receive.data or [])
    try:
        inbox.set_preferences(
            current_user, [kind for kind in KINDS if kind not in receive], form.email.data
        )
    except Invalid as error:
        target = form.email if error.field == "email" else form.receive
        target.errors = [*target.errors, error.message]
        return _render_preferences(reminder_form=form, status=422)
    flash(_("Pengaturan pengingat disimpan."), "success")
    return redirect(url_for("auth.preferences"))


@bp.post("/akun/token")
@login_required
def create_api_token() -> tuple[str, int]:
    """A new API token, shown on the page this once (never flashed: the session cookie is only
    signed, not encrypted)."""
    form = ApiTokenForm()
    if not form.validate_on_submit():
        return _render_preferences(token_form=form, status=422)
    try:
        created = api_tokens.create_token(current_user, form.name.data or "")
    except api_tokens.TokenNameError as error:
        form.name.errors = [*form.name.errors, error.message]
        return _render_preferences(token_form=form, status=422)
    return _render_preferences(new_token=created, status=201)


@bp.post("/akun/token/<int:token_id>/cabut")
@login_required
def revoke_api_token(token_id: int) -> Response:
    form = ConfirmForm()
    if form.validate_on_submit():
        revoked = api_tokens.revoke_token(current_user, token_id)
        flash(_("Token %(name)s dicabut.", name=revoked.name), "success")
    return redirect(url_for("auth.preferences"))
