"""The office's calendar: "today" and "not in the future" are days in Asia/Jakarta, whatever zone
the server runs in."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

OFFICE_TZ = ZoneInfo("Asia/Jakarta")


def office_today() -> date:
    return datetime.now(OFFICE_TZ).date()
