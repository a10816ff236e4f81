"""Review (R1): a CSV the reader cannot parse is a file error in Indonesian, never a 500.

Before the fix, a cell longer than the csv module's field limit (128 KiB, well inside the 5 MB
upload limit) raised csv.Error, and a file starting with a UTF-8 BOM followed by bytes that are not
UTF-8 raised UnicodeDecodeError; both escaped the import as server errors.
"""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from tests.factories import import_kims
from tracker.extensions import db
from tracker.io.tabular import TableError, read_table
from tracker.models import Kim
from tracker.services.common.import_pipeline import ImportFileError

COLUMNS = {"name": ("Nama KIM",), "desa": ("Desa",)}
HUGE_CELL = b"Nama KIM,Desa\r\n" + b"x" * 200_000 + b",Kutorenon\r\n"
BOM_THEN_CP1252 = b"\xef\xbb\xbfNama KIM,Desa\r\nKIM Caf\xe9,Kutorenon\r\n"


def test_a_cell_beyond_the_csv_field_limit_is_a_file_error() -> None:
    with pytest.raises(TableError, match="tidak dapat dibaca"):
        read_table(HUGE_CELL, "registri.csv", COLUMNS)


def test_a_bom_followed_by_windows_1252_bytes_is_still_read() -> None:
    table = read_table(BOM_THEN_CP1252, "registri.csv", COLUMNS)
    assert table.rows[0].text("name") == "KIM Café"


def test_registry_import_of_a_huge_cell_writes_nothing_and_says_why(regions) -> None:
    with pytest.raises(ImportFileError, match="tidak dapat dibaca"):
        import_kims(HUGE_CELL, "registri.csv", None)
    assert db.session.scalar(select(func.count(Kim.id))) == 0


def test_registry_import_of_a_bom_with_windows_1252_bytes(regions) -> None:
    result = import_kims(BOM_THEN_CP1252, "registri.csv", None)
    assert result.problems == []
    assert db.session.scalar(select(Kim.name)) == "KIM Café"


def test_web_upload_of_an_unreadable_csv_is_422_not_500(login_as, client, regions) -> None:
    login_as("admin")
    response = client.post(
        "/kim/transfer/impor",
        data={"file": (io.BytesIO(HUGE_CELL), "registri.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "tidak dapat dibaca" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Kim.id))) == 0
