"""The audit log page: who changed what, when; newest first, filtered, paginated."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from flask import Blueprint, render_template, request
from flask_babel import lazy_gettext as _l
from flask_babel import to_utc
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField
from wtforms.validators import Optional, ValidationError

from tracker.io.values import INT_MAX
from tracker.services.accounts import audit_reader
from tracker.services.common.permissions import VIEW_AUDIT
from tracker.web.common.forms import IndonesianDateField
from tracker.web.common.guards import permission_required
from tracker.web.common.paging import page_arg, page_size

bp = Blueprint("audit", __name__, url_prefix="/admin/audit")


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET filter changes nothing

    entity = SelectField(_l("Entitas"), validate_choice=False, validators=[Optional()])
    action = SelectField(_l("Tindakan"), validate_choice=False, validators=[Optional()])
    user = SelectField(_l("Pengguna"), validate_choice=False, validators=[Optional()])
    since = IndonesianDateField(_l("Dari tanggal"), validators=[Optional()])
    until = IndonesianDateField(_l("Sampai tanggal"), validators=[Optional()])

    def validate_until(self, field: IndonesianDateField) -> None:
        if field.data and self.since.data and field.data < self.since.data:
            raise ValidationError(_l("Tanggal akhir tidak boleh sebelum tanggal awal."))


def _filter_from(form: AuditFilterForm) -> audit_reader.AuditFilter:
    """Dates are office days (Asia/Jakarta); the log stores UTC."""
    user_id = form.user.data
    until = form.until.data
    return audit_reader.AuditFilter(
        entity=form.entity.data or "",
        action=form.action.data or "",
        # an id no account can have (too long for the column) matches nothing, like any other
        user_id=(
            (int(user_id) if int(user_id) <= INT_MAX else 0)
            if user_id and user_id.isascii() and user_id.isdigit()
            else None
        ),
        since=to_utc(datetime.combine(form.since.data, time.min)) if form.since.data else None,
        until=(
            to_utc(datetime.combine(until + timedelta(days=1), time.min))
            if until and until < date.max
            else None  # until the last day there is: no upper bound
        ),
    )


@bp.get("/")
@permission_required(VIEW_AUDIT)
def index() -> tuple[str, int]:
    form = AuditFilterForm(request.args)
    options = audit_reader.filter_options(current_user)
    everything = SelectChoice("", _l("Semua"))
    form.entity.choices = [everything, *(SelectChoice(v, label) for v, label in options.entities)]
    form.action.choices = [everything, *(SelectChoice(v, label) for v, label in options.actions)]
    form.user.choices = [everything, *(SelectChoice(str(v), label) for v, label in options.users)]
    valid = form.validate()
    flt = _filter_from(form) if valid else audit_reader.AuditFilter()
    page = audit_reader.list_entries(
        current_user,
        flt,
        page=page_arg(),
        per_page=page_size(),
    )
    return (
        render_template("audit/index.html", form=form, page=page),
        200 if valid else 422,
    )
