"""Months per period and weekly windows (the W1 divisor and the W2 denominator)."""

from __future__ import annotations

from datetime import date

import pytest

from tracker.scoring.engine import IndicatorValue, assess
from tracker.scoring.framework import default_framework
from tracker.scoring.periods import (
    months_in,
    parse_period_code,
    previous_code,
    window_count,
    window_index,
)


@pytest.mark.parametrize(
    ("code", "months"),
    [("2025-T1", 3), ("2025-T4", 3), ("2025-S1", 6), ("2025-S2", 6), ("2025", 12)],
)
def test_months_per_period(code: str, months: int) -> None:
    span = parse_period_code(code)
    assert months_in(span.start, span.end) == months


def test_months_counts_calendar_months_touched() -> None:
    assert months_in(date(2025, 1, 31), date(2025, 2, 1)) == 2


def test_90_day_period_has_13_windows_last_partial() -> None:
    span = parse_period_code("2025-T1")  # 1 Jan – 31 Mar 2025
    assert span.days == 90
    assert window_count(span.start, span.end) == 13
    assert window_index(date(2025, 1, 7), span.start) == 0  # the first window: 1–7 January
    assert window_index(date(2025, 1, 8), span.start) == 1
    # the last window, 26–31 March, has 6 days and is still a window
    assert window_index(date(2025, 3, 26), span.start) == 12
    assert window_index(date(2025, 3, 31), span.start) == 12


def test_92_day_period_has_14_windows_last_one_day() -> None:
    span = parse_period_code("2025-T3")  # 1 Jul – 30 Sep 2025
    assert span.days == 92
    assert window_count(span.start, span.end) == 14
    assert window_index(date(2025, 9, 29), span.start) == 12
    assert window_index(date(2025, 9, 30), span.start) == 13  # a window of one day


def test_w2_from_windows_hits_50_exactly_in_a_92_day_period() -> None:
    """7 of 14 weekly windows with an upload is exactly 50 %: enough for Maju's condition."""
    span = parse_period_code("2025-T3")
    w2 = 7 / window_count(span.start, span.end) * 100
    assert w2 == 50.0
    fw = default_framework()
    values = {
        "K1": IndicatorValue(1, "registry"),
        "K2": IndicatorValue(1, "registry"),
        "K3": IndicatorValue(4, "manual"),
        "D1": IndicatorValue(4, "manual"),
        "W1": IndicatorValue(12, "computed"),
        "W3": IndicatorValue(4, "computed"),
        "W4": IndicatorValue(0, "computed"),
        "W2": IndicatorValue(w2, "computed"),
    }
    assert assess(fw, values).tier == "Maju"
    # 6 of 13 windows in a 90-day period is 46,15 %: not enough
    values["W2"] = IndicatorValue(6 / 13 * 100, "computed")
    assert assess(fw, values).tier == "Berkembang"


@pytest.mark.parametrize(
    ("code", "previous"),
    [("2025-T1", "2024-T4"), ("2025-T3", "2025-T2"), ("2025-S1", "2024-S2"), ("2025", "2024")],
)
def test_previous_code(code: str, previous: str) -> None:
    assert previous_code(parse_period_code(code)) == previous
