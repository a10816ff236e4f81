"""Back-filling attendance from the lists offices keep (`flask session import FILE` and the web):
sessions matched by title and date or created, KIMs marked present, names added once; P1 and the
next assessment move by what the framework gives; the same file again changes nothing; bad rows
named in Indonesian with their row numbers, nothing written; scope and roles."""

from __future__ import annotations

from datetime import date
from io import BytesIO
from pathlib import Path

from openpyxl import Workbook
from sqlalchemy import func, select

from tests.coaching.conftest import District
from tests.coaching.test_attendance import _assessment
from tracker.extensions import db
from tracker.models import (
    AuditEntry,
    CoachingAttendance,
    CoachingInvitation,
    CoachingParticipant,
    CoachingSession,
)
from tracker.services.assessment.runner import assess_period
from tracker.services.common.audit_render import render

HEADER = "No;Nama Kegiatan;Tanggal;Nomor KIM.id;Nama KIM;Nama Peserta;Jabatan;Tanda Tangan"


def _csv(tmp_path: Path, *rows: str, header: str = HEADER, above: str = "") -> Path:
    path = tmp_path / "daftar-hadir.csv"
    path.write_text(above + "\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def _counts() -> tuple[int, ...]:
    db.session.expire_all()
    return tuple(
        db.session.scalar(select(func.count()).select_from(model))
        for model in (
            CoachingSession,
            CoachingInvitation,
            CoachingAttendance,
            CoachingParticipant,
            AuditEntry,
        )
    )


def _names(session_id: int, kim_id: int) -> list[str]:
    return list(
        db.session.scalars(
            select(CoachingParticipant.name)
            .where(
                CoachingParticipant.session_id == session_id,
                CoachingParticipant.kim_id == kim_id,
            )
            .order_by(CoachingParticipant.id)
        )
    )


def test_an_imported_list_creates_the_session_changes_p1_and_the_same_file_changes_nothing(
    runner, client, login_as, district: District, tmp_path: Path
) -> None:
    a1, a2, b1 = district.a1, district.a2, district.b1
    assess_period("2025-T1", None)
    before = _assessment(a1)
    assert before.indicators["P1"]["value"] == 0
    start = before.score
    untouched = _assessment(b1).score
    # two title rows above the header, as an office's sheet starts; the KIM by number only, by
    # name only, and a name written twice (once in capitals)
    path = _csv(
        tmp_path,
        "1;Pelatihan Menulis Berita;Senin, 10 Februari 2025;KIM-A1;;Siti Aminah;Ketua;",
        "2;Pelatihan Menulis Berita;10/02/2025;;KIM Kutorenon Maju;Budi Santoso;Anggota;",
        "3;pelatihan  menulis berita;2025-02-10;KIM-A2;KIM Sumberejo Cerdas;Rina;;",
        "4;Pelatihan Menulis Berita;10 Feb 2025;KIM-A1;;SITI AMINAH;;",
        above="DAFTAR HADIR PEMBINAAN KIM KABUPATEN LUMAJANG;;;;;;;\n;;;;;;;\n",
    )
    result = runner.invoke(args=["session", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "1 sesi baru, 0 sesi ditambah kehadirannya, 0 sesi tidak berubah" in result.output

    session = db.session.scalar(select(CoachingSession))
    assert session.title == "Pelatihan Menulis Berita"
    assert session.start_date == session.end_date == date(2025, 2, 10)
    assert session.region_code == "35.08"
    assert _names(session.id, a1.id) == ["Siti Aminah", "Budi Santoso"]
    assert _names(session.id, a2.id) == ["Rina"]
    counts = {
        kim_id: n
        for kim_id, n in db.session.execute(
            select(CoachingAttendance.kim_id, CoachingAttendance.participant_count)
        )
    }
    assert counts == {a1.id: 2, a2.id: 1}

    # the period's results are stale for the two KIMs, and the next run gives P1 = 1 → 50:
    # P = (50 + 100) / 2 = 75 instead of 50, weighing 10 of 100: +2,50
    login_as("admin")
    assert "Data berubah sejak penilaian terakhir (2 KIM)." in client.get("/penilaian/2025-T1").text
    assess_period("2025-T1", None)
    after = _assessment(a1)
    assert after.indicators["P1"]["value"] == 1 and after.indicators["P1"]["score"] == 50
    assert round(after.score - start, 2) == 2.5
    assert _assessment(b1).score == untouched

    # the same file again: nothing written, nothing audited, nothing marked stale
    written = _counts()
    again = runner.invoke(args=["session", "import", str(path)])
    assert again.exit_code == 0, again.output
    assert "0 sesi baru, 0 sesi ditambah kehadirannya, 1 sesi tidak berubah" in again.output
    assert _counts() == written
    assert "Data berubah sejak penilaian terakhir" not in client.get("/penilaian/2025-T1").text


def test_a_stored_session_is_matched_and_only_new_names_are_added(
    runner, district: District, tmp_path: Path
) -> None:
    from tests import factories

    a1, a2 = district.a1, district.a2
    # a1 came with one named participant (the factory's) and a head count of 1
    session = factories.make_session(
        "Fotografi dengan Ponsel", date(2025, 1, 20), invited=[a1], attended=[a1]
    )
    other_day = factories.make_session("Fotografi dengan Ponsel", date(2025, 1, 27))
    path = _csv(
        tmp_path,
        f"1;FOTOGRAFI DENGAN PONSEL;20 Januari 2025;KIM-A1;;Peserta {a1.name};;",
        "2;Fotografi dengan Ponsel;20/01/2025;KIM-A1;;Dewi;;",
        "3;Fotografi dengan Ponsel;20/01/2025;KIM-A2;;Agus;;",
    )
    result = runner.invoke(args=["session", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "0 sesi baru, 1 sesi ditambah kehadirannya" in result.output
    assert db.session.scalar(select(func.count()).select_from(CoachingSession)) == 2
    assert _names(session.id, a1.id) == [f"Peserta {a1.name}", "Dewi"]
    assert _names(session.id, a2.id) == ["Agus"]
    assert _names(other_day.id, a1.id) == []
    invited = set(
        db.session.scalars(
            select(CoachingInvitation.kim_id).where(CoachingInvitation.session_id == session.id)
        )
    )
    assert invited == {a1.id, a2.id}
    count = db.session.scalar(
        select(CoachingAttendance.participant_count).where(
            CoachingAttendance.session_id == session.id, CoachingAttendance.kim_id == a1.id
        )
    )
    assert count == 2
    # the session's entry is the form's, worded for the reader with the KIM's name
    entry = db.session.scalar(
        select(AuditEntry).where(
            AuditEntry.action == "attendance.record", AuditEntry.entity_id == str(session.id)
        )
    )
    assert entry is not None
    (shown,) = render([entry])
    assert "dari impor daftar-hadir.csv" in shown.summary
    assert any("Agus" in str(change) for change in shown.changes)
    assert db.session.scalar(
        select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "attendance.import")
    )


def test_bad_rows_are_named_with_their_row_numbers_and_nothing_is_written(
    runner, district: District, tmp_path: Path
) -> None:
    path = _csv(
        tmp_path,
        "1;Pelatihan Video;10/02/2025;KIM-A1;;Siti;;",
        "2;Pelatihan Video;31/02/2025;KIM-A1;;Budi;;",
        "3;Pelatihan Video;10/02/2025;KIM-XX;;Rina;;",
        "4;Pelatihan Video;10/02/2025;KIM-A2;;;;",
        "5;;10/02/2025;KIM-A2;;Agus;;",
        "6;Pelatihan Video;1 Januari 2099;KIM-A2;;Agus;;",
        "7;Pelatihan Video;10/02/2025;;;Dewi;;",
    )
    written = _counts()
    result = runner.invoke(args=["session", "import", str(path)])
    assert result.exit_code == 1
    out = result.output
    assert "baris 3, kolom Tanggal: tanggal '31/02/2025' tidak ada di kalender" in out
    assert "baris 4, kolom Nomor KIM.id: KIM dengan Nomor KIM.id 'KIM-XX' tidak ditemukan" in out
    assert "baris 5, kolom Nama Peserta: nama peserta wajib diisi" in out
    assert "baris 6, kolom Nama Kegiatan: nama kegiatan wajib diisi" in out
    assert "baris 7, kolom Tanggal: kegiatan tanggal 01/01/2099 belum berlangsung" in out
    assert "baris 8, kolom Nama KIM: isi Nomor KIM.id atau Nama KIM" in out
    assert "Impor dibatalkan" in out
    assert _counts() == written

    # only the valid rows, when asked
    result = runner.invoke(args=["session", "import", str(path), "--skip-invalid"])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(func.count()).select_from(CoachingAttendance)) == 1


def test_a_file_without_the_participant_column_names_the_headers_it_found(
    runner, district: District, tmp_path: Path
) -> None:
    path = _csv(tmp_path, "Pelatihan;10/02/2025;KIM-A1", header="Kegiatan;Tanggal;Nomor KIM.id")
    result = runner.invoke(args=["session", "import", str(path)])
    assert result.exit_code == 1
    assert "Kolom wajib tidak ditemukan: Nama Peserta" in result.output
    assert "Kegiatan, Tanggal, Nomor KIM.id" in result.output


def _xlsx(*rows: tuple[object, ...]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(("No", "Judul", "Tanggal", "Nomor KIM.id", "Nama KIM", "Nama Peserta", "Jabatan"))
    for row in rows:
        sheet.append(row)
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def test_the_web_import_previews_then_imports_once(client, login_as, district: District) -> None:
    login_as("kabid")
    assert "Impor daftar hadir" in client.get("/pembinaan/").text
    data = _xlsx(
        (1, "Bimtek Cek Fakta", date(2025, 3, 3), "KIM-A1", None, "Siti", "Ketua"),
        (2, "Bimtek Cek Fakta", "3 Maret 2025", "KIM-B1", None, "Joko", None),
    )
    page = client.post(
        "/pembinaan/impor-daftar-hadir",
        data={"file": (BytesIO(data), "hadir.xlsx")},
        content_type="multipart/form-data",
    )
    assert page.status_code == 200
    text = page.text
    assert "Pratinjau impor: Daftar hadir" in text
    assert "Diabaikan (tidak dipakai impor ini): No, Jabatan" in text
    assert "Bimtek Cek Fakta" in text and "Sukodono" in text and "Pasirian" in text
    # the list of sessions to add names its columns as sessions, not as KIMs
    assert "<th>Sesi</th><th>Tanggal dan peserta</th>" in text
    assert "Desa, kecamatan" not in text
    assert db.session.scalar(select(func.count()).select_from(CoachingSession)) == 0
    token = text.split('name="token" type="hidden" value="')[1].split('"')[0]

    done = client.post("/pembinaan/impor-daftar-hadir/konfirmasi", data={"token": token})
    assert done.status_code == 200
    assert "Hasil impor: Daftar hadir" in done.text
    session = db.session.scalar(select(CoachingSession))
    assert session is not None and session.title == "Bimtek Cek Fakta"
    assert f"/pembinaan/sesi/{session.id}" in done.text
    # a double click: the file is used up, nothing imported twice
    twice = client.post("/pembinaan/impor-daftar-hadir/konfirmasi", data={"token": token})
    assert twice.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(CoachingAttendance)) == 2


def test_the_blank_template_reads_back_as_an_attendance_list(client, login_as, district) -> None:
    login_as("kabid")
    response = client.get("/pembinaan/impor-daftar-hadir/templat.csv")
    assert response.status_code == 200
    header = response.data.decode("utf-8-sig").splitlines()[0]
    assert header.split(";") == HEADER.split(";") or header.split(",") == HEADER.split(";")
    assert client.get("/pembinaan/impor-daftar-hadir/templat.pdf").status_code == 404


def test_who_may_import_and_what_his_scope_holds(
    client, auth, login_as, district: District
) -> None:
    login_as("petugas", scope=[district.regions.kec_a])
    assert client.get("/pembinaan/impor-daftar-hadir").status_code == 403
    assert "Impor daftar hadir" not in client.get("/pembinaan/").text
    auth.logout()
    login_as("viewer", username="pembaca")
    assert client.get("/pembinaan/impor-daftar-hadir").status_code == 403

    # a kabid of one kecamatan does not find the other kecamatan's KIM
    auth.logout()
    login_as("kabid", scope=[district.regions.kec_a], username="kabid-a")
    data = _xlsx((1, "Bimtek", "03/03/2025", "KIM-B1", None, "Joko", None))
    page = client.post(
        "/pembinaan/impor-daftar-hadir",
        data={"file": (BytesIO(data), "hadir.xlsx")},
        content_type="multipart/form-data",
    )
    assert page.status_code == 200
    assert "KIM dengan Nomor KIM.id &#39;KIM-B1&#39; tidak ditemukan di wilayah kerja Anda" in (
        page.text
    )
    assert "Impor sekarang" not in page.text
