"""A period's results: the list of the period page (its filters and sort keys) with each KIM's
dimension scores, and one KIM's result with the breakdown per dimension and indicator."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import marshmallow as ma
from marshmallow.validate import Length, OneOf

from tracker.services.assessment import reports
from tracker.web.api import schemas
from tracker.web.api.blueprint import actor, bp
from tracker.web.api.paging import PageArgs, page_schema, paged, sort_field


class AssessmentArgs(PageArgs):
    q = ma.fields.String(
        load_default="",
        validate=Length(max=100),
        metadata={"description": "Part of the KIM's, desa's or kecamatan's name."},
    )
    jenjang = ma.fields.String(
        load_default="", validate=Length(max=40), metadata={"description": "A tier name."}
    )
    kecamatan = ma.fields.String(load_default="", validate=Length(max=13))
    syarat = ma.fields.Boolean(
        load_default=False, metadata={"description": "Only KIMs failing a basic requirement."}
    )
    perubahan = ma.fields.String(
        load_default="",
        validate=OneOf(["", *reports.MOVEMENTS]),
        metadata={"description": "naik / turun since the previous period."},
    )
    sort = sort_field(reports.SORT_NAMES, reports.SORT_DEFAULT)


AssessmentPage = page_schema(
    schemas.AssessmentItem,
    "AssessmentPage",
    period=ma.fields.String(required=True),
    framework_version=ma.fields.Integer(required=True, allow_none=True),
    tiers=ma.fields.List(ma.fields.String(), required=True),
)


@bp.route("/periods/<code>/assessments")
@bp.arguments(AssessmentArgs, location="query")
@bp.response(200, AssessmentPage)
def assessment_list(args: dict[str, Any], code: str) -> Mapping[str, Any]:
    """The period's results in scope, filtered and sorted as on the period page."""
    flt = reports.OverviewFilter(
        q=args["q"],
        tier=args["jenjang"],
        kecamatan=args["kecamatan"],
        gate_failed=args["syarat"],
        movement=args["perubahan"],
        sort=args["sort"],
    )
    found = reports.period_results(actor(), code, flt, args["page"], args["per_page"])
    return paged(
        found.kims,
        period=found.period.code,
        framework_version=found.framework_version,
        tiers=list(found.tier_names),
    )


@bp.route("/periods/<code>/assessments/<int:kim_id>")
@bp.response(200, schemas.AssessmentDetail)
def assessment_detail(code: str, kim_id: int) -> Mapping[str, Any]:
    """One KIM's result for the period with its breakdown and its history (a KIM in scope that
    has no result answers with `assessed` false)."""
    view = reports.kim_assessment(actor(), code, kim_id)
    stored = view.assessment
    return {
        "kim_id": view.kim_id,
        "kim_name": view.kim_name,
        "kimid_number": view.kimid_number,
        "desa": view.desa,
        "kecamatan": view.kecamatan or "",
        "period": view.period.code,
        "framework_version": view.framework.version if view.framework else None,
        "assessed": stored is not None,
        "score": stored.score if stored else None,
        "raw_tier": stored.raw_tier if stored else None,
        "tier": stored.tier if stored else None,
        "reason": stored.reason if stored else None,
        "computed_at": stored.computed_at if stored else None,
        "data_gaps": list(stored.data_gaps or ()) if stored else [],
        "dimensions": view.dimensions,
        "history": view.history,
    }
