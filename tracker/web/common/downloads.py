"""Spreadsheet downloads: every export and blank template leaves the site the same way."""

from __future__ import annotations

from io import BytesIO

from flask import send_file
from werkzeug.wrappers import Response

from tracker.io.tabular import MIMETYPES


def send_table(data: bytes, fmt: str, filename: str) -> Response:
    """`data` (CSV or XLSX bytes) as an attachment saved under `filename`.

    send_file marks it no-cache: an export holds only what this user's scope may see.
    """
    return send_file(
        BytesIO(data), mimetype=MIMETYPES[fmt], as_attachment=True, download_name=filename
    )
