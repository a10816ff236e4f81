"""Home page: what the signed-in user's district (or kecamatan) looks like today, the dashboard."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import SelectField

from tracker.charts.bars import BarRow, stacked_bars
from tracker.charts.lines import Series, line_chart
from tracker.services.reports import dashboard

bp = Blueprint("main", __name__)


class TransitionForm(FlaskForm):
    """The two periods of the transition matrix, read from the query string (a GET changes
    nothing: no CSRF)."""

    class Meta:
        csrf = False

    dari = SelectField(_l("Dari periode"), validate_choice=False, default="")
    ke = SelectField(_l("Ke periode"), validate_choice=False, default="")


def _charts(summary: dashboard.Summary) -> dict[str, str]:
    names = summary.tier_names
    charts: dict[str, str] = {}
    if summary.latest is not None and summary.kecamatan:
        charts["kecamatan"] = stacked_bars(
            [BarRow(k.name, [k.counts.get(t, 0) for t in names]) for k in summary.kecamatan],
            names,
            title=_("Jenjang KIM per kecamatan, periode %(code)s", code=summary.latest.code),
            description=_(
                "Batang bertumpuk: untuk setiap kecamatan, jumlah KIM di setiap jenjang. "
                "Angkanya ada di tabel di bawah grafik."
            ),
            key="chart-kecamatan",
        )
    if len(summary.periods) > 1:
        charts["trend"] = line_chart(
            [p.code for p in summary.periods],
            [Series(t, [float(p.counts.get(t, 0)) for p in summary.periods]) for t in names],
            title=_("Jumlah KIM per jenjang dari periode ke periode"),
            description=_(
                "Satu garis per jenjang: jumlah KIM berjenjang itu pada setiap periode yang "
                "dinilai. Angkanya ada di tabel di bawah grafik."
            ),
            key="chart-trend",
        )
    return charts


@bp.get("/")
@login_required
def index() -> str:
    form = TransitionForm(request.args)
    summary = dashboard.summary(current_user, form.dari.data or "", form.ke.data or "")
    codes = [(p.code, p.code) for p in reversed(summary.periods)]
    form.dari.choices = codes
    form.ke.choices = codes
    if summary.transitions is not None:
        form.dari.data = summary.transitions.before.code
        form.ke.data = summary.transitions.after.code
    return render_template(
        "main/index.html", summary=summary, charts=_charts(summary), transition_form=form
    )
