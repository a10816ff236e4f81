"""The /aktivitas pages' use cases: the three activity imports (upload → preview → confirm, the one
flow of `tracker.services.common.import_pipeline`), their downloadable templates, and what the
index page lists.

The options chosen at upload (the period) travel with the stored file, so the confirmation cannot
import something other than what was previewed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import BinaryIO

from tracker.io.activity_columns import TEMPLATES
from tracker.io.tabular import FORMATS, table_bytes
from tracker.models import Period
from tracker.models.user import User
from tracker.services.activity.count_import import CountImport
from tracker.services.activity.measurement_import import MeasurementImport
from tracker.services.activity.measurements import KecamatanChoice, kecamatan_choices
from tracker.services.activity.post_import import PostImport
from tracker.services.activity.verification import review_counts
from tracker.services.common import import_pipeline
from tracker.services.common.errors import NotFound
from tracker.services.common.import_pipeline import ImportRun, Preview
from tracker.services.common.permissions import ENTER_ACTIVITY, require
from tracker.services.rules.periods import open_periods

# the activity imports, by the name their pages and stored uploads use
KINDS: dict[str, type[ImportRun]] = {
    kind.kind: kind for kind in (PostImport, CountImport, MeasurementImport)
}


class UnknownKindError(NotFound):
    """Not one of the activity imports."""


def kind_of(name: str) -> type[ImportRun]:
    try:
        return KINDS[name]
    except KeyError:
        raise UnknownKindError(name) from None


def preview_upload(
    kind: str, actor: User, filename: str, stream: BinaryIO | bytes, period_code: str | None = None
) -> Preview:
    """Check the whole file without writing; keep it for the confirmation.

    A file that cannot be imported at all raises ImportFileError and is not kept.
    """
    options = {"period": period_code} if period_code else {}
    return import_pipeline.preview_upload(kind_of(kind), actor, filename, stream, options)


def confirm_upload(kind: str, actor: User, token: str, skip_invalid: bool) -> Preview:
    """Import the stored upload for real (once). With `skip_invalid` the valid rows are written
    and the rest reported; without it a file with any bad row writes nothing and stays stored
    for the retry. Raises uploads.UploadMissingError when the token is stale."""
    return import_pipeline.confirm_upload(kind_of(kind), actor, token, skip_invalid)


@dataclass(frozen=True)
class TemplateFile:
    filename: str
    data: bytes


def template_file(kind: str, fmt: str) -> TemplateFile:
    """The empty template of an import: its header row and one example row."""
    if kind not in TEMPLATES or fmt not in FORMATS:
        raise UnknownKindError(f"{kind}.{fmt}")
    template = TEMPLATES[kind]
    data = table_bytes(template.headers, [template.example], fmt)
    return TemplateFile(filename=f"{template.filename}.{fmt}", data=data)


@dataclass(frozen=True)
class Overview:
    open_periods: list[Period]
    kecamatan: list[KecamatanChoice]
    # (period id, kecamatan code) → (values submitted, values rejected) in the actor's scope
    review: dict[tuple[int, str], tuple[int, int]]

    def review_of(self, period_id: int, kecamatan_code: str | None = None) -> tuple[int, int]:
        """(submitted, rejected) values of a period, in one kecamatan or in all of them."""
        if kecamatan_code is not None:
            return self.review.get((period_id, kecamatan_code), (0, 0))
        found = [n for (p, _code), n in self.review.items() if p == period_id]
        return sum(n[0] for n in found), sum(n[1] for n in found)


def overview(actor: User) -> Overview:
    """What the /aktivitas page offers: periods still open for data, kecamatan for the grid, and
    how many values wait for verification or were sent back, per period and kecamatan."""
    require(actor, ENTER_ACTIVITY)
    periods = open_periods()
    return Overview(
        open_periods=periods,
        kecamatan=kecamatan_choices(actor),
        review=review_counts(actor, [p.id for p in periods]),
    )
