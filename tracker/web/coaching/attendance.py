"""The daftar hadir of a session: recording who came (one line per invited KIM of the user's
scope: came or not, how many, their names; and the guests) and the spreadsheet export.

The lines are plain form fields named by KIM id (`hadir-12`, `jumlah-12`, `nama-12`: one name per
line) so the page needs no JavaScript; the guests one per line as "Nama; Jabatan; Instansi". What
was typed comes back with the messages when the service refuses it."""

from __future__ import annotations

from io import BytesIO
from typing import Any

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from tracker.services.coaching import attendance
from tracker.services.coaching.errors import CoachingInvalidError
from tracker.services.common.permissions import RECORD_ATTENDANCE, VIEW
from tracker.services.letters.attendance_print import print_attendance
from tracker.web.coaching.area import bp
from tracker.web.common.downloads import send_table
from tracker.web.common.forms import ConfirmForm
from tracker.web.common.guards import permission_required

COUNT_DIGITS = 6


def _guest_line(guest: Any) -> str:
    """'Nama; Jabatan; Instansi', trailing empty parts left out."""
    parts = [guest.name, guest.position, guest.affiliation]
    while parts and not parts[-1]:
        parts.pop()
    return "; ".join(parts)


def _typed_from(view: attendance.AttendanceView) -> dict[str, Any]:
    """The form's values as recorded (a GET)."""
    typed: dict[str, Any] = {"guests": "\n".join(_guest_line(g) for g in view.roster.guests)}
    for row in view.roster.rows:
        typed[f"hadir-{row.kim_id}"] = row.attended
        typed[f"jumlah-{row.kim_id}"] = str(row.participant_count) if row.attended else ""
        typed[f"nama-{row.kim_id}"] = "\n".join(row.names)
    return typed


def _parse(
    view: attendance.AttendanceView,
) -> tuple[list[attendance.KimAttendance], list[attendance.GuestInput] | None, dict[str, str]]:
    form = request.form
    entries, errors = [], {}
    for row in view.roster.rows:
        raw = (form.get(f"jumlah-{row.kim_id}") or "").strip()
        count = None
        if raw:
            if raw.isascii() and raw.isdigit() and len(raw) <= COUNT_DIGITS:
                count = int(raw)
            else:
                errors[f"kim-{row.kim_id}"] = _("Jumlah peserta diisi dengan bilangan bulat.")
        entries.append(
            attendance.KimAttendance(
                kim_id=row.kim_id,
                attended=form.get(f"hadir-{row.kim_id}") == "ya",
                count=count,
                names=(form.get(f"nama-{row.kim_id}") or "").splitlines(),
            )
        )
    guests = None
    if view.may_edit_guests:
        guests = []
        for line in (form.get("tamu") or "").splitlines():
            parts = [p.strip() for p in line.split(";")]
            if any(parts):
                parts += ["", ""]
                guests.append(attendance.GuestInput(parts[0], parts[1], parts[2]))
    return entries, guests, errors


def _render(
    view: attendance.AttendanceView, typed: dict[str, Any], errors: dict[str, str], status: int
) -> tuple[str, int]:
    if status == 422:
        flash(_("Periksa kembali isian yang ditandai; belum ada yang disimpan."), "error")
    return (
        render_template(
            "coaching/attendance.html", v=view, typed=typed, errors=errors, form=ConfirmForm()
        ),
        status,
    )


@bp.route("/sesi/<int:session_id>/kehadiran", methods=["GET", "POST"])
@permission_required(RECORD_ATTENDANCE)
def attendance_form(session_id: int) -> Response | tuple[str, int]:
    view = attendance.attendance_view(current_user, session_id)
    if request.method == "GET":
        return _render(view, _typed_from(view), {}, 200)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    entries, guests, errors = _parse(view)
    typed = dict(request.form.items())
    typed.update({k: True for k in request.form if k.startswith("hadir-")})
    typed["guests"] = request.form.get("tamu", "")
    if errors:
        return _render(view, typed, errors, 422)
    try:
        result = attendance.record_attendance(current_user, session_id, entries, guests)
    except CoachingInvalidError as error:
        return _render(view, typed, error.errors, 422)
    if result.saved:
        flash(_("Daftar hadir disimpan: %(n)s KIM hadir.", n=result.attended), "success")
    else:
        flash(_("Tidak ada perubahan."), "info")
    return redirect(url_for(".session_detail", session_id=session_id))


@bp.get("/sesi/<int:session_id>/daftar-hadir.<any(xlsx,csv):fmt>")
@permission_required(VIEW)
def attendance_export(session_id: int, fmt: str) -> Response:
    exported = attendance.export_attendance(current_user, session_id, fmt)
    return send_table(exported.payload, fmt, exported.filename)


@bp.get("/sesi/<int:session_id>/daftar-hadir.pdf")
@permission_required(VIEW)
def attendance_print(session_id: int) -> Response:
    """The daftar hadir to print and sign: the office's letterhead, a row per invited KIM."""
    printed = print_attendance(current_user, session_id)
    return send_file(
        BytesIO(printed.payload),
        mimetype=printed.mimetype,
        as_attachment=True,
        download_name=printed.filename,
    )
