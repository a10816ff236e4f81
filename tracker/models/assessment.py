"""Stored assessments: one per KIM per period per framework, with the full breakdown."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.models.base import Base, utcnow
from tracker.models.framework import Framework
from tracker.models.kim import Kim
from tracker.models.period import Period

TIERS = ("Rintisan", "Berkembang", "Maju", "Mandiri")


class Assessment(Base):
    __tablename__ = "assessment"
    __table_args__ = (
        UniqueConstraint("kim_id", "period_id", "framework_id"),
        # a period's results in KIM order with their tier and score, without reading the rows'
        # JSON: the dashboard's tier counts per period, and each KIM's result of an earlier
        # period looked up for the movers and the transition matrix (services/reports/dashboard)
        Index("ix_assessment_period_kim", "period_id", "framework_id", "kim_id", "tier", "score"),
        # the dashboard's tier counts of every period, counted in index order
        Index("ix_assessment_period_tier", "period_id", "framework_id", "tier", "kim_id"),
        # the period overview's list in its default order (highest score first) read from the
        # index's end, and when the period was last computed, without reading the period's rows
        Index("ix_assessment_period_score", "period_id", "framework_id", "score", "kim_id"),
        Index("ix_assessment_period_computed", "period_id", "framework_id", "computed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kim_id: Mapped[int] = mapped_column(ForeignKey("kim.id", ondelete="CASCADE"), index=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("period.id", ondelete="CASCADE"), index=True)
    framework_id: Mapped[int] = mapped_column(
        ForeignKey("framework.id", ondelete="RESTRICT"), index=True
    )
    score: Mapped[float] = mapped_column(Float)  # total S, rounded to 2 decimals
    raw_tier: Mapped[str] = mapped_column(String(12))
    tier: Mapped[str] = mapped_column(String(12), index=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    # {"K": 75.0, "W": 61.25, ...}
    dimension_scores: Mapped[dict[str, float]] = mapped_column(JSON)
    # {"W1": {"value": 4.0, "score": 60, "source": "computed", "missing": false}, ...}
    indicators: Mapped[dict[str, Any]] = mapped_column(JSON)
    data_gaps: Mapped[list[str]] = mapped_column(JSON, default=list)
    computed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # the KIM's InputRevision.revision for the period as the run read it, before its inputs
    inputs_revision: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    kim: Mapped[Kim] = relationship()
    period: Mapped[Period] = relationship()
    framework: Mapped[Framework] = relationship()


class InputRevision(Base):
    """How many times a KIM's assessment inputs for a period have changed: bumped by every write
    service that changes them (tracker.services.common.input_changes), read by the run before it
    reads the inputs. An assessment whose `inputs_revision` differs is stale. A counter compared for
    equality, not a timestamp compared for order: see input_changes for why."""

    __tablename__ = "input_revision"

    # (period_id, kim_id): a period's pages and its run read one period's rows
    period_id: Mapped[int] = mapped_column(
        ForeignKey("period.id", ondelete="CASCADE"), primary_key=True
    )
    kim_id: Mapped[int] = mapped_column(
        ForeignKey("kim.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    revision: Mapped[int] = mapped_column(Integer, default=0)
