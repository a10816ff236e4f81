"""The one reader every import uses: where the header is, which columns it recognised and which it
ignored, and the text encodings offices save in."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from tracker.io.tabular import TableError, read_table

COLUMNS = {"name": ("Nama KIM", "Nama"), "desa": ("Desa", "Desa/Kelurahan"), "note": ("Catatan",)}


def test_the_header_is_found_below_title_rows_whatever_the_separator() -> None:
    data = (
        b"DAFTAR KIM KABUPATEN LUMAJANG\r\n"  # no separator on the title row
        b"\r\n"
        b"No;Nama KIM;Desa/Kelurahan;Keterangan lain\r\n"
        b"1;KIM Satu;Kutorenon;x\r\n"
        b"2;KIM Dua, Jaya;Sumberejo;y\r\n"
    )
    table = read_table(data, "daftar.csv", COLUMNS, required=("name", "desa"))
    assert table.header_row == 3
    assert table.recognised() == [("name", "Nama KIM"), ("desa", "Desa/Kelurahan")]
    assert table.ignored == ["No", "Keterangan lain"]
    assert [(r.number, r.text("name"), r.text("desa")) for r in table.rows] == [
        (4, "KIM Satu", "Kutorenon"),
        (5, "KIM Dua, Jaya", "Sumberejo"),
    ]


def test_a_title_cell_that_looks_like_a_header_does_not_win() -> None:
    """A title row reading just "Nama" matches one alias; the real header matches more."""
    workbook = Workbook()
    for row in (["Nama"], [], ["Nama KIM", "Desa", "Catatan"], ["KIM Satu", "Kutorenon", "ok"]):
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    table = read_table(buffer.getvalue(), "daftar.xlsx", COLUMNS, required=("name", "desa"))
    assert table.header_row == 3
    assert [r.text("note") for r in table.rows] == ["ok"]


def test_a_missing_column_names_the_headers_found() -> None:
    data = b"Judul daftar\r\nNo;Nama KIM;Kec.\r\n1;KIM Satu;Sukodono\r\n"
    with pytest.raises(TableError) as refused:
        read_table(data, "daftar.csv", COLUMNS, required=("name", ("desa", "note")))
    assert str(refused.value) == (
        "Kolom wajib tidak ditemukan: Desa atau Catatan. "
        "Judul kolom yang terbaca di baris 2: No, Nama KIM, Kec.."
    )


def test_excel_unicode_text_utf16_with_tabs_is_read() -> None:
    data = "Nama KIM\tDesa\r\nKIM Café\tKutorenon\r\n".encode("utf-16")
    table = read_table(data, "daftar.txt", COLUMNS, required=("name",))
    assert [r.text("name") for r in table.rows] == ["KIM Café"]


def test_windows_1252_after_row_9000_still_switches_the_whole_file() -> None:
    lines = ["Nama KIM;Desa"] + [f"KIM {i};Desa" for i in range(9_000)] + ["KIM Café;Desa"]
    data = "\r\n".join(lines).encode("cp1252")
    rows = list(read_table(data, "besar.csv", COLUMNS).rows)
    assert rows[-1].text("name") == "KIM Café"
