"""Coaching sessions: the list with the filters of the sessions page, and one session with its
attendance (the daftar hadir: invited KIMs in scope, who came, how many and who, and guests)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import marshmallow as ma
from marshmallow.validate import Length, Range

from tracker.services.coaching import attendance, sessions
from tracker.web.api import schemas
from tracker.web.api.blueprint import actor, bp
from tracker.web.api.paging import PageArgs, page_schema, paged, sort_field


class SessionArgs(PageArgs):
    q = ma.fields.String(
        load_default="",
        validate=Length(max=100),
        metadata={"description": "Part of the title, the place or a speaker."},
    )
    periode = ma.fields.String(
        load_default="",
        validate=Length(max=10),
        metadata={"description": "A period code: sessions starting within its dates."},
    )
    dari = ma.fields.Date(load_default=None, allow_none=True)
    sampai = ma.fields.Date(load_default=None, allow_none=True)
    materi = ma.fields.Integer(
        load_default=None,
        allow_none=True,
        validate=Range(min=1, max=2_147_483_647),
        metadata={"description": "A topic id."},
    )
    kecamatan = ma.fields.String(load_default="", validate=Length(max=13))
    sort = sort_field(sessions.SORTS.columns, sessions.SORTS.default)


@bp.route("/sessions")
@bp.arguments(SessionArgs, location="query")
@bp.response(200, page_schema(schemas.Session, "SessionPage"))
def session_list(args: dict[str, Any]) -> Mapping[str, Any]:
    """The coaching sessions the token's user may see, newest first unless sorted otherwise."""
    flt = sessions.SessionFilter(
        q=args["q"],
        period=args["periode"],
        date_from=args["dari"],
        date_to=args["sampai"],
        topic_id=args["materi"],
        kecamatan=args["kecamatan"],
        sort=args["sort"],
    )
    found = sessions.sessions_page(actor(), flt, args["page"], args["per_page"])
    return paged(found.page)


@bp.route("/sessions/<int:session_id>")
@bp.response(200, schemas.SessionDetail)
def session_detail(session_id: int) -> attendance.AttendanceSheet:
    """One session with its attendance in the token's scope."""
    return attendance.attendance_sheet(actor(), session_id)
