"""The HTML report of a comparison: one self-contained file an analyst can forward.

Inline CSS and SVG made in Python (:mod:`counterflow.report.charts`), no script, font or
request: the page opens offline and prints on A4. Sections, in order: *Findings* (sentences
generated from the numbers, each with its interval: :mod:`counterflow.report.findings`), the
*Comparison* table with 5–95% intervals, per drug and with prices, *Trade-offs* (delivered kg
against excess homicides and against cooperation lost), the *Map* (each strategy's flows on
the corridors with a strategy switch made of radio buttons and CSS, crossings sized by kg and
named on hover, homicide changes per state), *Over time* (small multiples per strategy of
delivered kg, homicides, cooperation and retail prices, each with its band), *Law* (verdicts
and the cited reasoning) and *Assumptions and record* (:mod:`counterflow.report.record`).

Inline SVG rather than Vega-Lite: the charts are few and fixed, a Vega runtime would add
about 0.9 MB and a script (so a console that can fail), and static SVG prints and reads without
JavaScript (docs/outputs.md, "The report").
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
from counterflow.model.outcomes import DRUGS
from counterflow.model.results import ENSEMBLE, Results
from counterflow.report.charts import Band, Point, legend, small_multiples, tradeoff_chart
from counterflow.report.ensemble import build_ensemble_report
from counterflow.report.findings import findings
from counterflow.report.palette import colours_for, dash_for
from counterflow.report.record import record
from counterflow.report.style import STYLE
from counterflow.scenario import BASELINE_ID

_BOUNDS = (-118.6, -86.5, 14.3, 33.0)  # lon0, lon1, lat0, lat1 of the maps

__all__ = ["build_report"]

Row = dict[str, Any]


def _number(value: Any, fmt: str = ",.1f") -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return '<span class="nc">n/c</span>'
    if isinstance(value, float):
        return f"{value:{fmt}}"
    return html.escape(str(value))


def _with_interval(row: Row, key: str, fmt: str) -> str:
    """``mean`` with ``low to high`` below it when the 5–95% range is not a single value."""
    value = row.get(key)
    low, high = row.get(f"{key}_p05"), row.get(f"{key}_p95")
    cell = _number(value, fmt)
    if value is not None and low is not None and high is not None and low != high:
        cell += f"<br><small>{low:{fmt}} to {high:{fmt}}</small>"
    return cell


_COLUMNS = (
    ("delivered_kg", "delivered to the US (kg)", ",.0f"),
    ("delivered_change_pct", "change against the status quo (%)", "+.2f"),
    ("seized_kg", "seized, Mexico and US ports (kg)", ",.0f"),
    ("abstained_kg", "not shipped (kg)", ",.0f"),
    ("diversion_share", "diverted to other crossings (share of kg)", ".3f"),
    ("active_crossings", "active crossings (count)", ".0f"),
    ("excess_homicides", "excess homicides (deaths, all states)", "+,.0f"),
    ("fragmentation_events", "organizations split (count)", ".2f"),
    ("civilian_harm", "civilian deaths from strikes (expected)", ",.1f"),
    ("cooperation_end", "cooperation at the end (index 0–1)", ".2f"),
)


def _comparison_table(rows: list[Row], colours: dict[str, str]) -> str:
    head = "<th>strategy</th>" + "".join(f"<th>{html.escape(t)}</th>" for _, t, _ in _COLUMNS)
    head += "".join(f"<th>{name} law</th>" for name in ("international", "US", "Mexican"))
    body = []
    for row in rows:
        cells = [_swatch_label(row, colours)]
        cells += [f"<td>{_with_interval(row, key, fmt)}</td>" for key, _, fmt in _COLUMNS]
        cells += [
            f'<td class="text">{_number(row.get(f"legal_{f}"))}</td>'
            for f in ("international", "us", "mexico")
        ]
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (
        '<div class="wide"><table><caption>Outcomes over the horizon: mean over replications, '
        "5–95% range below where the replications differ</caption>"
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>"
    )


def _swatch_label(row: Row, colours: dict[str, str]) -> str:
    """The strategy's cell: its colour and its label (which wraps)."""
    colour = colours.get(str(row["strategy"]), "#999")
    return (
        f'<td class="label"><span class="swatch" style="background:{colour}"></span>'
        f"{html.escape(str(row['label']))}</td>"
    )


def _per_drug(drugs: pd.DataFrame) -> dict[tuple[str, str], NDArray[np.float64]]:
    """Delivered kg per strategy and drug: one total over the months per replication."""
    totals = drugs.groupby(["strategy", "drug", "replication"], sort=True)["delivered_kg"].sum()
    found: dict[tuple[str, str], NDArray[np.float64]] = {}
    for key, values in totals.groupby(level=["strategy", "drug"], sort=False):
        strategy, drug = (str(part) for part in key)  # type: ignore[union-attr]
        found[(strategy, drug)] = values.to_numpy(dtype=float)
    return found


def _drug_table(rows: list[Row], drugs: pd.DataFrame, colours: dict[str, str]) -> str:
    """Per strategy and drug: delivered kg, its paired change and the retail price's change."""
    if drugs.empty:
        return '<p class="note">No per-drug table in these results: not computed.</p>'
    totals = _per_drug(drugs)
    head = "<th>strategy</th>" + "".join(
        f"<th>{drug}: delivered (kg)</th><th>{drug}: change (%)</th>"
        f"<th>{drug}: retail price change (%)</th>"
        for drug in DRUGS
    )
    body = []
    for row in rows:
        cells = [_swatch_label(row, colours)]
        for drug in DRUGS:
            mine = totals.get((str(row["strategy"]), drug))
            base = totals.get((BASELINE_ID, drug))
            if mine is None or base is None or mine.shape != base.shape or not np.all(base > 0):
                cells += ["<td>n/c</td>"] * 3
                continue
            change = 100.0 * (mine - base) / base
            kg = {"v": float(mine.mean()), "v_p05": _q(mine, 0.05), "v_p95": _q(mine, 0.95)}
            pct = {"v": float(change.mean()), "v_p05": _q(change, 0.05), "v_p95": _q(change, 0.95)}
            cells += [
                f"<td>{_with_interval(kg, 'v', ',.0f')}</td>",
                f"<td>{_with_interval(pct, 'v', '+.1f')}</td>",
                f"<td>{_with_interval(row, f'price_change_pct_{drug}', '+.1f')}</td>",
            ]
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (
        '<div class="wide"><table><caption>By drug, over the horizon: delivered kg, their '
        "change against the status quo paired per replication, and the change of the mean "
        "retail price (5–95% ranges below)</caption>"
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>"
    )


def _q(values: NDArray[np.float64], q: float) -> float:
    return float(np.quantile(values, q, method="linear"))


def _tradeoffs(rows: list[Row], colours: dict[str, str]) -> str:
    base = next(row for row in rows if row["strategy"] == BASELINE_ID)
    others = [row for row in rows if row["strategy"] != BASELINE_ID]
    if not others or any(r.get("delivered_change_pct") is None for r in others):
        return '<p class="note">Delivered kg not computed: no trade-offs to draw.</p>'

    def ranged(row: Row, key: str) -> tuple[float, float, float]:
        value = float(row.get(key) or 0.0)
        return value, float(row.get(f"{key}_p05", value)), float(row.get(f"{key}_p95", value))

    homicides, cooperation = [], []
    start = float(base.get("cooperation_end") or 0.0)
    for row in others:
        x, x_low, x_high = ranged(row, "delivered_change_pct")
        label, colour = str(row["label"]), colours[str(row["strategy"])]
        y, y_low, y_high = ranged(row, "excess_homicides")
        homicides.append(Point(label, colour, -x, -x_high, -x_low, y, y_low, y_high))
        c, c_low, c_high = ranged(row, "cooperation_end")
        cooperation.append(
            Point(label, colour, -x, -x_high, -x_low, start - c, start - c_high, start - c_low)
        )
    x_title = "cut in delivered kg against the status quo (%)"
    left = tradeoff_chart(
        homicides,
        x_title=x_title,
        y_title="excess homicides over the horizon (deaths)",
        title="Delivered kg cut against excess homicides",
        description="One point per strategy with 5–95% whiskers: right is fewer drugs "
        "delivered, up is more homicides in Mexico.",
    )
    right = tradeoff_chart(
        cooperation,
        x_title=x_title,
        y_title="cooperation lost at the end (index points)",
        title="Delivered kg cut against cooperation lost",
        description="One point per strategy with 5–95% whiskers: right is fewer drugs "
        "delivered, up is more of Mexico's cooperation lost.",
    )
    entries = [(str(r["label"]), colours[str(r["strategy"])], "") for r in others]
    return (
        f'<div class="pair"><figure>{left}</figure><figure>{right}</figure></div>{legend(entries)}'
    )


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
        if layer == "state_areas":
            continue  # areas, not lines: shaded by the map that uses them
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


_FLOW = "#7b3294"  # flows on the map (purple: apart from the red/blue of homicide changes)
_MORE, _FEWER = "#D55E00", "#0072B2"  # Okabe-Ito vermillion and blue


def _crossing_kg(crossings: pd.DataFrame) -> pd.DataFrame:
    """Per strategy and crossing: kg arriving over the horizon, mean over replications."""
    if crossings.empty:
        return pd.DataFrame(columns=["strategy", "crossing_id", "crossing_name", "kg"])
    per_run = crossings.groupby(
        ["strategy", "replication", "crossing_id", "crossing_name"], sort=False
    )["arriving_kg"].sum()
    mean = per_run.groupby(level=["strategy", "crossing_id", "crossing_name"], sort=False).mean()
    return mean.rename("kg").reset_index()


def _state_changes(regions: pd.DataFrame) -> dict[str, pd.Series]:
    """Per strategy: mean excess homicides per state over the horizon against the status quo."""
    if regions.empty:
        return {}
    per_run = regions.groupby(["strategy", "replication", "state_code"], sort=False)[
        "homicides"
    ].sum()
    mean = per_run.groupby(level=["strategy", "state_code"], sort=False).mean()
    if BASELINE_ID not in mean.index.get_level_values("strategy"):
        return {}
    base = mean.xs(BASELINE_ID, level="strategy")
    return {
        str(strategy): mean.xs(strategy, level="strategy") - base
        for strategy in dict.fromkeys(mean.index.get_level_values("strategy"))
        if strategy != BASELINE_ID
    }


def _state_paths(dataset: Dataset, xy: Any) -> dict[str, str]:
    """Each state's area (layer ``state_areas`` of the map layers) as an SVG path."""
    layers = dataset.map_layers or {"features": []}
    found: dict[str, str] = {}
    for feature in layers.get("features", []):
        properties = feature.get("properties", {})
        if properties.get("layer") != "state_areas":
            continue
        geometry = feature.get("geometry", {})
        polygons = geometry.get("coordinates", [])
        if geometry.get("type") == "Polygon":
            polygons = [polygons]
        rings = [ring for polygon in polygons for ring in polygon]
        found[str(properties.get("state_code"))] = "".join(
            "M" + "L".join(xy(lon, lat) for lon, lat in ring) + "Z" for ring in rings
        )
    return found


def _shading(
    change: pd.Series | None,
    areas: dict[str, str],
    centres: dict[str, tuple[float, float]],
    xy: Any,
    biggest: float,
) -> list[str]:
    """A strategy's excess homicides per state: its area shaded, or a circle at its centre."""
    if change is None:
        return []
    shapes = []
    for state, value in change.items():
        code = str(state)
        if abs(value) < 0.5:
            continue
        colour = _MORE if value > 0 else _FEWER
        title = f"<title>{html.escape(code)}: {value:+,.0f} homicides</title>"
        if code in areas:
            opacity = 0.12 + 0.6 * min(1.0, abs(value) / biggest)
            shapes.append(
                f'<use href="#state-{html.escape(code)}" fill="{colour}" '
                f'fill-opacity="{opacity:.2f}">{title}</use>'
            )
        elif code in centres:
            cx, cy = xy(*centres[code]).split(",")
            radius = 3.0 + 20.0 * math.sqrt(abs(value) / biggest)
            shapes.append(
                f'<circle cx="{cx}" cy="{cy}" r="{radius:.1f}" fill="{colour}" '
                f'fill-opacity="0.35">{title}</circle>'
            )
    return shapes


def _map_section(results: Results, dataset: Dataset) -> tuple[str, str]:
    """The map's HTML and its CSS: a radio button per strategy shows that strategy's layer."""
    strategies = [(s.id, s.label) for s in results.scenario.strategy]
    nodes = dataset.nodes
    where = dict(zip(nodes["node_id"], zip(nodes["lon"], nodes["lat"], strict=True), strict=True))
    parts, xy = _basemap(dataset, 900)
    areas = _state_paths(dataset, xy)
    parts.append(
        "<defs>"
        + "".join(f'<path id="state-{html.escape(code)}" d="{d}"/>' for code, d in areas.items())
        + "</defs>"
    )

    def at(node: str) -> tuple[str, str]:
        x, y = xy(*where[node]).split(",")
        return x, y

    links = results.tables["links"]
    roads = links.drop_duplicates(["from_node", "to_node"])
    for a, b in zip(roads["from_node"], roads["to_node"], strict=True):
        if a in where and b in where:
            (x1, y1), (x2, y2) = at(a), at(b)
            parts.append(
                f'<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" stroke="#d6d6d6" '
                'stroke-width="0.6"/>'
            )
    largest = float(links["flow_kg"].max()) if not links.empty else 0.0
    crossing = _crossing_kg(results.tables["crossings"])
    most = float(crossing["kg"].max()) if not crossing.empty else 0.0
    changes = _state_changes(results.tables["regions"])
    biggest = max((float(c.abs().max()) for c in changes.values()), default=0.0) or 1.0
    mexican = nodes[nodes["kind"] != "us_port"].groupby("state_code")[["lon", "lat"]].mean()
    centres = {
        str(state): (float(lon), float(lat))
        for state, lon, lat in zip(mexican.index, mexican["lon"], mexican["lat"], strict=True)
    }
    css = ["#map .flows{display:none}"]
    inputs, labels = [], []
    for i, (strategy_id, label) in enumerate(strategies):
        checked = " checked" if i == 0 else ""
        inputs.append(
            f'<input type="radio" class="map-switch" name="map-strategy" id="map-s-{i}"{checked}>'
        )
        labels.append(f'<label for="map-s-{i}">{html.escape(label)}</label>')
        css.append(f"#map-s-{i}:checked~figure .flows-{i}{{display:inline}}")
        css.append(f"#map-s-{i}:checked~.switch label[for=map-s-{i}]{{{_ON}}}")
        layer = [f'<g class="flows flows-{i}" data-strategy="{html.escape(strategy_id)}">']
        layer += _shading(changes.get(strategy_id), areas, centres, xy, biggest)
        mine = links[links["strategy"] == strategy_id]
        for a, b, kg in zip(mine["from_node"], mine["to_node"], mine["flow_kg"], strict=True):
            if largest <= 0 or kg <= 0.002 * largest:
                continue
            (x1, y1), (x2, y2) = at(a), at(b)
            width = 0.6 + 7.0 * math.sqrt(kg / largest)
            layer.append(
                f'<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" stroke="{_FLOW}" '
                f'stroke-width="{width:.2f}" stroke-opacity="0.75" stroke-linecap="round"/>'
            )
        ours = crossing[crossing["strategy"] == strategy_id]
        for node, name, kg in zip(
            ours["crossing_id"], ours["crossing_name"], ours["kg"], strict=True
        ):
            if node not in where:
                continue
            cx, cy = at(node)
            radius = 2.0 + 9.0 * math.sqrt(kg / most) if most > 0 else 2.0
            layer.append(
                f'<circle cx="{cx}" cy="{cy}" r="{radius:.1f}" fill="#fff" stroke="#111" '
                f'stroke-width="1.2"><title>{html.escape(str(name))}: {kg:,.0f} kg arriving '
                "over the horizon</title></circle>"
            )
        layer.append("</g>")
        parts.extend(layer)
    parts.append("</svg>")
    note = (
        '<p class="note">Purple lines: kg per road link in month 1 (width grows with the square '
        "root of kg; replication 0). White circles: ports of entry, sized by the kg arriving "
        "over the horizon (mean over replications); hover one for its name and kg. States are "
        "shaded by their excess homicides over the horizon against the status quo "
        f'(<span style="color:{_MORE}">more</span>, <span style="color:{_FEWER}">fewer</span>;'
        " darker is larger; hover for the state). Map layers: Natural Earth (public domain)."
        "</p>"
    )
    body = (
        f"{note}{''.join(inputs)}"
        f'<div class="switch" role="group" aria-label="strategy on the map">{"".join(labels)}</div>'
        f'<figure class="map">{"".join(parts)}</figure>'
    )
    return body, "".join(css)


_ON = "background:#222;color:#fff;border-color:#222"


def _bands(table: pd.DataFrame, strategy: str, value: str, months: int) -> Band | None:
    rows = table[table["strategy"] == strategy]
    if rows.empty:
        return None
    wide = rows.pivot_table(index="replication", columns="month", values=value, aggfunc="sum")
    wide = wide.reindex(columns=range(1, months + 1))
    values: NDArray[np.float64] = wide.to_numpy(dtype=float)
    return Band(
        values.mean(axis=0),
        np.quantile(values, 0.05, axis=0, method="linear"),
        np.quantile(values, 0.95, axis=0, method="linear"),
    )


def _over_time(results: Results, colours: dict[str, str]) -> str:
    months = results.scenario.months
    ids = [s.id for s in results.scenario.strategy]
    labels = {s.id: s.label for s in results.scenario.strategy}
    drugs = results.tables["drugs"]
    metrics: list[tuple[str, str, pd.DataFrame, str, bool]] = [  # title, unit, table, column
        ("Delivered to the US, all drugs", "kg per month", drugs, "delivered_kg", True),
        (
            "Homicides in Mexico, all states",
            "deaths per month",
            results.tables["regions"],
            "homicides",
            True,
        ),
        (
            "Mexico's cooperation",
            "index 0–1, end of month",
            results.tables["cooperation"],
            "cooperation",
            True,
        ),
    ]
    if "price_retail_usd_per_kg" in drugs.columns:
        metrics.extend(
            (
                f"Retail price of {drug}",
                "USD per kg as trafficked",
                drugs[drugs["drug"] == drug],
                "price_retail_usd_per_kg",
                True,
            )
            for drug in DRUGS
        )
    blocks = []
    for metric, unit, table, value, from_zero in metrics:
        if table.empty:
            blocks.append(f"<h3>{html.escape(metric)}</h3><p class='note'>Not computed.</p>")
            continue
        reference = _bands(table, BASELINE_ID, value, months)
        panels = []
        for strategy in ids:
            band = _bands(table, strategy, value, months)
            if band is not None:
                panels.append((labels[strategy], band, colours[strategy], dash_for(ids, strategy)))
        chart = small_multiples(
            months,
            panels,
            reference,
            metric=metric,
            unit=unit,
            from_zero=from_zero,
            limits=(0.0, 1.0) if value == "cooperation" else None,
        )
        blocks.append(f"<h3>{html.escape(metric)}</h3>{chart}")
    return "".join(blocks)


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
    colours = colours_for([s.id for s in scenario.strategy])
    missing = sorted({key for row in rows for key in row["not_computed"]})
    nc = ", ".join(missing) or "none"
    threshold = results.parameters["diplomacy.consent_threshold"]
    map_html, map_css = _map_section(results, dataset)
    sections = [
        (
            "findings",
            "Findings",
            findings(rows, months=scenario.months, replications=scenario.replications),
        ),
        (
            "comparison",
            "Comparison",
            _comparison_table(rows, colours)
            + _drug_table(rows, results.tables["drugs"], colours)
            + f'<p class="note">Not computed (shown n/c): {html.escape(nc)}. '
            "kg are horizon totals of attempted shipments; the sum over unlike drugs is never "
            "the only headline (per drug above). Prices come from the market model "
            "(docs/market.md).</p>",
        ),
        ("tradeoffs", "Trade-offs", _tradeoffs(rows, colours)),
        ("map", "Map", map_html),
        (
            "over-time",
            "Over time",
            _over_time(results, colours)
            + f'<p class="note">Below a cooperation index of {threshold:g} Mexico withholds '
            "consent and consented operations pause.</p>",
        ),
        (
            "law",
            "Law",
            '<p class="note">The worst verdict over the months of the horizon under each '
            "framework, and the reasoning of the month that reached it: each rule with its "
            "citation, the facts and the finding. Verdicts are the mainstream reading; claims "
            f"the mainstream rejects are shown as asserted. {html.escape(NOT_ADVICE)}</p>"
            + _legal_section(results),
        ),
        ("record", "Assumptions and record", record(results)),
    ]
    body = "".join(
        f'<section id="{key}"><h2>{html.escape(title)}</h2>{content}</section>'
        for key, title, content in sections
    )
    name = html.escape(scenario.name)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>counterflow: {name}</title>
<style>{STYLE}{map_css}</style></head><body>
<h1>counterflow — {name}</h1>
<p class="note">{len(scenario.strategy)} strategies, {scenario.months} months from
{scenario.start_date}, {scenario.replications} replication(s) paired across strategies (common
random numbers), network {html.escape(scenario.network)}, seed {scenario.seed}, counterflow
{html.escape(results.version)}. Leadership, removals and factions are synthetic model events.
This report informs analysis; it is not an operational plan, names no person and is not legal
advice.</p>
{body}
</body></html>
"""
