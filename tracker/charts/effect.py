"""The coaching-effect chart: for each group (attendees, comparable non-attendees), every KIM's
score change as a dot, the mean as a bar across the dots and ± one standard deviation as a
whisker, against a zero line. Readable without colour (the mean and spread are also printed
under each group) and without JavaScript; `role="img"` with a title and a description that says
the same in words."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from tracker.charts.svg import coordinate, number, text

WIDTH = 640
HEIGHT = 340
MARGIN_LEFT = 64
MARGIN_RIGHT = 16
MARGIN_TOP = 40
MARGIN_BOTTOM = 70
COLOURS = ("#2a6ebb", "#7a7f87", "#c98a00", "#2e8540")  # attendees first


@dataclass(frozen=True)
class ChartGroup:
    label: str
    values: Sequence[float]  # one per KIM
    mean: float | None
    sd: float | None
    caption: str = ""  # printed under the label (e.g. "n = 12 · rata-rata +2,50 · sd 1,20")


def _scale(groups: Sequence[ChartGroup]) -> tuple[float, float, float]:
    """Axis bounds and tick step: a round range holding every dot, whisker and zero."""
    values = [0.0]
    for group in groups:
        values.extend(group.values)
        if group.mean is not None:
            spread = group.sd or 0.0
            values.extend((group.mean - spread, group.mean + spread))
    low, high = min(values), max(values)
    span = max(high - low, 1.0)
    raw = span / 5
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    return math.floor(low / step) * step, math.ceil(high / step) * step, step


def _offsets(count: int, width: float) -> list[float]:
    """Horizontal offsets that spread `count` dots over `width` in a fixed pattern (the same
    chart for the same data: no randomness)."""
    if count <= 1:
        return [0.0] * count
    return [((i * 0.618034) % 1.0 - 0.5) * width for i in range(count)]


def effect_chart(
    groups: Sequence[ChartGroup], *, title: str, y_label: str, description: str
) -> str:
    """The SVG document (an <svg> element, to be placed in a page as it is)."""
    low, high, step = _scale(groups)
    plot_h = HEIGHT - MARGIN_TOP - MARGIN_BOTTOM
    plot_w = WIDTH - MARGIN_LEFT - MARGIN_RIGHT

    def y(value: float) -> float:
        return MARGIN_TOP + (high - value) / (high - low) * plot_h

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" aria-labelledby="effect-title effect-desc" class="chart" '
        f'font-family="sans-serif" font-size="12">',
        f'<title id="effect-title">{text(title)}</title>',
        f'<desc id="effect-desc">{text(description)}</desc>',
        f'<rect x="0" y="0" width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>',
    ]
    ticks = round((high - low) / step)
    for i in range(ticks + 1):
        value = low + i * step
        at = coordinate(y(value))
        parts.append(
            f'<line x1="{MARGIN_LEFT}" x2="{WIDTH - MARGIN_RIGHT}" y1="{at}" y2="{at}" '
            f'stroke="{"#555555" if abs(value) < step / 1000 else "#e3e5e8"}" '
            f'stroke-width="{"1.5" if abs(value) < step / 1000 else "1"}"/>'
        )
        parts.append(
            f'<text x="{MARGIN_LEFT - 6}" y="{at}" text-anchor="end" dominant-baseline="middle" '
            f'fill="#333333">{text(number(value, 1 if step < 1 else 0))}</text>'
        )
    middle = coordinate(MARGIN_TOP + plot_h / 2)
    parts.append(
        f'<text x="14" y="{middle}" text-anchor="middle" fill="#333333" '
        f'transform="rotate(-90 14 {middle})">{text(y_label)}</text>'
    )
    slot = plot_w / max(len(groups), 1)
    for index, group in enumerate(groups):
        colour = COLOURS[index % len(COLOURS)]
        centre = MARGIN_LEFT + slot * (index + 0.5)
        for offset, value in zip(
            _offsets(len(group.values), slot * 0.45), group.values, strict=True
        ):
            parts.append(
                f'<circle cx="{coordinate(centre + offset)}" cy="{coordinate(y(value))}" r="4" '
                f'fill="{colour}" fill-opacity="0.45" stroke="{colour}"/>'
            )
        if group.mean is not None:
            if group.sd is not None:
                top, bottom = y(group.mean + group.sd), y(group.mean - group.sd)
                parts.append(
                    f'<line x1="{coordinate(centre)}" x2="{coordinate(centre)}" '
                    f'y1="{coordinate(top)}" y2="{coordinate(bottom)}" stroke="#111111" '
                    f'stroke-width="1.5"/>'
                )
                for end in (top, bottom):
                    parts.append(
                        f'<line x1="{coordinate(centre - 8)}" x2="{coordinate(centre + 8)}" '
                        f'y1="{coordinate(end)}" y2="{coordinate(end)}" stroke="#111111" '
                        f'stroke-width="1.5"/>'
                    )
            at = coordinate(y(group.mean))
            left, right = coordinate(centre - slot * 0.3), coordinate(centre + slot * 0.3)
            parts.append(
                f'<line x1="{left}" x2="{right}" y1="{at}" y2="{at}" stroke="#111111" '
                f'stroke-width="3"/>'
            )
        base = HEIGHT - MARGIN_BOTTOM
        parts.append(
            f'<text x="{coordinate(centre)}" y="{base + 20}" text-anchor="middle" '
            f'font-weight="bold" fill="#111111">{text(group.label)}</text>'
        )
        if group.caption:
            parts.append(
                f'<text x="{coordinate(centre)}" y="{base + 38}" text-anchor="middle" '
                f'fill="#333333">{text(group.caption)}</text>'
            )
    parts.append(
        f'<text x="{MARGIN_LEFT}" y="22" fill="#111111" font-weight="bold">{text(title)}</text>'
    )
    parts.append("</svg>")
    return "\n".join(parts)
