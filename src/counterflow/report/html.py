"""The HTML report: one self-contained file (inline CSS and SVG; no script, font or CDN).

It holds the results table, a bar chart of delivered kg by strategy and a map of the status
quo's monthly flows on the corridors over Mexico's state lines, coastline and borders
(Natural Earth, public domain, from the dataset's ``map_layers.json``).
"""

from __future__ import annotations

import html
import math
from typing import Any

import numpy as np

from counterflow.model import Context, RunResult
from counterflow.report.results import NOT_COMPUTED
from counterflow.scenario import BASELINE_ID

__all__ = ["build_report"]

_STYLE = """
body{font-family:system-ui,sans-serif;margin:2rem;color:#222;max-width:1100px}
h1{font-size:1.6rem} h2{font-size:1.2rem;margin-top:2rem}
table{border-collapse:collapse;font-size:.85rem}
td,th{border-bottom:1px solid #ddd;padding:.3rem .5rem;text-align:right}
th:first-child,td:first-child{text-align:left} .nc{color:#999} .note{color:#555;font-size:.85rem}
"""


def _number(value: Any) -> str:
    if value is None:
        return '<span class="nc">n/c</span>'
    if isinstance(value, float):
        return f"{value:,.1f}"
    return html.escape(str(value))


def _table(rows: list[dict[str, Any]]) -> str:
    columns = [
        ("label", "strategy"),
        ("delivered_kg", "delivered kg"),
        ("delivered_change_pct", "change %"),
        ("seized_kg_mexico", "seized in Mexico kg"),
        ("seized_kg_us_ports", "seized at US ports kg"),
        ("abstained_kg", "not shipped kg"),
        ("diversion_share", "diversion share"),
        ("active_crossings", "active crossings"),
        ("excess_homicides", "excess homicides"),
        ("civilian_harm", "civilian harm"),
        ("legal_international", "legal (intl)"),
    ]
    head = "".join(f"<th>{html.escape(title)}</th>" for _, title in columns)
    body = []
    for row in rows:
        cells = []
        for key, _ in columns:
            value = row[key]
            if key == "diversion_share" and value is not None:
                cells.append(f"<td>{value:.3f}</td>")
            else:
                cells.append(f"<td>{_number(value)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _bar_chart(rows: list[dict[str, Any]]) -> str:
    width, bar, gap, left = 760, 22, 8, 260
    largest = max(row["delivered_kg"] for row in rows) or 1.0
    height = len(rows) * (bar + gap) + 30
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img">'
    ]
    for i, row in enumerate(rows):
        y = 10 + i * (bar + gap)
        length = (width - left - 90) * row["delivered_kg"] / largest
        colour = "#7f7f7f" if row["strategy"] == BASELINE_ID else "#3b6ea5"
        parts.append(
            f'<text x="{left - 8}" y="{y + bar * 0.7:.1f}" text-anchor="end" font-size="12">'
            f"{html.escape(row['label'])}</text>"
            f'<rect x="{left}" y="{y}" width="{length:.1f}" height="{bar}" fill="{colour}"/>'
            f'<text x="{left + length + 6:.1f}" y="{y + bar * 0.7:.1f}" font-size="12">'
            f"{row['delivered_kg']:,.0f}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def _map(context: Context, run: RunResult) -> str:
    nodes = context.network.node_table
    lon0, lon1, lat0, lat1 = -118.6, -86.5, 14.3, 33.0
    width = 900
    scale = width / (lon1 - lon0)
    height = (lat1 - lat0) * scale * 1.08

    def xy(lon: float, lat: float) -> str:
        return f"{(lon - lon0) * scale:.1f},{(lat1 - lat) * scale * 1.08:.1f}"

    parts = [
        (
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height:.0f}" '
            f'viewBox="0 0 {width} {height:.0f}" role="img" style="background:#f4f7fb">'
        )
    ]
    colours = {"state_boundaries": "#c8c8c8", "coastline": "#7a9cc6", "us_border": "#555"}
    layers = context.dataset.map_layers or {"features": []}
    for feature in layers.get("features", []):
        layer = feature.get("properties", {}).get("layer", "")
        geometry = feature.get("geometry", {})
        lines = geometry.get("coordinates", [])
        if geometry.get("type") == "LineString":
            lines = [lines]
        for line in lines:
            points = " ".join(xy(lon, lat) for lon, lat in line)
            parts.append(
                f'<polyline points="{points}" fill="none" stroke="{colours.get(layer, "#aaa")}" '
                'stroke-width="0.8"/>'
            )
    graph = context.network.network
    flows = run.link_kg
    roads = np.flatnonzero(context.network.kind == "road")
    largest = float(flows[roads].max()) if roads.size else 1.0
    lat = nodes["lat"].to_numpy()
    lon = nodes["lon"].to_numpy()
    for link in roads:
        a, b = int(graph.tail[link]), int(graph.head[link])
        width_px = 0.4 + 7.0 * math.sqrt(flows[link] / largest) if largest > 0 else 0.4
        colour = "#d62728" if flows[link] > 0.001 * largest else "#bbbbbb"
        x1, y1 = xy(lon[a], lat[a]).split(",")
        x2, y2 = xy(lon[b], lat[b]).split(",")
        parts.append(
            f'<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" '
            f'stroke="{colour}" stroke-width="{width_px:.2f}" stroke-opacity="0.7" '
            'stroke-linecap="round"/>'
        )
    parts.append("</svg>")
    return "".join(parts)


def build_report(context: Context, rows: list[dict[str, Any]], runs: dict[str, RunResult]) -> str:
    """Return the report as one HTML document."""
    scenario = context.scenario
    baseline = runs[BASELINE_ID]
    nc = ", ".join(NOT_COMPUTED)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>counterflow: {html.escape(scenario.name)}</title>
<style>{_STYLE}</style></head><body>
<h1>counterflow — {html.escape(scenario.name)}</h1>
<p class="note">{len(scenario.strategy)} strategies, {scenario.months} months, network
{html.escape(scenario.network)}, seed {scenario.seed}. kg are horizon totals of attempted
shipments. Not computed yet (shown n/c): {html.escape(nc)}. The model keeps every least-cost
path's seizure hazard sum below 0.5, so first-order seizure accounting stays accurate.
This report informs analysis; it is not an operational plan and names no person.</p>
<h2>Outcomes by strategy</h2>
{_table(rows)}
<h2>Delivered to the US market (kg over {scenario.months} months)</h2>
{_bar_chart(rows)}
<h2>Status quo: monthly flows on the corridors</h2>
<p class="note">Line width grows with the square root of kg per month (all drugs).
Map layers: Natural Earth (public domain).</p>
{_map(context, baseline)}
</body></html>
"""
