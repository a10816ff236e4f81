"""The /aktivitas pages' use cases: upload → preview → confirm for the three activity imports,
their downloadable templates, and what the index page lists.

The preview is a dry run of the very import the confirmation performs, on the very bytes stored by
`tracker.services.common.uploads`; the options chosen at upload (the period) travel with the
stored file, so the confirmation cannot import something other than what was previewed.
"""

from __future__ import annotations

from dataclasses import dataclass

from tracker.io.activity_columns import KIND_COUNTS, KIND_MEASURES, KIND_POSTS, KINDS, TEMPLATES
from tracker.io.tabular import FORMATS, table_bytes
from tracker.models import Period
from tracker.models.user import User
from tracker.services.activity.content_import import (
    ImportResult,
    import_counts,
    import_posts,
)
from tracker.services.activity.measurements import (
    KecamatanChoice,
    import_measurements,
    kecamatan_choices,
)
from tracker.services.activity.verification import review_counts
from tracker.services.common import uploads
from tracker.services.common.permissions import ENTER_ACTIVITY, require
from tracker.services.rules.periods import open_periods


class UnknownKindError(LookupError):
    """Not one of the three imports (a 404 on the web)."""


@dataclass(frozen=True)
class Preview:
    token: str
    result: ImportResult


def _run(
    kind: str,
    data: bytes,
    filename: str,
    actor: User,
    period_code: str | None,
    *,
    dry_run: bool,
    skip_invalid: bool,
) -> ImportResult:
    if kind == KIND_POSTS:
        return import_posts(data, filename, actor, dry_run=dry_run, skip_invalid=skip_invalid)
    if kind == KIND_COUNTS:
        return import_counts(
            data, filename, period_code or "", actor, dry_run=dry_run, skip_invalid=skip_invalid
        )
    if kind == KIND_MEASURES:
        return import_measurements(
            data, filename, period_code or "", actor, dry_run=dry_run, skip_invalid=skip_invalid
        )
    raise UnknownKindError(kind)


def preview_upload(
    kind: str, actor: User, filename: str, data: bytes, period_code: str | None = None
) -> Preview:
    """Check the whole file without writing; keep it for the confirmation.

    A file that cannot be read at all raises ImportFileError and is not kept.
    """
    if kind not in KINDS:
        raise UnknownKindError(kind)
    require(actor, ENTER_ACTIVITY)
    result = _run(kind, data, filename, actor, period_code, dry_run=True, skip_invalid=False)
    token = uploads.store(actor, kind, filename, data, {"period": result.period_code})
    return Preview(token=token, result=result)


def confirm_upload(kind: str, actor: User, token: str, skip_invalid: bool) -> ImportResult:
    """Import the stored upload for real (once: the stored file is claimed and removed).

    With `skip_invalid` the valid rows are written and the rest reported; without it a file with
    any bad row writes nothing. Raises uploads.UploadMissingError when the token is stale.
    """
    if kind not in KINDS:
        raise UnknownKindError(kind)
    require(actor, ENTER_ACTIVITY)
    stored = uploads.claim(actor, token, kind)
    return _run(
        kind,
        stored.data,
        stored.filename,
        actor,
        stored.options.get("period"),
        dry_run=False,
        skip_invalid=skip_invalid,
    )


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
