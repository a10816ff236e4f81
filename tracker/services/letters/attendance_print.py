"""The daftar hadir of a coaching session printed on the office's letterhead (PDF).

The sheet itself is the coaching domain's (`coaching.attendance.attendance_sheet`: the invited
KIMs of the reader's scope, in order of kecamatan, desa and name, with what is recorded); the
letterhead is the office settings the letters print with. Reading a session the reader may not
see is not found, as on its page.
"""

from __future__ import annotations

from tracker.models.user import User
from tracker.services.assessment.reports import ExportFile
from tracker.services.coaching.attendance import attendance_sheet
from tracker.services.letters import office

PDF_MIMETYPE = "application/pdf"


def print_attendance(actor: User | None, session_id: int) -> ExportFile:
    """The daftar hadir as an A4 PDF: letterhead, the session's details, one row per invited KIM
    with room for names and signatures, the guests, a few blank rows."""
    from tracker.pdf import attendance as attendance_pdf

    sheet = attendance_sheet(actor, session_id)
    printed = attendance_pdf.AttendancePrint(
        office=office.current().identity,
        title=sheet.title,
        start_date=sheet.start_date,
        end_date=sheet.end_date,
        location=sheet.location,
        organiser=sheet.organiser,
        speakers=sheet.speakers,
        jp=sheet.jp,
        topics=sheet.topics,
        lines=tuple(
            attendance_pdf.AttendanceLine(
                kim_name=row.kim_name,
                kimid_number=row.kimid_number,
                desa=row.desa,
                kecamatan=row.kecamatan,
                names=tuple(row.names),
            )
            for row in sheet.rows
        ),
        guests=tuple(
            attendance_pdf.GuestLine(g.name, g.position, g.affiliation) for g in sheet.guests
        ),
    )
    return ExportFile(
        filename=f"daftar-hadir-{sheet.start_date.isoformat()}-sesi-{sheet.session_id}.pdf",
        mimetype=PDF_MIMETYPE,
        payload=attendance_pdf.render_attendance(printed, office.logo()),
        rows=len(sheet.rows),
    )
