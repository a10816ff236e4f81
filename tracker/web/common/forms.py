"""Shared form pieces."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, Field, IntegerField, SelectMultipleField
from wtforms.widgets import CheckboxInput, ListWidget

INVALID_DATE = _l("Tanggal tidak valid (gunakan format tttt-bb-hh).")
INVALID_INTEGER = _l("Isi dengan bilangan bulat.")


class _IndonesianParsing(Field):
    """A typed input whose parse error is Indonesian (WTForms has no Indonesian catalogue).

    `invalid_message` lets a form say what it does with unreadable input instead.
    """

    default_invalid_message: Any = None

    def __init__(self, *args: Any, invalid_message: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.invalid_message = invalid_message or self.default_invalid_message

    def process_formdata(self, valuelist: list[str]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError as exc:
            raise ValueError(self.invalid_message) from exc


class IndonesianDateField(_IndonesianParsing, DateField):
    default_invalid_message = INVALID_DATE


class IndonesianIntegerField(_IndonesianParsing, IntegerField):
    default_invalid_message = INVALID_INTEGER


class ConfirmForm(FlaskForm):
    """A bare POST form: CSRF token only (logout, deactivate, confirm import…)."""


class MultiCheckboxField(SelectMultipleField):
    """A choice of several, as checkboxes (a region scope, a session's topics)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()
