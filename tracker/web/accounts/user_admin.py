"""User administration for admins: list, create, edit, reset password, (de)activate."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import (
    BooleanField,
    PasswordField,
    SelectChoice,
    SelectField,
    StringField,
)
from wtforms.validators import DataRequired, EqualTo, Length, Optional

from tracker.models.region import LEVEL_KECAMATAN, Region
from tracker.models.user import ROLES, User
from tracker.services.accounts import user_admin
from tracker.services.accounts.authentication import AccountError
from tracker.services.common.permissions import MANAGE_USERS
from tracker.web.common.forms import MultiCheckboxField
from tracker.web.common.guards import permission_required
from tracker.web.common.paging import page_arg, page_size
from tracker.web.common.security import bind_session

bp = Blueprint("users", __name__, url_prefix="/admin/pengguna")

# The role names as a person reads them; listed here so they reach the translation catalogue.
ROLE_NAMES = {
    "admin": _l("Admin"),
    "kabid": _l("Kabid PIKP"),
    "petugas": _l("Petugas"),
    "viewer": _l("Peninjau"),
}


class _AccountFields(FlaskForm):
    full_name = StringField(
        _l("Nama lengkap"),
        validators=[Optional(), Length(max=120, message=_l("Nama lengkap maksimal 120 karakter."))],
    )
    role = SelectField(
        _l("Peran"),
        # No role preselected: an admin who forgets to choose must not create another admin.
        choices=[
            SelectChoice("", _l("— pilih peran —")),
            *(SelectChoice(r, ROLE_NAMES[r]) for r in ROLES),
        ],
        validate_choice=False,  # the service refuses an unknown role with an Indonesian message
        validators=[DataRequired(_l("Pilih peran."))],
    )
    scopes = MultiCheckboxField(_l("Wilayah kerja"), validate_choice=False)
    is_active = BooleanField(_l("Akun aktif"), default=True)

    def data_for_service(self) -> user_admin.UserInput:
        return user_admin.UserInput(
            full_name=self.full_name.data or "",
            role=self.role.data or "",
            scope_codes=list(self.scopes.data or []),
            is_active=bool(self.is_active.data),
        )


class UserCreateForm(_AccountFields):
    username = StringField(_l("Nama pengguna"), validators=[DataRequired(_l("Isi nama pengguna."))])
    password = PasswordField(_l("Kata sandi"), validators=[DataRequired(_l("Isi kata sandi."))])
    confirm = PasswordField(
        _l("Ulangi kata sandi"),
        validators=[
            DataRequired(_l("Ulangi kata sandi.")),
            EqualTo("password", _l("Kedua kata sandi tidak sama.")),
        ],
    )


class UserEditForm(_AccountFields):
    pass


class PasswordResetForm(FlaskForm):
    password = PasswordField(
        _l("Kata sandi baru"), validators=[DataRequired(_l("Isi kata sandi baru."))]
    )
    confirm = PasswordField(
        _l("Ulangi kata sandi baru"),
        validators=[
            DataRequired(_l("Ulangi kata sandi baru.")),
            EqualTo("password", _l("Kedua kata sandi tidak sama.")),
        ],
    )


def scope_label(region: Region) -> str:
    return f"Kec. {region.display_name}" if region.level == LEVEL_KECAMATAN else region.display_name


def _with_scope_choices(form: _AccountFields, keep: list[str] | None = None) -> _AccountFields:
    form.scopes.choices = [
        SelectChoice(r.code, f"{scope_label(r)} ({r.code})")
        for r in user_admin.scope_choices(current_user, keep or [])
    ]
    return form


def _attach_error(form: FlaskForm, error: AccountError) -> None:
    field = getattr(form, error.field, None) if error.field else None
    if field is None:
        flash(error.message, "error")
    else:
        field.errors = [*field.errors, error.message]


def _form_page(template: str, form: FlaskForm, user: User | None) -> tuple[str, int]:
    """The form (again): 422 when a POST was refused, with what was typed and why."""
    status = 422 if request.method == "POST" else 200
    return render_template(template, form=form, user=user), status


@bp.get("/")
@permission_required(MANAGE_USERS)
def index() -> str:
    q = request.args.get("q", "").strip()
    page = user_admin.list_users(current_user, q=q, page=page_arg(), per_page=page_size())
    return render_template("users/index.html", page=page, q=q)


@bp.route("/baru", methods=["GET", "POST"])
@permission_required(MANAGE_USERS)
def create() -> str | Response | tuple[str, int]:
    form = _with_scope_choices(UserCreateForm())
    if form.validate_on_submit():
        try:
            user = user_admin.create_user(
                current_user,
                form.username.data or "",
                form.password.data or "",
                form.data_for_service(),
            )
        except AccountError as error:
            _attach_error(form, error)
        else:
            flash(_("Akun %(username)s dibuat.", username=user.username), "success")
            return redirect(url_for("users.index"))
    return _form_page("users/form.html", form, None)


@bp.route("/<int:user_id>/ubah", methods=["GET", "POST"])
@permission_required(MANAGE_USERS)
def edit(user_id: int) -> str | Response | tuple[str, int]:
    user = user_admin.get_user(current_user, user_id)
    if request.method == "GET":
        form = UserEditForm(
            full_name=user.full_name,
            role=user.role,
            scopes=user.scope_codes,
            is_active=user.is_active_account,
        )
    else:
        form = UserEditForm()
    _with_scope_choices(form, keep=user.scope_codes)
    if form.validate_on_submit():
        try:
            user_admin.update_user(current_user, user_id, form.data_for_service())
        except AccountError as error:
            _attach_error(form, error)
        else:
            flash(_("Akun %(username)s diperbarui.", username=user.username), "success")
            return redirect(url_for("users.index"))
    return _form_page("users/form.html", form, user)


@bp.route("/<int:user_id>/kata-sandi", methods=["GET", "POST"])
@permission_required(MANAGE_USERS)
def reset_password(user_id: int) -> str | Response | tuple[str, int]:
    user = user_admin.get_user(current_user, user_id)
    form = PasswordResetForm()
    if form.validate_on_submit():
        try:
            user_admin.reset_password(current_user, user_id, form.password.data or "")
        except AccountError as error:
            _attach_error(form, error)
        else:
            if user_id == current_user.id:  # his own: this session stays, the others end
                bind_session(current_user)
            flash(
                _("Kata sandi %(username)s telah diatur ulang.", username=user.username), "success"
            )
            return redirect(url_for("users.index"))
    return _form_page("users/password.html", form, user)


def _set_active(user_id: int, active: bool) -> Response:
    try:
        user = user_admin.set_active(current_user, user_id, active)
    except AccountError as error:  # said on the list it came from
        flash(error.message, "error")
        return redirect(url_for("users.index"))
    if active:
        flash(_("Akun %(username)s diaktifkan kembali.", username=user.username), "success")
    else:
        flash(_("Akun %(username)s dinonaktifkan.", username=user.username), "success")
    return redirect(url_for("users.index"))


@bp.post("/<int:user_id>/nonaktifkan")
@permission_required(MANAGE_USERS)
def deactivate(user_id: int) -> Response:
    return _set_active(user_id, False)


@bp.post("/<int:user_id>/aktifkan")
@permission_required(MANAGE_USERS)
def activate(user_id: int) -> Response:
    return _set_active(user_id, True)
