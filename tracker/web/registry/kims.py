"""The KIM registry pages: list, detail, create, edit, deactivate/reactivate.

Views parse the form, check the permission and call one service; the region scope and every rule
live in `tracker.services.registry.kims`. A KIM outside the user's scope is a 404, whatever the
action.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import (
    FieldList,
    Form,
    FormField,
    HiddenField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from tracker.charts.bars import BarRow, Mark, score_bars
from tracker.charts.lines import tier_history
from tracker.io.kim_columns import PLATFORM_LABELS
from tracker.models import Kim
from tracker.models.kim import CHANNEL_PLATFORMS
from tracker.services.common.permissions import EDIT_KIM, VIEW
from tracker.services.registry import kims
from tracker.services.reports import kim_profile
from tracker.web.common.filters import angka
from tracker.web.common.forms import ConfirmForm, IndonesianDateField, IndonesianIntegerField
from tracker.web.common.guards import permission_required
from tracker.web.common.paging import page_arg, page_size

bp = Blueprint("kims", __name__, url_prefix="/kim")

CHANNEL_ROWS = 4  # empty rows offered for social channels (no JavaScript needed to add one)

FIELD_LABELS = {
    "name": _l("Nama KIM"),
    "desa_code": _l("Desa/Kelurahan"),
    "kimid_number": _l("Nomor KIM.id"),
    "website": _l("Website"),
    "sk_number": _l("No. SK"),
    "sk_date": _l("Tanggal SK"),
    "chair": _l("Ketua"),
    "phone": _l("No. HP"),
    "email": _l("Email"),
    "members": _l("Jumlah anggota"),
    "status": _l("Status"),
    "notes": _l("Catatan"),
    "channels": _l("Media sosial"),
}


class ChannelForm(Form):
    """One social channel row (a subform: the parent form carries the CSRF token)."""

    platform = SelectField(_l("Platform"), validate_choice=False, validators=[Optional()])
    url = StringField(_l("Alamat kanal"), validators=[Optional(), Length(max=255)])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.platform.choices = [
            SelectChoice("", "—"),
            *(SelectChoice(p, PLATFORM_LABELS[p]) for p in CHANNEL_PLATFORMS),
        ]


class KimForm(FlaskForm):
    name = StringField(
        _l("Nama KIM"),
        validators=[DataRequired(_l("Nama KIM wajib diisi.")), Length(max=150)],
    )
    desa_code = SelectField(
        _l("Desa/Kelurahan"),
        validate_choice=False,  # the service checks the desa is in the user's scope
        validators=[DataRequired(_l("Pilih desa/kelurahan."))],
    )
    kimid_number = StringField(_l("Nomor KIM.id"), validators=[Optional(), Length(max=40)])
    website = StringField(_l("Website"), validators=[Optional(), Length(max=255)])
    sk_number = StringField(_l("No. SK pembentukan"), validators=[Optional(), Length(max=120)])
    sk_date = IndonesianDateField(_l("Tanggal SK"), validators=[Optional()])
    chair = StringField(_l("Ketua"), validators=[Optional(), Length(max=120)])
    phone = StringField(_l("No. HP"), validators=[Optional(), Length(max=40)])
    email = StringField(_l("Email"), validators=[Optional(), Length(max=120)])
    members = IndonesianIntegerField(
        _l("Jumlah anggota"),
        validators=[Optional(), NumberRange(min=0, message=_l("Tidak boleh negatif."))],
    )
    notes = TextAreaField(_l("Catatan"), validators=[Optional(), Length(max=5000)])
    channels = FieldList(FormField(ChannelForm), min_entries=CHANNEL_ROWS, max_entries=20)
    version = HiddenField()

    def set_desa_choices(self, groups: dict[str, list[tuple[str, str]]]) -> None:
        self.desa_code.choices = [
            SelectChoice("", _("— pilih desa/kelurahan —")),
            *(
                SelectChoice(code, name, optgroup=_("Kec. %(name)s", name=kecamatan))
                for kecamatan, options in groups.items()
                for code, name in options
            ),
        ]

    def to_input(self) -> kims.KimInput:
        return kims.KimInput(
            name=self.name.data or "",
            desa_code=self.desa_code.data or "",
            kimid_number=self.kimid_number.data or "",
            website=self.website.data or "",
            sk_number=self.sk_number.data or "",
            sk_date=self.sk_date.data,
            chair=self.chair.data or "",
            phone=self.phone.data or "",
            email=self.email.data or "",
            members=self.members.data,
            notes=(self.notes.data or "").replace("\r\n", "\n"),
            channels=[(c.platform.data or "", c.url.data or "") for c in self.channels],
        )

    def show_errors(self, errors: dict[str, str]) -> None:
        """Put the service's messages next to the fields they belong to."""
        for key, message in errors.items():
            if key.startswith("channels-"):
                _prefix, index, sub = key.split("-", 2)
                target = self.channels[int(index)][sub]
            else:
                target = self[key]
            target.errors = [*target.errors, message]


def _form_for(kim: Kim | None) -> KimForm:
    """The form with the desa choices of the user's scope; on GET, filled from the KIM with one
    spare channel row beyond those it has."""
    if request.method == "POST" or kim is None:
        form = KimForm()
    else:
        form = KimForm(obj=kim)
        while len(form.channels) <= len(kim.channels):
            form.channels.append_entry()
    form.set_desa_choices(kims.desa_choices(current_user))
    return form


def _render_form(form: KimForm, kim: Kim | None, status: int = 200, **extra: Any) -> Any:
    if status == 422:
        flash(_("Periksa kembali isian yang ditandai; belum ada yang disimpan."), "error")
    return render_template("kims/form.html", form=form, kim=kim, **extra), status


@bp.get("/")
@permission_required(VIEW)
def index() -> str:
    registry = kims.registry_page(
        current_user,
        kims.KimFilter.from_args(request.args),
        page_arg(),
        page_size(),
    )
    return render_template("kims/index.html", registry=registry)


@bp.get("/<int:kim_id>")
@permission_required(VIEW)
def detail(kim_id: int) -> str:
    detail = kim_profile.kim_detail(current_user, kim_id)
    return render_template(
        "kims/detail.html",
        detail=detail,
        kim=detail.kim,
        platform_labels=PLATFORM_LABELS,
        charts=_tier_charts(detail.tier_path),
    )


def _tier_charts(path: kim_profile.TierPath | None) -> dict[str, str]:
    """The KIM's tier history and its dimension scores against the next tier, as SVG."""
    if path is None:
        return {}
    history = tier_history(
        [row.period_code for row in path.history],
        [row.tier for row in path.history],
        path.tier_names,
        title=_("Riwayat jenjang"),
        description=_(
            "Jenjang KIM pada setiap periode yang dinilai, dari yang terlama. "
            "Angkanya ada di tabel di bawah grafik."
        ),
    )
    marks = []
    if path.next_tier is not None and path.next_minimum is not None:
        marks.append(
            Mark(
                path.next_minimum,
                _("%(tier)s ≥ %(min)s", tier=path.next_tier, min=angka(path.next_minimum, 0)),
            )
        )
    scores = score_bars(
        [
            *(BarRow(f"{d.code} {d.name}", [d.score or 0.0]) for d in path.dimensions),
            BarRow(_("Skor total"), [path.score]),
        ],
        marks,
        title=_("Skor per dimensi, periode %(code)s", code=path.period_code),
        description=_(
            "Skor setiap dimensi dan skor total (0–100); garis putus-putus: skor total minimum "
            "jenjang berikutnya. Angka dan syarat per dimensi ada di tabel di bawah grafik."
        ),
    )
    return {"history": history, "scores": scores}


@bp.route("/baru", methods=["GET", "POST"])
@permission_required(EDIT_KIM)
def create() -> str | Response | tuple[str, int]:
    form = _form_for(None)
    if not form.is_submitted():
        return _render_form(form, None)
    if form.validate():
        try:
            kim = kims.create_kim(current_user, form.to_input())
        except kims.KimInvalidError as error:
            form.show_errors(error.errors)
        else:
            flash(_("%(name)s ditambahkan ke registri.", name=kim.name), "success")
            return redirect(url_for("kims.detail", kim_id=kim.id))
    return _render_form(form, None, 422)


@bp.route("/<int:kim_id>/ubah", methods=["GET", "POST"])
@permission_required(EDIT_KIM)
def edit(kim_id: int) -> str | Response | tuple[str, int]:
    kim = kims.get_kim(current_user, kim_id)
    form = _form_for(kim)
    if not form.is_submitted():
        return _render_form(form, kim)
    if form.validate():
        raw_version = form.version.data or ""
        version = int(raw_version) if raw_version.isascii() and raw_version.isdigit() else 0
        try:
            changed = kims.update_kim(current_user, kim_id, form.to_input(), version)
        except kims.KimStaleError as error:
            # what the user typed stays in the form; the version stays the stale one, so sending
            # it again is refused again until the latest data has been opened
            flash(str(error), "error")
            return _render_form(form, kim, 409, stale=True)
        except kims.KimInvalidError as error:
            form.show_errors(error.errors)
        else:
            if changed:
                flash(_("Perubahan pada %(name)s disimpan.", name=form.name.data), "success")
            else:
                flash(_("Tidak ada perubahan."), "info")
            return redirect(url_for("kims.detail", kim_id=kim_id))
    return _render_form(form, kim, 422)


def _set_active(kim_id: int, active: bool) -> Response:
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if kims.set_active(current_user, kim_id, active):
        flash(
            _("KIM diaktifkan kembali.") if active else _("KIM dinonaktifkan."),
            "success",
        )
    return redirect(url_for("kims.detail", kim_id=kim_id))


@bp.post("/<int:kim_id>/nonaktifkan")
@permission_required(EDIT_KIM)
def deactivate(kim_id: int) -> Response:
    return _set_active(kim_id, False)


@bp.post("/<int:kim_id>/aktifkan")
@permission_required(EDIT_KIM)
def reactivate(kim_id: int) -> Response:
    return _set_active(kim_id, True)
