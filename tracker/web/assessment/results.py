"""Assessment pages: a period's overview, one KIM's assessment and roadmap, exports, Top Konten.

Thin views: read the query or form, check the permission, call one service, render.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import BooleanField, SelectChoice, SelectField, StringField
from wtforms.validators import Length, Optional

from tracker.services.assessment import freshness, reports, runner
from tracker.services.assessment.runner import AssessmentError
from tracker.services.common.clock import office_today
from tracker.services.common.permissions import MANAGE_PERIODS, VIEW
from tracker.services.reports import leaderboard
from tracker.web.common.downloads import send_table
from tracker.web.common.forms import ConfirmForm, IndonesianDateField
from tracker.web.common.guards import permission_required
from tracker.web.common.paging import page_arg, page_size

bp = Blueprint("assessments", __name__, url_prefix="/penilaian")


class _QueryForm(FlaskForm):
    """Filters read from the query string: no CSRF (a GET changes nothing)."""

    class Meta:
        csrf = False


class OverviewForm(_QueryForm):
    q = StringField(_l("Cari KIM, desa atau kecamatan"), validators=[Optional(), Length(max=100)])
    jenjang = SelectField(_l("Jenjang"), validate_choice=False, default="")
    kecamatan = SelectField(_l("Kecamatan"), validate_choice=False, default="")
    syarat = BooleanField(_l("Syarat dasar belum terpenuhi"))
    perubahan = SelectField(
        _l("Perubahan jenjang"),
        choices=[
            SelectChoice("", _l("Semua")),
            SelectChoice("naik", _l("Naik jenjang")),
            SelectChoice("turun", _l("Turun jenjang")),
        ],
        validate_choice=False,
        default="",
    )
    sort = StringField(validators=[Optional(), Length(max=20)], default="-skor")
    asal = StringField(validators=[Optional(), Length(max=10)], default="")
    asal_jenjang = StringField(validators=[Optional(), Length(max=30)], default="")
    surat = StringField(validators=[Optional(), Length(max=10)], default="")

    def to_filter(self) -> reports.OverviewFilter:
        return reports.OverviewFilter(
            q="" if self.q.errors else (self.q.data or ""),
            tier=self.jenjang.data or "",
            kecamatan=self.kecamatan.data or "",
            gate_failed=bool(self.syarat.data),
            movement=self.perubahan.data or "",
            sort=self.sort.data or "-skor",
            from_period="" if self.asal.errors else (self.asal.data or ""),
            from_tier="" if self.asal_jenjang.errors else (self.asal_jenjang.data or ""),
            letter_missing=self.surat.data == "belum",
        )


class LeaderboardFilter(_QueryForm):
    kecamatan = SelectField(_l("Kecamatan"), validate_choice=False, default="")
    sampai = IndonesianDateField(
        _l("Sampai tanggal"),
        validators=[Optional()],
        invalid_message=_l(
            "Tanggal tidak valid (gunakan format tttt-bb-hh); ditampilkan sampai hari ini."
        ),
    )


@bp.get("/")
@permission_required(VIEW)
def index() -> Response:
    return redirect(url_for("periods.index"))


@bp.get("/top-konten", endpoint="leaderboard")
@permission_required(VIEW)
def leaderboard_view() -> str:
    form = LeaderboardFilter(request.args)
    form.validate()
    until = form.sampai.data if not form.sampai.errors else None
    view = leaderboard.leaderboard_page(
        current_user,
        until=until or office_today(),
        kecamatan_code=form.kecamatan.data or None,
        page=page_arg(),
        per_page=page_size(),
    )
    form.kecamatan.choices = [("", _("Semua kecamatan")), *view.kecamatan_options]
    form.sampai.data = view.until
    return render_template("assessments/leaderboard.html", form=form, view=view)


@bp.get("/<code>")
@permission_required(VIEW)
def period_overview(code: str) -> str:
    form = OverviewForm(request.args)
    form.validate()
    overview = reports.period_overview(
        current_user, code, form.to_filter(), page=page_arg(), per_page=page_size()
    )
    form.jenjang.choices = [
        SelectChoice("", _("Semua jenjang")),
        *(SelectChoice(t, t) for t in overview.tier_names),
    ]
    form.kecamatan.choices = [
        SelectChoice("", _("Semua kecamatan")),
        *(SelectChoice(code, name) for code, name in overview.kecamatan_options),
    ]
    return render_template("assessments/period.html", o=overview, form=form, run_form=ConfirmForm())


@bp.get("/<code>/belum-dinilai")
@permission_required(VIEW)
def unassessed(code: str) -> str:
    view = freshness.unassessed_page(current_user, code, page_arg(), page_size())
    return render_template("assessments/unassessed.html", v=view)


@bp.post("/<code>/jalankan")
@permission_required(MANAGE_PERIODS)
def run(code: str) -> Response:
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        result = runner.assess_period(code, current_user)
    except AssessmentError as exc:  # said on the period's page
        flash(exc.message, "error")
        return redirect(url_for(".period_overview", code=code))
    flash(
        _(
            "Penilaian %(code)s selesai: %(n)s KIM dinilai dengan kerangka v%(version)s.",
            code=result.period_code,
            n=result.kims_assessed,
            version=result.framework_version,
        ),
        "success",
    )
    return redirect(url_for(".period_overview", code=result.period_code))


@bp.get("/<code>/ekspor.<fmt>")
@permission_required(VIEW)
def export(code: str, fmt: str) -> Response:
    try:
        exported = reports.export_assessments(current_user, code, fmt)
    except AssessmentError as exc:  # said on the period's page
        flash(exc.message, "error")
        return redirect(url_for(".period_overview", code=code))
    return send_table(exported.payload, fmt, exported.filename)


@bp.get("/<code>/kim/<int:kim_id>")
@permission_required(VIEW)
def kim_assessment(code: str, kim_id: int) -> str:
    view = reports.kim_assessment(current_user, code, kim_id)
    return render_template("assessments/kim.html", v=view)
