"""The demo's periods, placed relative to the office's today so the demo stays sensible next year.

Eight triwulan: the one today falls in, open (data still being entered, results provisional), and
the seven before it, closed (assessed and frozen). Uploads run from the first day of the oldest
period to yesterday: what the nightly harvest has brought in by this morning. Pure: a date in,
dates out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from tracker.scoring.periods import PeriodSpan, parse_period_code

PERIOD_COUNT = 8  # seven closed triwulan and the current one


@dataclass(frozen=True)
class DemoCalendar:
    today: date
    periods: tuple[PeriodSpan, ...]  # oldest first; the last one is the current triwulan

    @property
    def current(self) -> PeriodSpan:
        return self.periods[-1]

    @property
    def closed(self) -> tuple[PeriodSpan, ...]:
        return self.periods[:-1]

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(p.code for p in self.periods)

    @property
    def activity_start(self) -> date:
        return self.periods[0].start

    @property
    def activity_end(self) -> date:
        """The last day with uploads: yesterday (today's come in with tomorrow's harvest)."""
        return self.today - timedelta(days=1)


def demo_calendar(today: date) -> DemoCalendar:
    """The triwulan `today` falls in and the seven before it."""
    year, quarter = today.year, (today.month - 1) // 3 + 1
    spans = []
    for _ in range(PERIOD_COUNT):
        spans.append(parse_period_code(f"{year}-T{quarter}"))
        year, quarter = (year - 1, 4) if quarter == 1 else (year, quarter - 1)
    return DemoCalendar(today, tuple(reversed(spans)))
