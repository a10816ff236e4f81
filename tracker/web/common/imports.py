"""What every import page shares: the upload field (one size and type limit on every form), the
confirmation form, and the one preview/result page (templates/imports/preview.html)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from flask import render_template
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from werkzeug.datastructures import FileStorage
from wtforms import BooleanField, Form, HiddenField
from wtforms.validators import DataRequired, StopValidation

from tracker.io.tabular import FORMATS
from tracker.services.common import uploads
from tracker.services.common.import_pipeline import ImportResult, ImportRun

ACCEPT = ".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class UploadSize:
    """The upload size limit of every form (IMPORT_MAX_UPLOAD_MB), measured without reading the
    file into memory. `uploads.store` enforces it again whatever the form checked."""

    def __call__(self, form: Form, field: FileField) -> None:
        data = field.data
        if not isinstance(data, FileStorage) or not data:
            return
        stream = data.stream
        position = stream.tell()
        size = stream.seek(0, 2)
        stream.seek(position)
        if size > uploads.max_bytes():
            raise StopValidation(uploads.too_large_message())


def spreadsheet_field(label: Any) -> FileField:
    """A CSV/XLSX upload field with the one set of checks."""
    return FileField(
        label,
        validators=[
            FileRequired(_l("Pilih berkas CSV atau XLSX.")),
            FileAllowed(list(FORMATS), _l("Hanya berkas .csv atau .xlsx yang dapat diimpor.")),
            UploadSize(),
        ],
    )


class ConfirmImportForm(FlaskForm):
    """The confirmation of a previewed upload: its token and "only the valid rows"."""

    token = HiddenField(validators=[DataRequired()])
    skip_invalid = BooleanField(false_values=("", "0", "false"))


@dataclass(frozen=True)
class ImportPage:
    """Where an import's pages sit: its title, the upload page, the confirmation URL, and what a
    finished import links to."""

    title: Any
    upload_url: str
    confirm_url: str
    breadcrumbs: Sequence[tuple[str, Any]] = ()  # (url, label) above the page
    links: Sequence[tuple[str, Any]] = ()  # (url, label) offered once the import is done
    field_labels: dict[str, Any] | None = None  # labels of the fields a change lists
    detail_endpoint: str | None = None  # url_for endpoint of a changed object (one `id` arg)
    detail_arg: str = "id"
    # the headings of a change's name and place columns (a KIM's "Nama", "Desa, kecamatan")
    name_label: Any = None
    place_label: Any = None


def render_result(
    page: ImportPage,
    kind: type[ImportRun],
    result: ImportResult,
    token: str = "",
) -> str:
    """The preview (nothing written yet, `token` to confirm), a refused confirmation (the file
    kept under `token` for the retry) or the finished import."""
    return render_template(
        "imports/preview.html",
        page=page,
        result=result,
        counters=kind.counters,
        summary=kind.summary(result),
        column_names={key: names[0] for key, names in kind.columns.items()},
        form=ConfirmImportForm(token=token, formdata=None) if token else None,
    )
