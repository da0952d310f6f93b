"""Charts of the report as inline SVG made here: no script, no font, nothing fetched.

Every chart has a title and a text alternative (``<title>`` and ``<desc>``, ``role="img"``),
axis titles with units, tick labels, and axes that start at zero where an amount is drawn.
Strategy names are never drawn inside a chart: they sit in HTML (legends, captions), where
long labels wrap instead of being cut off.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

__all__ = ["Band", "Point", "legend", "nice_ticks", "small_multiples", "tradeoff_chart"]

_FONT = 'font-size="11" fill="#333"'


@dataclass(frozen=True)
class Point:
    """One strategy in a trade-off chart: means and 5–95% ranges on both axes."""

    label: str
    colour: str
    x: float
    x_low: float
    x_high: float
    y: float
    y_low: float
    y_high: float


@dataclass(frozen=True)
class Band:
    """A monthly series: mean and 5–95% band over the replications (one value per month)."""

    mean: NDArray[np.float64]
    low: NDArray[np.float64]
    high: NDArray[np.float64]


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values covering ``[low, high]`` (1, 2 or 5 times a power of ten apart)."""
    if not math.isfinite(low) or not math.isfinite(high):
        return [0.0]
    if high <= low:
        high = low + (abs(low) or 1.0)
    raw = (high - low) / max(count - 1, 1)
    power = 10.0 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1.0, 2.0, 5.0, 10.0) if m * power >= raw)
    ticks = [math.floor(low / step) * step]
    while ticks[-1] < high - step * 1e-9:
        ticks.append(ticks[-1] + step)
    return [round(t, 10) for t in ticks]


def _number(value: float) -> str:
    if value == 0:
        return "0"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.0f}"
    return f"{value:.2g}"


def _svg_open(width: int, height: int, title: str, description: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img">'
        f"<title>{html.escape(title)}</title><desc>{html.escape(description)}</desc>"
    )


def tradeoff_chart(
    points: Sequence[Point], *, x_title: str, y_title: str, title: str, description: str
) -> str:
    """A scatter of strategies with 5–95% whiskers on both axes, zero lines drawn."""
    width, height, left, bottom, top, right = 520, 360, 72, 48, 12, 16
    xs = [v for p in points for v in (p.x_low, p.x_high, 0.0)]
    ys = [v for p in points for v in (p.y_low, p.y_high, 0.0)]
    x_ticks, y_ticks = nice_ticks(min(xs), max(xs)), nice_ticks(min(ys), max(ys))
    x0, x1, y0, y1 = x_ticks[0], x_ticks[-1], y_ticks[0], y_ticks[-1]

    def sx(value: float) -> float:
        return left + (width - left - right) * (value - x0) / ((x1 - x0) or 1.0)

    def sy(value: float) -> float:
        return top + (height - top - bottom) * (y1 - value) / ((y1 - y0) or 1.0)

    parts = [_svg_open(width, height, title, description)]
    parts.extend(
        f'<line x1="{sx(tick):.1f}" y1="{top}" x2="{sx(tick):.1f}" y2="{height - bottom}" '
        f'stroke="{"#888" if tick == 0 else "#e4e4e4"}"/>'
        f'<text x="{sx(tick):.1f}" y="{height - bottom + 15}" text-anchor="middle" {_FONT}>'
        f"{_number(tick)}</text>"
        for tick in x_ticks
    )
    parts.extend(
        f'<line x1="{left}" y1="{sy(tick):.1f}" x2="{width - right}" y2="{sy(tick):.1f}" '
        f'stroke="{"#888" if tick == 0 else "#e4e4e4"}"/>'
        f'<text x="{left - 6}" y="{sy(tick) + 4:.1f}" text-anchor="end" {_FONT}>'
        f"{_number(tick)}</text>"
        for tick in y_ticks
    )
    parts.append(
        f'<text x="{(left + width - right) / 2:.0f}" y="{height - 8}" text-anchor="middle" '
        f"{_FONT}>{html.escape(x_title)}</text>"
        f'<text transform="translate(14,{(top + height - bottom) / 2:.0f}) rotate(-90)" '
        f'text-anchor="middle" {_FONT}>{html.escape(y_title)}</text>'
    )
    parts.extend(
        f"<g><title>{html.escape(p.label)}: {p.x:+.2f} ({p.x_low:+.2f} to {p.x_high:+.2f}), "
        f"{p.y:+,.0f} ({p.y_low:+,.0f} to {p.y_high:+,.0f})</title>"
        f'<line x1="{sx(p.x_low):.1f}" y1="{sy(p.y):.1f}" x2="{sx(p.x_high):.1f}" '
        f'y2="{sy(p.y):.1f}" stroke="{p.colour}" stroke-width="1.5"/>'
        f'<line x1="{sx(p.x):.1f}" y1="{sy(p.y_low):.1f}" x2="{sx(p.x):.1f}" '
        f'y2="{sy(p.y_high):.1f}" stroke="{p.colour}" stroke-width="1.5"/>'
        f'<circle cx="{sx(p.x):.1f}" cy="{sy(p.y):.1f}" r="5" fill="{p.colour}" '
        'stroke="#fff"/></g>'
        for p in points
    )
    parts.append("</svg>")
    return "".join(parts)


def legend(entries: Sequence[tuple[str, str, str]]) -> str:
    """An HTML legend: ``(label, colour, dash)`` each as a swatch and a label that wraps."""
    items = "".join(
        f'<li><svg width="22" height="10" aria-hidden="true"><line x1="1" y1="5" x2="21" y2="5" '
        f'stroke="{colour}" stroke-width="3" stroke-dasharray="{dash}"/></svg>'
        f"{html.escape(label)}</li>"
        for label, colour, dash in entries
    )
    return f'<ul class="legend">{items}</ul>'


def _panel(
    months: int,
    band: Band,
    reference: Band | None,
    *,
    colour: str,
    dash: str,
    scale: tuple[float, float],
    title: str,
    unit: str,
) -> str:
    width, height, left, bottom, top, right = 230, 140, 52, 22, 8, 8
    low, high = scale

    def sx(month: float) -> float:
        return left + (width - left - right) * (month - 1) / max(months - 1, 1)

    def sy(value: float) -> float:
        return top + (height - top - bottom) * (high - value) / ((high - low) or 1.0)

    parts = [_svg_open(width, height, title, f"{title}, {unit}, by month")]
    for tick in nice_ticks(low, high, 3):
        if tick > high + 1e-9:
            continue
        parts.append(
            f'<line x1="{left}" y1="{sy(tick):.1f}" x2="{width - right}" y2="{sy(tick):.1f}" '
            'stroke="#ececec"/>'
            f'<text x="{left - 4}" y="{sy(tick) + 4:.1f}" text-anchor="end" font-size="10" '
            f'fill="#333">{_number(tick)}</text>'
        )
    parts.extend(
        f'<text x="{sx(month):.1f}" y="{height - 8}" text-anchor="middle" font-size="10" '
        f'fill="#333">{month}</text>'
        for month in sorted({1, months, *range(6, months, 6)})
    )
    if reference is not None:
        points = " ".join(f"{sx(m + 1):.1f},{sy(v):.1f}" for m, v in enumerate(reference.mean))
        parts.append(
            f'<polyline points="{points}" fill="none" stroke="#9a9a9a" stroke-width="1.2" '
            'stroke-dasharray="3 2"/>'
        )
    if np.any(band.high > band.low):
        outline = [f"{sx(m + 1):.1f},{sy(v):.1f}" for m, v in enumerate(band.high)]
        outline += [f"{sx(m + 1):.1f},{sy(v):.1f}" for m, v in reversed(list(enumerate(band.low)))]
        parts.append(f'<polygon points="{" ".join(outline)}" fill="{colour}" fill-opacity="0.18"/>')
    points = " ".join(f"{sx(m + 1):.1f},{sy(v):.1f}" for m, v in enumerate(band.mean))
    parts.append(
        f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="1.8" '
        f'stroke-dasharray="{dash}"/></svg>'
    )
    return "".join(parts)


def small_multiples(
    months: int,
    panels: Sequence[tuple[str, Band, str, str]],
    reference: Band | None,
    *,
    metric: str,
    unit: str,
    from_zero: bool = True,
    limits: tuple[float, float] | None = None,
) -> str:
    """One small chart per strategy on a shared scale; the status quo dashed grey in each.

    ``panels``: ``(label, band, colour, dash)``. The scale starts at zero when ``from_zero``
    (amounts); ``limits`` fixes it (an index from 0 to 1, say). The month is on the
    horizontal axis.
    """
    values = [v for _, band, _, _ in panels for v in (band.low.min(), band.high.max())]
    if reference is not None:
        values += [float(reference.mean.min()), float(reference.mean.max())]
    low, high = (min(values), max(values)) if values else (0.0, 1.0)
    if from_zero:
        low = min(0.0, low)
    if limits is not None:
        low, high = min(limits[0], low), max(limits[1], high)
    ticks = nice_ticks(low, high, 3)
    scale = (ticks[0], ticks[-1])
    figures = "".join(
        f'<figure class="panel"><figcaption>{html.escape(label)}</figcaption>'
        + _panel(
            months,
            band,
            reference,
            colour=colour,
            dash=dash,
            scale=scale,
            title=f"{metric}: {label}",
            unit=unit,
        )
        + "</figure>"
        for label, band, colour, dash in panels
    )
    return (
        f'<p class="axis-note">{html.escape(metric)} ({html.escape(unit)}) by month; the '
        "line is the mean over replications, the shade its 5–95% range, the dashed grey line "
        f'the status quo.</p><div class="multiples">{figures}</div>'
    )
