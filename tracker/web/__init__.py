"""Blueprints: thin request handling, one package per domain (the same names as tracker.services),
plus web.common for what every area shares (guards, forms, paging, downloads, errors, security)."""

from __future__ import annotations

from flask import Blueprint


def blueprints() -> list[Blueprint]:
    """Every area's blueprint, in the order the site reads (imported here, not at module load, so
    the app factory decides when the views load)."""
    from tracker.web.accounts import audit_log, login, user_admin
    from tracker.web.activity import data_entry, harvest
    from tracker.web.assessment import results
    from tracker.web.coaching import blueprint as coaching
    from tracker.web.letters import batches, letters, office, verification
    from tracker.web.notifications import inbox
    from tracker.web.registry import kim_transfer, kims, regions
    from tracker.web.reports import home
    from tracker.web.rules import frameworks, periods
    from tracker.web.scheduler import jobs
    from tracker.web.visits import follow_ups, visits

    areas = (home, login, user_admin, audit_log, regions, kims, kim_transfer, periods)
    areas += (data_entry, harvest, frameworks, results, letters, batches, office, verification)
    areas += (visits, follow_ups, inbox, jobs)
    return [*(area.bp for area in areas), coaching()]
