"""The visit form (one section per KIM of the kecamatan) and the follow-up forms.

Photos a refused form had already accepted come back as tokens of stored uploads
(`tracker.services.common.uploads`, kind "visit-photo") so the user does not pick them again;
`kept_photos` carries them.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    Field,
    FieldList,
    Form,
    FormField,
    HiddenField,
    MultipleFileField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from tracker.io.values import CellError, parse_decimal
from tracker.models.visits import PROBLEM_LABELS, PROBLEMS, RATING_IMPROVE, RATING_STANDOUT
from tracker.web.common.forms import IndonesianDateField, IndonesianIntegerField

PHOTO_TYPES = "image/jpeg,image/png,image/webp"


class DecimalTextField(StringField):
    """A number typed the Indonesian way (75,5) or the phone's way (-8.1234567); empty is None."""

    def process_formdata(self, valuelist: list[str]) -> None:
        self.raw = (valuelist[0] if valuelist else "").strip()
        if not self.raw:
            self.data = None
            return
        try:
            self.data = parse_decimal(self.raw)  # type: ignore[assignment]
        except CellError as exc:
            self.data = None
            raise ValueError(_("Isi dengan angka.")) from exc

    def _value(self) -> str:
        return getattr(self, "raw", None) or ("" if self.data is None else str(self.data))


class CheckboxesField(SelectMultipleField):
    """Several choices as a list of checkboxes (big labels to tap on a phone)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class TokenListField(Field):
    """Hidden tokens sent as several values of one name."""

    def process_formdata(self, valuelist: list[str]) -> None:
        self.data = [value for value in valuelist if value][:50]

    def _value(self) -> str:
        return ""


class FindingForm(Form):
    """One KIM's section (a subform: the visit form carries the CSRF token)."""

    kim_id = HiddenField()
    uploads_seen = IndonesianIntegerField(
        _l("Unggahan terlihat"),
        validators=[Optional()],
        invalid_message=_l("Isi jumlah unggahan dengan bilangan bulat."),
    )
    consistency_pct = DecimalTextField(_l("Konsistensi mingguan terlihat (%)"))
    problems = CheckboxesField(_l("Masalah"), validate_choice=False)
    problem_notes = TextAreaField(_l("Catatan masalah"))
    rating = RadioField(_l("Penilaian"), default="", validate_choice=False)
    recommendation = TextAreaField(_l("Rekomendasi"))
    follow_up_due = IndonesianDateField(_l("Batas tindak lanjut"), validators=[Optional()])
    photos = MultipleFileField(_l("Foto KIM ini"))
    kept_photos = TokenListField()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.problems.choices = [(code, _(PROBLEM_LABELS[code])) for code in PROBLEMS]
        self.rating.choices = [
            ("", _("Biasa")),
            (RATING_STANDOUT, _("Menonjol")),
            (RATING_IMPROVE, _("Perlu perbaikan")),
        ]
        if self.rating.data is None:
            self.rating.data = ""

    def filled(self) -> bool:
        """Whether anything was typed or chosen in this section (to open it on a re-shown form)."""
        return any(
            (
                self.uploads_seen.raw_data and self.uploads_seen.raw_data[0],
                self.consistency_pct.data is not None,
                self.problems.data,
                (self.problem_notes.data or "").strip(),
                self.rating.data,
                (self.recommendation.data or "").strip(),
                self.follow_up_due.data,
                self.kept_photos.data,
                self.errors,
            )
        )


class VisitForm(FlaskForm):
    idempotency_key = HiddenField()
    kecamatan_code = HiddenField()
    started_on = IndonesianDateField(
        _l("Tanggal kunjungan"), validators=[InputRequired(_l("Isi tanggal kunjungan."))]
    )
    ended_on = IndonesianDateField(_l("Sampai tanggal"), validators=[Optional()])
    team_user_ids = CheckboxesField(_l("Anggota tim"), coerce=int, validate_choice=False)
    team_names = TextAreaField(_l("Anggota tim lain"))
    notes = TextAreaField(_l("Catatan umum"))
    gps_lat = DecimalTextField(_l("Garis lintang"))
    gps_lon = DecimalTextField(_l("Garis bujur"))
    gps_accuracy = DecimalTextField(_l("Ketelitian (meter)"))
    photos = MultipleFileField(_l("Foto kunjungan"))
    kept_photos = TokenListField()
    findings = FieldList(FormField(FindingForm), min_entries=0, max_entries=500)


class FollowUpForm(FlaskForm):
    kim_id = SelectField(_l("KIM"), coerce=int, validate_choice=False)
    recommendation = TextAreaField(_l("Rekomendasi"))
    owner_id = SelectField(_l("Penanggung jawab"), coerce=int, validate_choice=False)
    due_on = IndonesianDateField(_l("Batas waktu"), validators=[Optional()])
    visit_id = HiddenField()

    def set_choices(
        self, kims: dict[str, list[tuple[int, str]]], owners: list[tuple[int, str]]
    ) -> None:
        self.kim_id.choices = [
            SelectChoice(0, _("— pilih KIM —")),
            *(
                SelectChoice(kim_id, label, optgroup=_("Kec. %(name)s", name=kecamatan))
                for kecamatan, options in kims.items()
                for kim_id, label in options
            ),
        ]
        self.owner_id.choices = [SelectChoice(0, _("— pilih penanggung jawab —"))] + [
            SelectChoice(ident, name) for ident, name in owners
        ]


class CloseForm(FlaskForm):
    version = HiddenField()
    evidence = TextAreaField(_l("Bukti tindak lanjut"))
    closed_on = IndonesianDateField(_l("Tanggal selesai"), validators=[Optional()])
    photo = FileField(_l("Foto bukti (opsional)"))


class DropForm(FlaskForm):
    version = HiddenField()
    reason = TextAreaField(_l("Alasan pembatalan"))


class ReopenForm(FlaskForm):
    version = HiddenField()


def put_errors(form: Form, errors: dict[str, str], fallback: Field) -> None:
    """Put a service's messages beside the fields they name (`fallback` for a name the form does
    not have)."""
    for key, message in errors.items():
        target = form._fields.get(key) or fallback
        target.errors = [*target.errors, message]


def version_of(field: HiddenField) -> int:
    raw = field.data or ""
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 10 else 0
