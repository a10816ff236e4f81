"""Review (R1): numbers nobody can store are refused with an Indonesian message, not a 500.

`float()` reads 'nan', 'inf' and '1e400'; an integer column holds at most 2^31 - 1 on PostgreSQL
(and 2^63 - 1 on SQLite). Before the fix, parse_int raised a bare ValueError/OverflowError on the
first two and let the third through to the database, and the KIM form's member count reached the
INSERT whatever its size.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.factories import import_kims
from tests.registry.test_kim_import import csv_bytes
from tests.registry.test_kim_registry import form_data
from tracker.extensions import db
from tracker.io.values import CellError, parse_decimal, parse_int
from tracker.models import Kim


@pytest.mark.parametrize("raw", ["nan", "NaN", "inf", "-inf", "Infinity", "1e400"])
def test_parse_decimal_refuses_values_that_are_not_numbers(raw: str) -> None:
    with pytest.raises(CellError, match="bukan angka"):
        parse_decimal(raw)


@pytest.mark.parametrize("raw", ["nan", "inf", "1e400", "99999999999", float("inf")])
def test_parse_int_refuses_what_no_integer_column_holds(raw: object) -> None:
    with pytest.raises(CellError):
        parse_int(raw)


def test_parse_int_still_reads_ordinary_counts() -> None:
    assert parse_int("12") == 12
    assert parse_int(12.0) == 12
    assert parse_int("2147483647") == 2_147_483_647  # the largest an INTEGER holds


@pytest.mark.parametrize("members", ["nan", "1e400", "99999999999"])
def test_import_reports_an_unstorable_member_count_as_a_row_error(regions, members: str) -> None:
    data = csv_bytes(
        [["KIM Angka", "Kutorenon", "Sukodono", members]],
        headers=["Nama KIM", "Desa", "Kecamatan", "Jumlah Anggota"],
    )
    result = import_kims(data, "x.csv", None)
    assert [(p.row, p.column) for p in result.problems] == [(2, "Jumlah Anggota")]
    assert not result.written
    assert db.session.scalar(select(func.count(Kim.id))) == 0


def test_kim_form_refuses_a_member_count_too_large_to_store(login_as, client, regions) -> None:
    login_as("admin")
    response = client.post(
        "/kim/baru", data=form_data(regions.desa_a1, members="100000000000000000000")
    )
    assert response.status_code == 422
    assert "Jumlah anggota terlalu besar." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Kim.id))) == 0
