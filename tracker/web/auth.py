"""Login, logout and the user's own preferences."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from tracker.services import accounts
from tracker.web.forms import ConfirmForm

bp = Blueprint("auth", __name__)


class LoginForm(FlaskForm):
    username = StringField("Nama pengguna", validators=[DataRequired("Isi nama pengguna."), Length(max=64)])
    password = PasswordField("Kata sandi", validators=[DataRequired("Isi kata sandi.")])


def _safe_next(target: str | None) -> str | None:
    """Only a local path: no scheme, no host, not protocol-relative, no backslash tricks."""
    if not target:
        return None
    target = target.strip()
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ord(c) < 32 for c in target):
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
def login() -> str | Response:
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    if form.validate_on_submit():
        result = accounts.authenticate(form.username.data or "", form.password.data or "", request.remote_addr)
        if result.throttled:
            flash(
                "Terlalu banyak percobaan masuk yang gagal untuk akun ini. Coba lagi dalam 15 menit.",
                "error",
            )
            return render_template("auth/login.html", form=form), 429
        if result.user is None:
            flash("Nama pengguna atau kata sandi salah.", "error")
            return render_template("auth/login.html", form=form), 200
        next_url = _safe_next(request.args.get("next"))
        session.clear()  # renew the session at login: nothing from before survives
        login_user(result.user)
        session["locale"] = result.user.locale
        return redirect(next_url or url_for("main.index"))
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
def logout() -> Response:
    form = ConfirmForm()
    if form.validate_on_submit():
        logout_user()
        session.clear()
        flash("Anda telah keluar.", "info")
    return redirect(url_for("auth.login"))


@bp.get("/akun")
@login_required
def preferences() -> str:
    return render_template("auth/preferences.html")
