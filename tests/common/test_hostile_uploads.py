"""Issue 12, point 9: uploads that would exhaust the server are refused quickly, with a clear
Indonesian message, in bounded memory; NUL characters in cells are removed.

The probe's findings: a 1.5 KB XLSX whose <dimension> claims A1:XFD1600 made the activity upload
build ~200 MB; a 300 KB zip-bomb XLSX killed a worker by timeout; a 15 MB CSV took 3 GB.
"""

from __future__ import annotations

import io
import time
import tracemalloc
import zipfile
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select

from tests import factories
from tracker.extensions import db
from tracker.io.tabular import Limits, TableError, open_table, read_table
from tracker.models import ContentPost

MB = 1024 * 1024
POSTS_HEADER = ("Nomor KIM.id", "Jenis", "Tanggal", "Judul", "Tautan")


@pytest.fixture(autouse=True)
def _uploads_in_tmp(app, tmp_path):
    app.config["UPLOAD_FOLDER"] = str(tmp_path / "uploads")


@pytest.fixture
def kim(regions):
    factories.make_period("2025-T1")
    return factories.kim(regions.desa_a1, "KIM Tukum Mandiri", kimid_number="KIM-1")


def _cell(ref: str, value: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>'


def xlsx(
    sheet_data: str, dimension: str = "A1:E2", compression: int = zipfile.ZIP_DEFLATED
) -> bytes:
    """A minimal workbook written by hand, as a hostile one would be (no library tidies it)."""
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
        ),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            '<sheets><sheet name="Data" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
        ),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
        archive.writestr(
            "xl/worksheets/sheet1.xml",
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            f'<dimension ref="{dimension}"/><sheetData>{sheet_data}</sheetData></worksheet>',
        )
    return buffer.getvalue()


def posts_rows(*rows: tuple[str, ...], first: int = 1) -> str:
    out = []
    for number, row in enumerate(rows, start=first):
        cells = "".join(_cell(f"{'ABCDE'[i]}{number}", v) for i, v in enumerate(row))
        out.append(f'<row r="{number}">{cells}</row>')
    return "".join(out)


def bounded(run: Callable[[], Any], megabytes: int, seconds: float) -> Any:
    """Run `run` and fail if it allocates more than `megabytes` at its peak or takes longer."""
    tracemalloc.start()
    started = time.perf_counter()
    try:
        outcome = run()
    finally:
        elapsed = time.perf_counter() - started
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert peak < megabytes * MB, f"peak {peak / MB:.0f} MB"
    assert elapsed < seconds, f"{elapsed:.1f} s"
    return outcome


def upload(client, content: bytes, filename: str = "unggahan.xlsx"):  # type: ignore[no-untyped-def]
    form = {"unggahan-file": (io.BytesIO(content), filename)}
    return client.post("/aktivitas/impor/unggahan", data=form, content_type="multipart/form-data")


def post_count() -> int:
    return db.session.scalar(select(func.count()).select_from(ContentPost)) or 0


# --- the dimension bomb ------------------------------------------------------------------------


def test_a_dimension_bomb_with_nothing_importable_is_refused_quickly(client, login_as, kim):
    """1.5 KB claiming A1:XFD1600, its one cell at XFD1600: reading it used to build every cell
    the dimension claims. Now only the cells present are read, and the missing header says why."""
    data = xlsx(f'<row r="1600">{_cell("XFD1600", "x")}</row>', dimension="A1:XFD1600")
    assert len(data) < 2048
    login_as("petugas")
    response = bounded(lambda: upload(client, data), megabytes=20, seconds=5)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Berkas tidak berisi data: 20 baris pertamanya kosong" in html
    near = xlsx(f'<row r="2">{_cell("A2", "x")}</row>', dimension="A1:XFD1600")
    response = bounded(lambda: upload(client, near), megabytes=20, seconds=5)
    assert response.status_code == 422
    assert (
        "Kolom wajib tidak ditemukan: Nomor KIM.id atau Nama KIM, Jenis, Tanggal. "
        "Judul kolom yang terbaca di baris 2: x."
    ) in response.get_data(as_text=True)
    assert post_count() == 0


def test_the_declared_dimension_of_a_sheet_is_ignored(client, login_as, kim):
    """The same claim on a proper file: its rows import, at the cost of the cells it holds."""
    rows = posts_rows(
        POSTS_HEADER, ("KIM-1", "berita", "07/03/2025", "Kerja bakti", "https://a.id/1")
    )
    data = xlsx(rows + f'<row r="1600">{_cell("XFD1600", "")}</row>', dimension="A1:XFD1600")
    login_as("petugas")
    response = bounded(lambda: upload(client, data), megabytes=20, seconds=5)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Kerja bakti" in html  # in the sample of rows
    assert '<span class="big">1</span>akan ditambahkan' in html


# --- the zip bomb ------------------------------------------------------------------------------


def zip_bomb(unpacked_mb: int) -> bytes:
    """A sheet of `unpacked_mb` MB of identical rows: deflate packs it a thousandfold."""
    row = posts_rows(("KIM-1", "berita", "07/03/2025", "x" * 40, "https://a.id/1"), first=2)
    repeat = unpacked_mb * MB // len(row)
    header = posts_rows(POSTS_HEADER)
    return xlsx(header + row * repeat, dimension="A1:E2")


def test_a_zip_bomb_is_refused_before_it_is_unpacked(client, login_as, kim):
    data = zip_bomb(40)
    assert len(data) < 300 * 1024
    login_as("petugas")
    response = bounded(lambda: upload(client, data), megabytes=20, seconds=3)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert (
        "Berkas XLSX ditolak: bagian xl/worksheets/sheet1.xml mengembang lebih dari 100 kali"
        in html
    )
    assert "zip bomb" in html
    assert post_count() == 0


def test_an_xlsx_unpacking_beyond_the_limit_is_refused(app, client, login_as, kim):
    app.config["IMPORT_MAX_UNPACKED_MB"] = 1
    rows = [("KIM-1", "berita", "07/03/2025", f"Judul {i} " + "y" * 30, "") for i in range(12_000)]
    data = xlsx(posts_rows(POSTS_HEADER, *rows), compression=zipfile.ZIP_STORED)
    login_as("petugas")
    response = upload(client, data)
    assert response.status_code == 422
    assert "setelah dibuka (maksimal 1 MB)" in response.get_data(as_text=True)


def test_the_archive_directory_is_checked_before_zipfile_reads_it() -> None:
    """A zip listing thousands of parts (each a Python object once zipfile reads the list)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for i in range(1_200):
            archive.writestr(f"x/{i}", b"")
    with pytest.raises(TableError, match="terlalu banyak bagian"):
        read_table(buffer.getvalue(), "banyak.xlsx", {"name": ("Nama",)})


# --- rows --------------------------------------------------------------------------------------


def test_rows_beyond_the_limit_are_refused(app, kim):
    limits = Limits(max_rows=5)
    lines = ["Nama;Desa"] + [f"KIM {i};Desa" for i in range(6)]
    data = "\r\n".join(lines).encode()
    assert len(read_table(data, "a.csv", {"name": ("Nama",)}, limits=Limits(max_rows=6)).rows) == 6
    with pytest.raises(TableError, match="lebih dari 5 baris data"):
        read_table(data, "a.csv", {"name": ("Nama",)}, limits=limits)
    blank = "Nama\r\n" + "\r\n" * 7 + "KIM\r\n"
    with pytest.raises(TableError, match="lebih dari 5 baris kosong"):
        read_table(blank.encode(), "a.csv", {"name": ("Nama",)}, limits=limits)


def test_the_import_row_limit_is_a_setting(app, client, login_as, kim):
    app.config["IMPORT_MAX_ROWS"] = 3
    lines = ["Nomor KIM.id;Jenis;Tanggal;Judul"]
    lines += [f"KIM-1;berita;07/03/2025;Judul {i}" for i in range(4)]
    login_as("petugas")
    response = upload(client, "\r\n".join(lines).encode(), "unggahan.csv")
    assert response.status_code == 422
    assert "lebih dari 3 baris data" in response.get_data(as_text=True)


def test_a_large_csv_streams_in_bounded_memory(app, kim):
    """50,000 rows (3.6 MB): the whole file used to become lists, dicts and row objects (the
    probe's 15 MB CSV took 3 GB); now rows stream and only what each kind needs is kept."""
    lines = ["Nomor KIM.id;Jenis;Tanggal;Judul;Tautan"]
    lines += [
        f"KIM-1;berita;07/03/2025;Kerja bakti nomor {i} di desa;https://tukum.desa.id/berita/{i}"
        for i in range(50_000)
    ]
    data = ("\r\n".join(lines) + "\r\n").encode()
    columns = {"kimid": ("Nomor KIM.id",), "title": ("Judul",), "url": ("Tautan",)}

    def read_all() -> int:
        with open_table(data, "besar.csv", columns) as table:
            return sum(1 for _row in table.rows)

    assert bounded(read_all, megabytes=len(data) // MB + 10, seconds=30) == 50_000


# --- NUL characters ----------------------------------------------------------------------------


def test_nul_characters_are_removed_from_cells(app, kim):
    from tracker.services.activity.post_import import PostImport
    from tracker.services.common.import_pipeline import run_import

    filler = "Nomor KIM.id;Jenis;Tanggal;Judul\r\n" + "".join(
        f"KIM-1;berita;0{d}/03/2025;Kerja bakti {d}\r\n" for d in range(1, 8)
    )
    data = (filler + "KIM-1;berita;08/03/2025;Kerja\x00 bakti\x00 besar\r\n").encode()
    result = run_import(PostImport, data, "nul.csv", None)
    assert result.problems == [] and result.created == 8
    titles = db.session.scalars(select(ContentPost.title)).all()
    assert "Kerja bakti besar" in titles and not any("\x00" in t for t in titles)


def test_a_file_with_control_characters_is_not_a_csv(app):
    with pytest.raises(TableError, match="bukan CSV teks"):
        read_table(b"Nama KIM\x00\x01\x02\x03", "kim.csv", {"name": ("Nama KIM",)})
    with pytest.raises(TableError, match="bukan CSV teks"):
        png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00"
        read_table(png, "gambar.csv", {"name": ("Nama",)})
