"""Shared form pieces."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField

INVALID_DATE = _l("Tanggal tidak valid (gunakan format tttt-bb-hh).")


class IndonesianDateField(DateField):
    """A date input whose parse error is Indonesian (WTForms has no Indonesian catalogue).

    `invalid_message` lets a filter say what it does with an unreadable date instead.
    """

    def __init__(self, *args: Any, invalid_message: Any = INVALID_DATE, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.invalid_message = invalid_message

    def process_formdata(self, valuelist: list[str]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError as exc:
            raise ValueError(self.invalid_message) from exc


class ConfirmForm(FlaskForm):
    """A bare POST form: CSRF token only (logout, deactivate, confirm import…)."""
