"""The daftar hadir: attendance recorded on the web is what P1 counts (sessions attended in the 12
months to the period's end), by the amount the framework gives; who may record it; refusals that
keep what was typed; the spreadsheet export and the sheet's data."""

from __future__ import annotations

from datetime import date
from io import BytesIO

from openpyxl import load_workbook
from sqlalchemy import select

from tests import factories
from tests.coaching.conftest import District
from tracker.extensions import db
from tracker.models import (
    Assessment,
    AuditEntry,
    CoachingAttendance,
    CoachingParticipant,
    Kim,
    Period,
)
from tracker.services.assessment.runner import assess_period
from tracker.services.coaching import attendance
from tracker.services.common.errors import Forbidden


def _record(client, session_id: int, lines: dict[int, tuple[str, str]], guests: str | None = None):
    """POST the daftar hadir: {kim id: (count, names one per line)} for the KIMs that came."""
    data = {}
    for kim_id, (count, names) in lines.items():
        data[f"hadir-{kim_id}"] = "ya"
        data[f"jumlah-{kim_id}"] = count
        data[f"nama-{kim_id}"] = names
    if guests is not None:
        data["tamu"] = guests
    return client.post(f"/pembinaan/sesi/{session_id}/kehadiran", data=data)


def _assessment(kim: Kim, period_code: str = "2025-T1") -> Assessment:
    db.session.expire_all()
    found = db.session.scalar(
        select(Assessment)
        .join(Assessment.period)
        .where(Assessment.kim_id == kim.id, Period.code == period_code)
    )
    assert found is not None
    return found


def test_attendance_recorded_on_the_web_changes_p1_and_the_next_assessment(
    client, login_as, district: District
) -> None:
    login_as("admin")
    a1, a2 = district.a1, district.a2
    in_quarter = factories.make_session("Menulis Berita", date(2025, 2, 10), invited=[a1, a2])
    assess_period("2025-T1", None)
    before = _assessment(a1)
    assert before.indicators["P1"]["value"] == 0 and before.indicators["P1"]["score"] == 0
    start = before.score
    untouched = _assessment(a2).score

    response = _record(client, in_quarter.id, {a1.id: ("", "Siti Aminah\nBudi Santoso")})
    assert response.status_code == 302
    page = client.get("/penilaian/2025-T1").text
    assert "Data berubah sejak penilaian terakhir (1 KIM)." in page

    assess_period("2025-T1", None)
    after = _assessment(a1)
    # P1 1 session → 50; P = (50 + P2 100) / 2 = 75 instead of 50; P weighs 10 of 100: +2,50
    assert after.indicators["P1"]["value"] == 1 and after.indicators["P1"]["score"] == 50
    assert after.dimension_scores["P"] == 75
    assert round(after.score - start, 2) == 2.5
    assert _assessment(a2).score == untouched

    # a second session within the 12 months to 31 March 2025 (from 1 April 2024) counts too:
    # P1 2 sessions → 100, +5,00 in all; one a day before those 12 months does not
    factories.make_session("Fotografi", date(2024, 4, 1), invited=[a1], attended=[a1])
    factories.make_session("Lama", date(2024, 3, 31), invited=[a1], attended=[a1])
    assess_period("2025-T1", None)
    again = _assessment(a1)
    assert again.indicators["P1"]["value"] == 2 and again.indicators["P1"]["score"] == 100
    assert round(again.score - start, 2) == 5.0


def test_names_and_head_count_change_nothing_p1_counts(
    client, login_as, district: District
) -> None:
    login_as("admin")
    session = factories.make_session(
        start=date(2025, 3, 1), invited=[district.a1], attended=[district.a1]
    )
    assess_period("2025-T1", None)
    assert _record(client, session.id, {district.a1.id: ("4", "Ani\nBudi")}).status_code == 302
    assert "Data berubah sejak penilaian terakhir" not in client.get("/penilaian/2025-T1").text
    row = db.session.scalar(select(CoachingAttendance))
    assert row is not None and row.participant_count == 4
    names = db.session.scalars(select(CoachingParticipant.name).order_by(CoachingParticipant.id))
    assert list(names) == ["Ani", "Budi"]
    # and taking the KIM off the list does
    response = client.post(f"/pembinaan/sesi/{session.id}/kehadiran", data={})
    assert response.status_code == 302
    assert db.session.scalar(select(CoachingAttendance)) is None
    assert "Data berubah sejak penilaian terakhir (1 KIM)." in client.get("/penilaian/2025-T1").text


def test_moving_or_deleting_a_session_changes_p1(client, login_as, district: District) -> None:
    login_as("kabid")
    topic = district.topic
    session = factories.make_session(
        start=date(2025, 2, 1), invited=[district.a1], attended=[district.a1], topics=[topic]
    )
    later = factories.make_period("2025-T2")
    assess_period("2025-T1", None)
    assess_period("2025-T2", None)
    edit = client.get(f"/pembinaan/sesi/{session.id}/ubah")
    assert edit.status_code == 200
    form = {
        "title": session.title,
        "start_date": "2025-04-15",  # into 2025-T2: T1 loses it, T2 counted it already
        "topics": str(topic.id),
        "kims": str(district.a1.id),
        "version": str(session.version),
    }
    assert client.post(f"/pembinaan/sesi/{session.id}/ubah", data=form).status_code == 302
    assert "(1 KIM)" in client.get("/penilaian/2025-T1").text
    assess_period("2025-T1", None)
    assert _assessment(district.a1).indicators["P1"]["value"] == 0
    assert client.post(f"/pembinaan/sesi/{session.id}/hapus").status_code == 302
    assert "(1 KIM)" in client.get(f"/penilaian/{later.code}").text


def test_a_petugas_records_only_his_kecamatan(client, login_as, district: District) -> None:
    petugas = login_as("petugas", scope=[district.regions.kec_a])
    session = factories.make_session(
        start=date(2025, 2, 10), invited=[district.a1, district.b1], region="35.08"
    )
    form = client.get(f"/pembinaan/sesi/{session.id}/kehadiran")
    assert form.status_code == 200
    assert district.a1.name in form.text and district.b1.name not in form.text
    # a line for the other kecamatan's KIM is not his to send: it is not read
    response = _record(
        client, session.id, {district.a1.id: ("1", "Ani"), district.b1.id: ("1", "Budi")}
    )
    assert response.status_code == 302
    came = set(db.session.scalars(select(CoachingAttendance.kim_id)))
    assert came == {district.a1.id}
    # nor can a service call do it
    entry = attendance.KimAttendance(district.b1.id, attended=True, names=["Budi"])
    try:
        attendance.record_attendance(petugas, session.id, [entry])
    except Forbidden as refused:
        assert "wilayah kerja Anda" in refused.message
    else:  # pragma: no cover - the assertion is the point
        raise AssertionError("a petugas recorded another kecamatan's attendance")
    # guests belong to the session's plan: not his either
    _record(client, session.id, {district.a1.id: ("1", "Ani")}, guests="Pak Kades; Kepala Desa")
    assert (
        db.session.scalar(select(CoachingParticipant).where(CoachingParticipant.kim_id.is_(None)))
        is None
    )


def test_a_session_of_another_kecamatan_is_not_found_and_a_viewer_reads_only(
    client, auth, login_as, district: District
) -> None:
    session = factories.make_session("Sesi Pasirian", date(2025, 2, 10), invited=[district.b1])
    login_as("petugas", scope=[district.regions.kec_a])
    assert client.get(f"/pembinaan/sesi/{session.id}").status_code == 404
    assert client.get(f"/pembinaan/sesi/{session.id}/kehadiran").status_code == 404
    assert client.get(f"/pembinaan/sesi/{session.id}/daftar-hadir.xlsx").status_code == 404
    assert "Sesi Pasirian" not in client.get("/pembinaan/").text
    auth.logout()
    login_as("viewer")
    assert client.get(f"/pembinaan/sesi/{session.id}").status_code == 200
    assert client.get(f"/pembinaan/sesi/{session.id}/kehadiran").status_code == 403
    assert _record(client, session.id, {district.b1.id: ("1", "Ani")}).status_code == 403
    assert db.session.scalar(select(CoachingAttendance)) is None


def test_refusals_keep_what_was_typed(client, login_as, district: District) -> None:
    login_as("admin")
    session = factories.make_session(start=date(2025, 2, 10), invited=[district.a1])
    response = _record(client, session.id, {district.a1.id: ("1", "Ani Rahma\nBudi Santoso")})
    assert response.status_code == 422
    assert "lebih kecil dari nama yang ditulis" in response.text
    assert "Ani Rahma\nBudi Santoso" in response.text
    upcoming = factories.make_session("Nanti", date(2099, 1, 5), invited=[district.a1])
    response = _record(client, upcoming.id, {district.a1.id: ("", "Ani")})
    assert response.status_code == 422
    assert "kehadiran dicatat sejak hari pertamanya" in response.text
    response = client.post(
        f"/pembinaan/sesi/{session.id}/kehadiran",
        data={f"jumlah-{district.a1.id}": "3", f"nama-{district.a1.id}": "Ani"},
    )
    assert response.status_code == 422 and "Centang Hadir" in response.text
    assert db.session.scalar(select(CoachingAttendance)) is None


def test_the_attendance_is_audited_with_the_kim_named(client, login_as, district: District) -> None:
    login_as("admin")
    session = factories.make_session(
        "Bimtek Berita", date(2025, 2, 10), invited=[district.a1, district.a2]
    )
    _record(
        client,
        session.id,
        {district.a1.id: ("", "Ani")},
        guests="Hadi; Kepala Desa; Pemerintah Desa Kutorenon",
    )
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "attendance.record"))
    assert entry is not None and entry.kim_id == district.a1.id
    assert entry.changes[f"{district.a1.id}.attended"] == [False, True]
    log = client.get("/admin/audit/").text
    assert "Daftar hadir sesi Bimtek Berita (10 Februari 2025): 1 KIM hadir, 1 KIM diubah" in log
    assert f"Hadir: {district.a1.name}" in log
    history = client.get(f"/kim/{district.a1.id}").text
    assert "Daftar hadir sesi Bimtek Berita" in history


def test_the_daftar_hadir_as_data_and_as_a_spreadsheet(
    client, login_as, district: District
) -> None:
    login_as("admin")
    session = factories.make_session(
        "Pelatihan Video",
        date(2025, 3, 7),
        invited=[district.b1, district.a2],
        attended=[district.a1],
        topics=[district.topic],
        days=2,
    )
    sheet = attendance.attendance_sheet(None, session.id)
    assert (sheet.title, sheet.start_date, sheet.end_date) == (
        "Pelatihan Video",
        date(2025, 3, 7),
        date(2025, 3, 8),
    )
    assert sheet.topics == ("Menulis berita",)
    # every invited KIM, by kecamatan (Pasirian before Sukodono), desa and name
    assert [row.kim_name for row in sheet.rows] == [
        district.b1.name,
        district.a1.name,
        district.a2.name,
    ]
    assert [row.attended for row in sheet.rows] == [False, True, False]

    response = client.get(f"/pembinaan/sesi/{session.id}/daftar-hadir.xlsx")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    rows = [
        [c.value for c in row]
        for row in load_workbook(BytesIO(response.data)).worksheets[0].iter_rows()
    ]
    assert rows[0][:4] == ["No", "Nama Kegiatan", "Tanggal", "Nomor KIM.id"]
    assert rows[2][4] == district.a1.name and rows[2][7:] == [
        "ya",
        1,
        f"Peserta {district.a1.name}",
    ]
    assert rows[1][7] == "tidak" and rows[1][8] is None
    assert len(rows) == 4


def test_the_printed_daftar_hadir_holds_the_letterhead_title_date_and_every_invited_kim(
    client, auth, login_as, district: District, runner, tmp_path
) -> None:
    from pypdf import PdfReader

    from tests.factories.letters import office_ready

    office_ready(agency="DINAS KOMUNIKASI DAN INFORMATIKA", place="Lumajang")
    session = factories.make_session(
        "Pelatihan Video <Pendek>",
        date(2025, 3, 7),
        invited=[district.b1, district.a2],
        attended=[district.a1],
        topics=[district.topic],
    )
    login_as("admin")
    assert "Cetak daftar hadir (PDF)" in client.get(f"/pembinaan/sesi/{session.id}").text
    response = client.get(f"/pembinaan/sesi/{session.id}/daftar-hadir.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    text = "\n".join(p.extract_text() for p in PdfReader(BytesIO(response.data)).pages)
    flat = " ".join(text.split())
    assert "DINAS KOMUNIKASI DAN INFORMATIKA" in flat
    assert "DAFTAR HADIR" in flat
    assert "Pelatihan Video <Pendek>" in flat
    assert "Jumat, 7 Maret 2025" in flat
    assert "Lumajang, 7 Maret 2025" in flat
    for kim in (district.a1, district.a2, district.b1):
        assert kim.name in flat
    assert f"Peserta {district.a1.name}" in flat  # the names recorded are printed in
    assert "3 KIM diundang" in flat

    # the command line writes the same document
    out = tmp_path / "hadir.pdf"
    result = runner.invoke(args=["session", "export", str(session.id), str(out)])
    assert result.exit_code == 0, result.output
    assert district.b1.name in " ".join(PdfReader(out).pages[0].extract_text().split())

    # a petugas of another kecamatan prints only his own KIMs' rows; a session nobody of his
    # kecamatan was invited to is not found
    auth.logout()
    login_as("petugas", scope=[district.regions.kec_b], username="petugas-b")
    mine = client.get(f"/pembinaan/sesi/{session.id}/daftar-hadir.pdf")
    flat = " ".join(" ".join(p.extract_text() for p in PdfReader(BytesIO(mine.data)).pages).split())
    assert district.b1.name in flat and district.a1.name not in flat
    other = factories.make_session("Lain", date(2025, 3, 8), invited=[district.a1])
    assert client.get(f"/pembinaan/sesi/{other.id}/daftar-hadir.pdf").status_code == 404
