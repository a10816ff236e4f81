"""The assessment framework: versions, their rules as tables, drafts, activation, what-if.

Every role reads it (VIEW, from the menu): it says how a score is made and where each value comes
from. Every write needs MANAGE_FRAMEWORK. The edit form holds plain text fields so
that whatever was typed comes back unchanged next to the Indonesian problems the service found.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import StringField, TextAreaField
from wtforms.validators import Length

from tracker.models.framework import FRAMEWORK_STATE_LABELS
from tracker.scoring.describe import condition_text, direction_text, rule_text, tier_text
from tracker.scoring.editing import form_fields
from tracker.scoring.framework import Framework, load_framework
from tracker.services.assessment import whatif
from tracker.services.assessment.sources import origin
from tracker.services.common.permissions import MANAGE_FRAMEWORK, VIEW
from tracker.services.rules import frameworks
from tracker.services.rules.frameworks import FrameworkLocked, FrameworkRulesInvalid
from tracker.web.common.forms import ConfirmForm
from tracker.web.common.guards import permission_required
from tracker.web.common.paging import page_arg

bp = Blueprint("frameworks", __name__, url_prefix="/kerangka")

HELPERS = {
    "state_labels": FRAMEWORK_STATE_LABELS,
    "rule_text": rule_text,
    "condition_text": condition_text,
    "tier_text": tier_text,
    "direction_text": direction_text,
    "origin": origin,
}

# The state names come from the model as Indonesian text and the templates translate them with
# _(state_labels[...]); listed here so that `flask translate update` puts them in the catalogue.
_STATE_NAMES = (_l("Draf"), _l("Aktif"), _l("Tidak dipakai"))


class _EditBase(FlaskForm):
    name = StringField(_l("Nama kerangka"), validators=[Length(max=150)])
    description = TextAreaField(_l("Keterangan"), validators=[Length(max=2000)])


def edit_form(fw: Framework, data: dict[str, str] | None = None) -> FlaskForm:
    """A form with one text field per editable number of this framework's definition."""

    class EditForm(_EditBase):
        pass

    for dim in fw.dimensions:
        setattr(EditForm, f"dim_{dim.code}_weight", StringField(f"Bobot {dim.code}"))
    for code, ind in fw.indicators.items():
        if ind.is_gate:
            continue
        setattr(EditForm, f"ind_{code}_weight", StringField(f"Bobot {code}"))
        if ind.bands:
            setattr(EditForm, f"ind_{code}_bands", StringField(f"Pita skor {code}"))
    for i, tier in enumerate(fw.tiers):
        setattr(EditForm, f"tier_{i}_min", StringField(f"Batas bawah {tier.name}"))
    for i, cond in enumerate(fw.conditions):
        setattr(EditForm, f"cond_{i}_min", StringField(f"Ambang {cond.tier} ({cond.target})"))
    EditForm.stab_max_promotion = StringField(_l("Kenaikan maksimum per periode (jenjang)"))
    EditForm.stab_margin = StringField(_l("Turun langsung bila skor di bawah batas jenjang (poin)"))
    return EditForm(data=data)


@bp.get("/")
@permission_required(VIEW)
def index() -> str:
    return render_template(
        "frameworks/index.html",
        rows=frameworks.list_versions(current_user),
        confirm=ConfirmForm(),
        **HELPERS,
    )


@bp.get("/<int:version>")
@permission_required(VIEW)
def show(version: int) -> str:
    compare = request.args.get("bandingkan")
    period = (request.args.get("periode") or "").strip() if compare is not None else None
    page = whatif.version_page(version, current_user, period, page_arg())
    return render_template(
        "frameworks/show.html", page=page, confirm=ConfirmForm(), selected=period, **HELPERS
    )


@bp.post("/<int:version>/salin")
@permission_required(MANAGE_FRAMEWORK)
def copy(version: int) -> Response:
    if not ConfirmForm().validate_on_submit():
        abort(400)
    row = frameworks.create_draft(version, current_user)
    flash(
        _(
            "Draf v%(v)s dibuat dari v%(src)s. Ubah aturannya, lalu aktifkan.",
            v=row.version,
            src=version,
        ),
        "success",
    )
    return redirect(url_for("frameworks.edit", version=row.version))


@bp.route("/<int:version>/ubah", methods=["GET", "POST"])
@permission_required(MANAGE_FRAMEWORK)
def edit(version: int) -> str | Response | tuple[str, int]:
    row = frameworks.editable_draft(version, current_user)  # locked: 403 with the reason
    fw = load_framework(row.definition)
    if request.method == "GET":
        form = edit_form(fw, form_fields(row.definition))
        return render_template(
            "frameworks/edit.html", row=row, fw=fw, form=form, problems=[], **HELPERS
        )
    form = edit_form(fw)
    if not form.validate_on_submit():
        if form.errors.get("csrf_token"):
            abort(400)
        problems = [msg for errors in form.errors.values() for msg in errors]
        return render_template(
            "frameworks/edit.html", row=row, fw=fw, form=form, problems=problems, **HELPERS
        ), 422
    fields: dict[str, Any] = {k: v for k, v in form.data.items() if k != "csrf_token"}
    try:
        frameworks.edit_draft(version, fields, current_user)
    except FrameworkRulesInvalid as exc:
        return render_template(
            "frameworks/edit.html", row=row, fw=fw, form=form, problems=exc.problems, **HELPERS
        ), 422
    flash(_("Draf v%(v)s disimpan.", v=version), "success")
    return redirect(url_for("frameworks.show", version=version))


@bp.post("/<int:version>/aktifkan")
@permission_required(MANAGE_FRAMEWORK)
def activate(version: int) -> Response:
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        frameworks.activate(version, current_user)
    except FrameworkLocked as exc:  # said on the version's page
        flash(exc.message, "error")
    except FrameworkRulesInvalid as exc:
        flash(_("Kerangka tidak valid: %(p)s", p=" ".join(exc.problems)), "error")
    else:
        flash(
            _(
                "Kerangka v%(v)s sekarang aktif. Penilaian berikutnya memakai aturan ini.",
                v=version,
            ),
            "success",
        )
    return redirect(url_for("frameworks.show", version=version))
