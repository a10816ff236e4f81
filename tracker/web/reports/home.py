"""Home page: what the signed-in user's district looks like today."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user, login_required

from tracker.services.reports import dashboard

bp = Blueprint("main", __name__)


@bp.get("/")
@login_required
def index() -> str:
    return render_template("main/index.html", summary=dashboard.summary(current_user))
