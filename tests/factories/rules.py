"""Rules: periods and framework versions."""

from __future__ import annotations

from typing import Any

from tracker.extensions import db
from tracker.models import Framework, Period
from tracker.scoring.periods import parse_period_code


def make_period(code: str = "2025-T1", state: str = "open") -> Any:
    span = parse_period_code(code)
    p = Period(
        code=span.code, kind=span.kind, start_date=span.start, end_date=span.end, state=state
    )
    db.session.add(p)
    db.session.commit()
    return p


def make_framework(version: int = 1, state: str = "active", definition: dict | None = None) -> Any:
    """A framework row with a given state (its definition need not be valid unless a test assesses
    with it: use services.rules.frameworks.ensure_default() for the real v1)."""
    fw = Framework(version=version, name=f"v{version}", state=state, definition=definition or {})
    db.session.add(fw)
    db.session.commit()
    return fw
