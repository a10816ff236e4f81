"""What a job is given when it runs, and what it returns."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

Counts = Mapping[str, Any]


@dataclass(frozen=True)
class JobContext:
    """The settings and the time in the scheduler's zone."""

    config: Mapping[str, Any]
    now: datetime  # aware, in the scheduler's time zone

    @property
    def today(self) -> date:
        return self.now.date()
