"""Monitoring visits (the list of the visits page, one visit with its findings) and follow-ups
(the board's list with its filters)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import marshmallow as ma
from marshmallow.validate import Length, OneOf, Range

from tracker.services.visits import follow_ups, visits
from tracker.web.api import schemas
from tracker.web.api.blueprint import actor, bp
from tracker.web.api.paging import PageArgs, page_schema, paged, sort_field


class VisitArgs(PageArgs):
    kecamatan = ma.fields.String(load_default="", validate=Length(max=13))


@bp.route("/visits")
@bp.arguments(VisitArgs, location="query")
@bp.response(200, page_schema(schemas.Visit, "VisitPage"))
def visit_list(args: dict[str, Any]) -> Mapping[str, Any]:
    """The visits in scope, newest first."""
    flt = visits.VisitFilter(kecamatan=args["kecamatan"])
    return paged(visits.visit_list(actor(), flt, args["page"], args["per_page"]).page)


@bp.route("/visits/<int:visit_id>")
@bp.response(200, schemas.VisitDetail)
def visit_detail(visit_id: int) -> Mapping[str, Any]:
    """One visit with its findings per KIM and the follow-ups they led to."""
    found = visits.get_visit(actor(), visit_id)
    visit = found.visit
    return {
        "id": visit.id,
        "kecamatan_code": visit.kecamatan_code,
        "kecamatan": found.kecamatan_name,
        "started_on": visit.started_on,
        "ended_on": visit.ended_on,
        "recorded_by": found.recorded_by,
        "team": found.team,
        "team_names": visit.team_names,
        "notes": visit.notes,
        "photos": len(visit.photos),
        "findings": [
            {
                "kim_id": view.finding.kim_id,
                "kim_name": view.kim_name,
                "desa": view.desa_name,
                "uploads_seen": view.finding.uploads_seen,
                "consistency_pct": view.finding.consistency_pct,
                "problems": list(view.finding.problems or ()),
                "problem_notes": view.finding.problem_notes,
                "rating": view.finding.rating,
                "recommendation": view.finding.recommendation,
                "follow_up_ids": [item.id for item in view.follow_ups],
            }
            for view in found.findings
        ],
    }


class FollowUpArgs(PageArgs):
    q = ma.fields.String(
        load_default="",
        validate=Length(max=100),
        metadata={"description": "Part of the KIM's name or of the recommendation."},
    )
    kecamatan = ma.fields.String(load_default="", validate=Length(max=13))
    owner = ma.fields.Integer(
        load_default=None,
        allow_none=True,
        validate=Range(min=1, max=999_999_999),
        metadata={"description": "The owner's account id."},
    )
    status = ma.fields.String(
        load_default=follow_ups.BoardFilter.status, validate=OneOf(follow_ups.STATUS_FILTERS)
    )
    terlambat = ma.fields.Boolean(
        load_default=False, metadata={"description": "Only open follow-ups past their due date."}
    )
    sort = sort_field(follow_ups.SORT_KEYS, follow_ups.SORT_DEFAULT)


@bp.route("/follow-ups")
@bp.arguments(FollowUpArgs, location="query")
@bp.response(200, page_schema(schemas.FollowUp, "FollowUpPage"))
def follow_up_list(args: dict[str, Any]) -> Mapping[str, Any]:
    """The follow-ups in scope, filtered and sorted as on the board (open ones unless asked)."""
    flt = follow_ups.BoardFilter(
        q=args["q"],
        kecamatan=args["kecamatan"],
        owner=str(args["owner"] or ""),
        status=args["status"],
        overdue=args["terlambat"],
        sort=args["sort"],
    )
    return paged(follow_ups.board_page(actor(), flt, args["page"], args["per_page"]).page)
