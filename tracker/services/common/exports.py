"""The one way a list leaves the site as a spreadsheet: the rows a list service selected (with
the list's own filters and scope), Indonesian headers, CSV or XLSX through `tracker.io.tabular`
(which neutralises formulas: a text cell starting with = + - @ tab or CR gets a leading ').
Every export service returns an `ExportFile`; the pages send it with `web/common/downloads`, the
command line writes it."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from tracker.io.tabular import FORMATS, MIMETYPES, table_bytes
from tracker.services.common.errors import Invalid


@dataclass(frozen=True)
class ExportFile:
    filename: str
    mimetype: str
    payload: bytes
    rows: int


def check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise Invalid(f"Format .{fmt or '?'} tidak didukung; gunakan .csv atau .xlsx.")


def export_file(
    stem: str, headers: Sequence[str], rows: Iterable[Sequence[Any]], fmt: str
) -> ExportFile:
    """`rows` under `headers` as `<stem>.<fmt>`."""
    check_format(fmt)
    listed = list(rows)
    return ExportFile(
        filename=f"{stem}.{fmt}",
        mimetype=MIMETYPES[fmt],
        payload=table_bytes(headers, listed, fmt),
        rows=len(listed),
    )
