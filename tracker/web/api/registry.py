"""KIMs and regions: the registry list with the filters of its page, one KIM, and the regions
the token's user may browse."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import marshmallow as ma
from marshmallow.validate import Length, OneOf, Range

from tracker.services.registry import kims, regions
from tracker.web.api import schemas
from tracker.web.api.blueprint import actor, bp
from tracker.web.api.paging import PageArgs, page_schema, paged, sort_field


class KimArgs(PageArgs):
    q = ma.fields.String(
        load_default="",
        validate=Length(max=100),
        metadata={"description": "Part of the KIM's or the desa's name."},
    )
    kecamatan = ma.fields.String(load_default="", validate=Length(max=13))
    desa = ma.fields.String(load_default="", validate=Length(max=13))
    status = ma.fields.String(load_default="semua", validate=OneOf(kims.STATUS_FILTERS))
    sort = sort_field(kims.SORT_KEYS, kims.SORT_DEFAULT)


# the KIM's own columns the API shows (its places come from the list's join)
KIM_COLUMNS = (
    "id",
    "name",
    "kimid_number",
    "status",
    "desa_code",
    "website",
    "sk_number",
    "sk_date",
    "chair",
    "phone",
    "email",
    "members",
    "updated_at",
)


def _kim(row: Any) -> Mapping[str, Any]:
    kim, desa, kecamatan, kabupaten = row
    return {
        **{name: getattr(kim, name) for name in KIM_COLUMNS},
        "desa": desa,
        "kecamatan": kecamatan,
        "kabupaten": kabupaten,
    }


@bp.route("/kims")
@bp.arguments(KimArgs, location="query")
@bp.response(200, page_schema(schemas.Kim, "KimPage"))
def kim_list(args: dict[str, Any]) -> Mapping[str, Any]:
    """The KIMs in scope, filtered and sorted as on the registry page."""
    flt = kims.KimFilter(
        q=args["q"],
        kecamatan=args["kecamatan"],
        desa=args["desa"],
        status=args["status"],
        sort=args["sort"],
    )
    found = kims.registry_page(actor(), flt, args["page"], args["per_page"])
    return paged(found.page.map(_kim))


@bp.route("/kims/<int:kim_id>")
@bp.response(200, schemas.KimDetail)
def kim_detail(kim_id: int) -> Mapping[str, Any]:
    """One KIM with its channels and notes."""
    kim = kims.get_kim(actor(), kim_id)
    kecamatan = kim.desa.parent
    kabupaten = kecamatan.parent if kecamatan is not None else None
    return {
        **{name: getattr(kim, name) for name in KIM_COLUMNS},
        "notes": kim.notes,
        "channels": kim.channels,
        "desa": kim.desa.display_name,
        "kecamatan": kecamatan.display_name if kecamatan is not None else None,
        "kabupaten": kabupaten.display_name if kabupaten is not None else None,
    }


class RegionArgs(PageArgs):
    parent = ma.fields.String(
        load_default="",
        validate=Length(max=13),
        metadata={"description": "Only the children of this region code."},
    )
    level = ma.fields.Integer(load_default=None, allow_none=True, validate=Range(min=1, max=4))
    q = ma.fields.String(
        load_default="",
        validate=Length(max=100),
        metadata={"description": "Part of the name, or the start of the code."},
    )


@bp.route("/regions")
@bp.arguments(RegionArgs, location="query")
@bp.response(200, page_schema(schemas.Region, "RegionPage"))
def region_list(args: dict[str, Any]) -> Mapping[str, Any]:
    """The regions the token's user may browse (his scope and the regions above it), by code."""
    flt = regions.RegionFilter(parent=args["parent"], level=args["level"], q=args["q"])
    return paged(regions.region_page(actor(), flt, args["page"], args["per_page"]))
