"""KIM registry import and export (issue 2, point 5): every format an office produces, row errors
with the right row and column, all-or-nothing, --skip-invalid, idempotence, round trip."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from tests import factories
from tests.factories import import_kims
from tracker.extensions import db
from tracker.models import AuditEntry, Kim, KimChannel, Region
from tracker.services.common.import_pipeline import ImportFileError, ImportResult
from tracker.services.registry import kim_export
from tracker.services.registry.kim_import import KimImport
from tracker.services.registry.kims import KimFilter

HEADERS = [
    "Nomor KIM.id",
    "NAMA KIM",
    " desa/kelurahan ",
    "kecamatan",
    "No. SK",
    "Tanggal SK",
    "Ketua",
    "No. HP",
    "Website",
]

GOOD_ROWS = [
    ["1001", "KIM Kutorenon Café", "Kutorenon", "Kec. Sukodono", "188/1/2024", "07/03/2025",
     "Bu Siti", "0812 3456 7890", "https://kutorenon.desa.id"],
    ["1002", "KIM Sumberejo Jaya", "  SUMBEREJO ", "Sukodono", "188/2/2024", "7-3-2025",
     "Pak Budi", "+62 813 1111 2222", "http://sumberejo.desa.id"],
    ["", "KIM Condro Mandiri", "condro", "KECAMATAN PASIRIAN", "", "2025-03-07",
     "", "", ""],
    ["1004", "KIM Kutorenon Muda", "kutorenon", "kec sukodono", "188/4/2024", "7 Maret 2025",
     "Mas Adi", "", ""],
]  # fmt: skip


def csv_bytes(
    rows: list[list[str]],
    headers: list[str] = HEADERS,
    delimiter: str = ",",
    encoding: str = "utf-8",
    newline: str = "\r\n",
) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=delimiter, lineterminator=newline)
    writer.writerow(headers)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def xlsx_bytes(rows: list[list[object]], headers: list[str] = HEADERS) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def kim_count() -> int:
    return db.session.scalar(select(func.count(Kim.id))) or 0


def by_name(name: str) -> Kim:
    kim = db.session.scalar(select(Kim).where(Kim.name == name))
    assert kim is not None, f"{name} was not imported"
    return kim


def assert_good_rows_imported() -> None:
    assert kim_count() == 4
    cafe = by_name("KIM Kutorenon Café")
    assert cafe.desa_code == "35.08.09.2001"
    assert cafe.kimid_number == "1001"
    assert cafe.sk_date == date(2025, 3, 7)
    assert cafe.chair == "Bu Siti"
    assert cafe.phone == "0812 3456 7890"
    assert cafe.website == "https://kutorenon.desa.id"
    jaya = by_name("KIM Sumberejo Jaya")
    assert jaya.desa_code == "35.08.09.2002"
    assert jaya.sk_date == date(2025, 3, 7)
    assert jaya.phone == "+62 813 1111 2222"
    condro = by_name("KIM Condro Mandiri")
    assert condro.desa_code == "35.08.02.2001"
    assert condro.sk_date == date(2025, 3, 7)
    assert condro.kimid_number is None and condro.sk_number is None
    muda = by_name("KIM Kutorenon Muda")
    assert muda.sk_date == date(2025, 3, 7)
    assert muda.status == "aktif"


@pytest.mark.parametrize("delimiter", [",", ";"])
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
@pytest.mark.parametrize("newline", ["\r\n", "\n"])
def test_csv_variants_are_all_accepted(regions, delimiter, encoding, newline) -> None:
    data = csv_bytes(GOOD_ROWS, delimiter=delimiter, encoding=encoding, newline=newline)
    if encoding == "utf-8-sig":
        assert data.startswith(b"\xef\xbb\xbf")
    if encoding == "cp1252":
        assert "é".encode("cp1252") in data and "é".encode() not in data
    result = import_kims(data, "kim.csv", None)
    assert result.problems == []
    assert result.created == 4
    assert result.written
    assert_good_rows_imported()


def test_xlsx_with_date_cells_and_numbers(regions) -> None:
    rows: list[list[object]] = [list(r) for r in GOOD_ROWS]
    rows[0][0] = 1001.0  # Excel keeps a typed number as a float
    rows[0][5] = datetime(2025, 3, 7)  # a real date cell
    rows[1][5] = date(2025, 3, 7)
    result = import_kims(xlsx_bytes(rows), "Registri KIM.xlsx", None)
    assert result.problems == []
    assert_good_rows_imported()


def test_headers_in_english_aliases_and_code_column(regions) -> None:
    data = csv_bytes(
        [["KIM Kode", "35.08.02.2001", "12", "aktif", "https://fb.com/kimkode"]],
        headers=["KIM", "Kode Wilayah", "Jumlah Anggota", "STATUS", "Facebook"],
    )
    result = import_kims(data, "x.csv", None)
    assert result.problems == []
    kim = by_name("KIM Kode")
    assert kim.desa_code == "35.08.02.2001"
    assert kim.members == 12
    assert [(c.platform, c.url) for c in kim.channels] == [("facebook", "https://fb.com/kimkode")]


BAD_ROWS = [
    # row 2: valid
    ["2001", "KIM Baik", "Kutorenon", "Sukodono", "1/2024", "01/02/2024", "", "", ""],
    # row 3: unknown desa
    ["2002", "KIM Hilang", "Desa Entah", "Sukodono", "", "", "", "", ""],
    # row 4: unknown kecamatan
    ["2003", "KIM Nyasar", "Kutorenon", "Kec. Antah Berantah", "", "", "", "", ""],
    # row 5: SK date in the future
    ["2004", "KIM Masa Depan", "Kutorenon", "Sukodono", "", "FUTURE", "", "", ""],
    # row 6: not a date
    ["2005", "KIM Tanggal Aneh", "Kutorenon", "Sukodono", "", "31/02/2024", "", "", ""],
    # row 7: bad URL
    ["2006", "KIM Situs Rusak", "Kutorenon", "Sukodono", "", "", "", "", "javascript:alert(1)"],
    # row 8: name missing
    ["2007", "", "Kutorenon", "Sukodono", "", "", "", "", ""],
    # row 9: bad phone
    ["2008", "KIM Telepon", "Kutorenon", "Sukodono", "", "", "", "telp 0812", ""],
]


def bad_file() -> bytes:
    future = (date.today() + timedelta(days=40)).strftime("%d/%m/%Y")
    rows = [[future if c == "FUTURE" else c for c in r] for r in BAD_ROWS]
    return csv_bytes(rows, delimiter=";")


def problems_by_row(result: ImportResult) -> dict[int, tuple[str | None, str]]:
    return {p.row: (p.column, p.message) for p in result.problems}


def test_bad_rows_reported_with_row_column_and_message_and_nothing_written(regions) -> None:
    before_kims, before_audit = kim_count(), db.session.scalar(select(func.count(AuditEntry.id)))
    result = import_kims(bad_file(), "kim.csv", None)
    got = problems_by_row(result)
    assert sorted(got) == [3, 4, 5, 6, 7, 8, 9]
    assert got[3][0] == "desa/kelurahan" and "Desa Entah" in got[3][1]
    assert got[4][0] == "kecamatan" and "Kec. Antah Berantah" in got[4][1]
    assert got[5][0] == "Tanggal SK" and "masa depan" in got[5][1]
    assert got[6][0] == "Tanggal SK" and "31/02/2024" in got[6][1]
    assert got[7][0] == "Website" and "javascript:alert(1)" in got[7][1]
    assert got[8][0] == "NAMA KIM" and "wajib" in got[8][1]
    assert got[9][0] == "No. HP"
    assert result.refused and not result.written
    assert kim_count() == before_kims == 0
    assert db.session.scalar(select(func.count(AuditEntry.id))) == before_audit


def test_skip_invalid_writes_only_the_valid_rows(regions) -> None:
    result = import_kims(bad_file(), "kim.csv", None, skip_invalid=True)
    assert result.written
    assert [c.name for c in result.changes if c.action == "create"] == ["KIM Baik"]
    assert kim_count() == 1
    assert by_name("KIM Baik").sk_date == date(2024, 2, 1)
    assert sorted({p.row for p in result.problems}) == [3, 4, 5, 6, 7, 8, 9]
    assert result.invalid == 7


def test_dry_run_writes_nothing(regions) -> None:
    result = import_kims(csv_bytes(GOOD_ROWS), "kim.csv", None, dry_run=True)
    assert result.created == 4 and not result.written
    assert kim_count() == 0


def test_second_import_of_the_same_file_changes_nothing(regions) -> None:
    data = csv_bytes(GOOD_ROWS, delimiter=";", encoding="cp1252")
    first = import_kims(data, "kim.csv", None)
    assert first.created == 4
    versions = {k.id: k.version for k in db.session.scalars(select(Kim))}
    second = import_kims(data, "kim.csv", None)
    assert (second.created, second.updated, second.unchanged) == (0, 0, 4)
    assert kim_count() == 4
    db.session.expire_all()
    assert {k.id: k.version for k in db.session.scalars(select(Kim))} == versions


def test_update_matches_on_kimid_then_on_name_and_desa(regions) -> None:
    by_id = factories.kim("35.08.09.2001", name="Nama Lama", kimid_number="3001")
    by_pair = factories.kim("35.08.09.2002", name="KIM Sumberejo", chair="Lama")
    data = csv_bytes(
        [
            ["3001", "Nama Baru", "Kutorenon", "Sukodono", "", "", "", "", ""],
            ["", "kim  SUMBEREJO", "Sumberejo", "Sukodono", "", "", "Ketua Baru", "", ""],
        ]
    )
    result = import_kims(data, "kim.csv", None)
    assert result.problems == []
    assert (result.created, result.updated) == (0, 2)
    db.session.expire_all()
    assert db.session.get(Kim, by_id.id).name == "Nama Baru"
    pair = db.session.get(Kim, by_pair.id)
    assert pair.chair == "Ketua Baru"
    assert pair.sk_number is not None  # an empty cell never erases a value
    update = db.session.scalar(
        select(AuditEntry).where(
            AuditEntry.action == "kim.update", AuditEntry.entity_id == str(by_id.id)
        )
    )
    assert update.changes == {"name": ["Nama Lama", "Nama Baru"]}


def test_duplicate_rows_within_the_file(regions) -> None:
    data = csv_bytes(
        [
            ["4001", "KIM Satu", "Kutorenon", "Sukodono", "", "", "", "", ""],
            ["4001", "KIM Dua", "Kutorenon", "Sukodono", "", "", "", "", ""],
            ["", "kim satu", "Kutorenon", "Sukodono", "", "", "", "", ""],
        ]
    )
    got = problems_by_row(import_kims(data, "kim.csv", None))
    assert got[3][0] == "Nomor KIM.id" and "baris 2" in got[3][1]
    assert got[4][0] == "NAMA KIM" and "baris 2" in got[4][1]
    assert kim_count() == 0


def test_name_already_used_in_the_desa_by_another_kim(regions) -> None:
    factories.kim("35.08.09.2001", name="KIM Pertama", kimid_number="5001")
    factories.kim("35.08.09.2001", name="KIM Kedua", kimid_number="5002")
    data = csv_bytes([["5002", "KIM Pertama", "Kutorenon", "Sukodono", "", "", "", "", ""]])
    got = problems_by_row(import_kims(data, "kim.csv", None))
    assert got[2][0] == "NAMA KIM" and "sudah dipakai" in got[2][1]


def test_rows_outside_the_users_scope_are_errors(regions) -> None:
    user = factories.user(role="kabid", scope=[regions.kec_a], username="kabid-sukodono")
    factories.kim(regions.desa_b1, name="KIM Luar", kimid_number="6001")
    data = csv_bytes(
        [
            ["", "KIM Dalam", "Kutorenon", "Sukodono", "", "", "", "", ""],
            ["", "KIM Condro", "Condro", "Pasirian", "", "", "", "", ""],
            ["6001", "KIM Luar Diubah", "Kutorenon", "Sukodono", "", "", "", "", ""],
        ]
    )
    result = import_kims(data, "kim.csv", user)
    got = problems_by_row(result)
    assert sorted(got) == [3, 4]
    assert "luar wilayah kerja" in got[3][1]
    assert got[4][0] == "Nomor KIM.id" and "luar wilayah kerja" in got[4][1]
    assert kim_count() == 1


def test_missing_required_column_is_a_file_error_naming_the_headers_found(regions) -> None:
    with pytest.raises(ImportFileError) as refused:
        import_kims(csv_bytes([["x", "y"]], headers=["Ketua", "No. HP"]), "kim.csv", None)
    assert refused.value.message == (
        "Kolom wajib tidak ditemukan: Nama KIM, Desa/Kelurahan atau Kode Desa. "
        "Judul kolom yang terbaca di baris 1: Ketua, No. HP."
    )
    found = r"Desa/Kelurahan atau Kode Desa.*: Nama KIM, Catatan"
    with pytest.raises(ImportFileError, match=found):
        import_kims(csv_bytes([["x", "y"]], headers=["Nama KIM", "Catatan"]), "kim.csv", None)
    assert kim_count() == 0


def test_a_registry_with_title_rows_above_its_header_imports(regions) -> None:
    """An office's sheet often starts with the list's title and a blank row."""
    title = ["DAFTAR KIM KABUPATEN LUMAJANG", *[""] * (len(HEADERS) - 1)]
    subtitle = ["Keadaan 31 Desember 2024"]
    blank = [""] * len(HEADERS)
    data = csv_bytes([subtitle, blank, HEADERS, *GOOD_ROWS], headers=title, delimiter=";")
    result = import_kims(data, "daftar.csv", None)
    assert result.problems == [] and result.header_row == 4
    assert_good_rows_imported()
    rows = [[title[0]], [], HEADERS, *GOOD_ROWS]
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    again = import_kims(buffer.getvalue(), "daftar.xlsx", None)
    assert (again.header_row, again.unchanged, again.problems) == (3, 4, [])
    assert [p.row for p in again.problems] == []


def test_one_import_audit_entry_plus_one_per_kim(regions) -> None:
    import_kims(csv_bytes(GOOD_ROWS), "kim.csv", None)
    actions = [a for (a,) in db.session.execute(select(AuditEntry.action))]
    assert actions.count("kim.import") == 1
    assert actions.count("kim.create") == 4
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "kim.import"))
    assert entry.params["created"] == 4 and entry.params["updated"] == 0
    creations = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "kim.create"))
    desa_of = {kim.id: kim.desa_code for kim in db.session.scalars(select(Kim))}
    assert sorted((e.message, e.kim_id, e.region_code) for e in creations) == sorted(
        ("kim.create.import", int(kim_id), desa) for kim_id, desa in desa_of.items()
    )


# --- CLI ---------------------------------------------------------------------------------------


def test_cli_import_lists_problems_and_exits_nonzero(regions, runner, tmp_path) -> None:
    path = tmp_path / "kim.csv"
    path.write_bytes(bad_file())
    result = runner.invoke(args=["kim", "import", str(path)])
    assert result.exit_code == 1
    assert "baris 3, kolom desa/kelurahan: " in result.output
    assert "Desa Entah" in result.output
    assert "baris 7, kolom Website: " in result.output
    assert kim_count() == 0


def test_cli_import_dry_run_and_skip_invalid(regions, runner, tmp_path) -> None:
    path = tmp_path / "kim.csv"
    path.write_bytes(bad_file())
    result = runner.invoke(args=["kim", "import", str(path), "--dry-run", "--skip-invalid"])
    assert result.exit_code == 0, result.output
    assert "tidak ada yang disimpan" in result.output
    assert kim_count() == 0
    result = runner.invoke(args=["kim", "import", str(path), "--skip-invalid"])
    assert result.exit_code == 0, result.output
    assert "1 KIM baru" in result.output
    assert kim_count() == 1


def test_cli_import_good_file_then_again(regions, runner, tmp_path) -> None:
    path = tmp_path / "kim.xlsx"
    path.write_bytes(xlsx_bytes(GOOD_ROWS))
    first = runner.invoke(args=["kim", "import", str(path)])
    assert first.exit_code == 0, first.output
    assert "4 KIM baru" in first.output
    second = runner.invoke(args=["kim", "import", str(path)])
    assert "0 KIM baru, 0 diperbarui, 4 tidak berubah" in second.output
    assert kim_count() == 4


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_export_imports_back_unchanged(regions, runner, tmp_path, suffix) -> None:
    kim = factories.kim(
        regions.desa_a1,
        name='=HYPERLINK("http://evil")',
        kimid_number="7001",
        chair="+62 Ketua",
        phone="+62 811 222 333",
        email="kim@example.id",
        website="https://kim.example.id",
        members=15,
        notes="baris satu\nbaris dua",
    )
    kim.channels = [
        KimChannel(platform="instagram", url="https://instagram.com/a"),
        KimChannel(platform="instagram", url="https://instagram.com/b"),
        KimChannel(platform="youtube", url="https://youtube.com/@kim"),
    ]
    db.session.commit()
    factories.kim(regions.desa_b1, name="KIM Condro", status="nonaktif")
    path = tmp_path / f"registri.{suffix}"
    out = runner.invoke(args=["kim", "export", str(path)])
    assert out.exit_code == 0, out.output
    assert "2 KIM diekspor" in out.output
    result = runner.invoke(args=["kim", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "0 KIM baru, 0 diperbarui, 2 tidak berubah" in result.output


def test_export_escapes_formula_cells(regions) -> None:
    factories.kim(regions.desa_a1, name="=1+2", chair="@SUM(A1)", phone="+62 811", notes="-x")
    data = kim_export.export_bytes(None, KimFilter(), "csv")
    text = data.decode("utf-8-sig")
    assert "'=1+2" in text and "'@SUM(A1)" in text and "'+62 811" in text and "'-x" in text
    workbook = load_workbook(io.BytesIO(kim_export.export_bytes(None, KimFilter(), "xlsx")))
    values = [c.value for c in workbook.active[2]]
    assert "'=1+2" in values and "'@SUM(A1)" in values
    assert not any(isinstance(v, str) and v.startswith(("=", "+", "-", "@")) for v in values)


def test_export_columns_and_unknown_extension(regions, runner, tmp_path) -> None:
    factories.kim(regions.desa_a1, name="KIM Kolom", kimid_number="8001", sk_number="188/8")
    path = tmp_path / "r.csv"
    runner.invoke(args=["kim", "export", str(path)])
    header = path.read_bytes().decode("utf-8-sig").splitlines()[0].split(",")
    for title in ["Nomor KIM.id", "Nama KIM", "Desa/Kelurahan", "Kecamatan", "No. SK",
                  "Tanggal SK", "Ketua", "No. HP", "Website", "Status"]:  # fmt: skip
        assert title in header
    bad = runner.invoke(args=["kim", "export", str(tmp_path / "r.pdf")])
    assert bad.exit_code == 1 and "tidak didukung" in bad.output


def test_kecamatan_name_in_two_kabupaten_needs_the_kabupaten_column(regions) -> None:
    for code, name in [
        ("35.09", "Kabupaten Jember"),
        ("35.09.01", "Sukodono"),
        ("35.09.01.2001", "Kutorenon"),
    ]:
        db.session.add(
            Region(
                code=code, name=name, level=code.count(".") + 1, parent_code=code.rsplit(".", 1)[0]
            )
        )
    db.session.commit()
    row = ["", "KIM Kembar", "Kutorenon", "Kec. Sukodono", "", "", "", "", ""]
    got = problems_by_row(import_kims(csv_bytes([row]), "kim.csv", None))
    assert got[2][0] == "kecamatan"
    assert "35.08.09" in got[2][1] and "35.09.01" in got[2][1]
    data = csv_bytes([[*row, "Kab. Jember"]], headers=[*HEADERS, "Kabupaten"])
    result = import_kims(data, "kim.csv", None)
    assert result.problems == []
    assert by_name("KIM Kembar").desa_code == "35.09.01.2001"


def test_import_runs_a_fixed_number_of_queries_whatever_the_row_count(regions, app) -> None:
    from sqlalchemy import event

    def queries_for(rows: list[list[str]]) -> int:
        statements: list[str] = []

        def count(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
            statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", count)
        try:
            import_kims(csv_bytes(rows), "kim.csv", None, dry_run=True)
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        return len(statements)

    for i in range(60):
        factories.kim(regions.desa_a1, name=f"KIM Ada {i}", kimid_number=f"90{i:02d}")

    def rows(n: int) -> list[list[str]]:
        return [
            [f"90{i:02d}", f"KIM Ada {i}", "Kutorenon", "Sukodono", "", "", f"Ketua {i}", "", ""]
            for i in range(n)
        ] + [[f"99{i:02d}", f"KIM Baru {i}", "Sumberejo", "Sukodono", "", "", "", "", ""]
             for i in range(n)]  # fmt: skip

    assert queries_for(rows(3)) == queries_for(rows(60))


def test_the_registry_caps_its_rows_below_the_setting(app, regions, monkeypatch) -> None:
    """A registry keeps every row in memory until it writes: its own cap is lower."""
    assert KimImport.max_rows is not None and KimImport.max_rows < app.config["IMPORT_MAX_ROWS"]
    monkeypatch.setattr(KimImport, "max_rows", 3)
    rows = [[f"KIM {i}", "Kutorenon", "Sukodono"] for i in range(4)]
    data = csv_bytes(rows, headers=["Nama KIM", "Desa", "Kecamatan"])
    with pytest.raises(ImportFileError, match="lebih dari 3 baris data"):
        import_kims(data, "kim.csv", None)
    assert kim_count() == 0
