"""Line charts over periods: tier counts across periods (one line per tier) and a KIM's tier
history (one line stepping between named levels). Each point is a dot with its value beside it,
so the chart reads without colour; a missing value breaks the line."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from tracker.charts.svg import (
    GRID,
    INK,
    MUTED,
    colour_of,
    coordinate,
    legend,
    legend_height,
    number,
    opening,
    text,
)

WIDTH = 640
PLOT_H = 200
LEFT = 96
RIGHT = 24
TOP = 40


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | None]  # one per x label; None: no value there


def _step(high: float) -> float:
    raw = max(high, 1.0) / 5
    magnitude = 10 ** math.floor(math.log10(raw))
    return next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)


def line_chart(
    x_labels: Sequence[str],
    series: Sequence[Series],
    *,
    title: str,
    description: str,
    levels: Sequence[str] = (),
    key: str = "lines",
) -> str:
    """Lines over `x_labels`. With `levels` the y axis names them (value i = levels[i]) and the
    points say the level; otherwise it counts from zero."""
    names = [s.name for s in series]
    colours = [colour_of(name, i) for i, name in enumerate(names)]
    show_legend = len(series) > 1
    legend_h = legend_height(names, WIDTH - 16) if show_legend else 0
    height = TOP + PLOT_H + 40 + legend_h + 8
    if levels:
        low, high, step = 0.0, float(max(len(levels) - 1, 1)), 1.0
    else:
        top_value = max((v for s in series for v in s.values if v is not None), default=0.0)
        step = _step(top_value)
        low, high = 0.0, max(math.ceil(top_value / step) * step, step)
    plot_w = WIDTH - LEFT - RIGHT
    slot = plot_w / max(len(x_labels), 1)

    def x_of(index: int) -> float:
        return LEFT + slot * (index + 0.5)

    def y_of(value: float) -> float:
        return TOP + (high - value) / (high - low) * PLOT_H

    parts = opening(WIDTH, height, key, title, description)
    parts.append(f'<text x="8" y="22" fill="{INK}" font-weight="bold">{text(title)}</text>')
    ticks = round((high - low) / step)
    for i in range(ticks + 1):
        value = low + i * step
        at = coordinate(y_of(value))
        label = levels[int(value)] if levels else number(value, 0 if step >= 1 else 1)
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{at}" y2="{at}" stroke="{GRID}"/>'
            f'<text x="{LEFT - 6}" y="{at}" text-anchor="end" dominant-baseline="middle" '
            f'fill="{MUTED}">{text(label)}</text>'
        )
    base = TOP + PLOT_H
    for index, label in enumerate(x_labels):
        parts.append(
            f'<text x="{coordinate(x_of(index))}" y="{base + 18}" text-anchor="middle" '
            f'fill="{INK}" font-size="11">{text(label)}</text>'
        )
    for s, colour in zip(series, colours, strict=True):
        run: list[str] = []
        for index, value in enumerate([*s.values, None]):
            if value is None:
                if len(run) > 1:
                    parts.append(
                        f'<polyline points="{" ".join(run)}" fill="none" stroke="{colour}" '
                        f'stroke-width="2"/>'
                    )
                run = []
                continue
            point = f"{coordinate(x_of(index))},{coordinate(y_of(value))}"
            run.append(point)
        for index, value in enumerate(s.values):
            if value is None:
                continue
            cx, cy = coordinate(x_of(index)), coordinate(y_of(value))
            shown = levels[int(value)] if levels else number(value, 0)
            parts.append(
                f'<circle cx="{cx}" cy="{cy}" r="4" fill="{colour}"/>'
                f'<text x="{cx}" y="{coordinate(y_of(value) - 8)}" text-anchor="middle" '
                f'fill="{INK}" font-size="10">{text(shown)}</text>'
            )
    if show_legend:
        parts.extend(legend(names, colours, 8, base + 44, WIDTH - 16))
    parts.append("</svg>")
    return "\n".join(parts)


def tier_history(
    period_labels: Sequence[str],
    tiers: Sequence[str | None],
    tier_names: Sequence[str],
    *,
    title: str,
    description: str,
    key: str = "tier-history",
) -> str:
    """A KIM's tier in each period, on an axis of the framework's tiers (lowest at the bottom)."""
    rank = {name: float(i) for i, name in enumerate(tier_names)}
    values = [rank.get(tier) if tier else None for tier in tiers]
    return line_chart(
        period_labels,
        [Series(title, values)],
        title=title,
        description=description,
        levels=tier_names,
        key=key,
    )
