"""`flask region import`: levels, parents, kinds, idempotence, slices, formats and bad rows."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask.testing import FlaskCliRunner
from sqlalchemy import func, select

from tracker.extensions import db
from tracker.io.regions_csv import parse_regions, tidy_name
from tracker.models import AuditEntry, Region
from tracker.services.registry import regions as region_service

DATA = Path(__file__).resolve().parents[2] / "tracker" / "data"

SMALL = """kode,nama,jenis
35,Jawa Timur,
35.08,Kabupaten Lumajang,
35.08.09,Tekung,
35.08.09.2006,Tukum,desa
35.08.09.1001,Kelurahan Uji,
35.79,Kota Batu,
35.79.01,Batu,
35.79.01.1002,Sisir,kelurahan
35.79.01.2003,Oro-oro Ombo,
"""

NATIONAL_STYLE = """kode,nama,jenis
11,Aceh,
11.01,Kabupaten Aceh Selatan,
11.01.01,Bakongan,
11.01.01.2001,Keude Bakongan,desa
35,Jawa Timur,
35.07,Kabupaten Malang,
35.07.01,Donomulyo,
35.07.01.2001,Kedungsalam,desa
35.08,Kabupaten Lumajang,
35.08.09,Tekung,
35.08.09.2006,Tukum,desa
35.08.15,Sukodono,
35.08.15.2005,Kutorenon,desa
35.09,Kabupaten Jember,
35.09.01,Jombang,
"""


def _write(tmp_path: Path, text: str, name: str = "wilayah.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def _region(code: str) -> Region | None:
    db.session.expire_all()
    return db.session.get(Region, code)


def _count(*where: object) -> int:
    return db.session.scalar(select(func.count()).select_from(Region).where(*where)) or 0


def _audit_count() -> int:
    return (
        db.session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "region.import")
        )
        or 0
    )


def test_import_reads_levels_parents_and_kinds(runner: FlaskCliRunner, tmp_path: Path) -> None:
    result = runner.invoke(args=["region", "import", str(_write(tmp_path, SMALL))])
    assert result.exit_code == 0, result.output
    assert "9 baru, 0 diubah" in result.output

    tukum = _region("35.08.09.2006")
    assert tukum is not None
    assert (tukum.level, tukum.parent_code, tukum.kind) == (4, "35.08.09", "desa")
    # jenis empty: read from the first digit of the last part (1 = kelurahan, 2 = desa)
    assert _region("35.08.09.1001").kind == "kelurahan"  # type: ignore[union-attr]
    assert _region("35.79.01.2003").kind == "desa"  # type: ignore[union-attr]
    assert _region("35.79.01.1002").kind == "kelurahan"  # type: ignore[union-attr]
    assert _region("35.08").kind == "kabupaten"  # type: ignore[union-attr]
    assert _region("35.79").kind == "kota"  # type: ignore[union-attr]
    assert (_region("35").level, _region("35").parent_code) == (1, None)  # type: ignore[union-attr]
    assert _region("35.08.09").level == 3  # type: ignore[union-attr]
    # the official spelling is kept as written
    assert _region("35.79.01.2003").display_name == "Oro-oro Ombo"  # type: ignore[union-attr]
    assert _audit_count() == 1


def test_second_run_changes_nothing(runner: FlaskCliRunner, tmp_path: Path) -> None:
    path = _write(tmp_path, SMALL)
    assert runner.invoke(args=["region", "import", str(path)]).exit_code == 0
    before = db.session.execute(
        select(Region.code, Region.name, Region.level, Region.kind, Region.parent_code)
    ).all()

    again = runner.invoke(args=["region", "import", str(path)])

    assert again.exit_code == 0, again.output
    assert "0 baru, 0 diubah, 9 tetap" in again.output
    after = db.session.execute(
        select(Region.code, Region.name, Region.level, Region.kind, Region.parent_code)
    ).all()
    assert sorted(after) == sorted(before)
    assert _audit_count() == 2  # one entry per run


def test_renamed_region_is_updated(runner: FlaskCliRunner, tmp_path: Path) -> None:
    assert runner.invoke(args=["region", "import", str(_write(tmp_path, SMALL))]).exit_code == 0
    renamed = SMALL.replace("35.08.09.2006,Tukum,desa", "35.08.09.2006,Tukum Baru,desa")

    result = runner.invoke(args=["region", "import", str(_write(tmp_path, renamed, "v2.csv"))])

    assert result.exit_code == 0, result.output
    assert "0 baru, 1 diubah" in result.output
    assert _region("35.08.09.2006").name == "Tukum Baru"  # type: ignore[union-attr]
    entry = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert entry is not None
    assert entry.changes == {"35.08.09.2006.name": ["Tukum", "Tukum Baru"]}


def test_only_imports_one_subtree_with_its_ancestors(
    runner: FlaskCliRunner, tmp_path: Path
) -> None:
    path = _write(tmp_path, NATIONAL_STYLE)

    result = runner.invoke(args=["region", "import", str(path), "--only", "35.08"])

    assert result.exit_code == 0, result.output
    assert "6 baru" in result.output
    codes = set(db.session.scalars(select(Region.code)))
    assert codes == {"35", "35.08", "35.08.09", "35.08.09.2006", "35.08.15", "35.08.15.2005"}
    # a later slice of another kabupaten reuses the province already loaded
    result = runner.invoke(args=["region", "import", str(path), "--only", "35.07"])
    assert result.exit_code == 0, result.output
    assert "3 baru, 0 diubah, 1 tetap" in result.output
    assert _region("35.07.01.2001") is not None


def test_only_ignores_broken_rows_outside_the_slice(runner: FlaskCliRunner, tmp_path: Path) -> None:
    broken_elsewhere = NATIONAL_STYLE.replace("11.01.01.2001,Keude Bakongan", "11.1.1.1,")
    path = _write(tmp_path, broken_elsewhere)

    result = runner.invoke(args=["region", "import", str(path), "--only", "35.08"])

    assert result.exit_code == 0, result.output
    assert _count() == 6


def test_only_with_unknown_or_malformed_code_is_refused(
    runner: FlaskCliRunner, tmp_path: Path
) -> None:
    path = _write(tmp_path, NATIONAL_STYLE)

    missing = runner.invoke(args=["region", "import", str(path), "--only", "35.99"])
    malformed = runner.invoke(args=["region", "import", str(path), "--only", "35-08"])

    assert missing.exit_code == 1
    assert "Kode 35.99 tidak ada di berkas" in missing.output
    assert malformed.exit_code == 1
    assert "tidak valid" in malformed.output
    assert _count() == 0


def test_bom_and_semicolon_are_accepted(runner: FlaskCliRunner, tmp_path: Path) -> None:
    text = "\ufeffKode;Nama;Jenis\r\n35;Jawa Timur;\r\n35.08;KAB. LUMAJANG;\r\n35.08.09;Tekung;\r\n"
    text += '35.08.09.2006;Tukum;desa\r\n35.08.09.2007;"Karang; Bendo";desa\r\n'

    result = runner.invoke(args=["region", "import", str(_write(tmp_path, text))])

    assert result.exit_code == 0, result.output
    assert "5 baru" in result.output
    assert _region("35")  # the BOM did not eat the first header
    assert _region("35.08").kind == "kabupaten"  # type: ignore[union-attr]
    assert _region("35.08.09.2007").name == "Karang; Bendo"  # type: ignore[union-attr]


def test_bad_rows_are_listed_with_row_numbers_and_nothing_is_written(
    runner: FlaskCliRunner, tmp_path: Path
) -> None:
    text = (
        "kode,nama,jenis\n"
        "35,Jawa Timur,\n"  # row 2
        "35.08,Kabupaten Lumajang,\n"  # row 3
        "35.8.09,Tekung,\n"  # row 4: malformed code
        "35.08.15,,\n"  # row 5: no name
        "35.08.21.2001,Kebonan,desa\n"  # row 6: parent 35.08.21 is nowhere
        "35.08.15.2005,Kutorenon,dusun\n"  # row 7: unknown jenis
        "35.08.15,Sukodono,\n"  # row 8: same code twice
    )

    result = runner.invoke(args=["region", "import", str(_write(tmp_path, text))])

    assert result.exit_code == 1
    out = result.output
    assert "Baris 4, kolom kode: kode '35.8.09' tidak valid" in out
    assert "Baris 5, kolom nama: nama kosong" in out
    assert "Baris 6, kolom kode: induk 35.08.21" in out
    assert "Baris 7, kolom jenis: jenis 'dusun' tidak dikenal" in out
    assert "Baris 8, kolom kode: kode 35.08.15 sudah ada di baris 5" in out
    assert "Tidak ada yang disimpan" in out
    assert _count() == 0
    assert _audit_count() == 0


def test_parent_may_already_be_in_the_database(
    runner: FlaskCliRunner, regions: object, tmp_path: Path
) -> None:
    text = "kode,nama\n35.08.09.2003,Mangunsari\n"

    result = runner.invoke(args=["region", "import", str(_write(tmp_path, text))])

    assert result.exit_code == 0, result.output
    assert _region("35.08.09.2003").parent_code == "35.08.09"  # type: ignore[union-attr]


def test_parent_must_come_before_its_child(runner: FlaskCliRunner, tmp_path: Path) -> None:
    text = "kode,nama\n35.08,Kabupaten Lumajang\n35,Jawa Timur\n"

    result = runner.invoke(args=["region", "import", str(_write(tmp_path, text))])

    assert result.exit_code == 1
    assert "Baris 2, kolom kode: induk 35 dari kode 35.08" in result.output
    assert _count() == 0


def test_missing_name_column_and_missing_file_are_refused(
    runner: FlaskCliRunner, tmp_path: Path
) -> None:
    no_name = runner.invoke(args=["region", "import", str(_write(tmp_path, "kode\n35\n"))])
    no_file = runner.invoke(args=["region", "import", str(tmp_path / "tidak-ada.csv")])

    assert no_name.exit_code == 1
    assert "Kolom wajib tidak ditemukan" in no_name.output
    assert no_file.exit_code == 1
    assert "tidak dapat dibaca" in no_file.output


def test_file_or_bundled_is_required(runner: FlaskCliRunner, tmp_path: Path) -> None:
    assert runner.invoke(args=["region", "import"]).exit_code == 2
    path = _write(tmp_path, SMALL)
    assert runner.invoke(args=["region", "import", str(path), "--bundled"]).exit_code == 2


def test_bundled_lumajang_file_has_the_official_counts(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["region", "import", str(DATA / "wilayah-lumajang.csv")])

    assert result.exit_code == 0, result.output
    assert _count(Region.level == 3) == 21
    assert _count(Region.level == 4, Region.kind == "desa") == 198
    assert _count(Region.level == 4, Region.kind == "kelurahan") == 7
    assert _region("35.08.15").name == "Sukodono"  # type: ignore[union-attr]


def test_bundled_national_slice_works_offline_and_matches_the_lumajang_file(
    runner: FlaskCliRunner,
) -> None:
    result = runner.invoke(args=["region", "import", "--bundled", "--only", "35.08"])

    assert result.exit_code == 0, result.output
    assert "228 baru, 0 diubah" in result.output
    assert _count(Region.level == 1) == 1
    assert _count(Region.level == 3) == 21
    assert _count(Region.level == 4) == 205
    same = runner.invoke(args=["region", "import", str(DATA / "wilayah-lumajang.csv")])
    assert "0 baru, 0 diubah, 228 tetap" in same.output


def test_gzip_file_is_read_transparently(runner: FlaskCliRunner, tmp_path: Path) -> None:
    import gzip

    path = tmp_path / "wilayah.csv.gz"
    path.write_bytes(gzip.compress(SMALL.encode()))

    result = runner.invoke(args=["region", "import", str(path)])

    assert result.exit_code == 0, result.output
    assert _count() == 9


def test_upper_case_list_keeps_official_name_and_gets_a_tidy_display_name(
    runner: FlaskCliRunner, tmp_path: Path
) -> None:
    text = "kode,nama\n35,JAWA TIMUR\n35.08,KABUPATEN LUMAJANG\n35.08.02,PRONOJIWO\n"
    text += "35.08.02.2005,ORO-ORO OMBO\n35.08.02.2006,SUPITURANG II\n"

    assert runner.invoke(args=["region", "import", str(_write(tmp_path, text))]).exit_code == 0

    kab = _region("35.08")
    assert kab is not None
    assert kab.name == "KABUPATEN LUMAJANG"
    assert kab.display_name == "Kabupaten Lumajang"
    assert _region("35.08.02.2005").display_name == "Oro-oro Ombo"  # type: ignore[union-attr]
    assert _region("35.08.02.2006").display_name == "Supiturang II"  # type: ignore[union-attr]


def test_acronyms_in_a_mixed_case_list_are_left_alone() -> None:
    data = b"kode,nama\n82,Maluku Utara\n82.03,Kabupaten Halmahera Utara\n82.03.05,Kao\n"
    data += b"82.03.05.2018,MKCM\n33,Jawa Tengah\n33.07,Kabupaten Wonosobo\n"

    parsed = parse_regions(data)

    assert not parsed.problems
    assert {r.code: r.tidy_name for r in parsed.rows}["82.03.05.2018"] is None
    assert tidy_name("KAB. LUMAJANG") == "Kab. Lumajang"
    assert tidy_name("LUBUK PAKAM I,II") == "Lubuk Pakam I,II"


def test_import_service_refuses_a_user_without_permission(app: object, regions: object) -> None:
    from tests import factories
    from tracker.services.common.permissions import PermissionDenied

    viewer = factories.user(role="viewer", username="peninjau")
    with pytest.raises(PermissionDenied):
        region_service.import_regions(SMALL.encode(), "x.csv", viewer)
    assert _count() == 7  # only the fixture's regions


def test_xlsx_list_is_read_too(runner: FlaskCliRunner, tmp_path: Path) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    for row in (("Kode", "Nama"), ("35", "Jawa Timur"), ("35.08", "Kabupaten Lumajang")):
        sheet.append(row)
    path = tmp_path / "wilayah.xlsx"
    workbook.save(path)

    result = runner.invoke(args=["region", "import", str(path)])

    assert result.exit_code == 0, result.output
    assert _region("35.08").kind == "kabupaten"  # type: ignore[union-attr]
