"""Assessment periods, newest first, with how many KIMs in scope each has results for."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tracker.services.common.pagination import paginate_rows
from tracker.services.rules import periods
from tracker.web.api import schemas
from tracker.web.api.blueprint import actor, bp
from tracker.web.api.paging import PageArgs, page_schema, paged


def _period(row: periods.PeriodRow) -> Mapping[str, Any]:
    p = row.period
    return {
        "code": p.code,
        "kind": p.kind,
        "start_date": p.start_date,
        "end_date": p.end_date,
        "state": p.state,
        "closed_at": p.closed_at,
        "assessed": row.assessed,
    }


@bp.route("/periods")
@bp.arguments(PageArgs, location="query")
@bp.response(200, page_schema(schemas.Period, "PeriodPage"))
def period_list(args: dict[str, Any]) -> Mapping[str, Any]:
    """Every period, newest first (as on the periods page)."""
    rows = periods.list_periods(actor())
    return paged(paginate_rows(rows, args["page"], args["per_page"]).map(_period))
