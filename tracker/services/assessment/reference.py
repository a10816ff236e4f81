"""What the assessment uses when no manual value counts, shown beside every place one is entered.

The data-entry grid and the verification page show, for each KIM and indicator, the value the
registry (K1 SK, K2 KIM.id), the posts or period totals (W1–W4) or the coaching records (P1, P2)
give on their own, so nobody types "ya" over what the registry already knows and a reviewer sees
what a submitted value would replace. It is the same computation the assessment runs
(`inputs.collect_inputs` without the measurements), for the KIMs of the page in one go.

The grid and the queue themselves belong to the activity domain, which sits below this one; these
functions wrap them so a view still calls one service.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from tracker.models import Period
from tracker.models.user import User
from tracker.scoring.engine import IndicatorValue
from tracker.services.activity import measurements, verification
from tracker.services.assessment.inputs import collect_inputs


def _references(period: Period, scope_codes: Iterable[str]) -> dict[int, dict[str, IndicatorValue]]:
    codes = sorted(set(scope_codes))
    return collect_inputs(period, codes, manual=False) if codes else {}


def _annotate_grid(grid: measurements.Grid) -> measurements.Grid:
    found = _references(grid.period, [grid.kecamatan_code])
    for row in grid.rows:
        values = found.get(row.kim_id, {})
        for code, cell in row.cells.items():
            cell.reference = values.get(code)
    return grid


def entry_grid(
    actor: User,
    period_code: str,
    kecamatan_code: str,
    extra: Iterable[str] = (),
    kim_id: int | None = None,
) -> measurements.Grid:
    """The kecamatan's data-entry grid (`measurements.load_grid`) with each cell's reference."""
    return _annotate_grid(
        measurements.load_grid(actor, period_code, kecamatan_code, extra, kim_id=kim_id)
    )


def save_entry_grid(
    actor: User,
    period_code: str,
    kecamatan_code: str,
    cells: Mapping[tuple[int, str], tuple[str, str]],
    extra: Iterable[str] = (),
) -> measurements.GridSave:
    """`measurements.save_grid`; a refused grid comes back with its references for the page."""
    outcome = measurements.save_grid(actor, period_code, kecamatan_code, cells, extra)
    if not outcome.ok:
        _annotate_grid(outcome.grid)
    return outcome


def review_queue(
    actor: User, period_code: str, kecamatan_code: str = ""
) -> verification.ReviewQueue:
    """The verification queue (`verification.review_queue`) with each value's reference."""
    queue = verification.review_queue(actor, period_code, kecamatan_code)
    found = _references(queue.period, [g.code for g in queue.groups])
    for value in queue.values:
        value.reference = found.get(value.kim_id, {}).get(value.rule.code)
    return queue
