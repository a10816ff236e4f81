"""What-if: which KIMs would change tier if a framework version were applied to an assessed period.

Both sides are computed from the same inputs, gathered once for the whole period
(`assessment_inputs.collect_inputs`) with the same previous tiers: "now" under the framework whose
assessments stand for the period, "draft" under the version being considered. So the difference is
the effect of the rules alone. When the data changed after the period was last assessed, "now"
differs from the stored tiers; those KIMs are counted (`stale`) so the page can suggest re-running
the assessment first. Only KIMs with a stored assessment for the period (in the viewer's scope)
are compared; nothing is written.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select

from tracker.extensions import db
from tracker.models import Assessment, Kim, Period
from tracker.models.user import User
from tracker.scoring.engine import assess
from tracker.scoring.framework import Framework, load_framework
from tracker.services.assessment.inputs import collect_inputs
from tracker.services.assessment.runner import (
    framework_for_period,
    previous_tiers,
    resolve_period,
)
from tracker.services.common.errors import Invalid
from tracker.services.common.pagination import Page, paginate_rows
from tracker.services.common.permissions import VIEW, require
from tracker.services.common.scope import actor_scope_filter
from tracker.services.registry import places
from tracker.services.registry.places import located
from tracker.services.rules import frameworks
from tracker.services.rules.frameworks import VersionRow
from tracker.services.rules.periods import PeriodNotFoundError

PER_PAGE = 50


class WhatIfError(Invalid):
    """The comparison cannot be made (no assessed period, unknown period); Indonesian message."""


@dataclass(frozen=True)
class WhatIfRow:
    kim_id: int
    name: str
    desa: str
    kecamatan: str
    tier_now: str
    tier_draft: str
    score_now: float
    score_draft: float
    up: bool  # the draft puts the KIM in a higher tier


@dataclass(frozen=True)
class WhatIf:
    period_code: str
    current_version: int
    draft_version: int
    compared: int  # KIMs compared (assessed in the period, in scope)
    changed: Page[WhatIfRow]  # the KIMs whose tier would change, by kecamatan, desa, name
    up: int
    down: int
    stale: int  # stored tier differs from the current rules on today's data
    counts_now: dict[str, int]
    counts_draft: dict[str, int]

    @property
    def changed_count(self) -> int:
        return self.up + self.down


def latest_assessed_period(actor: User | None = None) -> Period | None:
    """The most recent period with at least one stored assessment of a KIM in scope."""
    return db.session.scalar(
        select(Period)
        .join(Assessment, Assessment.period_id == Period.id)
        .join(Kim, Kim.id == Assessment.kim_id)
        .where(actor_scope_filter(Kim.desa_code, actor))
        .order_by(Period.end_date.desc(), Period.start_date.desc())
        .limit(1)
    )


def assessed_periods(actor: User | None = None) -> list[Period]:
    """Periods that can be compared, newest first (for the page's period choice)."""
    ids = (
        select(Assessment.period_id)
        .join(Kim, Kim.id == Assessment.kim_id)
        .where(actor_scope_filter(Kim.desa_code, actor))
        .distinct()
    )
    return list(
        db.session.scalars(
            select(Period).where(Period.id.in_(ids)).order_by(Period.end_date.desc())
        )
    )


def compare(
    draft_version: int,
    period: Period | str | None = None,
    actor: User | None = None,
    page: int = 1,
    per_page: int = PER_PAGE,
) -> WhatIf:
    """Apply framework `draft_version` to `period` (default: the latest assessed one)."""
    require(actor, VIEW)
    draft_row = frameworks.get(draft_version)
    draft = load_framework(draft_row.definition)

    if period is None or (isinstance(period, str) and not period.strip()):
        found = latest_assessed_period(actor)
        if found is None:
            raise WhatIfError(_("Belum ada periode yang dinilai untuk dibandingkan."))
        period = found
    period = resolve_period(period)

    current_row = framework_for_period(period.id)
    if current_row is None:
        raise WhatIfError(_("Periode %(code)s belum dinilai.", code=period.code))
    current = load_framework(current_row.definition)
    scope = None if actor is None else list(actor.scope_codes)

    stored = db.session.execute(
        located(
            select(
                Assessment.kim_id,
                Assessment.tier,
                Kim.name,
                places.Desa.display_name,
                places.Kecamatan.display_name,
            ).join(Kim, Kim.id == Assessment.kim_id)
        ).where(
            Assessment.period_id == period.id,
            Assessment.framework_id == current_row.id,
            actor_scope_filter(Kim.desa_code, actor),
        )
    ).all()
    inputs = collect_inputs(period, scope)
    previous = previous_tiers(period, current_row.id, scope)

    rows: list[WhatIfRow] = []
    counts_now: Counter[str] = Counter()
    counts_draft: Counter[str] = Counter()
    stale = compared = 0
    same_names = set(current.tier_names) == set(draft.tier_names)
    for kim_id, stored_tier, name, desa, kecamatan in stored:
        values = inputs.get(kim_id)
        if values is None:  # deactivated since the period was assessed
            continue
        compared += 1
        before = previous.get(kim_id)
        now = assess(current, values, before)
        then = assess(draft, values, before)
        counts_now[now.tier] += 1
        counts_draft[then.tier] += 1
        if now.tier != stored_tier:
            stale += 1
        now_rank = current.tier_index(now.tier)
        draft_rank = draft.tier_index(then.tier)
        # same tier names: compare names; a draft that renames tiers: compare positions
        if (now.tier != then.tier) if same_names else (now_rank != draft_rank):
            rows.append(
                WhatIfRow(
                    kim_id=kim_id,
                    name=name,
                    desa=desa,
                    kecamatan=kecamatan,
                    tier_now=now.tier,
                    tier_draft=then.tier,
                    score_now=now.total,
                    score_draft=then.total,
                    up=draft_rank > now_rank,
                )
            )
    rows.sort(key=lambda r: (r.kecamatan.casefold(), r.desa.casefold(), r.name.casefold()))
    up = sum(1 for r in rows if r.up)
    return WhatIf(
        period_code=period.code,
        current_version=current_row.version,
        draft_version=draft_row.version,
        compared=compared,
        changed=paginate_rows(rows, page, per_page),
        up=up,
        down=len(rows) - up,
        stale=stale,
        counts_now={name: counts_now.get(name, 0) for name in current.tier_names},
        counts_draft={name: counts_draft.get(name, 0) for name in draft.tier_names},
    )


@dataclass(frozen=True)
class VersionPage:
    """Everything a version's page shows: its rules and, when asked, the what-if comparison."""

    row: VersionRow
    rules: Framework
    periods: list[Period]  # assessed periods the version can be compared on
    comparison: WhatIf | None
    compare_error: str | None


def version_page(
    version: int, actor: User | None, compare_period: str | None = None, page: int = 1
) -> VersionPage:
    """A version with its parsed rules; with `compare_period` ("" = the latest assessed period)
    also what would change if it were applied to that period."""
    require(actor, VIEW)
    row = frameworks.version_row(version)
    rules = load_framework(row.framework.definition)
    comparison = None
    error = None
    if compare_period is not None:
        try:
            comparison = compare(version, compare_period, actor, page=page)
        except (WhatIfError, PeriodNotFoundError) as exc:  # said on the page, next to the choice
            error = exc.message
    return VersionPage(row, rules, assessed_periods(actor), comparison, error)
