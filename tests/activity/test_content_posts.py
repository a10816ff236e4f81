"""Post-level import: every spreadsheet variant offices produce, duplicates, row errors, scope,
all-or-nothing and the CLI."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from tests import factories
from tests.factories import import_posts
from tracker.extensions import db
from tracker.io.tabular import table_bytes
from tracker.models import AuditEntry, ContentPost
from tracker.services.activity.post_import import url_key
from tracker.services.common.import_pipeline import ImportFileError

HEADER = ["Nomor KIM.id", "Nama KIM", "Desa", "Kecamatan", "Jenis", "Tanggal", "Judul", "Tautan"]


def csv_bytes(
    rows: list[list[str]],
    header: list[str] = HEADER,
    delimiter: str = ",",
    bom: bool = False,
    encoding: str = "utf-8",
    newline: str = "\r\n",
) -> bytes:
    lines = [delimiter.join(header)] + [delimiter.join(r) for r in rows]
    data = (newline.join(lines) + newline).encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def post_count() -> int:
    return db.session.scalar(select(func.count()).select_from(ContentPost)) or 0


@pytest.fixture
def kims(regions):
    """Two KIMs in Kec. Sukodono, one in Kec. Pasirian (Lumajang)."""
    return {
        "tukum": factories.kim(regions.desa_a1, "KIM Tukum Mandiri", kimid_number="KIM-3508-001"),
        "sumber": factories.kim(regions.desa_a2, "KIM Sumber Rejeki"),
        "condro": factories.kim(regions.desa_b1, "KIM Condro Jaya", kimid_number="KIM-3508-077"),
    }


@pytest.mark.parametrize("delimiter", [",", ";"])
@pytest.mark.parametrize("bom", [True, False])
@pytest.mark.parametrize("newline", ["\r\n", "\n"])
def test_csv_variants(app, kims, delimiter, bom, newline):
    rows = [
        ["KIM-3508-001", "", "", "", "Berita", "07/03/2025", "Kerja bakti", "https://a.id/1"],
        ["", "KIM Sumber Rejeki", "Sumberejo", "Kec. Sukodono", "galeri", "7-3-2025", "Foto", ""],
        [
            "",
            "kim  sumber rejeki",
            "SUMBEREJO",
            "sukodono",
            "PENGUMUMAN",
            "2025-03-07",
            "Rapat",
            "",
        ],
        ["", "KIM Condro Jaya", "Condro", "Pasirian", "Agenda", "7 Maret 2025", "Posyandu", ""],
    ]
    data = csv_bytes(rows, delimiter=delimiter, bom=bom, newline=newline)
    result = import_posts(data, "unggahan.csv", None)
    assert result.problems == []
    assert (result.created, result.skipped, result.written) == (4, 0, True)
    stored = db.session.execute(
        select(ContentPost.kim_id, ContentPost.type, ContentPost.posted_on).order_by(ContentPost.id)
    ).all()
    day = date(2025, 3, 7)
    assert stored == [
        (kims["tukum"].id, "berita", day),
        (kims["sumber"].id, "galeri", day),
        (kims["sumber"].id, "pengumuman", day),
        (kims["condro"].id, "agenda", day),
    ]


def test_windows_1252_and_headers_in_any_case_and_english(app, kims):
    header = ["  KIMID ", "nama kim", "DESA/KELURAHAN", "kecamatan", "TYPE", "Date", "title", "url"]
    rows = [
        ["", "KIM Tukum Mandiri", "Kutorenon", "Sukodono", "news", "1 Feb 2025", "Café desa", ""]
    ]
    data = csv_bytes(rows, header=header, delimiter=";", encoding="cp1252")
    result = import_posts(data, "export.csv", None)
    assert result.problems == []
    post = db.session.scalar(select(ContentPost))
    assert (post.type, post.posted_on, post.title) == ("berita", date(2025, 2, 1), "Café desa")


def test_xlsx_with_excel_dates(app, kims):
    data = table_bytes(
        ["kimid", "Jenis", "Tanggal", "Judul", "URL"],
        [
            ["KIM-3508-001", "Gallery", date(2025, 1, 5), "Lomba", "www.tukum.desa.id/galeri/1"],
            ["KIM-3508-077", "Announcement", "05/01/2025", "Pemilihan RT", None],
        ],
        "xlsx",
    )
    result = import_posts(data, "unggahan.xlsx", None)
    assert result.problems == [] and result.created == 2
    urls = db.session.scalars(select(ContentPost.url).order_by(ContentPost.id)).all()
    assert urls == ["https://www.tukum.desa.id/galeri/1", None]


def test_duplicates_skipped_within_file_and_across_imports(app, kims):
    rows = [
        ["KIM-3508-001", "", "", "", "berita", "03/03/2025", "Panen raya", "https://a.id/panen"],
        # same KIM and URL (written differently), other title: the same post
        ["KIM-3508-001", "", "", "", "berita", "04/03/2025", "Panen (ralat)", "http://A.id/panen/"],
        # same KIM, type, date and title (case and spacing differ), no URL: the same post
        ["KIM-3508-001", "", "", "", "Berita", "2025-03-03", "  PANEN  raya ", ""],
        # same title on another day, or another type, or another KIM: different posts
        ["KIM-3508-001", "", "", "", "berita", "05/03/2025", "Panen raya", ""],
        ["KIM-3508-001", "", "", "", "galeri", "03/03/2025", "Panen raya", ""],
        ["KIM-3508-077", "", "", "", "berita", "03/03/2025", "Panen raya", "https://a.id/panen"],
    ]
    first = import_posts(csv_bytes(rows), "a.csv", None)
    assert (first.created, first.skipped, first.invalid) == (4, 2, 0)
    assert post_count() == 4

    again = import_posts(csv_bytes(rows), "a.csv", None)
    assert (again.created, again.skipped) == (0, 6)
    assert post_count() == 4

    # a later export holding the old posts plus one new one only adds the new one
    later = [*rows, ["KIM-3508-001", "", "", "", "agenda", "06/03/2025", "Musdes", ""]]
    assert import_posts(csv_bytes(later), "b.csv", None).created == 1
    assert post_count() == 5


def test_url_key_ignores_scheme_www_case_and_trailing_slash():
    assert url_key("https://www.Kim.id/Berita/1/") == url_key("http://kim.id/berita/1")
    assert url_key("https://kim.id/berita/1") != url_key("https://kim.id/berita/2")


def test_row_errors_name_row_column_and_value_and_write_nothing(app, kims):
    tomorrow = (date.today() + timedelta(days=2)).strftime("%d/%m/%Y")
    rows = [
        ["KIM-3508-001", "", "", "", "berita", "07/03/2025", "Baik", "https://a.id/1"],  # row 2
        ["KIM-9999", "", "", "", "berita", "07/03/2025", "x", ""],  # 3: unknown KIM.id
        ["", "KIM Hantu", "Kutorenon", "Sukodono", "berita", "07/03/2025", "x", ""],  # 4
        ["KIM-3508-001", "", "", "", "video", "07/03/2025", "x", ""],  # 5: bad type
        ["KIM-3508-001", "", "", "", "berita", "31/02/2025", "x", ""],  # 6: no such day
        ["KIM-3508-001", "", "", "", "berita", tomorrow, "x", ""],  # 7: future
        ["KIM-3508-001", "", "", "", "berita", "07/03/2025", "x", "bukan url"],  # 8
        ["", "KIM Tukum Mandiri", "Desa Antah", "Sukodono", "berita", "07/03/2025", "x", ""],  # 9
    ]
    result = import_posts(csv_bytes(rows), "salah.csv", None)
    assert result.refused and not result.written
    assert post_count() == 0
    assert result.invalid == 7
    found = {(p.row, p.column): p.message for p in result.problems}
    assert "KIM-9999" in found[(3, "Nomor KIM.id")]
    assert "KIM Hantu" in found[(4, "Nama KIM")]
    assert "video" in found[(5, "Jenis")]
    assert "31/02/2025" in found[(6, "Tanggal")]
    assert "masa depan" in found[(7, "Tanggal")]
    assert "bukan url" in found[(8, "Tautan")]
    assert "Desa Antah" in found[(9, "Desa")]
    assert all(p.row != 2 for p in result.problems)
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == 0


def test_skip_invalid_writes_the_valid_rows(app, kims):
    rows = [
        ["KIM-3508-001", "", "", "", "berita", "07/03/2025", "Baik", ""],
        ["KIM-3508-001", "", "", "", "vlog", "07/03/2025", "Buruk", ""],
    ]
    result = import_posts(csv_bytes(rows), "campur.csv", None, skip_invalid=True)
    assert result.written and (result.created, result.invalid) == (1, 1)
    assert post_count() == 1
    entry = db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "activity.import_posts")
    )
    assert entry.params["created"] == 1 and entry.params["invalid"] == 1
    assert entry.params["file"] == "campur.csv"


def test_dry_run_writes_nothing(app, kims):
    rows = [["KIM-3508-001", "", "", "", "berita", "07/03/2025", "Baik", ""]]
    result = import_posts(csv_bytes(rows), "a.csv", None, dry_run=True)
    assert result.created == 1 and not result.written
    assert post_count() == 0


def test_name_without_desa_only_when_unique(app, kims, regions):
    factories.kim(regions.desa_b1, "KIM Sumber Rejeki")  # the same name in another desa
    rows = [
        ["", "KIM Tukum Mandiri", "", "", "berita", "07/03/2025", "Satu", ""],
        ["", "KIM Sumber Rejeki", "", "", "berita", "07/03/2025", "Dua", ""],
    ]
    result = import_posts(csv_bytes(rows), "a.csv", None)
    assert [(p.row, p.column) for p in result.problems] == [(3, "Nama KIM")]
    assert "lebih dari satu" in result.problems[0].message


def test_missing_columns_are_a_file_error(app, kims):
    with pytest.raises(ImportFileError, match="Tanggal"):
        import_posts(csv_bytes([["x"]], header=["Nama KIM"]), "a.csv", None)
    with pytest.raises(ImportFileError, match=r"Nomor KIM\.id atau Nama KIM"):
        import_posts(csv_bytes([["berita", "07/03/2025"]], header=["Jenis", "Tanggal"]), "a", None)
    with pytest.raises(ImportFileError):
        import_posts(b"", "kosong.csv", None)


def test_petugas_cannot_import_for_a_kim_outside_its_kecamatan(app, kims, regions):
    petugas = factories.user("petugas", scope=[regions.kec_a], username="petugas-a")
    rows = [
        ["KIM-3508-001", "", "", "", "berita", "07/03/2025", "Dalam", ""],
        ["KIM-3508-077", "", "", "", "berita", "07/03/2025", "Luar", ""],
        ["", "KIM Condro Jaya", "Condro", "Pasirian", "berita", "07/03/2025", "Luar", ""],
    ]
    result = import_posts(csv_bytes(rows), "a.csv", petugas)
    assert result.refused and post_count() == 0
    assert [p.row for p in result.problems] == [3, 4]
    assert "wilayah kerja" in result.problems[0].message


def test_viewer_may_not_import(app, kims):
    from tracker.services.common.permissions import PermissionDenied

    viewer = factories.user("viewer", username="peninjau")
    rows = [["KIM-3508-001", "", "", "", "berita", "07/03/2025", "x", ""]]
    with pytest.raises(PermissionDenied):
        import_posts(csv_bytes(rows), "a.csv", viewer)


# --- CLI --------------------------------------------------------------------------------------


def test_cli_import_exit_codes(runner, kims, tmp_path):
    good = tmp_path / "baik.csv"
    good.write_bytes(csv_bytes([["KIM-3508-001", "", "", "", "berita", "07/03/2025", "x", ""]]))
    bad = tmp_path / "campur.csv"
    bad.write_bytes(
        csv_bytes(
            [
                ["KIM-3508-001", "", "", "", "galeri", "07/03/2025", "y", ""],
                ["KIM-3508-001", "", "", "", "vlog", "07/03/2025", "z", ""],
            ]
        )
    )
    refused = runner.invoke(args=["activity", "import", str(bad)])
    assert refused.exit_code == 1
    assert "baris 3, kolom Jenis" in refused.output
    assert post_count() == 0

    dry = runner.invoke(args=["activity", "import", str(good), "--dry-run"])
    assert dry.exit_code == 0 and post_count() == 0

    ok = runner.invoke(args=["activity", "import", str(good)])
    assert ok.exit_code == 0, ok.output
    assert "1 unggahan baru" in ok.output
    again = runner.invoke(args=["activity", "import", str(good)])
    assert again.exit_code == 0 and "1 sudah ada" in again.output
    assert post_count() == 1

    skipped = runner.invoke(args=["activity", "import", str(bad), "--skip-invalid"])
    assert skipped.exit_code == 0
    assert post_count() == 2

    missing = tmp_path / "tanpa-kolom.csv"
    missing.write_bytes(b"Nama KIM,Judul\r\nx,y\r\n")
    assert runner.invoke(args=["activity", "import", str(missing)]).exit_code == 1


def test_an_import_keeps_the_per_kim_totals_top_konten_reads(app, kims):
    """The maintained totals equal a recount of the posts after every import, a second import of
    overlapping rows adds only the new posts, and a dry run leaves them alone."""
    from tracker.models import ContentTotal

    def totals() -> dict[int, tuple[int, int, int, int, date | None]]:
        rows = db.session.execute(
            select(
                ContentTotal.kim_id,
                ContentTotal.berita,
                ContentTotal.galeri,
                ContentTotal.pengumuman,
                ContentTotal.agenda,
                ContentTotal.last_posted_on,
            )
        )
        return {kim_id: tuple(rest) for kim_id, *rest in rows}

    first = [
        ["KIM-3508-001", "", "", "", "Berita", "2025-03-07", "Satu", "https://a.id/1"],
        ["KIM-3508-001", "", "", "", "Galeri", "2025-03-09", "Dua", "https://a.id/2"],
        ["KIM-3508-077", "", "", "", "Agenda", "2025-02-01", "Tiga", "https://c.id/3"],
    ]
    import_posts(csv_bytes(first), "a.csv", None, dry_run=True)
    assert totals() == {}
    import_posts(csv_bytes(first), "a.csv", None)
    tukum, condro = kims["tukum"].id, kims["condro"].id
    assert totals() == {
        tukum: (1, 1, 0, 0, date(2025, 3, 9)),
        condro: (0, 0, 0, 1, date(2025, 2, 1)),
    }
    second = [
        *first,
        ["KIM-3508-001", "", "", "", "Berita", "2025-04-02", "Empat", "https://a.id/4"],
    ]
    import_posts(csv_bytes(second), "b.csv", None)
    assert totals()[tukum] == (2, 1, 0, 0, date(2025, 4, 2))
    assert totals()[condro] == (0, 0, 0, 1, date(2025, 2, 1))
