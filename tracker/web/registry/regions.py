"""Browsing the region tree with KIM counts, within the user's scope."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SearchField
from wtforms.validators import Length, Optional

from tracker.models.region import LEVEL_DESA, LEVEL_KECAMATAN
from tracker.services.common.permissions import VIEW
from tracker.services.registry import regions
from tracker.web.common.guards import permission_required
from tracker.web.common.paging import page_arg, page_size

bp = Blueprint("regions", __name__, url_prefix="/wilayah")


class RegionSearchForm(FlaskForm):
    """A GET search: nothing is written, so no CSRF token in the URL."""

    class Meta:
        csrf = False

    q = SearchField(_l("Cari wilayah"), validators=[Optional(), Length(max=100)])


def _context() -> dict[str, object]:
    return {"LEVEL_KECAMATAN": LEVEL_KECAMATAN, "LEVEL_DESA": LEVEL_DESA}


@bp.get("/")
@permission_required(VIEW)
def index() -> str:
    form = RegionSearchForm(request.args)
    query = (form.q.data or "").strip()
    if query and form.validate():
        result = regions.search(
            current_user,
            query,
            page=page_arg(),
            per_page=page_size(),
        )
        return render_template("regions/search.html", form=form, result=result, **_context())
    view = regions.browse(current_user)
    return render_template("regions/browse.html", form=form, view=view, **_context())


@bp.get("/<code>")
@permission_required(VIEW)
def show(code: str) -> str:
    view = regions.browse(current_user, code)
    return render_template(
        "regions/browse.html", form=RegionSearchForm(formdata=None), view=view, **_context()
    )
