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


class PartlyDone(Exception):  # noqa: N818 - what happened, not an error kind
    """A job failed after part of its work was committed: the run is recorded failed with the
    counts of what was done (the retry finds that part done and does not repeat it)."""

    def __init__(self, message: str, counts: Mapping[str, Any]) -> None:
        super().__init__(message)
        self.counts = dict(counts)
