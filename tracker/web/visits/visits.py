"""Monitoring visit pages: the list, the visit form (mobile first), a visit, and its photos.

The form works without JavaScript: one collapsible section per KIM of the kecamatan, photos as
plain file fields, GPS as number fields. static/js/visit-gps.js fills the GPS fields from the
phone, static/js/visit-draft.js keeps a draft on the phone and sends it again when the
connection returns; the hidden idempotency key makes any second sending find the first visit.
"""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from werkzeug.wrappers import Response

from tracker.services.common.clock import office_today
from tracker.services.common.permissions import RECORD_VISITS, VIEW
from tracker.services.visits import follow_ups, idempotency, photos, visits
from tracker.web.common.downloads import send_table
from tracker.web.common.guards import permission_required
from tracker.web.common.paging import page_arg, page_size
from tracker.web.visits import photo_intake
from tracker.web.visits.forms import PHOTO_TYPES, FindingForm, VisitForm
from tracker.web.visits.labels import template_labels

bp = Blueprint("visits", __name__, url_prefix="/pemantauan")
bp.context_processor(template_labels)


@bp.before_app_request
def _room_for_photos() -> None:
    """A visit form carries several photos: its request may be larger than other forms'. Set
    before any hook reads the form (the app's NUL check does)."""
    if request.endpoint == "visits.create" and request.method == "POST":
        request.max_content_length = int(current_app.config["VISIT_FORM_MAX_BYTES"])
        request.max_form_parts = 10_000  # ten fields a KIM: a kecamatan of hundreds of KIMs fits


@bp.get("/")
@permission_required(VIEW)
def index() -> str:
    listing = visits.visit_list(
        current_user, visits.VisitFilter.from_args(request.args), page_arg(), page_size()
    )
    return render_template("visits/index.html", listing=listing)


@bp.get("/ekspor.<any(xlsx,csv):fmt>")
@permission_required(VIEW)
def export(fmt: str) -> Response:
    """The visits list as filtered, one row per KIM visited, as a spreadsheet."""
    found = visits.export_visits(current_user, visits.VisitFilter.from_args(request.args), fmt)
    return send_table(found.payload, fmt, found.filename)


def _draft_id(kecamatan_code: str) -> str:
    return f"kunjungan-{current_user.id}-{kecamatan_code}"


def _render_form(
    form: VisitForm,
    kecamatan: Any,
    intakes: dict[str, photo_intake.Intake] | None = None,
    status: int = 200,
    general_error: str = "",
) -> tuple[str, int]:
    kims = {k.id: k for k in visits.kims_of_kecamatan(kecamatan.code)}
    return (
        render_template(
            "visits/form.html",
            form=form,
            kecamatan=kecamatan,
            kims=kims,
            intakes=intakes or {},
            general_error=general_error,
            photo_types=PHOTO_TYPES,
            draft_id=_draft_id(kecamatan.code),
            fresh=status == 200,
            max_photo_mb=int(current_app.config["PHOTO_MAX_BYTES"]) // (1024 * 1024),
        ),
        status,
    )


@bp.get("/baru")
@permission_required(RECORD_VISITS)
def new() -> Any:
    code = request.args.get("kecamatan", "").strip()
    if not code:
        options = follow_ups.kecamatan_options(current_user)
        if len(options) == 1:
            return redirect(url_for("visits.new", kecamatan=options[0][0]))
        return render_template("visits/choose.html", options=options)
    kecamatan = visits.kecamatan_for_write(current_user, code)
    form = VisitForm(
        formdata=None,
        idempotency_key=idempotency.new_key(),
        kecamatan_code=kecamatan.code,
        started_on=office_today(),
        team_user_ids=[current_user.id],
    )
    form.team_user_ids.choices = visits.team_choices(kecamatan.code)
    for kim in visits.kims_of_kecamatan(kecamatan.code):
        form.findings.append_entry({"kim_id": str(kim.id)})
    return _render_form(form, kecamatan)


def _finding_input(entry: FindingForm, intake: photo_intake.Intake) -> visits.FindingInput:
    raw_id = entry.kim_id.data or ""
    return visits.FindingInput(
        kim_id=int(raw_id) if raw_id.isascii() and raw_id.isdigit() and len(raw_id) < 10 else 0,
        uploads_seen=entry.uploads_seen.data,
        consistency_pct=entry.consistency_pct.data,
        problems=list(entry.problems.data or []),
        problem_notes=entry.problem_notes.data or "",
        rating=entry.rating.data or "",
        recommendation=entry.recommendation.data or "",
        follow_up_due=entry.follow_up_due.data,
        photos=intake.accepted,
    )


def _show_errors(form: VisitForm, errors: dict[str, str]) -> str:
    """Put the service's messages next to their fields; returns what belongs to no field."""
    general: list[str] = []
    for key, message in errors.items():
        target = None
        if key.startswith("findings-"):
            _prefix, index, name = key.split("-", 2)
            if index.isdigit() and int(index) < len(form.findings):
                target = form.findings[int(index)].form[name]
        elif key in form and key != "findings":
            target = form[key]
        if target is None:
            general.append(message)
        else:
            target.errors = [*target.errors, message]
    return " ".join(general)


@bp.post("/baru")
@permission_required(RECORD_VISITS)
def create() -> Any:
    form = VisitForm()
    kecamatan = visits.kecamatan_for_write(current_user, form.kecamatan_code.data or "")
    form.team_user_ids.choices = visits.team_choices(kecamatan.code)
    valid = form.validate()
    intakes = {"visit": photo_intake.take(current_user, form.photos.data, form.kept_photos.data)}
    for index, entry in enumerate(form.findings):
        intakes[str(index)] = photo_intake.take(
            current_user, entry.form.photos.data, entry.form.kept_photos.data
        )
    for key, intake in intakes.items():
        target = form.photos if key == "visit" else form.findings[int(key)].form.photos
        if intake.errors:
            target.errors = [*target.errors, *intake.errors]
            valid = False
    general = ""
    if valid:
        data = visits.VisitInput(
            idempotency_key=form.idempotency_key.data or "",
            kecamatan_code=kecamatan.code,
            started_on=form.started_on.data,
            ended_on=form.ended_on.data,
            team_user_ids=list(form.team_user_ids.data or []),
            team_names=form.team_names.data or "",
            notes=form.notes.data or "",
            gps_lat=form.gps_lat.data,
            gps_lon=form.gps_lon.data,
            gps_accuracy=form.gps_accuracy.data,
            findings=[
                _finding_input(entry.form, intakes[str(index)])
                for index, entry in enumerate(form.findings)
            ],
            photos=intakes["visit"].accepted,
        )
        try:
            recorded = visits.record_visit(current_user, data)
        except visits.VisitInvalidError as refused:
            general = _show_errors(form, refused.errors)
        else:
            for intake in intakes.values():
                intake.discard()
            if recorded.created:
                message = _("Kunjungan tersimpan.")
                if recorded.follow_ups:
                    message += " " + ngettext(
                        "%(num)d tindak lanjut dibuat.",
                        "%(num)d tindak lanjut dibuat.",
                        recorded.follow_ups,
                    )
                flash(message, "success")
            else:
                flash(
                    _("Kunjungan ini sudah tersimpan sebelumnya; tidak disimpan dua kali."), "info"
                )
            return redirect(url_for("visits.detail", visit_id=recorded.visit.id))
    kept_any = False
    for intake in intakes.values():
        intake.keep(current_user)
        kept_any = kept_any or bool(intake.kept)
    message = _("Periksa kembali isian yang ditandai; belum ada yang disimpan.")
    if kept_any:
        message += " " + _("Foto yang sudah diterima disimpan sementara: tidak perlu dipilih lagi.")
    flash(message, "error")
    return _render_form(form, kecamatan, intakes, 422, general)


@bp.get("/<int:visit_id>")
@permission_required(VIEW)
def detail(visit_id: int) -> str:
    return render_template("visits/detail.html", detail=visits.get_visit(current_user, visit_id))


@bp.get("/foto/<int:photo_id>")
@permission_required(VIEW)
def photo(photo_id: int) -> Response:
    """A photo (or with ?kecil=1 its thumbnail), only within the user's scope, as the type it was
    stored as: the browser is told not to guess another."""
    served = photos.open_photo(current_user, photo_id, thumbnail=bool(request.args.get("kecil")))
    response = send_file(
        served.path,
        mimetype=served.content_type,
        download_name=served.download_name,
        conditional=True,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
