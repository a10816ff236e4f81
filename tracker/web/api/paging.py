"""Pagination of every API list, one way: `?page=` (from 1) and `?per_page=` (1 to
MAX_PER_PAGE) in, and out an envelope with the items, the page's number and size, the total and
the links to the first, previous, next and last pages (null where there is none). The order is
stable: every list ends its ORDER BY on a unique key. A page number past the end answers the last
page (the services clamp it, as on the pages), and says so in `page`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import marshmallow as ma
from flask import request, url_for
from marshmallow.validate import OneOf, Range

from tracker.services.common.pagination import Page

MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = 25


class PageArgs(ma.Schema):
    """The arguments every list takes; a list's filters extend it. An argument the list does not
    know is refused (422), so a misspelt filter is not silently ignored."""

    class Meta:
        unknown = ma.RAISE

    page = ma.fields.Integer(
        load_default=1,
        validate=Range(min=1, max=1_000_000),
        metadata={"description": "Page number, from 1."},
    )
    per_page = ma.fields.Integer(
        load_default=DEFAULT_PER_PAGE,
        validate=Range(min=1, max=MAX_PER_PAGE),
        metadata={"description": f"Items per page, at most {MAX_PER_PAGE}."},
    )


def sort_field(keys: Iterable[str], default: str) -> ma.fields.String:
    """`?sort=key` ascending or `?sort=-key` descending, one of the list's keys (the same as on
    its page)."""
    keys = list(keys)
    choices = [*keys, *(f"-{key}" for key in keys)]
    return ma.fields.String(
        load_default=default,
        validate=OneOf(choices),
        metadata={"description": "Sort key; a leading '-' sorts descending."},
    )


class Links(ma.Schema):
    self = ma.fields.String(required=True)
    first = ma.fields.String(required=True)
    last = ma.fields.String(required=True)
    prev = ma.fields.String(required=True, allow_none=True)
    next = ma.fields.String(required=True, allow_none=True)


def page_schema(item: type[ma.Schema], name: str, **extra: ma.fields.Field) -> type[ma.Schema]:
    """The envelope of a list of `item`, named `name` in the OpenAPI document."""
    fields: dict[str, ma.fields.Field] = {
        "items": ma.fields.List(ma.fields.Nested(item), required=True),
        "page": ma.fields.Integer(required=True),
        "per_page": ma.fields.Integer(required=True),
        "total": ma.fields.Integer(required=True),
        "pages": ma.fields.Integer(required=True),
        "links": ma.fields.Nested(Links, required=True),
        **extra,
    }
    return ma.Schema.from_dict(fields, name=name)


def _link(number: int) -> str:
    args: dict[str, Any] = dict(request.view_args or {})
    args.update(request.args.to_dict())
    args["page"] = number
    return url_for(request.endpoint or "", _external=True, **args)


def paged(page: Page[Any], **extra: Any) -> Mapping[str, Any]:
    """The envelope of one page (its items already plain data or objects the schema reads)."""
    return {
        "items": page.items,
        "page": page.number,
        "per_page": page.per_page,
        "total": page.total,
        "pages": page.pages,
        "links": {
            "self": _link(page.number),
            "first": _link(1),
            "last": _link(page.pages),
            "prev": _link(page.number - 1) if page.has_prev else None,
            "next": _link(page.number + 1) if page.has_next else None,
        },
        **extra,
    }
