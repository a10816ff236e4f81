"""Assessment periods: triwulan, semester or year, identified by their code."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, String
from sqlalchemy.orm import Mapped, mapped_column

from tracker.models.base import Base, utcnow

PERIOD_OPEN = "open"
PERIOD_CLOSED = "closed"
PERIOD_STATE_LABELS = {PERIOD_OPEN: "Terbuka", PERIOD_CLOSED: "Ditutup"}


class Period(Base):
    __tablename__ = "period"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(10), unique=True)  # 2025-T1, 2025-S1, 2025
    kind: Mapped[str] = mapped_column(String(10))  # triwulan, semester, tahun
    start_date: Mapped[date] = mapped_column(Date, index=True)
    end_date: Mapped[date] = mapped_column(Date, index=True)
    state: Mapped[str] = mapped_column(String(10), default=PERIOD_OPEN)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)

    @property
    def is_closed(self) -> bool:
        return self.state == PERIOD_CLOSED
