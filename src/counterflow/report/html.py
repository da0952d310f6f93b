"""The HTML report: one self-contained file (inline CSS and SVG; no script, font or CDN).

It holds the results table, a bar chart of delivered kg by strategy, a map of the status
quo's monthly flows on the corridors over Mexico's state lines, coastline and borders
(Natural Earth, public domain, from the dataset's ``map_layers.json``), homicides per month by
strategy (mean over replications, shaded between the 5% and 95% quantiles of the replications)
and small maps of where each strategy changes homicides.
"""

from __future__ import annotations

import html
import math
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from counterflow.data import Dataset
from counterflow.legal import NOT_ADVICE
from counterflow.model.results import ENSEMBLE, Results
from counterflow.report.ensemble import build_ensemble_report
from counterflow.report.style import STYLE
from counterflow.scenario import BASELINE_ID

_PALETTE = ("#7f7f7f", "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2")
_BOUNDS = (-118.6, -86.5, 14.3, 33.0)  # lon0, lon1, lat0, lat1 of the maps

__all__ = ["build_report"]


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
        ("seized_kg", "seized kg (Mexico + US ports)"),
        ("abstained_kg", "not shipped kg"),
        ("diversion_share", "diversion share"),
        ("active_crossings", "active crossings"),
        ("excess_homicides", "excess homicides"),
        ("fragmentation_events", "splits"),
        ("civilian_harm", "civilian deaths"),
        ("cooperation_end", "cooperation at end"),
        ("legal", "legal: intl / US / Mexico"),
    ]
    with_interval = ("excess_homicides", "fragmentation_events", "civilian_harm")
    head = "".join(f"<th>{html.escape(title)}</th>" for _, title in columns)
    body = []
    for row in rows:
        cells = []
        for key, _ in columns:
            value = row.get(key)
            if key == "legal":
                verdicts = [row[f"legal_{f}"] for f in ("international", "us", "mexico")]
                cells.append(f"<td>{' / '.join(_number(v) for v in verdicts)}</td>")
            elif key == "diversion_share" and value is not None:
                cells.append(f"<td>{value:.3f}</td>")
            elif key == "cooperation_end" and value is not None:
                low, high = row[f"{key}_p05"], row[f"{key}_p95"]
                interval = f"<br><small>{low:.2f} to {high:.2f}</small>" if low != high else ""
                cells.append(f"<td>{value:.2f}{interval}</td>")
            elif key in with_interval and value is not None:
                low, high = row[f"{key}_p05"], row[f"{key}_p95"]
                interval = f"<br><small>{low:,.1f} to {high:,.1f}</small>" if low != high else ""
                cells.append(f"<td>{_number(value)}{interval}</td>")
            else:
                cells.append(f"<td>{_number(value)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (
        f'<div style="overflow-x:auto"><table><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )


_DRUGS = ("fentanyl", "methamphetamine", "cocaine")


def _drug_table(rows: list[dict[str, Any]]) -> str:
    """Per strategy and drug: delivered kg and change, retail price and change."""
    base = next(row for row in rows if row["strategy"] == BASELINE_ID)
    head = "<th>strategy</th>" + "".join(
        f"<th>{drug}: delivered kg</th><th>change %</th><th>retail USD/kg</th><th>price %</th>"
        for drug in _DRUGS
    )
    body = []
    for row in rows:
        cells = [f"<td>{html.escape(str(row['label']))}</td>"]
        for drug in _DRUGS:
            delivered = row.get(f"delivered_kg_{drug}")
            base_kg = base.get(f"delivered_kg_{drug}")
            change = (
                100.0 * (delivered - base_kg) / base_kg
                if delivered is not None and base_kg
                else None
            )
            price = row.get(f"price_retail_{drug}")
            price_change = row.get(f"price_change_pct_{drug}")
            cells += [
                f"<td>{_number(delivered)}</td>",
                "<td>n/c</td>" if change is None else f"<td>{change:+.1f}</td>",
                f"<td>{_number(price)}</td>",
                "<td>n/c</td>" if price_change is None else f"<td>{price_change:+.1f}</td>",
            ]
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (
        f'<div style="overflow-x:auto"><table><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )


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


def _projection(width: float) -> tuple[float, Any]:
    lon0, lon1, lat0, lat1 = _BOUNDS
    scale = width / (lon1 - lon0)
    height = (lat1 - lat0) * scale * 1.08

    def xy(lon: float, lat: float) -> str:
        return f"{(lon - lon0) * scale:.1f},{(lat1 - lat) * scale * 1.08:.1f}"

    return height, xy


def _basemap(dataset: Dataset, width: float) -> tuple[list[str], Any]:
    """The opening tag and the state lines, coast and border of a map ``width`` px wide."""
    height, xy = _projection(width)
    parts = [
        (
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
            f'viewBox="0 0 {width:.0f} {height:.0f}" role="img" style="background:#f4f7fb">'
        )
    ]
    colours = {"state_boundaries": "#c8c8c8", "coastline": "#7a9cc6", "us_border": "#555"}
    layers = dataset.map_layers or {"features": []}
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
    return parts, xy


def _map(dataset: Dataset, links: pd.DataFrame) -> str:
    """A strategy's kg per road link (``links`` rows of one strategy) on the corridors."""
    nodes = dataset.nodes.set_index("node_id")
    parts, xy = _basemap(dataset, 900)
    flows = links["flow_kg"].to_numpy(dtype=float)
    largest = float(flows.max()) if flows.size else 1.0
    lon = nodes["lon"]
    lat = nodes["lat"]
    for a, b, kg in zip(links["from_node"], links["to_node"], flows, strict=True):
        width_px = 0.4 + 7.0 * math.sqrt(kg / largest) if largest > 0 else 0.4
        colour = "#d62728" if kg > 0.001 * largest else "#bbbbbb"
        x1, y1 = xy(lon[a], lat[a]).split(",")
        x2, y2 = xy(lon[b], lat[b]).split(",")
        parts.append(
            f'<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" '
            f'stroke="{colour}" stroke-width="{width_px:.2f}" stroke-opacity="0.7" '
            'stroke-linecap="round"/>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _per_run(table: pd.DataFrame, strategy: str, value: str) -> NDArray[np.float64]:
    """A strategy's monthly series, one row per replication (months summed over other keys)."""
    rows = table[table["strategy"] == strategy]
    wide = rows.pivot_table(index="replication", columns="month", values=value, aggfunc="sum")
    return wide.to_numpy(dtype=float)


def _series_chart(months: int, series: dict[str, NDArray[np.float64]], *, digits: int = 0) -> str:
    """Lines per strategy over months (rows of ``series[id]``: replications), 5-95% shaded."""
    means = {k: v.mean(axis=0) for k, v in series.items()}
    bands = {
        k: (
            np.quantile(v, 0.05, axis=0, method="linear"),
            np.quantile(v, 0.95, axis=0, method="linear"),
        )
        for k, v in series.items()
    }
    width, height, left, bottom, top = 820, 300, 70, 30, 10
    low = min(float(lo.min()) for lo, _ in bands.values())
    high = max(float(hi.max()) for _, hi in bands.values())
    pad = max((high - low) * 0.1, 10.0 ** (-digits))
    low, high = low - pad, high + pad

    def x(month: float) -> float:
        return left + (width - left - 230) * (month - 1) / max(months - 1, 1)

    def y(value: float) -> float:
        return top + (height - top - bottom) * (high - value) / (high - low)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img">'
    ]
    parts.append(
        f'<line x1="{left}" y1="{height - bottom}" x2="{x(months)}" y2="{height - bottom}" '
        'stroke="#999"/>'
    )
    parts.extend(
        f'<text x="{left - 6}" y="{y(value) + 4:.1f}" text-anchor="end" font-size="11">'
        f"{value:,.{digits}f}</text>"
        for value in np.linspace(low + pad, high - pad, 4)
    )
    parts.extend(
        f'<text x="{x(month):.1f}" y="{height - bottom + 16}" text-anchor="middle" '
        f'font-size="11">{month}</text>'
        for month in sorted({1, *range(6, months + 1, 6), months})
    )
    for i, (strategy_id, values) in enumerate(means.items()):
        colour = _PALETTE[i % len(_PALETTE)]
        lo, hi = bands[strategy_id]
        if np.any(hi > lo):
            outline = [f"{x(m + 1):.1f},{y(v):.1f}" for m, v in enumerate(hi)]
            outline += [f"{x(m + 1):.1f},{y(v):.1f}" for m, v in reversed(list(enumerate(lo)))]
            parts.append(
                f'<polygon points="{" ".join(outline)}" fill="{colour}" fill-opacity="0.12" '
                'stroke="none"/>'
            )
        points = " ".join(f"{x(m + 1):.1f},{y(v):.1f}" for m, v in enumerate(values))
        parts.append(
            f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="1.8"/>'
        )
        label_y = top + 14 * i + 10
        parts.append(
            f'<rect x="{width - 215}" y="{label_y - 8}" width="10" height="10" fill="{colour}"/>'
            f'<text x="{width - 200}" y="{label_y + 1}" font-size="11">'
            f"{html.escape(strategy_id)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def _homicide_chart(results: Results) -> str:
    """National homicides per month by strategy."""
    regions = results.tables["regions"]
    if regions.empty:
        return '<p class="note">No homicide counts in this dataset: not computed.</p>'
    series = {s.id: _per_run(regions, s.id, "homicides") for s in results.scenario.strategy}
    return _series_chart(results.scenario.months, series)


def _cooperation_chart(results: Results) -> str:
    """The cooperation index per month by strategy."""
    cooperation = results.tables["cooperation"]
    series = {s.id: _per_run(cooperation, s.id, "cooperation") for s in results.scenario.strategy}
    return _series_chart(results.scenario.months, series, digits=2)


def _legal_section(results: Results) -> str:
    """Per strategy: the verdicts, and the reasoning with its citations."""
    verdicts = results.tables["verdicts"]
    if verdicts.empty:
        return '<p class="note">Not computed.</p>'
    trace = results.tables["trace"]
    parts = []
    for strategy_id in dict.fromkeys(verdicts["strategy"]):
        found = verdicts[verdicts["strategy"] == strategy_id]
        summary = ", ".join(
            f"{html.escape(f)}: <b>{html.escape(v)}</b> (as of {d})"
            for f, v, d in zip(found["framework"], found["verdict"], found["as_of"], strict=True)
        )
        steps = trace[trace["strategy"] == strategy_id]
        rows = "".join(
            "<tr>"
            f"<td>{html.escape(framework)}</td>"
            f"<td>{html.escape(rule)}</td>"
            f"<td>{html.escape(effect)}</td>"
            f"<td style='text-align:left'>{html.escape(finding)}</td>"
            f"<td style='text-align:left'>{html.escape(citation)}</td>"
            "</tr>"
            for framework, rule, effect, finding, citation in zip(
                steps["framework"],
                steps["rule"],
                steps["effect"],
                steps["finding"],
                steps["citation"],
                strict=True,
            )
        )
        parts.append(
            f"<details><summary><b>{html.escape(strategy_id)}</b>: {summary}</summary>"
            "<table><thead><tr><th>framework</th><th>rule</th><th>effect</th><th>finding</th>"
            f"<th>citation</th></tr></thead><tbody>{rows}</tbody></table></details>"
        )
    return "".join(parts)


def _change_maps(results: Results, dataset: Dataset) -> str:
    """Per strategy, circles at state centres sized by the mean excess homicides there."""
    regions = results.tables["regions"]
    if regions.empty:
        return ""
    nodes = dataset.nodes
    mexican = nodes[nodes["kind"] != "us_port"]
    centre = mexican.groupby("state_code")[["lon", "lat"]].mean()

    def mean_by_state(strategy: str) -> NDArray[np.float64]:
        rows = regions[regions["strategy"] == strategy]
        per_run = [
            t.groupby("state_code")["homicides"].sum() for _, t in rows.groupby("replication")
        ]
        return np.asarray(np.mean(per_run, axis=0), dtype=float)

    base = mean_by_state(BASELINE_ID)
    first = regions[(regions["strategy"] == BASELINE_ID) & (regions["replication"] == 0)]
    states = first.groupby("state_code")["homicides"].sum().index
    changes = {
        strategy.id: mean_by_state(strategy.id) - base
        for strategy in results.scenario.strategy
        if strategy.id != BASELINE_ID
    }
    largest = max((float(np.abs(c).max()) for c in changes.values()), default=0.0) or 1.0
    cells = []
    for strategy_id, change in changes.items():
        parts, xy = _basemap(dataset, 360)
        for state, value in zip(states, change, strict=True):
            if abs(value) < 0.5 or state not in centre.index:
                continue
            lon, lat = centre.loc[state, ["lon", "lat"]].to_numpy(dtype=float)
            cx, cy = xy(lon, lat).split(",")
            radius = 2.0 + 22.0 * math.sqrt(abs(value) / largest)
            colour = "#d62728" if value > 0 else "#1f77b4"
            parts.append(
                f'<circle cx="{cx}" cy="{cy}" r="{radius:.1f}" fill="{colour}" '
                f'fill-opacity="0.55"><title>{html.escape(str(state))}: {value:+,.0f}</title>'
                "</circle>"
            )
        parts.append("</svg>")
        total = float(change.sum())
        cells.append(
            f'<figure style="display:inline-block;margin:.4rem"><figcaption>'
            f"{html.escape(strategy_id)}: {total:+,.0f}</figcaption>{''.join(parts)}</figure>"
        )
    return "".join(cells)


def build_report(results: Results, dataset: Dataset) -> str:
    """Return the report of ``results`` as one HTML document (reads nothing but its inputs).

    ``dataset`` gives the map: node coordinates and the map layers of the scenario's network.
    An ensemble's results get the ensemble page, which needs no map
    (:func:`counterflow.report.ensemble.build_ensemble_report`).
    """
    if results.kind == ENSEMBLE:
        return build_ensemble_report(results)
    scenario = results.scenario
    rows = [dict(row) for row in results.rows]
    missing = sorted({key for row in rows for key in row["not_computed"]})
    nc = ", ".join(missing) or "none"
    replications = scenario.replications
    links = results.tables["links"]
    baseline_links = links[links["strategy"] == BASELINE_ID]
    threshold = results.parameters["diplomacy.consent_threshold"]
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>counterflow: {html.escape(scenario.name)}</title>
<style>{STYLE}</style></head><body>
<h1>counterflow — {html.escape(scenario.name)}</h1>
<p class="note">{len(scenario.strategy)} strategies, {scenario.months} months, {replications}
replication(s) paired across strategies (common random numbers), network
{html.escape(scenario.network)}, seed {scenario.seed}; baseline homicides:
{html.escape(scenario.homicide_series.upper())} {scenario.homicide_year}. kg are horizon totals
of attempted shipments; every figure is the mean over replications. Not computed yet (shown
n/c): {html.escape(nc)}. The model keeps every least-cost path's seizure hazard sum below 0.5,
so first-order seizure accounting stays accurate. Leadership, removals and factions are
synthetic model events. This report informs analysis; it is not an operational plan and names
no person.</p>
<h2>Outcomes by strategy</h2>
{_table(rows)}
<h2>By drug: delivered kg and prices</h2>
<p class="note">The sum over unlike drugs is never the only headline. Delivered kg over the
horizon and their change against the status quo; the retail price (USD per kg as trafficked at
the border, mean over the months) and its change, paired per replication. Prices come from the
market model: demand per drug, pass-through from border to retail prices, replacement of seized
kg (docs/market.md).</p>
{_drug_table(rows)}
<h2>Delivered to the US market (kg over {scenario.months} months)</h2>
{_bar_chart(rows)}
<h2>Homicides in Mexico per month</h2>
<p class="note">Sum over states: the line is the mean over replications, the shade runs from
the 5% to the 95% quantile of the replications. Removals raise homicides where the organization
is strong and next door, fading over months; splits raise contested flow.</p>
{_homicide_chart(results)}
<h2>Where homicides change (excess over the horizon against the status quo)</h2>
<p class="note">Circles at state centres; area grows with the mean excess (red: more, blue:
fewer). Hover a circle for the state and number.</p>
{_change_maps(results, dataset)}
<h2>Cooperation with Mexico</h2>
<p class="note">The cooperation index C (0: none, 1: full) at the end of each month: mean over
replications, shaded from the 5% to the 95% quantile. Unilateral action on Mexican territory
shocks it; it recovers with a half-life; consented joint work raises it. Below
{threshold:g} Mexico withholds consent and consented
operations pause.</p>
{_cooperation_chart(results)}
<h2>Law</h2>
<p class="note">The worst verdict over the months of the horizon under each framework, and the
reasoning of the month that reached it: each rule with its citation, the facts and the finding.
Verdicts are the mainstream reading; claims the mainstream rejects are shown as asserted.
{html.escape(NOT_ADVICE)}</p>
{_legal_section(results)}
<h2>Status quo: monthly flows on the corridors</h2>
<p class="note">Line width grows with the square root of kg per month (all drugs).
Map layers: Natural Earth (public domain).</p>
{_map(dataset, baseline_links)}
</body></html>
"""
