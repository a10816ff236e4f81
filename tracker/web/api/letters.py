"""The letter register (metadata only: the PDFs stay behind the pages), with its filters, and one
letter."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import marshmallow as ma
from marshmallow.validate import Length, OneOf, Range

from tracker.models.letters import LETTER_STATUSES, Letter
from tracker.services.letters import register
from tracker.web.api import schemas
from tracker.web.api.blueprint import actor, bp
from tracker.web.api.paging import PageArgs, page_schema, paged, sort_field


class LetterArgs(PageArgs):
    tahun = ma.fields.Integer(
        load_default=None, allow_none=True, validate=Range(min=1000, max=9999)
    )
    nomor = ma.fields.String(
        load_default="", validate=Length(max=120), metadata={"description": "Part of the number."}
    )
    kim = ma.fields.String(
        load_default="", validate=Length(max=150), metadata={"description": "Part of the name."}
    )
    kecamatan = ma.fields.String(load_default="", validate=Length(max=13))
    status = ma.fields.String(load_default="", validate=OneOf(["", *LETTER_STATUSES]))
    sort = sort_field(register.SORT_KEYS.columns, register.SORT_KEYS.default)


@bp.route("/letters")
@bp.arguments(LetterArgs, location="query")
@bp.response(200, page_schema(schemas.Letter, "LetterPage"))
def letter_list(args: dict[str, Any]) -> Mapping[str, Any]:
    """The letters issued in scope, newest number first unless sorted otherwise."""
    flt = register.RegisterFilter(
        year=args["tahun"],
        number=args["nomor"],
        kim=args["kim"],
        kecamatan=args["kecamatan"],
        status=args["status"],
        sort=args["sort"],
    )
    return paged(register.register_page(actor(), flt, args["page"], args["per_page"]).letters)


@bp.route("/letters/<int:letter_id>")
@bp.response(200, schemas.Letter)
def letter_detail(letter_id: int) -> Letter:
    return register.get_letter(actor(), letter_id)
